-- Who imported which workbook into the ledger, when, and what it changed: imports write
-- many records at once outside any round, so the import itself is the audited act.
CREATE TABLE import_events (
    id {id},
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    sheet TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    new_records BIGINT NOT NULL,
    changed_records BIGINT NOT NULL,
    unchanged_records BIGINT NOT NULL
);
