-- The tamper-evident audit trail: every write appends events chained by SHA-256 over the
-- previous event's hash (audit_head holds the chain's end, and takes the row lock that
-- serialises appends), and the ledger's figures carry their content's digest, so that
-- `audit verify` names an edit made behind the application's back.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    verified_at TEXT,
    verified_seq BIGINT,
    verified_result TEXT
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

ALTER TABLE project_progress ADD COLUMN row_hash TEXT;
ALTER TABLE indicator_values ADD COLUMN row_hash TEXT;
