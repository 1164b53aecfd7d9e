-- 数字化城市管理 (GB/T 30428; see core/src/cases.rs and grid.rs): the unit grid, the classes
-- of 部件 and 事件 with their time limits, and the cases with every step they took.

-- 单元网格: each cell's outline kept as GeoJSON (a MultiPolygon, degrees exactly as read).
CREATE TABLE grid_cells (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    street_id BIGINT NOT NULL REFERENCES org_units (id),
    community TEXT NOT NULL,
    shape TEXT NOT NULL,
    sample INTEGER NOT NULL
);

-- 部件/事件 小类: 立案条件, 结案条件 and 处置时限 (in working hours or working days).
CREATE TABLE case_classes (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    major TEXT NOT NULL,
    name TEXT NOT NULL,
    file_rule TEXT NOT NULL,
    close_rule TEXT NOT NULL,
    time_limit INTEGER NOT NULL,
    limit_unit TEXT NOT NULL,
    default_unit_id BIGINT REFERENCES org_units (id)
);

-- A class's disposing unit in a street, where it is not the class's default.
CREATE TABLE case_class_units (
    class_code TEXT NOT NULL REFERENCES case_classes (code) ON DELETE CASCADE,
    street_id BIGINT NOT NULL REFERENCES org_units (id),
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (class_code, street_id)
);

-- A case as its steps have left it; times are local, 'YYYY-MM-DD HH:MM'.
CREATE TABLE cases (
    id {id},
    class_code TEXT NOT NULL REFERENCES case_classes (code),
    cell_id BIGINT NOT NULL REFERENCES grid_cells (id),
    lon TEXT NOT NULL,
    lat TEXT NOT NULL,
    address TEXT NOT NULL,
    description TEXT NOT NULL,
    photos TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    state TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_units (id),
    due_at TEXT,
    reworks INTEGER NOT NULL,
    extensions INTEGER NOT NULL,
    redispatches INTEGER NOT NULL,
    suspended_from TEXT,
    -- When it was filed, first dispatched, last disposed of (the disposal the check passed,
    -- against the deadline: 按期) and closed: what the evaluation counts by.
    filed_at TEXT,
    dispatched_at TEXT,
    disposed_at TEXT,
    closed_at TEXT,
    version BIGINT NOT NULL,
    sample INTEGER NOT NULL
);
CREATE INDEX cases_by_reported ON cases (reported_at);
CREATE INDEX cases_by_due ON cases (due_at);
CREATE INDEX cases_by_unit ON cases (unit_id, state);
CREATE INDEX cases_by_cell ON cases (cell_id);

-- Every step a case took: who, for which unit, when, from which state to which.
CREATE TABLE case_steps (
    id {id},
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_units (id),
    at TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL
);
CREATE INDEX case_steps_by_case ON case_steps (case_id);
