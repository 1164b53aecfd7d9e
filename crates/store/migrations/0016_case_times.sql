-- A month's 数字城管 evaluation reads only the cases with a step in the month: each time it
-- counts by has an index, so that the planner can take the union of their ranges (reported_at
-- and due_at have theirs since 0014).
CREATE INDEX cases_by_filed ON cases (filed_at);
CREATE INDEX cases_by_dispatched ON cases (dispatched_at);
CREATE INDEX cases_by_closed ON cases (closed_at);
