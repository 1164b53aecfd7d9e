//! Rounds and their entries: the reporting cycle's records and their audit trail. The rules
//! of the cycle (who may, which state follows) live in `core::workflow` and the app layer;
//! this module only reads and writes rows.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::Row;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::quantity::from_scaled;
use taizhang_core::workflow::{Entry, EntryFigures, EntryState, Form, Round, RoundStatus, Transition};

use crate::filter::{AnyQuery, Filtered};
use crate::ledger::{opt_scaled, unit_id};
use crate::{Result, Store, StoreError, Tx};

const ENTRY_COLUMNS: &str =
    "e.id, e.round_id, u.code AS unit_code, e.subject, e.state, e.version, e.month_e4, e.ytd_e4,
    e.since_start_e4, e.value_e4, e.growth_e4, e.percent_e4, e.text, e.problems, e.explanation, e.failures,
    (SELECT ev.reason FROM entry_events ev WHERE ev.entry_id = e.id AND ev.to_state = 'returned'
     ORDER BY ev.id DESC LIMIT 1) AS return_reason";

const ROUND_COLUMNS: &str = "id, period, form, due_date, status";

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<Entry> {
    let opt = |col: &str| -> Result<Option<Decimal>> { Ok(r.try_get::<Option<i64>, _>(col)?.map(from_scaled)) };
    Ok(Entry {
        id: r.try_get("id")?,
        round_id: r.try_get("round_id")?,
        unit: r.try_get("unit_code")?,
        subject: r.try_get("subject")?,
        state: r.try_get::<String, _>("state")?.parse()?,
        version: r.try_get("version")?,
        figures: EntryFigures {
            month_wan: opt("month_e4")?,
            ytd_wan: opt("ytd_e4")?,
            since_start_wan: opt("since_start_e4")?,
            value: opt("value_e4")?,
            growth: opt("growth_e4")?,
            percent: opt("percent_e4")?,
            text: r.try_get("text")?,
            problems: r.try_get("problems")?,
        },
        explanation: r.try_get("explanation")?,
        failures: r.try_get("failures")?,
        // Only a record that is returned now shows why.
        return_reason: r
            .try_get::<Option<String>, _>("return_reason")?
            .filter(|_| r.try_get::<String, _>("state").is_ok_and(|s| s == EntryState::Returned.code())),
    })
}

fn round_from_row(r: &sqlx::any::AnyRow) -> Result<Round> {
    Ok(Round {
        id: r.try_get("id")?,
        period: r.try_get::<String, _>("period")?.parse()?,
        form: r.try_get::<String, _>("form")?.parse()?,
        due: Date::parse(&r.try_get::<String, _>("due_date")?)?,
        status: if r.try_get::<String, _>("status")? == "open" { RoundStatus::Open } else { RoundStatus::Closed },
    })
}

/// Binds an entry's figures and who saved them when: `$1`…`$10` of both the insert and the update.
fn bind_figures<'q>(q: AnyQuery<'q>, f: &'q EntryFigures, user: &'q str, now: &'q str) -> Result<AnyQuery<'q>> {
    Ok(q.bind(opt_scaled(f.month_wan)?)
        .bind(opt_scaled(f.ytd_wan)?)
        .bind(opt_scaled(f.since_start_wan)?)
        .bind(opt_scaled(f.value)?)
        .bind(opt_scaled(f.growth)?)
        .bind(opt_scaled(f.percent)?)
        .bind(&f.text)
        .bind(&f.problems)
        .bind(user)
        .bind(now))
}

