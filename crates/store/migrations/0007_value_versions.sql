-- Figures as published: each indicator value keeps how final it is (数据状态), its source,
-- its 口径 and 价格基础, and the unit and decimals it was published in. Every write also
-- appends a version, never deleted, so a revision (474 初步预计 → 470 最终核实) keeps its past.
ALTER TABLE indicator_values ADD COLUMN vintage TEXT;
ALTER TABLE indicator_values ADD COLUMN source TEXT;
ALTER TABLE indicator_values ADD COLUMN caliber TEXT;
ALTER TABLE indicator_values ADD COLUMN price_basis TEXT;
ALTER TABLE indicator_values ADD COLUMN shown_unit TEXT;
ALTER TABLE indicator_values ADD COLUMN shown_decimals BIGINT;
ALTER TABLE indicator_values ADD COLUMN growth_decimals BIGINT;

CREATE TABLE indicator_value_versions (
    id {id},
    indicator_id BIGINT NOT NULL REFERENCES indicators (id),
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    period TEXT NOT NULL,
    value_e4 BIGINT,
    growth_e4 BIGINT,
    vintage TEXT,
    source TEXT,
    caliber TEXT,
    price_basis TEXT,
    withdrawn BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX indicator_value_versions_key ON indicator_value_versions (indicator_id, unit_id, period, id);
