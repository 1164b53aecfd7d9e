-- The monthly reporting cycle: rounds, the entries units report in them (the ledger holds
-- only accepted figures), every transition; task progress; problem escalation; 督办 orders.

CREATE TABLE rounds (
    id {id},
    period TEXT NOT NULL,
    form TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    UNIQUE (period, form)
);

CREATE TABLE round_units (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (round_id, unit_id)
);

CREATE TABLE round_events (
    id {id},
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- One reported record: a project's month, a task's progress, or an indicator value.
CREATE TABLE entries (
    id {id},
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    subject TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    month_e4 BIGINT,
    ytd_e4 BIGINT,
    since_start_e4 BIGINT,
    value_e4 BIGINT,
    growth_e4 BIGINT,
    percent_e4 BIGINT,
    text TEXT NOT NULL,
    problems TEXT NOT NULL,
    explanation TEXT NOT NULL,
    failures TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    UNIQUE (round_id, unit_id, subject)
);
CREATE INDEX entries_round_unit ON entries (round_id, unit_id);

CREATE TABLE entry_events (
    id {id},
    entry_id BIGINT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX entry_events_entry ON entry_events (entry_id);

CREATE TABLE task_progress (
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    percent_e4 BIGINT,
    text TEXT NOT NULL,
    PRIMARY KEY (task_id, period)
);

ALTER TABLE problems ADD COLUMN level TEXT NOT NULL DEFAULT 'unit';
ALTER TABLE problems ADD COLUMN unit_id BIGINT REFERENCES org_units (id);

CREATE TABLE problem_events (
    id {id},
    problem_id BIGINT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    note TEXT NOT NULL
);

CREATE TABLE orders (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    subject TEXT NOT NULL,
    title TEXT NOT NULL,
    requirement TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    state TEXT NOT NULL,
    feedback TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX orders_unit ON orders (unit_id);

CREATE TABLE order_events (
    id {id},
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL
);

CREATE TABLE extension_requests (
    id {id},
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    requested_by TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    new_deadline TEXT NOT NULL,
    reason TEXT NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_on TEXT
);
