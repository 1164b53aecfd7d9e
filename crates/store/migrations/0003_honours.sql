-- Rankings and honours (争先进位): kind is rating | rank | list, result the rating, place or list.
CREATE TABLE honours (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    year BIGINT NOT NULL,
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    item TEXT NOT NULL,
    kind TEXT NOT NULL,
    result TEXT NOT NULL,
    UNIQUE (unit_id, year, scope, subject, item, kind)
);
