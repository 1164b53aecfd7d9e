//! 基层党建标准化 (migration 0015): party organisations, each year's scheme text, the
//! organisations' checklist assessments (their state guarded by version, their steps in an
//! event log) with item scores, and 三会一课 meetings. The rules — who may, which step follows
//! which, what a score may be — are core's and the app's.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::any::AnyRow;
use taizhang_core::party::{Meeting, PartyOrg};
use taizhang_core::project::Date;
use taizhang_core::workflow::{EntryState, Transition};

use crate::error::StoreError;
use crate::filter::Filtered;
use crate::ledger::unit_id;
use crate::{Result, Store, Tx};

/// An organisation's checklist for a year as kept (none yet: a draft not begun).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyAssessment {
    pub id: i64,
    pub org: String,
    pub year: i32,
    pub state: EntryState,
    pub version: i64,
    pub return_reason: Option<String>,
    pub scores: Vec<PartyScore>,
}

/// An item's or adjustment's points, with evidence and who scored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyScore {
    pub item: String,
    pub points: Decimal,
    pub evidence: String,
    pub scored_by: String,
}

/// A meeting as kept, with its id and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub meeting: Meeting,
    pub recorded_by: String,
}

const ORG_SELECT: &str = "SELECT o.code, o.name, o.level, o.kind, p.code AS parent_code, u.code AS unit_code,
        o.secretary, o.secretary_account, o.members, o.sample
    FROM party_orgs o JOIN org_units u ON u.id = o.unit_id LEFT JOIN party_orgs p ON p.id = o.parent_id";

fn org_from_row(r: &AnyRow) -> Result<PartyOrg> {
    Ok(PartyOrg {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        level: r.try_get::<String, _>("level")?.parse()?,
        kind: r.try_get::<String, _>("kind")?.parse()?,
        parent: r.try_get("parent_code")?,
        unit: r.try_get("unit_code")?,
        secretary: r.try_get("secretary")?,
        secretary_account: r.try_get("secretary_account")?,
        members: u32::try_from(r.try_get::<i64, _>("members")?).unwrap_or(0),
        sample: r.try_get::<i64, _>("sample")? == 1,
    })
}

fn points(r: &AnyRow, column: &str) -> Result<Decimal> {
    let text: String = r.try_get(column)?;
    text.parse().map_err(|_| taizhang_core::DomainError::Invalid(format!("党建得分“{text}”无法读取")).into())
}

impl Store {
    /// Organisations of the units in `within`'s subtree (all when none), by code.
    pub async fn party_orgs(&self, within: Option<&str>) -> Result<Vec<PartyOrg>> {
        let q = Filtered::new(format!("{ORG_SELECT} WHERE 1 = 1"), vec![])
            .and_within("o.unit_id", within)
            .then("ORDER BY o.code");
        self.read_rows(q.query(), org_from_row).await
    }

    pub async fn party_org(&self, code: &str) -> Result<Option<PartyOrg>> {
        let q = Filtered::new(format!("{ORG_SELECT} WHERE o.code = $1"), vec![code.into()]);
        Ok(self.read_rows(q.query(), org_from_row).await?.into_iter().next())
    }

    /// The scheme text of a year, if one was saved.
    pub async fn party_scheme(&self, year: i32) -> Result<Option<String>> {
        let q = sqlx::query("SELECT body FROM party_schemes WHERE year = $1").bind(i64::from(year));
        Ok(self.read_rows(q, |r| Ok(r.try_get::<String, _>(0)?)).await?.into_iter().next())
    }

