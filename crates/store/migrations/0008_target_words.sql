-- Targets as offices write them: a bound word (qualifier: 以上, 左右, 以内) and targets in words
-- (高于全市平均水平) that carry no figure — so the table is rebuilt with a check that admits them.
CREATE TABLE targets_worded (
    indicator_id BIGINT NOT NULL REFERENCES indicators (id),
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    year BIGINT NOT NULL,
    level_e4 BIGINT,
    growth_e4 BIGINT,
    qualifier TEXT,
    target_text TEXT,
    PRIMARY KEY (indicator_id, unit_id, year),
    CHECK (level_e4 IS NOT NULL OR growth_e4 IS NOT NULL OR target_text IS NOT NULL)
);
INSERT INTO targets_worded (indicator_id, unit_id, year, level_e4, growth_e4, qualifier)
    SELECT indicator_id, unit_id, year, level_e4, growth_e4, qualifier FROM targets;
DROP TABLE targets;
ALTER TABLE targets_worded RENAME TO targets;
