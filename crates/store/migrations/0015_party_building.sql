-- 基层党建标准化 (see core/src/party.rs): party organisations tied to org units, each year's
-- scheme as its TOML text, every organisation's checklist assessment through the reporting
-- workflow with its item scores and event log, and its 三会一课 meetings.

CREATE TABLE party_orgs (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES party_orgs (id),
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    secretary TEXT NOT NULL,
    secretary_account TEXT,
    members BIGINT NOT NULL,
    sample INTEGER NOT NULL
);
CREATE INDEX party_orgs_by_unit ON party_orgs (unit_id);

-- A year's 标准化 scheme, kept as the checked TOML text it was given as.
CREATE TABLE party_schemes (
    year BIGINT PRIMARY KEY,
    body TEXT NOT NULL
);

-- An organisation's checklist for a year, in the reporting workflow's states.
CREATE TABLE party_assessments (
    id {id},
    org_id BIGINT NOT NULL REFERENCES party_orgs (id),
    year BIGINT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    return_reason TEXT,
    sample INTEGER NOT NULL,
    UNIQUE (org_id, year)
);

-- Item and adjustment scores (points as exact decimal text), with evidence and who scored.
CREATE TABLE party_scores (
    assessment_id BIGINT NOT NULL REFERENCES party_assessments (id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    points TEXT NOT NULL,
    evidence TEXT NOT NULL,
    scored_by TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item)
);

CREATE TABLE party_assessment_events (
    id {id},
    assessment_id BIGINT NOT NULL REFERENCES party_assessments (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX party_assessment_events_by_assessment ON party_assessment_events (assessment_id);

-- 三会一课 and 主题党日.
CREATE TABLE party_meetings (
    id {id},
    org_id BIGINT NOT NULL REFERENCES party_orgs (id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    attendance BIGINT NOT NULL,
    topic TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    sample INTEGER NOT NULL
);
CREATE INDEX party_meetings_by_org ON party_meetings (org_id, held_on);
