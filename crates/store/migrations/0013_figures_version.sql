-- The version of what dashboards and lights are computed from: moved on by every commit
-- except one that only saves drafts (a unit's figures before submission change no total, no
-- light, no standing), so that month-end saving does not make every dashboard recompute.
ALTER TABLE ledger_version ADD COLUMN figures_version BIGINT NOT NULL DEFAULT 0;

-- A unit's cells by year and month: a district's dashboard reads its own units' cells, not the
-- month's cells of the whole province filtered afterwards.
CREATE INDEX project_rollups_by_unit ON project_rollups (unit_id, year, month);
