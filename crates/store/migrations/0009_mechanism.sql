-- 三定四推五落实 as working data: 实际竣工, each project's node plan (倒排工期) and 要素保障 items,
-- 调度 meetings with their decisions, problems confirmed by whoever raised them, and the
-- reminders sent (one row per key, so a reminder is sent once across restarts).
ALTER TABLE projects ADD COLUMN actual_finish TEXT;

CREATE TABLE project_nodes (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    node TEXT NOT NULL,
    planned_on TEXT,
    actual_on TEXT,
    note TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project_id, node)
);

CREATE TABLE project_elements (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    status TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    note TEXT NOT NULL,
    due_on TEXT,
    updated_by TEXT NOT NULL,
    updated_on TEXT NOT NULL,
    problem_id BIGINT REFERENCES problems (id),
    PRIMARY KEY (project_id, item)
);

CREATE TABLE meetings (
    id {id},
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    period TEXT NOT NULL,
    chair TEXT NOT NULL,
    attendees TEXT NOT NULL,
    summary TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX meetings_held_on ON meetings (held_on);

CREATE TABLE meeting_projects (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (meeting_id, project_id)
);

CREATE TABLE meeting_decisions (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    text TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    deadline TEXT NOT NULL,
    order_id BIGINT REFERENCES orders (id),
    PRIMARY KEY (meeting_id, seq)
);

ALTER TABLE problems ADD COLUMN raised_by TEXT NOT NULL DEFAULT '';
ALTER TABLE problems ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE problems ADD COLUMN confirmed_on TEXT;
ALTER TABLE orders ADD COLUMN issued_from TEXT NOT NULL DEFAULT '';

CREATE TABLE reminders (
    id {id},
    reminder_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT NOT NULL
);
CREATE INDEX reminders_pending ON reminders (sent_at, next_at);

-- The quantified indicators a plan sets for a horizon (到2020年 … 地区生产总值1000亿元以上).
CREATE TABLE plan_milestone_targets (
    milestone_id BIGINT NOT NULL REFERENCES plan_milestones (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    indicator_code TEXT NOT NULL,
    target_text TEXT NOT NULL,
    PRIMARY KEY (milestone_id, seq)
);
