-- The version of what dashboards and lights are computed from: moved on by every commit
-- except one that only saves drafts (a unit's figures before submission change no total, no
-- light, no standing), so that month-end saving does not make every dashboard recompute.
ALTER TABLE ledger_version ADD COLUMN figures_version BIGINT NOT NULL DEFAULT 0;