    /// The years that have a scheme, latest first.
    pub async fn party_scheme_years(&self) -> Result<Vec<i32>> {
        let q = sqlx::query("SELECT year FROM party_schemes ORDER BY year DESC");
        self.read_rows(q, |r| Ok(i32::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0))).await
    }

    /// The assessments of a year for the organisations in `within`'s subtree, with their
    /// scores (two reads for them all).
    pub async fn party_assessments(&self, year: i32, within: Option<&str>) -> Result<Vec<PartyAssessment>> {
        self.assessments_where(year, within, None).await
    }

    pub async fn party_assessment(&self, org: &str, year: i32) -> Result<Option<PartyAssessment>> {
        Ok(self.assessments_where(year, None, Some(org)).await?.into_iter().next())
    }

    /// A year's assessments of a subtree's organisations, or of one, with their scores.
    async fn assessments_where(
        &self,
        year: i32,
        within: Option<&str>,
        org: Option<&str>,
    ) -> Result<Vec<PartyAssessment>> {
        let q = Filtered::new(
            "SELECT a.id, o.code, a.year, a.state, a.version, a.return_reason FROM party_assessments a
             JOIN party_orgs o ON o.id = a.org_id WHERE a.year = $1",
            vec![i64::from(year).into()],
        )
        .and_within("o.unit_id", within)
        .and_eq("o.code", org)
        .then("ORDER BY o.code");
        let mut rows = self
            .read_rows(q.query(), |r| {
                Ok(PartyAssessment {
                    id: r.try_get("id")?,
                    org: r.try_get("code")?,
                    year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or(0),
                    state: r.try_get::<String, _>("state")?.parse()?,
                    version: r.try_get("version")?,
                    return_reason: r.try_get("return_reason")?,
                    scores: vec![],
                })
            })
            .await?;
        let q = Filtered::new(
            "SELECT s.assessment_id, s.item, s.points, s.evidence, s.scored_by FROM party_scores s
             JOIN party_assessments a ON a.id = s.assessment_id JOIN party_orgs o ON o.id = a.org_id
             WHERE a.year = $1",
            vec![i64::from(year).into()],
        )
        .and_within("o.unit_id", within)
        .and_eq("o.code", org)
        .then("ORDER BY s.assessment_id, s.item");
        let scores = self
            .read_rows(q.query(), |r| {
                Ok((
                    r.try_get::<i64, _>("assessment_id")?,
                    PartyScore {
                        item: r.try_get("item")?,
                        points: points(r, "points")?,
                        evidence: r.try_get("evidence")?,
                        scored_by: r.try_get("scored_by")?,
                    },
                ))
            })
            .await?;
        let mut by_id: HashMap<i64, Vec<PartyScore>> = HashMap::new();
        for (id, s) in scores {
            by_id.entry(id).or_default().push(s);
        }
        for a in &mut rows {
            a.scores = by_id.remove(&a.id).unwrap_or_default();
        }
        Ok(rows)
    }

    /// An assessment's steps, first first.
    pub async fn party_assessment_steps(&self, id: i64) -> Result<Vec<Transition>> {
        let q = sqlx::query(
            "SELECT actor, at, from_state, to_state, reason FROM party_assessment_events
             WHERE assessment_id = $1 ORDER BY id",
        )
        .bind(id);
        self.read_rows(q, |r| {
            Ok(Transition {
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
                from: r.try_get("from_state")?,
                to: r.try_get("to_state")?,
                reason: r.try_get("reason")?,
            })
        })
        .await
    }

    /// Meetings of the organisations in `within`'s subtree (or of one organisation) held in
    /// `[from, to]`, by date.
    pub async fn party_meetings(
        &self,
        within: Option<&str>,
        org: Option<&str>,
        from: Date,
        to: Date,
    ) -> Result<Vec<MeetingRow>> {
        let q = Filtered::new(
            "SELECT m.id, o.code, m.kind, m.held_on, m.attendance, m.topic, m.recorded_by FROM party_meetings m
             JOIN party_orgs o ON o.id = m.org_id WHERE m.held_on >= $1 AND m.held_on <= $2",
            vec![from.to_string().into(), to.to_string().into()],
        )
        .and_within("o.unit_id", within)
        .and_eq("o.code", org)
        .then("ORDER BY m.held_on, m.id");
        self.read_rows(q.query(), |r| {
            Ok(MeetingRow {
                id: r.try_get("id")?,
                meeting: Meeting {
                    org: r.try_get("code")?,
                    kind: r.try_get::<String, _>("kind")?.parse()?,
                    held_on: Date::parse(&r.try_get::<String, _>("held_on")?)?,
                    attendance: u32::try_from(r.try_get::<i64, _>("attendance")?).unwrap_or(0),
                    topic: r.try_get("topic")?,
                },
                recorded_by: r.try_get("recorded_by")?,
            })
        })
        .await
    }
}

