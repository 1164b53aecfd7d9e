//! The reporting cycle: rounds, entries (drafts with versions: a stale save is a conflict),
//! submit with the configured checks and 说明, approve / accept (figures enter the ledger) /
//! return, close and reopen — each transition recorded (who, when, from, to, why).

use std::collections::HashMap;

use rust_decimal::Decimal;
use taizhang_core::access::{Action, Role};
use taizhang_core::indicator::IndicatorValue;
use taizhang_core::period::Period;
use taizhang_core::project::{Date, MonthlyProgress};
use taizhang_core::rules::{ProgressHistory, check_parts, check_progress};
use taizhang_core::workflow::{
    Entry, EntryFigures, EntryState, Event, Form, Round, RoundStatus, Transition, UnitStanding, default_due, transition,
};
use taizhang_store::{ProgressRow, Tx};

use crate::{Acting, Error, Result};

impl Acting<'_> {
    /// Opens a round (admin): which units owe what is listed from the year's projects, tasks
    /// or targets. The due date defaults to the 25th.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, period = %period))]
    pub async fn open_round(&self, period: Period, form: Form, due: Option<Date>) -> Result<Round> {
        self.allow_top(Action::OpenRound)?;
        if !matches!(period, Period::Month(..)) && form == Form::ProjectProgress {
            return Err(Error::Invalid(format!("项目进度按月填报：报告期应为月份，而不是“{period}”")));
        }
        let due = due.unwrap_or_else(|| default_due(period));
        let owed = self.store.owed_subjects(period, form, None, None).await?;
        let mut tx = self.store.begin().await?;
        let id = tx.insert_round(period, form, due, &self.actor.username).await?.ok_or_else(|| {
            Error::Invalid(format!("{}{}的填报轮次已经开启", period.label_zh(false), form.label_zh()))
        })?;
        let mut units: Vec<&String> = owed.keys().collect();
        units.sort();
        for unit in units {
            tx.add_round_unit(id, unit).await?;
        }
        tx.log_round(id, &self.actor.username, "open", "").await?;
        tx.commit().await?;
        Ok(Round { id, period, form, due, status: RoundStatus::Open })
    }

    pub async fn round(&self, period: Period, form: Form) -> Result<Round> {
        self.store
            .round(period, form)
            .await?
            .ok_or_else(|| Error::not_found("填报轮次", format!("{} {}", period.label_zh(false), form.label_zh())))
    }

    /// A round by id, for callers that keep ids (the web).
    pub async fn round_of(&self, id: i64) -> Result<Round> {
        Ok(self.store.round_by_id(id).await?)
    }

    /// Every round, newest period first.
    pub async fn rounds(&self) -> Result<Vec<Round>> {
        Ok(self.store.rounds().await?)
    }

    /// Each owing unit's standing on `today`: entries by state, and whether it is overdue.
    /// Units outside the actor's reach are left out.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id))]
    pub async fn round_status(&self, round: &Round, today: Date) -> Result<Vec<UnitStanding>> {
        let owed = self.store.owed_subjects(round.period, round.form, None, None).await?;
        let mut counts = self.store.entry_counts(round.id).await?;
        let reported = self.store.reported_subjects(round).await?;
        let mut out = Vec::new();
        for unit in self.store.round_units(round.id).await? {
            if !self.may(Action::Read, &unit) {
                continue;
            }
            let owed = owed.get(&unit).map(Vec::as_slice).unwrap_or_default();
            let days: Vec<Option<Date>> = match reported.get(&unit) {
                Some(r) => owed.iter().filter_map(|s| r.get(s).copied()).collect(),
                None => vec![],
            };
            out.push(UnitStanding {
                name: self.unit_name(&unit),
                overdue: today > round.due && days.len() < owed.len(),
                late: days.iter().flatten().any(|d| *d > round.due),
                owed: owed.len(),
                sent: days.len(),
                by_state: counts.remove(&unit).unwrap_or_default(),
                unit,
            });
        }
        Ok(out)
    }

    /// What a unit owes in a round: its to-do list (project, task or indicator codes).
    pub async fn owed_by(&self, round: &Round, unit: &str) -> Result<Vec<String>> {
        self.allow(Action::Read, unit)?;
        let mut owed = self.store.owed_subjects(round.period, round.form, Some(unit), None).await?;
        Ok(owed.remove(unit).unwrap_or_default())
    }

    /// Units that owe something and have not sent it by the due date.
    pub async fn overdue(&self, round: &Round, today: Date) -> Result<Vec<UnitStanding>> {
        Ok(self.round_status(round, today).await?.into_iter().filter(|u| u.overdue).collect())
    }

    /// The entries of a unit in a round (drafts included), as its people and reviewers see them.
    pub async fn entries(&self, round: &Round, unit: &str) -> Result<Vec<Entry>> {
        self.allow(Action::Read, unit)?;
        Ok(self.store.entries_where(Some(round.id), Some(unit), None).await?)
    }

    pub async fn entry(&self, round: &Round, unit: &str, subject: &str) -> Result<Option<Entry>> {
        self.allow(Action::Read, unit)?;
        Ok(self.store.entries_where(Some(round.id), Some(unit), Some(subject)).await?.into_iter().next())
    }

    /// Saves a draft. `expected_version` is the version the user loaded (none for a new
    /// entry): a stale one is a conflict, never a lost update.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id, unit = %unit))]
    pub async fn save_draft(
        &self,
        round: &Round,
        unit: &str,
        subject: &str,
        figures: &EntryFigures,
        expected_version: Option<i64>,
    ) -> Result<Entry> {
        let planned = self.plan_draft(round, unit, subject, figures, Over::Version(expected_version)).await?;
        let mut tx = self.store.begin().await?;
        self.write_draft(&mut tx, round, unit, subject, figures, planned).await?;
        tx.changes_no_figures();
        tx.commit().await?;
        self.entry(round, unit, subject).await?.ok_or_else(|| Error::not_found("记录", subject))
    }

    /// Saves drafts of many subjects (a unit's workbook), each over the version its sheet was
    /// taken at (or, where none is given, over what is stored now): all of them, or — when any
    /// is refused or was changed since — none.
    pub async fn save_drafts(
        &self,
        round: &Round,
        unit: &str,
        drafts: &[(String, EntryFigures, Option<i64>)],
    ) -> Result<usize> {
        self.save_drafts_explained(round, unit, drafts, &HashMap::new()).await
    }

    /// [`Acting::save_drafts`], each draft with the 说明 (by subject) that answers a rule its
    /// figures fail, kept for the submission.
    pub async fn save_drafts_explained(
        &self,
        round: &Round,
        unit: &str,
        drafts: &[(String, EntryFigures, Option<i64>)],
        explanations: &HashMap<String, String>,
    ) -> Result<usize> {
        let mut planned = Vec::with_capacity(drafts.len());
        for (subject, figures, taken) in drafts {
            let over = taken.map_or(Over::Current, |v| Over::Version(Some(v)));
            planned.push(self.plan_draft(round, unit, subject, figures, over).await?);
        }
        let mut tx = self.store.begin().await?;
        for ((subject, figures, _), planned) in drafts.iter().zip(planned) {
            self.write_draft(&mut tx, round, unit, subject, figures, planned).await?;
            if let Some(text) = explanations.get(subject) {
                tx.set_draft_explanation(round.id, unit, subject, text).await?;
            }
        }
        tx.changes_no_figures();
        tx.commit().await?;
        Ok(drafts.len())
    }

    /// The checks every save passes and what the save will write, read before the write
    /// transaction begins: SQLite's writers take turns, and each holds the turn over its
    /// writes only. A draft changed in between fails on its version, never lost.
    async fn plan_draft(
        &self,
        round: &Round,
        unit: &str,
        subject: &str,
        figures: &EntryFigures,
        over: Over,
    ) -> Result<DraftWrite> {
        self.allow(Action::EditDraft, unit)?;
        if round.status == RoundStatus::Closed {
            return Err(Error::Invalid("该填报轮次已关闭，数据已锁定".into()));
        }
        let owed = self.store.owed_subjects(round.period, round.form, Some(unit), Some(subject)).await?;
        if !owed.get(unit).is_some_and(|s| s.iter().any(|x| x == subject)) {
            return Err(Error::Invalid(format!("单位“{unit}”本轮不填报“{subject}”")));
        }
        for (name, v) in [
            ("当月完成投资", figures.month_wan),
            ("年初至报告期累计", figures.ytd_wan),
            ("开工至报告期累计", figures.since_start_wan),
        ] {
            if let Some(v) = v.filter(|v| v.is_sign_negative() && !v.is_zero()) {
                return Err(taizhang_core::DomainError::Negative { field: name.into(), value: v.to_string() }.into());
            }
        }
        let existing = self.entry(round, unit, subject).await?;
        let conflict = || Error::Conflict(format!("{unit} {subject}"));
        let expected_version = match over {
            Over::Version(v) => v,
            Over::Current => existing.as_ref().map(|e| e.version),
        };
        match (existing, expected_version) {
            (None, None | Some(0)) => Ok(DraftWrite::New),
            (Some(e), Some(v)) if e.state.editable() => Ok(DraftWrite::Over(Box::new(e), v)),
            (Some(e), Some(_)) => Err(Error::Invalid(format!("{}状态的记录不能修改", e.state.label_zh()))),
            _ => Err(conflict()),
        }
    }

    /// One planned draft written into `tx`.
    async fn write_draft(
        &self,
        tx: &mut Tx,
        round: &Round,
        unit: &str,
        subject: &str,
        figures: &EntryFigures,
        planned: DraftWrite,
    ) -> Result<()> {
        let conflict = || Error::Conflict(format!("{unit} {subject}"));
        match planned {
            DraftWrite::New => {
                let id = tx
                    .insert_draft(round.id, unit, subject, figures, &self.actor.username)
                    .await?
                    .ok_or_else(conflict)?;
                let created = format!("新建草稿：{}", figure_words(figures));
                tx.log_entry(id, &self.actor.username, EntryState::Draft, EntryState::Draft, &created)
                    .await
                    .map_err(Error::from)
            }
            DraftWrite::Over(e, v) => {
                if !tx.update_draft(e.id, v, figures, &self.actor.username).await? {
                    return Err(conflict());
                }
                // Every change of the figures names who made it and what it was (职责分离 reads
                // the actor; the audit trail keeps before and after).
                let change = format!("修改：{} → {}", figure_words(&e.figures), figure_words(figures));
                tx.log_entry(e.id, &self.actor.username, e.state, e.state, &change).await.map_err(Error::from)
            }
        }
    }

    /// Submits a unit's drafts. Failing checks block the submission unless `explanations`
    /// holds a 说明 for the subject (强制上报); then the failures stay on the record for
    /// reviewers. All of the unit's drafts go up together, or none.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id, unit = %unit))]
    pub async fn submit(&self, round: &Round, unit: &str, explanations: &HashMap<String, String>) -> Result<usize> {
        self.allow(Action::Submit, unit)?;
        let entries: Vec<Entry> = self.entries(round, unit).await?.into_iter().filter(|e| e.state.editable()).collect();
        if entries.is_empty() {
            return Err(Error::Invalid("没有待上报的草稿".into()));
        }
        let failures = self.check(round, unit, &entries).await?;
        // The 说明 typed now, else the one the draft was saved with (a sheet's 说明 column).
        let explanation_of = |e: &Entry| {
            explanations
                .get(&e.subject)
                .map(|x| x.trim())
                .filter(|x| !x.is_empty())
                .unwrap_or(e.explanation.trim())
                .to_string()
        };
        let unexplained: Vec<(String, String)> = entries
            .iter()
            .filter_map(|e| failures.get(&e.subject).map(|f| (e, f)))
            .filter(|(e, _)| explanation_of(e).is_empty())
            .map(|(e, f)| (e.subject.clone(), f.join("；")))
            .collect();
        if !unexplained.is_empty() {
            return Err(Error::Rules(unexplained));
        }
        let mut tx = self.store.begin().await?;
        for e in &entries {
            let failed = failures.get(&e.subject).map(|f| f.join("；")).unwrap_or_default();
            let explanation = if failed.is_empty() { String::new() } else { explanation_of(e) };
            let reason = if failed.is_empty() { String::new() } else { format!("强制上报：{explanation}") };
            move_entry(&mut tx, e, Event::Submit, &self.actor.username, &reason).await?;
            tx.record_submission(e.id, &explanation, &failed).await?;
        }
        if round.form == Form::ProjectProgress {
            // What the form's 存在问题 says becomes the project's problem, with the unit answering.
            let reported: Vec<(String, String)> =
                entries.iter().map(|e| (e.subject.clone(), e.figures.problems.clone())).collect();
            self.raise_reported_problems(&mut tx, &reported, "填报", crate::clock::today()).await?;
        }
        tx.commit().await?;
        Ok(entries.len())
    }

    /// What the submission's checks will say of one saved draft (empty: nothing to explain):
    /// the same rules, shown as soon as it is saved.
    pub async fn draft_warnings(&self, round: &Round, entry: &Entry) -> Result<Vec<String>> {
        let mut found = self.check(round, &entry.unit, std::slice::from_ref(entry)).await?;
        Ok(found.remove(&entry.subject).unwrap_or_default())
    }

    /// The configured checks over a unit's entries, by subject.
    pub(crate) async fn check(
        &self,
        round: &Round,
        unit: &str,
        entries: &[Entry],
    ) -> Result<HashMap<String, Vec<String>>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        let rules = &self.config.rules;
        match round.form {
            Form::ProjectProgress => {
                let Period::Month(..) = round.period else { return Ok(out) };
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
                    let context = self.store.progress_context(&e.subject, round.period).await?;
                    let history = ProgressHistory {
                        previous_month: context.previous.as_ref(),
                        same_month_last_year: context.last_year.as_ref(),
                        total_investment_wan: context.total_wan,
                    };
                    for f in check_progress(&report, history, rules) {
                        out.entry(e.subject.clone()).or_default().push(f.message);
                    }
                }
            }
            Form::IndicatorValues => {
                let catalogue = self.store.catalogue().await?;
                let values: Vec<IndicatorValue> = entries.iter().map(|e| entry_value(e, unit, round.period)).collect();
                for rule in &rules.parts {
                    let one = taizhang_core::config::RuleConfig { parts: vec![rule.clone()], ..rules.clone() };
                    // A parts failure belongs to the total's entry.
                    let subject =
                        catalogue.find(&rule.total).map_or_else(|| rule.total.clone(), |i| i.code.to_string());
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

    /// Moves a unit's entries in states `from` (only the `subjects` named, when any are).
    async fn move_all(
        &self,
        round: &Round,
        unit: &str,
        from: &[EntryState],
        event: Event,
        reason: &str,
        subjects: &[String],
    ) -> Result<Vec<Entry>> {
        let entries: Vec<Entry> = self
            .entries(round, unit)
            .await?
            .into_iter()
            .filter(|e| from.contains(&e.state) && (subjects.is_empty() || subjects.contains(&e.subject)))
            .collect();
        if let Some(missing) = subjects.iter().find(|s| !entries.iter().any(|e| &e.subject == *s)) {
            return Err(Error::Invalid(format!("记录“{missing}”不在可{}之列", event.label_zh())));
        }
        if entries.is_empty() {
            return Err(Error::Invalid(format!("没有可{}的记录", event.label_zh())));
        }
        if self.config.rules.separation_of_duties && matches!(event, Event::Approve | Event::Accept) {
            let handlers = self.store.entry_handlers(round.id, unit).await?;
            for e in &entries {
                let (drafted, approved) = handlers.get(&e.id).cloned().unwrap_or_default();
                if let Some(why) =
                    taizhang_core::workflow::separation_breach(event, &self.actor.username, &drafted, &approved)
                {
                    return Err(Error::Invalid(format!("{}：{why}", e.subject)));
                }
            }
        }
        let mut tx = self.store.begin().await?;
        for e in &entries {
            move_entry(&mut tx, e, event, &self.actor.username, reason).await?;
        }
        if event == Event::Accept {
            self.write_accepted(&mut tx, round, &entries).await?;
        }
        tx.commit().await?;
        Ok(entries)
    }

    /// The unit leader approves the unit's submitted entries.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id, unit = %unit))]
    pub async fn approve(&self, round: &Round, unit: &str) -> Result<usize> {
        self.allow(Action::Approve, unit)?;
        Ok(self.move_all(round, unit, &[EntryState::Submitted], Event::Approve, "", &[]).await?.len())
    }

    /// The district accepts the unit's approved entries: their figures enter the ledger.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id, unit = %unit))]
    pub async fn accept(&self, round: &Round, unit: &str) -> Result<usize> {
        self.allow(Action::Accept, unit)?;
        Ok(self.move_all(round, unit, &[EntryState::Approved], Event::Accept, "", &[]).await?.len())
    }

    /// Returns a unit's entries for correction, with a reason: the unit leader returns what
    /// was submitted; the district, what the unit approved.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id, unit = %unit))]
    /// Returns a unit's submitted records to it with a reason — the `subjects` named, or all
    /// when none are — for the reporter to correct and submit again.
    pub async fn return_entries(&self, round: &Round, unit: &str, reason: &str, subjects: &[String]) -> Result<usize> {
        self.allow(Action::Return, unit)?;
        if reason.trim().is_empty() {
            return Err(Error::Invalid("退回须写明原因".into()));
        }
        let from: &[EntryState] = match self.actor.role {
            Role::UnitLeader => &[EntryState::Submitted],
            _ => &[EntryState::Submitted, EntryState::Approved],
        };
        Ok(self.move_all(round, unit, from, Event::Return, reason, subjects).await?.len())
    }

    async fn write_accepted(&self, tx: &mut Tx, round: &Round, entries: &[Entry]) -> Result<()> {
        match round.form {
            Form::ProjectProgress => {
                let ids = self.store.ids().await?;
                let mut rows = Vec::new();
                for e in entries {
                    let project_id =
                        ids.projects.get(&e.subject).copied().ok_or_else(|| Error::not_found("项目", &e.subject))?;
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
                    tx.upsert_task_progress(&e.subject, round.period, e.figures.percent, &e.figures.text).await?;
                }
            }
            Form::IndicatorValues => {
                for e in entries {
                    tx.upsert_value(&entry_value(e, &e.unit, round.period), &self.actor.username).await?;
                }
            }
        }
        Ok(())
    }

    /// Closes a round: every entry is locked, whatever its state.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id))]
    pub async fn close_round(&self, round: &Round) -> Result<usize> {
        self.allow_top(Action::CloseRound)?;
        let entries = self.store.entries_where(Some(round.id), None, None).await?;
        let mut tx = self.store.begin().await?;
        for e in entries.iter().filter(|e| e.state != EntryState::Locked) {
            move_entry(&mut tx, e, Event::Lock, &self.actor.username, "轮次关闭").await?;
        }
        tx.set_round_status(round.id, RoundStatus::Closed).await?;
        tx.log_round(round.id, &self.actor.username, "close", "").await?;
        tx.commit().await?;
        Ok(entries.len())
    }

    /// Reopens a closed round (admin, with a reason): locked entries go back to the units as
    /// returned, to be corrected and submitted again.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id))]
    pub async fn reopen_round(&self, round: &Round, reason: &str) -> Result<()> {
        self.allow_top(Action::Reopen)?;
        if reason.trim().is_empty() {
            return Err(Error::Invalid("重新开放须写明原因".into()));
        }
        let entries = self.store.entries_where(Some(round.id), None, None).await?;
        let mut tx = self.store.begin().await?;
        for e in entries.iter().filter(|e| e.state == EntryState::Locked) {
            move_entry(&mut tx, e, Event::Reopen, &self.actor.username, reason).await?;
        }
        tx.set_round_status(round.id, RoundStatus::Open).await?;
        tx.log_round(round.id, &self.actor.username, "reopen", reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit trail of one entry.
    pub async fn history(&self, entry: &Entry) -> Result<Vec<Transition>> {
        self.allow(Action::Read, &entry.unit)?;
        Ok(self.store.entry_history(entry.id).await?)
    }

    /// The records reported for one subject (a project, task or indicator) in every round,
    /// with their state, for the subject's page; units outside the actor's reach left out.
    pub async fn entries_of_subject(&self, subject: &str) -> Result<Vec<(Round, Entry)>> {
        let mut out = Vec::new();
        for entry in self.store.entries_where(None, None, Some(subject)).await? {
            if self.may(Action::Read, &entry.unit) {
                out.push((self.store.round_by_id(entry.round_id).await?, entry));
            }
        }
        Ok(out)
    }
}

/// What a saved draft replaces: the version its author loaded (none for a new entry), or
/// whatever is stored now (a workbook saved over the drafts).
#[derive(Debug, Clone, Copy)]
enum Over {
    Version(Option<i64>),
    Current,
}

/// What a draft's save writes: a new record, or over this one at this version.
enum DraftWrite {
    New,
    Over(Box<Entry>, i64),
}

/// Moves one entry by `event` as the workflow allows, guarded by its version.
/// The indicator value an entry reports (a blank field leaves the stored one as it is).
fn entry_value(e: &Entry, unit: &str, period: Period) -> IndicatorValue {
    IndicatorValue {
        indicator: e.subject.clone(),
        unit: unit.to_string(),
        period,
        value: e.figures.value,
        reported_growth: e.figures.growth,
        note: (!e.figures.text.is_empty()).then(|| e.figures.text.clone()),
        sample: false,
        vintage: None,
        source: None,
        caliber: None,
        price_basis: None,
        published: Default::default(),
        clears: Default::default(),
    }
}

async fn move_entry(tx: &mut Tx, e: &Entry, event: Event, actor: &str, reason: &str) -> Result<()> {
    let to = transition(e.state, event)?;
    Ok(tx.move_entry(e, to, actor, reason).await?)
}

/// A record's figures in words for its trail: "累计60000 开工累计60000 形象进度：主体施工".
fn figure_words(f: &EntryFigures) -> String {
    let mut parts = Vec::new();
    for (name, v) in [
        ("当月", f.month_wan),
        ("累计", f.ytd_wan),
        ("开工累计", f.since_start_wan),
        ("数值", f.value),
        ("增速", f.growth),
        ("进度%", f.percent),
    ] {
        if let Some(v) = v {
            parts.push(format!("{name}{}", v.normalize()));
        }
    }
    if !f.text.is_empty() {
        parts.push(format!("形象进度：{}", f.text));
    }
    if parts.is_empty() { "（空）".to_string() } else { parts.join(" ") }
}
