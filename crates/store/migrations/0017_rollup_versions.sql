-- When each unit's own project figures of a year last changed (the figures' version of that
-- commit): written with the roll-ups, by the same marks, so that a dashboard composed from
-- units' figures reads again only the units whose version moved. A unit without a row has not
-- changed since the table was made.
CREATE TABLE rollup_versions (
    unit_id BIGINT NOT NULL,
    year INTEGER NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (unit_id, year)
);

-- Moved on when every roll-up is recomputed at once (a world loaded, a restore): whatever was
-- kept per unit before it is stale, rows or none.
ALTER TABLE ledger_version ADD COLUMN rollups_epoch BIGINT NOT NULL DEFAULT 0;
