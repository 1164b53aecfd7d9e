-- A project's own monthly plan: planned investment cumulated from January (万元, ×10⁴).
-- When present, a project's 序时进度 is this share of its annual plan rather than m/12.
CREATE TABLE project_month_plans (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    planned_ytd_e4 BIGINT NOT NULL CHECK (planned_ytd_e4 >= 0),
    PRIMARY KEY (project_id, period)
);