impl Store {
    /// The subjects units owe in a round of `form` for `period`, by unit; `unit` and
    /// `subject` narrow it down (a save checks one pair without reading them all).
    pub async fn owed_subjects(
        &self,
        period: Period,
        form: Form,
        unit: Option<&str>,
        subject: Option<&str>,
    ) -> Result<HashMap<String, Vec<String>>> {
        let (base, subject_column) = match form {
            Form::ProjectProgress => (
                "SELECT u.code, p.code FROM projects p JOIN project_year_plans y ON y.project_id = p.id
                 JOIN org_units u ON u.id = p.unit_id WHERE y.year = $1",
                "p.code",
            ),
            Form::TaskProgress => (
                "SELECT u.code, t.code FROM tasks t JOIN org_units u ON u.id = t.lead_unit_id WHERE t.year = $1",
                "t.code",
            ),
            Form::IndicatorValues => (
                "SELECT u.code, i.code FROM targets t JOIN org_units u ON u.id = t.unit_id
                 JOIN indicators i ON i.id = t.indicator_id WHERE t.year = $1",
                "i.code",
            ),
        };
        let q = Filtered::new(base, vec![i64::from(period.year()).into()])
            .and_eq("u.code", unit)
            .and_eq(subject_column, subject)
            .then(&format!("ORDER BY {subject_column}"));
        let mut owed: HashMap<String, Vec<String>> = HashMap::new();
        for r in q.query().fetch_all(&self.pool).await? {
            owed.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        Ok(owed)
    }

    pub async fn round(&self, period: Period, form: Form) -> Result<Option<Round>> {
        let q = Filtered::new(format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE 1 = 1"), vec![])
            .and_eq("period", Some(period.key()))
            .and_eq("form", Some(form.code()));
        q.query().fetch_optional(&self.pool).await?.as_ref().map(round_from_row).transpose()
    }

    pub async fn round_by_id(&self, id: i64) -> Result<Round> {
        let q = Filtered::new(format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE 1 = 1"), vec![]).and_eq("id", Some(id));
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("填报轮次", id.to_string()))?;
        round_from_row(&row)
    }

    /// Every round, newest period first.
    pub async fn rounds(&self) -> Result<Vec<Round>> {
        let sql = format!("SELECT {ROUND_COLUMNS} FROM rounds ORDER BY period DESC, form");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(round_from_row).collect()
    }

    /// The units listed as owing in a round, in tree order.
    pub async fn round_units(&self, round: i64) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT u.code FROM round_units r JOIN org_units u ON u.id = r.unit_id WHERE r.round_id = $1
             ORDER BY u.sort_order, u.id",
        )
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// How many entries each unit has in a round, by state.
    pub async fn entry_counts(&self, round: i64) -> Result<HashMap<String, Vec<(EntryState, usize)>>> {
        let rows = sqlx::query(
            "SELECT u.code, e.state, COUNT(*) FROM entries e JOIN org_units u ON u.id = e.unit_id
             WHERE e.round_id = $1 GROUP BY u.code, e.state",
        )
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        let mut counts: HashMap<String, Vec<(EntryState, usize)>> = HashMap::new();
        for r in rows {
            let n: i64 = r.try_get(2)?;
            counts.entry(r.try_get(0)?).or_default().push((r.try_get::<String, _>(1)?.parse()?, n as usize));
        }
        Ok(counts)
    }

    /// What each unit has reported in a round, by subject, with the day it was submitted:
    /// entries sent on (submitted, approved, accepted, or locked after a submission), and
    /// figures already in the ledger for the round's period — an imported figure counts as
    /// reported, with no day (it was not late).
    pub async fn reported_subjects(&self, round: &Round) -> Result<HashMap<String, HashMap<String, Option<Date>>>> {
        let mut out: HashMap<String, HashMap<String, Option<Date>>> = HashMap::new();
        let ledger = match round.form {
            Form::ProjectProgress => {
                "SELECT u.code, p.code FROM project_progress g JOIN projects p ON p.id = g.project_id
                 JOIN org_units u ON u.id = p.unit_id WHERE g.period = $1"
            }
            Form::TaskProgress => {
                "SELECT u.code, t.code FROM task_progress g JOIN tasks t ON t.id = g.task_id
                 JOIN org_units u ON u.id = t.lead_unit_id WHERE g.period = $1"
            }
            Form::IndicatorValues => {
                "SELECT u.code, i.code FROM indicator_values g JOIN indicators i ON i.id = g.indicator_id
                 JOIN org_units u ON u.id = g.unit_id WHERE g.period = $1"
            }
        };
        for r in sqlx::query(ledger).bind(round.period.key()).fetch_all(&self.pool).await? {
            out.entry(r.try_get(0)?).or_default().insert(r.try_get(1)?, None);
        }
        let sent = sqlx::query(
            "SELECT u.code, e.subject, e.submitted_at FROM entries e JOIN org_units u ON u.id = e.unit_id
             WHERE e.round_id = $1 AND e.submitted_at IS NOT NULL
                 AND e.state IN ('submitted', 'approved', 'accepted', 'locked')",
        )
        .bind(round.id)
        .fetch_all(&self.pool)
        .await?;
        for r in sent {
            let at: String = r.try_get(2)?;
            let day = Date::parse(at.get(..10).unwrap_or(&at))?;
            out.entry(r.try_get(0)?).or_default().insert(r.try_get(1)?, Some(day));
        }
        Ok(out)
    }

    /// Entries of a round, a unit and a subject, each condition only when given, ordered by
    /// round and subject.
    pub async fn entries_where(
        &self,
        round: Option<i64>,
        unit: Option<&str>,
        subject: Option<&str>,
    ) -> Result<Vec<Entry>> {
        let q = Filtered::new(
            format!("SELECT {ENTRY_COLUMNS} FROM entries e JOIN org_units u ON u.id = e.unit_id WHERE 1 = 1"),
            vec![],
        )
        .and_eq("e.round_id", round)
        .and_eq("u.code", unit)
        .and_eq("e.subject", subject)
        .then("ORDER BY e.round_id, e.subject");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Who has handled each entry of a unit in a round: (entry id → those who wrote its
    /// figures or submitted it, those who approved it), for 职责分离.
    pub async fn entry_handlers(
        &self,
        round: i64,
        unit: &str,
    ) -> Result<std::collections::HashMap<i64, (Vec<String>, Vec<String>)>> {
        let q = sqlx::query(
            "SELECT ev.entry_id, ev.actor, ev.from_state, ev.to_state FROM entry_events ev
             JOIN entries e ON e.id = ev.entry_id JOIN org_units u ON u.id = e.unit_id
             WHERE e.round_id = $1 AND u.code = $2 ORDER BY ev.id",
        )
        .bind(round)
        .bind(unit);
        let rows = self
            .read_rows(q, |r| {
                Ok((
                    r.try_get::<i64, _>(0)?,
                    r.try_get::<String, _>(1)?,
                    r.try_get::<String, _>(2)?,
                    r.try_get::<String, _>(3)?,
                ))
            })
            .await?;
        let mut out: std::collections::HashMap<i64, (Vec<String>, Vec<String>)> = Default::default();
        for (entry, actor, from, to) in rows {
            let handled = out.entry(entry).or_default();
            // A submission, or a change of the figures (a state to itself: draft or returned).
            if to == "submitted" || (from == to && (to == "draft" || to == "returned")) {
                handled.0.push(actor);
            } else if to == "approved" {
                handled.1.push(actor);
            }
        }
        Ok(out)
    }

    /// The audit trail of one entry.
    pub async fn entry_history(&self, entry: i64) -> Result<Vec<Transition>> {
        let q = sqlx::query(
            "SELECT actor, at, from_state, to_state, reason FROM entry_events WHERE entry_id = $1 ORDER BY id",
        )
        .bind(entry);
        self.read_rows(q, |r| {
            Ok(Transition {
                actor: r.try_get(0)?,
                at: r.try_get(1)?,
                from: r.try_get(2)?,
                to: r.try_get(3)?,
                reason: r.try_get(4)?,
            })
        })
        .await
    }
}

impl Tx {
    /// A new open round; `None` when one of that period and form exists already.
    pub async fn insert_round(&mut self, period: Period, form: Form, due: Date, actor: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "INSERT INTO rounds (period, form, due_date, status, opened_by, opened_at) VALUES ($1, $2, $3, 'open', $4, $5)
             ON CONFLICT (period, form) DO NOTHING RETURNING id",
        )
        .bind(period.key())
        .bind(form.code())
        .bind(due.to_string())
        .bind(actor)
        .bind(crate::now_iso())
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    pub async fn add_round_unit(&mut self, round: i64, unit: &str) -> Result<()> {
        let uid = unit_id(self.conn(), unit).await?;
        self.execute("INSERT INTO round_units (round_id, unit_id) VALUES ($1, $2)", vec![round.into(), uid.into()])
            .await
    }

    /// Opens or closes a round.
    pub async fn set_round_status(&mut self, round: i64, status: RoundStatus) -> Result<()> {
        let (status, closed_at) = match status {
            RoundStatus::Open => ("open", None),
            RoundStatus::Closed => ("closed", Some(crate::now_iso())),
        };
        self.execute(
            "UPDATE rounds SET status = $1, closed_at = $2 WHERE id = $3",
            vec![status.into(), closed_at.into(), round.into()],
        )
        .await
    }

    pub async fn log_round(&mut self, round: i64, actor: &str, event: &str, reason: &str) -> Result<()> {
        self.log_event("round_events", "round_id", round, actor, &[("event", event), ("reason", reason)]).await
    }

    /// A new draft; `None` when the unit already has an entry for the subject in the round.
    pub async fn insert_draft(
        &mut self,
        round: i64,
        unit: &str,
        subject: &str,
        figures: &EntryFigures,
        actor: &str,
    ) -> Result<Option<i64>> {
        let now = crate::now_iso();
        // The unit's id looked up by the insert itself: one statement less while the writer
        // holds SQLite's turn (the save checked the unit owes this subject).
        let insert = sqlx::query(
            "INSERT INTO entries (month_e4, ytd_e4, since_start_e4, value_e4, growth_e4, percent_e4, text, problems,
                 updated_by, updated_at, round_id, unit_id, subject, state, version, explanation, failures)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, u.id, $13, 'draft', 1, '', ''
             FROM org_units u WHERE u.code = $12
             ON CONFLICT (round_id, unit_id, subject) DO NOTHING RETURNING id",
        );
        let row = bind_figures(insert, figures, actor, &now)?
            .bind(round)
            .bind(unit)
            .bind(subject)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Replaces a draft's figures if it is still at `version`; false when someone saved since.
    pub async fn update_draft(
        &mut self,
        entry: i64,
        version: i64,
        figures: &EntryFigures,
        actor: &str,
    ) -> Result<bool> {
        let now = crate::now_iso();
        let update = sqlx::query(
            "UPDATE entries SET month_e4 = $1, ytd_e4 = $2, since_start_e4 = $3, value_e4 = $4, growth_e4 = $5,
                 percent_e4 = $6, text = $7, problems = $8, updated_by = $9, updated_at = $10, version = version + 1,
                 explanation = ''
             WHERE id = $11 AND version = $12",
        );
        let done = bind_figures(update, figures, actor, &now)?.bind(entry).bind(version).execute(self.conn()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Moves an entry to `to` if it is still at its version, and records the transition;
    /// a conflict when someone moved or saved it since it was read.
    pub async fn move_entry(&mut self, e: &Entry, to: EntryState, actor: &str, reason: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE entries SET state = $1, version = version + 1, updated_by = $2, updated_at = $3
             WHERE id = $4 AND version = $5",
        )
        .bind(to.code())
        .bind(actor)
        .bind(crate::now_iso())
        .bind(e.id)
        .bind(e.version)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("{} {}", e.unit, e.subject)));
        }
        self.log_entry(e.id, actor, e.state, to, reason).await
    }

    pub async fn log_entry(
        &mut self,
        entry: i64,
        actor: &str,
        from: EntryState,
        to: EntryState,
        reason: &str,
    ) -> Result<()> {
        let fields = [("from_state", from.code()), ("to_state", to.code()), ("reason", reason)];
        self.log_event("entry_events", "entry_id", entry, actor, &fields).await
    }

    /// A draft's 说明 of a rule its figures fail, given with the figures (new figures clear it).
    pub async fn set_draft_explanation(&mut self, round: i64, unit: &str, subject: &str, text: &str) -> Result<()> {
        let uid = unit_id(self.conn(), unit).await?;
        self.execute(
            "UPDATE entries SET explanation = $1 WHERE round_id = $2 AND unit_id = $3 AND subject = $4",
            vec![text.into(), round.into(), uid.into(), subject.into()],
        )
        .await
    }

    /// Keeps a submission's rule failures and the 说明 that answers them.
    pub async fn record_submission(&mut self, entry: i64, explanation: &str, failures: &str) -> Result<()> {
        self.execute(
            "UPDATE entries SET explanation = $1, failures = $2, submitted_at = $3 WHERE id = $4",
            vec![explanation.into(), failures.into(), crate::now_iso().into(), entry.into()],
        )
        .await
    }

    /// A task's accepted progress for a period; 100 % or more marks the task done.
    pub async fn upsert_task_progress(
        &mut self,
        task: &str,
        period: Period,
        percent: Option<Decimal>,
        text: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO task_progress (task_id, period, percent_e4, text)
             SELECT id, $2, $3, $4 FROM tasks WHERE code = $1
             ON CONFLICT (task_id, period) DO UPDATE SET percent_e4 = excluded.percent_e4, text = excluded.text",
        )
        .bind(task)
        .bind(period.key())
        .bind(opt_scaled(percent)?)
        .bind(text)
        .execute(self.conn())
        .await?;
        if percent.is_some_and(|p| p >= Decimal::ONE_HUNDRED) {
            sqlx::query("UPDATE tasks SET status = 'done' WHERE code = $1").bind(task).execute(self.conn()).await?;
        }
        Ok(())
    }
}
