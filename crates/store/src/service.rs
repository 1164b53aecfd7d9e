//! The service layer of the reporting cycle, called by the CLI and the web alike: every
//! method first asks [`authorize`] whether its actor may act on the record's unit, then
//! reads or writes in one transaction, recording each transition (who, when, from, to, why).
//! Time comes in as a parameter (`today`), so rules are testable.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::access::{Action, Actor, authorize};
use taizhang_core::config::Config;
use taizhang_core::indicator::IndicatorValue;
use taizhang_core::org::OrgTree;
use taizhang_core::period::Period;
use taizhang_core::project::{Date, MonthlyProgress};
use taizhang_core::quantity::from_scaled;
use taizhang_core::rules::{ProgressHistory, check_parts, check_progress};
use taizhang_core::workflow::{EntryState, Event, Form, default_due, transition};

use crate::ledger::{opt_scaled, unit_id};
use crate::{ProgressRow, Result, Store, StoreError, Tx};

/// A person acting on the ledger through the service layer.
#[derive(Debug)]
pub struct Service<'a> {
    pub(crate) store: &'a Store,
    pub(crate) actor: Actor,
    pub(crate) tree: std::sync::Arc<OrgTree>,
    pub(crate) config: &'a Config,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub period: Period,
    pub form: Form,
    pub due: Date,
    pub status: RoundStatus,
}

/// What a unit reports for one subject (a project, task or indicator) in a round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFigures {
    pub month_wan: Option<Decimal>,
    pub ytd_wan: Option<Decimal>,
    pub since_start_wan: Option<Decimal>,
    /// Indicator value, in the indicator's base unit.
    pub value: Option<Decimal>,
    pub growth: Option<Decimal>,
    /// Task completion, percent.
    pub percent: Option<Decimal>,
    /// 形象进度, task progress text, or a value's note.
    pub text: String,
    pub problems: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub round_id: i64,
    pub unit: String,
    pub subject: String,
    pub state: EntryState,
    pub version: i64,
    pub figures: EntryFigures,
    /// The reporter's 说明 when a rule failed and they submitted anyway.
    pub explanation: String,
    /// The rule failures the 说明 answers, for reviewers.
    pub failures: String,
}

/// One unit's standing in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitStanding {
    pub unit: String,
    pub name: String,
    pub owed: usize,
    pub by_state: Vec<(EntryState, usize)>,
    /// Past the due date with something owed not yet submitted.
    pub overdue: bool,
}

/// A transition of a record, as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub actor: String,
    pub at: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl Store {
    /// The service layer for `actor` under a jurisdiction's `config`.
    pub async fn service<'a>(&'a self, actor: Actor, config: &'a Config) -> Result<Service<'a>> {
        Ok(Service { store: self, actor, tree: self.org_tree_shared().await?, config })
    }

    /// The actor an account acts as.
    pub async fn actor(&self, username: &str) -> Result<Actor> {
        let user = self.user(username).await?.ok_or_else(|| StoreError::not_found("账号", username))?;
        Ok(Actor { username: user.username, role: user.role, unit: user.unit })
    }
}

const ENTRY_COLUMNS: &str =
    "e.id, e.round_id, u.code AS unit_code, e.subject, e.state, e.version, e.month_e4, e.ytd_e4,
    e.since_start_e4, e.value_e4, e.growth_e4, e.percent_e4, e.text, e.problems, e.explanation, e.failures";

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

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

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