impl Tx {
    /// An organisation, new or replacing the one of its code (its parent saved before it).
    pub async fn upsert_party_org(&mut self, o: &PartyOrg) -> Result<()> {
        let unit = unit_id(self.conn(), &o.unit).await?;
        let parent = match &o.parent {
            Some(code) => Some(
                sqlx::query("SELECT id FROM party_orgs WHERE code = $1")
                    .bind(code)
                    .fetch_optional(self.conn())
                    .await?
                    .ok_or_else(|| StoreError::not_found("党组织", code))?
                    .try_get::<i64, _>(0)?,
            ),
            None => None,
        };
        sqlx::query(
            "INSERT INTO party_orgs (code, name, level, kind, parent_id, unit_id, secretary, secretary_account,
                 members, sample) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, kind = excluded.kind,
                 parent_id = excluded.parent_id, unit_id = excluded.unit_id, secretary = excluded.secretary,
                 secretary_account = excluded.secretary_account, members = excluded.members, sample = excluded.sample",
        )
        .bind(&o.code)
        .bind(&o.name)
        .bind(o.level.code())
        .bind(o.kind.code())
        .bind(parent)
        .bind(unit)
        .bind(&o.secretary)
        .bind(o.secretary_account.clone())
        .bind(i64::from(o.members))
        .bind(i64::from(o.sample))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn save_party_scheme(&mut self, year: i32, body: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO party_schemes (year, body) VALUES ($1, $2)
             ON CONFLICT (year) DO UPDATE SET body = excluded.body",
        )
        .bind(i64::from(year))
        .bind(body)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A new assessment, a draft at version 1; its id.
    pub async fn insert_party_assessment(&mut self, org: &str, year: i32, sample: bool) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO party_assessments (org_id, year, state, version, sample)
             SELECT id, $2, $3, 1, $4 FROM party_orgs WHERE code = $1 RETURNING id",
        )
        .bind(org)
        .bind(i64::from(year))
        .bind(EntryState::Draft.code())
        .bind(i64::from(sample))
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::not_found("党组织", org))?;
        Ok(row.try_get(0)?)
    }

    /// Scores written over those of the same items, if the assessment is still at `version`
    /// (moved on by one); a step in its log says what changed.
    pub async fn write_party_scores(
        &mut self,
        a: &PartyAssessment,
        scores: &[PartyScore],
        actor: &str,
        summary: &str,
    ) -> Result<()> {
        self.move_party_assessment(a, a.state, None, actor, summary).await?;
        for s in scores {
            sqlx::query(
                "INSERT INTO party_scores (assessment_id, item, points, evidence, scored_by) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (assessment_id, item) DO UPDATE SET points = excluded.points,
                     evidence = excluded.evidence, scored_by = excluded.scored_by",
            )
            .bind(a.id)
            .bind(&s.item)
            .bind(s.points.normalize().to_string())
            .bind(&s.evidence)
            .bind(&s.scored_by)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// The assessment moved to `to` if still at its version, the return reason kept (or
    /// cleared), the step logged.
    pub async fn move_party_assessment(
        &mut self,
        a: &PartyAssessment,
        to: EntryState,
        return_reason: Option<&str>,
        actor: &str,
        reason: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE party_assessments SET state = $1, return_reason = $2, version = version + 1
             WHERE id = $3 AND version = $4",
        )
        .bind(to.code())
        .bind(return_reason.map(str::to_string))
        .bind(a.id)
        .bind(a.version)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("党组织{}的{}年考评", a.org, a.year)));
        }
        self.log_event(
            "party_assessment_events",
            "assessment_id",
            a.id,
            actor,
            &[("from_state", a.state.code()), ("to_state", to.code()), ("reason", reason)],
        )
        .await
    }

    /// A meeting recorded; its id (the batch it came in is audited once, by the caller).
    pub async fn insert_party_meeting(&mut self, m: &Meeting, recorded_by: &str, sample: bool) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO party_meetings (org_id, kind, held_on, attendance, topic, recorded_by, sample)
             SELECT id, $2, $3, $4, $5, $6, $7 FROM party_orgs WHERE code = $1 RETURNING id",
        )
        .bind(&m.org)
        .bind(m.kind.code())
        .bind(m.held_on.to_string())
        .bind(i64::from(m.attendance))
        .bind(&m.topic)
        .bind(recorded_by)
        .bind(i64::from(sample))
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::not_found("党组织", &m.org))?;
        let id: i64 = row.try_get(0)?;
        Ok(id)
    }
}
