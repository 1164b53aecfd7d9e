-- The ledger schema, in SQL that SQLite and PostgreSQL both accept.
-- {id} is the one dialect word: an auto-assigned 64-bit primary key.
-- Exact decimals are BIGINT counts of 1/10000 of their unit (columns ending in _e4):
-- both databases sum them exactly. Dates are ISO text, periods their keys (2017, 2017Q3, 2017-03).

CREATE TABLE org_units (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES org_units (id),
    sort_order BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX org_units_parent ON org_units (parent_id);

CREATE TABLE report_sections (
    key TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    lead TEXT NOT NULL,
    joiner TEXT NOT NULL,
    sort_order BIGINT NOT NULL
);

CREATE TABLE indicators (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    unit TEXT NOT NULL,
    decimals BIGINT NOT NULL,
    value_type TEXT NOT NULL,
    aggregation TEXT NOT NULL,
    temporal TEXT NOT NULL,
    direction TEXT NOT NULL,
    non_negative BIGINT NOT NULL,
    section TEXT NOT NULL REFERENCES report_sections (key),
    sort_order BIGINT NOT NULL,
    phrase TEXT NOT NULL,
    clause TEXT NOT NULL,
    growth_word TEXT NOT NULL
);

CREATE TABLE indicator_aliases (
    alias TEXT PRIMARY KEY,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE
);

CREATE TABLE indicator_values (
    indicator_id BIGINT NOT NULL REFERENCES indicators (id),
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    period TEXT NOT NULL,
    year BIGINT NOT NULL,
    value_e4 BIGINT,
    growth_e4 BIGINT,
    note TEXT,
    sample BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (indicator_id, unit_id, period),
    CHECK (value_e4 IS NOT NULL OR growth_e4 IS NOT NULL)
);
CREATE INDEX indicator_values_unit ON indicator_values (unit_id, period);

CREATE TABLE targets (
    indicator_id BIGINT NOT NULL REFERENCES indicators (id),
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    year BIGINT NOT NULL,
    level_e4 BIGINT,
    growth_e4 BIGINT,
    qualifier TEXT,
    PRIMARY KEY (indicator_id, unit_id, year),
    CHECK (level_e4 IS NOT NULL OR growth_e4 IS NOT NULL)
);

CREATE TABLE plan_nodes (
    id {id},
    code TEXT NOT NULL UNIQUE,
    parent_id BIGINT REFERENCES plan_nodes (id),
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    level_label TEXT NOT NULL,
    title TEXT NOT NULL,
    sort_order BIGINT NOT NULL
);
CREATE INDEX plan_nodes_unit_year ON plan_nodes (unit_id, year);

CREATE TABLE plan_milestones (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    horizon TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (unit_id, horizon)
);

CREATE TABLE projects (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    nature TEXT NOT NULL,
    location TEXT NOT NULL,
    content TEXT NOT NULL,
    total_investment_e4 BIGINT NOT NULL CHECK (total_investment_e4 >= 0),
    planned_start TEXT,
    planned_finish TEXT,
    actual_start TEXT,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    lead_leader TEXT NOT NULL,
    responsible_person TEXT NOT NULL,
    contact TEXT NOT NULL,
    deadline TEXT,
    plan_node_id BIGINT REFERENCES plan_nodes (id),
    sample BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX projects_unit ON projects (unit_id);

CREATE TABLE project_flags (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    flag TEXT NOT NULL,
    PRIMARY KEY (project_id, flag)
);
CREATE INDEX project_flags_flag ON project_flags (flag, project_id);

CREATE TABLE project_year_plans (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    planned_e4 BIGINT NOT NULL CHECK (planned_e4 >= 0),
    milestones TEXT NOT NULL,
    PRIMARY KEY (project_id, year)
);
CREATE INDEX project_year_plans_year ON project_year_plans (year, project_id);

CREATE TABLE project_progress (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    month_e4 BIGINT CHECK (month_e4 >= 0),
    ytd_e4 BIGINT NOT NULL CHECK (ytd_e4 >= 0),
    since_start_e4 BIGINT CHECK (since_start_e4 >= 0),
    image_progress TEXT NOT NULL,
    problems TEXT NOT NULL,
    PRIMARY KEY (project_id, period)
);
CREATE INDEX project_progress_year ON project_progress (year, month);

CREATE TABLE problems (
    id {id},
    project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
    task_id BIGINT,
    raised_on TEXT NOT NULL,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    deadline TEXT,
    resolved_on TEXT,
    resolution TEXT NOT NULL
);
CREATE INDEX problems_project ON problems (project_id);

CREATE TABLE tasks (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    year BIGINT NOT NULL,
    plan_node_id BIGINT REFERENCES plan_nodes (id),
    lead_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    lead_leader TEXT NOT NULL,
    deadline TEXT,
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    sample BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tasks_year_unit ON tasks (year, lead_unit_id);

CREATE TABLE task_cooperators (
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (task_id, unit_id)
);

CREATE TABLE users (
    id {id},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_units (id),
    created_at TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