impl Tx {
    async fn log_entry(
        &mut self,
        entry: i64,
        actor: &str,
        from: EntryState,
        to: EntryState,
        reason: &str,
    ) -> Result<()> {
        sqlx::query("INSERT INTO entry_events (entry_id, actor, at, from_state, to_state, reason) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(entry)
            .bind(actor)
            .bind(crate::now_iso())
            .bind(from.code())
            .bind(to.code())
            .bind(reason)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Moves one entry by `event`, guarded by its state (and version, when given).
    async fn move_entry(&mut self, e: &Entry, event: Event, actor: &str, reason: &str) -> Result<EntryState> {
        let to = transition(e.state, event)?;
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
        self.log_entry(e.id, actor, e.state, to, reason).await?;
        Ok(to)
    }

    async fn log_round(&mut self, round: i64, actor: &str, event: &str, reason: &str) -> Result<()> {
        sqlx::query("INSERT INTO round_events (round_id, actor, at, event, reason) VALUES ($1, $2, $3, $4, $5)")
            .bind(round)
            .bind(actor)
            .bind(crate::now_iso())
            .bind(event)
            .bind(reason)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Service<'_> {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Whether the actor may read a unit's records (pages check before they show one).
    pub fn check_read(&self, unit: &str) -> Result<()> {
        self.allow(Action::Read, unit)
    }

    fn allow(&self, action: Action, unit: &str) -> Result<()> {
        Ok(authorize(&self.actor, action, unit, &self.tree)?)
    }

    fn top_unit(&self) -> Result<String> {
        self.tree.roots().next().map(|u| u.code.clone()).ok_or_else(|| StoreError::Config("数据库中还没有单位".into()))
    }

    /// The subjects each unit owes in a round of `form` for `period`.
    /// The subjects units owe in a round of `form` for `period`, by unit; `unit` and
    /// `subject` narrow it down (a save checks one pair without reading them all).
    async fn owed_where(
        &self,
        period: Period,
        form: Form,
        unit: Option<&str>,
        subject: Option<&str>,
    ) -> Result<HashMap<String, Vec<String>>> {
        let year = i64::from(period.year());
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
        // Conditions only when asked, so that the code indexes can serve a single lookup.
        let mut sql = base.to_string();
        let mut n = 1;
        if unit.is_some() {
            n += 1;
            sql.push_str(&format!(" AND u.code = ${n}"));
        }
        if subject.is_some() {
            n += 1;
            sql.push_str(&format!(" AND {subject_column} = ${n}"));
        }
        sql.push_str(&format!(" ORDER BY {subject_column}"));
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(year);
        for value in [unit, subject].into_iter().flatten() {
            q = q.bind(value.to_string());
        }
        let mut owed: HashMap<String, Vec<String>> = HashMap::new();
        for r in q.fetch_all(&self.store.pool).await? {
            owed.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        Ok(owed)
    }

    async fn owed(&self, period: Period, form: Form) -> Result<HashMap<String, Vec<String>>> {
        self.owed_where(period, form, None, None).await
    }

    /// Opens a round (admin): which units owe what is listed from the year's projects, tasks
    /// or targets. The due date defaults to the 25th.
    pub async fn open_round(&self, period: Period, form: Form, due: Option<Date>) -> Result<Round> {
        self.allow(Action::OpenRound, &self.top_unit()?)?;
        if !matches!(period, Period::Month(..)) && form == Form::ProjectProgress {
            return Err(StoreError::Config(format!("项目进度按月填报：报告期应为月份，而不是“{period}”")));
        }
        let due = due.unwrap_or_else(|| default_due(period));
        let owed = self.owed(period, form).await?;
        let mut tx = self.store.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO rounds (period, form, due_date, status, opened_by, opened_at) VALUES ($1, $2, $3, 'open', $4, $5)
             ON CONFLICT (period, form) DO NOTHING RETURNING id",
        )
        .bind(period.key())
        .bind(form.code())
        .bind(due.to_string())
        .bind(&self.actor.username)
        .bind(crate::now_iso())
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| StoreError::Config(format!("{}{}的填报轮次已经开启", period.label_zh(false), form.label_zh())))?
        .try_get(0)?;
        let mut units: Vec<&String> = owed.keys().collect();
        units.sort();
        for unit in units {
            let uid = unit_id(tx.conn(), unit).await?;
            sqlx::query("INSERT INTO round_units (round_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(uid)
                .execute(tx.conn())
                .await?;
        }
        tx.log_round(id, &self.actor.username, "open", "").await?;
        tx.commit().await?;
        Ok(Round { id, period, form, due, status: RoundStatus::Open })
    }

    pub async fn round(&self, period: Period, form: Form) -> Result<Round> {
        let row = sqlx::query("SELECT id, period, form, due_date, status FROM rounds WHERE period = $1 AND form = $2")
            .bind(period.key())
            .bind(form.code())
            .fetch_optional(&self.store.pool)
            .await?
            .ok_or_else(|| {
                StoreError::not_found("填报轮次", format!("{} {}", period.label_zh(false), form.label_zh()))
            })?;
        round_from_row(&row)
    }

    async fn round_by_id(&self, id: i64) -> Result<Round> {
        let row = sqlx::query("SELECT id, period, form, due_date, status FROM rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.store.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("填报轮次", id.to_string()))?;
        round_from_row(&row)
    }

    /// Each owing unit's standing on `today`: entries by state, and whether it is overdue.
    /// Units outside the actor's reach are left out.
    pub async fn round_status(&self, round: &Round, today: Date) -> Result<Vec<UnitStanding>> {
        let owed = self.owed(round.period, round.form).await?;
        let rows = sqlx::query(
            "SELECT u.code, e.state, COUNT(*) FROM entries e JOIN org_units u ON u.id = e.unit_id
             WHERE e.round_id = $1 GROUP BY u.code, e.state",
        )
        .bind(round.id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut counts: HashMap<String, Vec<(EntryState, usize)>> = HashMap::new();
        for r in rows {
            let n: i64 = r.try_get(2)?;
            counts.entry(r.try_get(0)?).or_default().push((r.try_get::<String, _>(1)?.parse()?, n as usize));
        }
        let listed = sqlx::query("SELECT u.code FROM round_units r JOIN org_units u ON u.id = r.unit_id WHERE r.round_id = $1 ORDER BY u.sort_order, u.id")
            .bind(round.id)
            .fetch_all(&self.store.pool)
            .await?;
        let mut out = Vec::new();
        for r in listed {
            let unit: String = r.try_get(0)?;
            if self.allow(Action::Read, &unit).is_err() {
                continue;
            }
            let by_state = counts.remove(&unit).unwrap_or_default();
            let owed_n = owed.get(&unit).map_or(0, Vec::len);
            let sent: usize = by_state
                .iter()
                .filter(|(s, _)| matches!(s, EntryState::Submitted | EntryState::Approved | EntryState::Accepted))
                .map(|(_, n)| n)
                .sum();
            out.push(UnitStanding {
                name: self.tree.get(&unit).map_or_else(|| unit.clone(), |u| u.name.clone()),
                overdue: today > round.due && sent < owed_n,
                unit,
                owed: owed_n,
                by_state,
            });
        }
        Ok(out)
    }

    /// What a unit owes in a round: its to-do list (project, task or indicator codes).
    pub async fn owed_by(&self, round: &Round, unit: &str) -> Result<Vec<String>> {
        self.allow(Action::Read, unit)?;
        Ok(self.owed_where(round.period, round.form, Some(unit), None).await?.remove(unit).unwrap_or_default())
    }

    /// Units that owe something and have not sent it by the due date.
    pub async fn overdue(&self, round: &Round, today: Date) -> Result<Vec<UnitStanding>> {
        Ok(self.round_status(round, today).await?.into_iter().filter(|u| u.overdue).collect())
    }

    /// The entries of a unit in a round (drafts included), as its people and reviewers see them.
    pub async fn entries(&self, round: &Round, unit: &str) -> Result<Vec<Entry>> {
        self.allow(Action::Read, unit)?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries e JOIN org_units u ON u.id = e.unit_id
             WHERE e.round_id = $1 AND u.code = $2 ORDER BY e.subject"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(round.id).bind(unit).fetch_all(&self.store.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }

    pub async fn entry(&self, round: &Round, unit: &str, subject: &str) -> Result<Option<Entry>> {
        self.allow(Action::Read, unit)?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries e JOIN org_units u ON u.id = e.unit_id
             WHERE e.round_id = $1 AND u.code = $2 AND e.subject = $3"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(round.id)
            .bind(unit)
            .bind(subject)
            .fetch_optional(&self.store.pool)
            .await?;
        row.as_ref().map(entry_from_row).transpose()
    }

    /// Saves a draft. `expected_version` is the version the user loaded (none for a new
    /// entry): a stale one is a conflict, never a lost update.
    pub async fn save_draft(
        &self,
        round: &Round,
        unit: &str,
        subject: &str,
        figures: &EntryFigures,
        expected_version: Option<i64>,
    ) -> Result<Entry> {
        self.allow(Action::EditDraft, unit)?;
        if round.status == RoundStatus::Closed {
            return Err(StoreError::Config("该填报轮次已关闭，数据已锁定".into()));
        }
        let owed = self.owed_where(round.period, round.form, Some(unit), Some(subject)).await?;
        if !owed.get(unit).is_some_and(|s| s.iter().any(|x| x == subject)) {
            return Err(StoreError::Config(format!("单位“{unit}”本轮不填报“{subject}”")));
        }
        for (name, v) in [
            ("当月完成投资", figures.month_wan),
            ("年初至报告期累计", figures.ytd_wan),
            ("开工至报告期累计", figures.since_start_wan),
        ] {
            if v.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
                return Err(taizhang_core::DomainError::Negative {
                    field: name.into(),
                    value: v.unwrap_or_default().to_string(),
                }
                .into());
            }
        }
        let existing = self.entry(round, unit, subject).await?;
        let mut tx = self.store.begin().await?;
        let uid = unit_id(tx.conn(), unit).await?;
        let now = crate::now_iso();
        match (&existing, expected_version) {
            (None, None | Some(0)) => {
                let insert = sqlx::query(
                    "INSERT INTO entries (month_e4, ytd_e4, since_start_e4, value_e4, growth_e4, percent_e4, text, problems,
                         updated_by, updated_at, round_id, unit_id, subject, state, version, explanation, failures)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', 1, '', '')
                     ON CONFLICT (round_id, unit_id, subject) DO NOTHING RETURNING id",
                );
                let id: i64 = bind_figures(insert, figures, &self.actor.username, &now)?
                    .bind(round.id)
                    .bind(uid)
                    .bind(subject)
                    .fetch_optional(tx.conn())
                    .await?
                    .ok_or_else(|| StoreError::Conflict(format!("{unit} {subject}")))?
                    .try_get(0)?;
                tx.log_entry(id, &self.actor.username, EntryState::Draft, EntryState::Draft, "新建草稿").await?;
            }
            (Some(e), Some(v)) if e.state.editable() => {
                let update = sqlx::query(
                    "UPDATE entries SET month_e4 = $1, ytd_e4 = $2, since_start_e4 = $3, value_e4 = $4, growth_e4 = $5,
                         percent_e4 = $6, text = $7, problems = $8, updated_by = $9, updated_at = $10, version = version + 1
                     WHERE id = $11 AND version = $12",
                );
                let done = bind_figures(update, figures, &self.actor.username, &now)?
                    .bind(e.id)
                    .bind(v)
                    .execute(tx.conn())
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!("{unit} {subject}")));
                }
            }
            (Some(e), Some(_)) => {
                return Err(StoreError::Config(format!("{}状态的记录不能修改", e.state.label_zh())));
            }
            _ => return Err(StoreError::Conflict(format!("{unit} {subject}"))),
        }
        tx.commit().await?;
        self.entry(round, unit, subject).await?.ok_or_else(|| StoreError::not_found("记录", subject))
    }

    /// Submits a unit's drafts. Failing checks block the submission unless `explanations`
    /// holds a 说明 for the subject (强制上报); then the failures stay on the record for
    /// reviewers. All of the unit's drafts go up together, or none.
    pub async fn submit(&self, round: &Round, unit: &str, explanations: &HashMap<String, String>) -> Result<usize> {
        self.allow(Action::Submit, unit)?;
        let entries: Vec<Entry> = self.entries(round, unit).await?.into_iter().filter(|e| e.state.editable()).collect();
        if entries.is_empty() {
            return Err(StoreError::Config("没有待上报的草稿".into()));
        }
        let failures = self.check(round, unit, &entries).await?;
        let unexplained: Vec<(String, String)> = failures
            .iter()
            .filter(|(subject, _)| explanations.get(subject.as_str()).is_none_or(|x| x.trim().is_empty()))
            .map(|(s, f)| (s.clone(), f.join("；")))
            .collect();
        if !unexplained.is_empty() {
            return Err(StoreError::Rules(unexplained));
        }
        let mut tx = self.store.begin().await?;
        for e in &entries {
            let failed = failures.get(&e.subject).map(|f| f.join("；")).unwrap_or_default();
            let explanation = if failed.is_empty() {
                String::new()
            } else {
                explanations.get(&e.subject).cloned().unwrap_or_default()
            };
            let reason = if failed.is_empty() { String::new() } else { format!("强制上报：{explanation}") };
            tx.move_entry(e, Event::Submit, &self.actor.username, &reason).await?;
            sqlx::query("UPDATE entries SET explanation = $1, failures = $2, submitted_at = $3 WHERE id = $4")
                .bind(&explanation)
                .bind(&failed)
                .bind(crate::now_iso())
                .bind(e.id)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(entries.len())
    }

    /// The configured checks over a unit's entries, by subject.
    async fn check(&self, round: &Round, unit: &str, entries: &[Entry]) -> Result<HashMap<String, Vec<String>>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        let rules = &self.config.rules;
        match round.form {
            Form::ProjectProgress => {
                let Period::Month(year, month) = round.period else { return Ok(out) };
                for e in entries {
                    let Some(ytd) = e.figures.ytd_wan else {
                        out.entry(e.subject.clone()).or_default().push("年初至报告期累计未填".into());
                        continue;
                    };
                    let report = MonthlyProgress {
                        project: e.subject.clone(),
                        period: round.period,
                        month_wan: e.figures.month_wan,
                        ytd_wan: ytd,
                        since_start_wan: e.figures.since_start_wan,
                        image_progress: e.figures.text.clone(),
                        problems: e.figures.problems.clone(),
                    };
                    let previous = if month > 1 {
                        self.store.progress(&e.subject, Period::Month(year, month - 1)).await?
                    } else {
                        None
                    };
                    let last_year = self.store.progress(&e.subject, Period::Month(year - 1, month)).await?;
                    let total = self.store.project(&e.subject).await?.map(|p| p.total_investment_wan);
                    let history = ProgressHistory {
                        previous_month: previous.as_ref(),
                        same_month_last_year: last_year.as_ref(),
                        total_investment_wan: total,
                    };
                    for f in check_progress(&report, history, rules) {
                        out.entry(e.subject.clone()).or_default().push(f.message);
                    }
                }
            }
            Form::IndicatorValues => {
                let catalogue = self.store.catalogue().await?;
                let values: Vec<IndicatorValue> = entries
                    .iter()
                    .map(|e| IndicatorValue {
                        indicator: e.subject.clone(),
                        unit: unit.to_string(),
                        period: round.period,
                        value: e.figures.value,
                        reported_growth: e.figures.growth,
                        note: None,
                        sample: false,
                    })
                    .collect();
                for rule in &rules.parts {
                    let one = taizhang_core::config::RuleConfig { parts: vec![rule.clone()], ..rules.clone() };
                    // A parts failure belongs to the total's entry.
                    let subject = catalogue.find(&rule.total).map_or_else(|| rule.total.clone(), |i| i.code.clone());
                    for f in check_parts(&values, &catalogue, &one) {
                        out.entry(subject.clone()).or_default().push(f.message);
                    }
                }
            }
            Form::TaskProgress => {
                for e in entries {
                    if e.figures.percent.is_some_and(|p| p < Decimal::ZERO || p > Decimal::ONE_HUNDRED) {
                        out.entry(e.subject.clone()).or_default().push("完成进度应在0到100之间".into());
                    }
                }
            }
        }
        Ok(out)
    }

    async fn move_all(
        &self,
        round: &Round,
        unit: &str,
        from: &[EntryState],
        event: Event,
        reason: &str,
    ) -> Result<Vec<Entry>> {
        let entries: Vec<Entry> =
            self.entries(round, unit).await?.into_iter().filter(|e| from.contains(&e.state)).collect();
        if entries.is_empty() {
            return Err(StoreError::Config(format!("没有可{}的记录", event.label_zh())));
        }
        let mut tx = self.store.begin().await?;
        for e in &entries {
            tx.move_entry(e, event, &self.actor.username, reason).await?;
        }
        if event == Event::Accept {
            self.write_accepted(&mut tx, round, &entries).await?;
        }
        tx.commit().await?;
        Ok(entries)
    }

    /// The unit leader approves the unit's submitted entries.
    pub async fn approve(&self, round: &Round, unit: &str) -> Result<usize> {
        self.allow(Action::Approve, unit)?;
        Ok(self.move_all(round, unit, &[EntryState::Submitted], Event::Approve, "").await?.len())
    }

    /// The district accepts the unit's approved entries: their figures enter the ledger.
    pub async fn accept(&self, round: &Round, unit: &str) -> Result<usize> {
        self.allow(Action::Accept, unit)?;
        Ok(self.move_all(round, unit, &[EntryState::Approved], Event::Accept, "").await?.len())
    }

    /// Returns a unit's entries for correction, with a reason: the unit leader returns what
    /// was submitted; the district, what the unit approved.
    pub async fn return_entries(&self, round: &Round, unit: &str, reason: &str) -> Result<usize> {
        self.allow(Action::Return, unit)?;
        if reason.trim().is_empty() {
            return Err(StoreError::Config("退回须写明原因".into()));
        }
        let from: &[EntryState] = match self.actor.role {
            taizhang_core::access::Role::UnitLeader => &[EntryState::Submitted],
            _ => &[EntryState::Submitted, EntryState::Approved],
        };
        Ok(self.move_all(round, unit, from, Event::Return, reason).await?.len())
    }

    async fn write_accepted(&self, tx: &mut Tx, round: &Round, entries: &[Entry]) -> Result<()> {
        match round.form {
            Form::ProjectProgress => {
                let ids = self.store.ids().await?;
                let mut rows = Vec::new();
                for e in entries {
                    let project_id = ids
                        .projects
                        .get(&e.subject)
                        .copied()
                        .ok_or_else(|| StoreError::not_found("项目", &e.subject))?;
                    let progress = MonthlyProgress {
                        project: e.subject.clone(),
                        period: round.period,
                        month_wan: e.figures.month_wan,
                        ytd_wan: e.figures.ytd_wan.unwrap_or_default(),
                        since_start_wan: e.figures.since_start_wan,
                        image_progress: e.figures.text.clone(),
                        problems: e.figures.problems.clone(),
                    };
                    rows.push(ProgressRow { project_id, progress });
                }
                tx.insert_progress_rows(&rows).await?;
            }
            Form::TaskProgress => {
                for e in entries {
                    sqlx::query(
                        "INSERT INTO task_progress (task_id, period, percent_e4, text)
                         SELECT id, $2, $3, $4 FROM tasks WHERE code = $1
                         ON CONFLICT (task_id, period) DO UPDATE SET percent_e4 = excluded.percent_e4, text = excluded.text",
                    )
                    .bind(&e.subject)
                    .bind(round.period.key())
                    .bind(opt_scaled(e.figures.percent)?)
                    .bind(&e.figures.text)
                    .execute(tx.conn())
                    .await?;
                    if e.figures.percent.is_some_and(|p| p >= Decimal::ONE_HUNDRED) {
                        sqlx::query("UPDATE tasks SET status = 'done' WHERE code = $1")
                            .bind(&e.subject)
                            .execute(tx.conn())
                            .await?;
                    }
                }
            }
            Form::IndicatorValues => {
                for e in entries {
                    let value = IndicatorValue {
                        indicator: e.subject.clone(),
                        unit: e.unit.clone(),
                        period: round.period,
                        value: e.figures.value,
                        reported_growth: e.figures.growth,
                        note: (!e.figures.text.is_empty()).then(|| e.figures.text.clone()),
                        sample: false,
                    };
                    tx.upsert_value(&value).await?;
                }
            }
        }
        Ok(())
    }

    /// Every entry of a round, of every unit.
    async fn round_entries(&self, round: &Round) -> Result<Vec<Entry>> {
        let sql =
            format!("SELECT {ENTRY_COLUMNS} FROM entries e JOIN org_units u ON u.id = e.unit_id WHERE e.round_id = $1");
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(round.id).fetch_all(&self.store.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Closes a round: every entry is locked, whatever its state.
    pub async fn close_round(&self, round: &Round) -> Result<usize> {
        self.allow(Action::CloseRound, &self.top_unit()?)?;
        let entries = self.round_entries(round).await?;
        let mut tx = self.store.begin().await?;
        for e in entries.iter().filter(|e| e.state != EntryState::Locked) {
            tx.move_entry(e, Event::Lock, &self.actor.username, "轮次关闭").await?;
        }
        sqlx::query("UPDATE rounds SET status = 'closed', closed_at = $1 WHERE id = $2")
            .bind(crate::now_iso())
            .bind(round.id)
            .execute(tx.conn())
            .await?;
        tx.log_round(round.id, &self.actor.username, "close", "").await?;
        tx.commit().await?;
        Ok(entries.len())
    }

    /// Reopens a closed round (admin, with a reason): locked entries go back to the units as
    /// returned, to be corrected and submitted again.
    pub async fn reopen_round(&self, round: &Round, reason: &str) -> Result<()> {
        self.allow(Action::Reopen, &self.top_unit()?)?;
        if reason.trim().is_empty() {
            return Err(StoreError::Config("重新开放须写明原因".into()));
        }
        let entries: Vec<Entry> =
            self.round_entries(round).await?.into_iter().filter(|e| e.state == EntryState::Locked).collect();
        let mut tx = self.store.begin().await?;
        for e in &entries {
            tx.move_entry(e, Event::Reopen, &self.actor.username, reason).await?;
        }
        sqlx::query("UPDATE rounds SET status = 'open', closed_at = NULL WHERE id = $1")
            .bind(round.id)
            .execute(tx.conn())
            .await?;
        tx.log_round(round.id, &self.actor.username, "reopen", reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit trail of one entry.
    pub async fn history(&self, entry: &Entry) -> Result<Vec<Transition>> {
        self.allow(Action::Read, &entry.unit)?;
        let rows = sqlx::query(
            "SELECT actor, at, from_state, to_state, reason FROM entry_events WHERE entry_id = $1 ORDER BY id",
        )
        .bind(entry.id)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Transition {
                    actor: r.try_get(0)?,
                    at: r.try_get(1)?,
                    from: r.try_get(2)?,
                    to: r.try_get(3)?,
                    reason: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Every round, newest period first.
    pub async fn rounds(&self) -> Result<Vec<Round>> {
        let rows = sqlx::query("SELECT id, period, form, due_date, status FROM rounds ORDER BY period DESC, form")
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter().map(round_from_row).collect()
    }

    /// The records reported for one subject (a project, task or indicator) in every round,
    /// with their state, for the subject's page.
    pub async fn entries_of_subject(&self, subject: &str) -> Result<Vec<(Round, Entry)>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries e JOIN org_units u ON u.id = e.unit_id WHERE e.subject = $1 ORDER BY e.round_id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(subject).fetch_all(&self.store.pool).await?;
        let mut out = Vec::new();
        for r in &rows {
            let entry = entry_from_row(r)?;
            if self.allow(Action::Read, &entry.unit).is_ok() {
                out.push((self.round_by_id(entry.round_id).await?, entry));
            }
        }
        Ok(out)
    }

    /// A round by id, for callers that keep ids (the web).
    pub async fn round_of(&self, id: i64) -> Result<Round> {
        self.round_by_id(id).await
    }
}
