-- Maintained roll-ups of project investment (see store/src/rollups.rs): per unit, year and
-- month, the as-of sums of its projects by category, 建设性质 and flags. Derived from the
-- ledger's rows and kept up to date in the transaction of every write that changes them.
CREATE TABLE project_rollups (
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    category TEXT NOT NULL,
    nature TEXT NOT NULL,
    flagged INTEGER NOT NULL,
    flagship INTEGER NOT NULL,
    projects BIGINT NOT NULL,
    planned_e4 BIGINT NOT NULL,
    month_e4 BIGINT NOT NULL,
    ytd_e4 BIGINT NOT NULL,
    carried BIGINT NOT NULL,
    started BIGINT NOT NULL,
    finished BIGINT NOT NULL,
    on_pace BIGINT NOT NULL,
    PRIMARY KEY (year, month, unit_id, category, nature, flagged, flagship)
);

-- The ledger's version, moved on by every committed write, and the org tree's, by every unit
-- written: what was computed at one version (a cached page, an ETag, the tree) is stale at
-- another, on every server sharing the database. Not backed up: a restored database starts
-- its own count.
CREATE TABLE ledger_version (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL,
    units_version BIGINT NOT NULL
);
INSERT INTO ledger_version (id, version, units_version) VALUES (1, 0, 0);

-- Who runs a scheduled job (reminders, escalation, backups) until when: several servers on one
-- database each try, one holds the lease, the others skip that round. Not backed up.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_secs BIGINT NOT NULL
);

-- Failed sign-ins, by account (u:name) and by address (a:ip), for the throttle that every
-- server sharing the database applies alike. Kept ten minutes. Not backed up.
CREATE TABLE signin_failures (
    key TEXT NOT NULL,
    at_secs BIGINT NOT NULL
);
CREATE INDEX signin_failures_by_key ON signin_failures (key, at_secs);
CREATE INDEX signin_failures_by_time ON signin_failures (at_secs);
