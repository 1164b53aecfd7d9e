//! Warnings (红黄绿灯) over the ledger, problems with their escalation, and 督办 orders —
//! under the same permission rule as reporting.

use std::collections::{BTreeMap, HashMap};

use taizhang_core::Decimal;
use taizhang_core::access::Action;
use taizhang_core::consistency::{Flag, parts_flags, revision_flag, subunit_flag};
use taizhang_core::indicator::IndicatorValue;
use taizhang_core::indicator::Temporal;
use taizhang_core::lights::{Light, Warning, WarningKind, indicator_light, task_light};
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::supervision::{
    Order, OrderEvent, OrderState, ProblemLevel, ProblemRecord, check_extension_request, escalation, order_transition,
};

use taizhang_store::{NewOrder, NewProblem};

use crate::{Acting, Error, Result};
use taizhang_store::Tx;

/// A 督办 order as its issuer writes it.
#[derive(Debug, Clone, Copy)]
pub struct OrderDraft<'a> {
    pub unit: &'a str,
    /// The project, task or problem it is about.
    pub subject: &'a str,
    pub title: &'a str,
    pub requirement: &'a str,
    /// None is refused: an order without a deadline is no order.
    pub deadline: Option<Date>,
    /// What it was issued from: "problem:12", "meeting:3", "light" or empty.
    pub from: &'a str,
}

impl crate::App {
    /// The district's standing job, run by `serve`: every `every`, overdue open problems move
    /// up one level, as the `admin` account (the escalation is recorded under it). A new
    /// deadline comes with each move, so running it often moves nothing twice. A failure is
    /// logged and tried again next time; the job never stops the server.
    pub async fn escalate_every(self, every: std::time::Duration) {
        loop {
            // One server a round, when several share the database.
            if !self.lease("escalate", every).await.unwrap_or(false) {
                tokio::time::sleep(every).await;
                continue;
            }
            let moved = async {
                let admin = self.as_user(crate::admin::ADMIN).await?;
                let today = crate::clock::today();
                // Items gone past their date become problems first, then overdue ones climb.
                let raised = admin.raise_element_problems(today).await?;
                Ok::<_, Error>((raised, admin.escalate_overdue(today).await?))
            };
            match moved.await {
                Ok((raised, moved)) if !raised.is_empty() || !moved.is_empty() => {
                    tracing::info!(raised = raised.len(), escalated = moved.len(), "supervision job")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "escalating overdue problems failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    }
}

impl Acting<'_> {
    /// The projects of a unit's subtree lit for `period` (a node of the 倒排工期 past its date
    /// as on `today`): what a list of projects needs, without the tasks', indicators' and orders'.
    pub async fn project_warnings(&self, period: Period, unit: Option<&str>, today: Date) -> Result<Vec<Warning>> {
        let scope = self.scope_of(unit)?;
        self.allow(Action::Read, &scope)?;
        let lit =
            self.remembered("projects", &scope, period, today, || self.lit_projects(period, &scope, today)).await?;
        Ok(std::sync::Arc::unwrap_or_clone(lit))
    }

    async fn lit_projects(&self, period: Period, scope: &str, today: Date) -> Result<Vec<Warning>> {
        Ok(self.kept_project_figures(scope, period, today).await?.lit().cloned().collect())
    }

    /// Every project, task, indicator and 督办 order of a unit's subtree lit for `period`
    /// (tasks and orders as on `today`), worst first.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, period = %period))]
    pub async fn warnings(&self, period: Period, unit: Option<&str>, today: Date) -> Result<Vec<Warning>> {
        Ok(std::sync::Arc::unwrap_or_clone(self.shared_warnings(period, unit, today).await?))
    }

    /// [`Acting::warnings`] as kept, not copied (a province's are tens of thousands).
    pub(crate) async fn shared_warnings(
        &self,
        period: Period,
        unit: Option<&str>,
        today: Date,
    ) -> Result<std::sync::Arc<Vec<Warning>>> {
        let scope = self.scope_of(unit)?;
        self.allow(Action::Read, &scope)?;
        self.remembered("all", &scope, period, today, || self.lit_everything(period, &scope, today)).await
    }

    /// What a computation gave at the figures' version, or it computed now and kept: the
    /// version is read first, so what is kept is never older than its key says.
    pub(crate) async fn remembered<T, F, Fut>(
        &self,
        what: &'static str,
        scope: &str,
        period: Period,
        today: Date,
        compute: F,
    ) -> Result<std::sync::Arc<T>>
    where
        T: std::any::Any + Send + Sync,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let key = crate::memo::MemoKey {
            what,
            version: self.store.figures_version().await?,
            scope: scope.into(),
            period,
            today,
        };
        if let Some(kept) = self.memo.get::<T>(&key) {
            return Ok(kept);
        }
        let turn = self.memo.turn_of(&key);
        let _turn = turn.lock().await;
        // Computed by another request while this one waited its turn.
        if let Some(kept) = self.memo.get::<T>(&key) {
            return Ok(kept);
        }
        self.memo.forget_older(key.version);
        let fresh = compute().await.map(std::sync::Arc::new);
        if let Ok(fresh) = &fresh {
            self.memo.keep(key.clone(), fresh.clone());
        }
        self.memo.turn_done(&key);
        fresh
    }

    async fn lit_everything(&self, period: Period, scope: &str, today: Date) -> Result<Vec<Warning>> {
        let scope = scope.to_string();
        let lights = &self.config.lights;
        let mut out = self.lit_projects(period, &scope, today).await?;
        for r in self.store.task_light_rows(&scope, period).await? {
            out.push(Warning {
                kind: WarningKind::Task,
                unit: self.unit_name(&r.unit),
                lit: task_light(today, r.deadline, r.percent, r.done, lights),
                code: r.code,
                name: r.name,
            });
        }
        let catalogue = self.store.catalogue().await?;
        for r in self.store.indicator_light_rows(&scope, period).await? {
            let Some(ind) = catalogue.find(&r.indicator).filter(|i| i.temporal == Temporal::Flow) else { continue };
            let Some(value) = r.value else { continue };
            let Some(lit) = indicator_light(period, value, r.target, lights) else { continue };
            out.push(Warning {
                kind: WarningKind::Indicator,
                code: r.indicator,
                name: ind.name.clone(),
                unit: self.unit_name(&r.unit),
                lit,
            });
        }
        for order in self.store.order_records(None, Some(&scope)).await? {
            out.push(Warning {
                kind: WarningKind::Order,
                code: order.id.to_string(),
                unit: self.unit_name(&order.unit),
                lit: order.light(today, lights),
                name: order.title,
            });
        }
        out.sort_by(|a, b| b.lit.light.cmp(&a.lit.light).then(a.kind.cmp(&b.kind)).then(a.code.cmp(&b.code)));
        Ok(out)
    }

    /// 数据核对 of a year's figures in a unit's subtree: parts against totals, units against
    /// their sub-units, revisions beyond the configured share — flags, never rejections.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, year))]
    pub async fn data_flags(&self, year: i32, unit: Option<&str>) -> Result<Vec<Flag>> {
        let scope = self.scope_of(unit)?;
        self.allow(Action::Read, &scope)?;
        let catalogue = self.store.catalogue().await?;
        let rules = &self.config.rules;
        let values = self.store.values_of_year(year, Some(&scope)).await?;
        let mut groups: BTreeMap<(String, Period), Vec<IndicatorValue>> = BTreeMap::new();
        for v in &values {
            groups.entry((v.unit.clone(), v.period)).or_default().push(v.clone());
        }
        let mut out = Vec::new();
        for group in groups.values() {
            out.extend(parts_flags(group, &catalogue, rules));
        }
        for v in &values {
            let (Some(own), Some(ind)) = (v.value, catalogue.find(&v.indicator)) else { continue };
            let children: Vec<&str> = self.tree.children(&v.unit).map(|c| c.code.as_str()).collect();
            if children.is_empty() {
                continue;
            }
            let theirs: Vec<Decimal> = values
                .iter()
                .filter(|c| c.indicator == v.indicator && c.period == v.period && children.contains(&c.unit.as_str()))
                .filter_map(|c| c.value)
                .collect();
            let sum = theirs.iter().sum();
            out.extend(subunit_flag(ind, &v.unit, v.period, own, theirs.len(), children.len(), sum, rules));
        }
        let mut last: HashMap<(String, String, Period), Decimal> = HashMap::new();
        for (indicator, unit, period, level) in self.store.level_versions_of_year(year, &scope).await? {
            let Some(level) = level else { continue };
            let key = (indicator.clone(), unit.clone(), period);
            if let (Some(before), Some(ind)) = (last.get(&key), catalogue.find(&indicator)) {
                out.extend(revision_flag(ind, &unit, period, *before, level, rules));
            }
            last.insert(key, level);
        }
        for f in &mut out {
            f.unit = self.unit_name(&f.unit);
        }
        Ok(out)
    }

    /// The lit items only (red and yellow).
    pub async fn lit_warnings(&self, period: Period, unit: Option<&str>, today: Date) -> Result<Vec<Warning>> {
        Ok(self.warnings(period, unit, today).await?.into_iter().filter(|w| w.lit.light != Light::Green).collect())
    }

    /// Raises a problem on a project; it starts with the responsible unit, answered for by
    /// `owner` (the project's responsible person when blank).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn raise_problem(
        &self,
        project: &str,
        description: &str,
        owner: &str,
        deadline: Date,
        today: Date,
        source: &str,
    ) -> Result<i64> {
        let p = self.store.project(project).await?.ok_or_else(|| Error::not_found("项目", project))?;
        self.allow(Action::RaiseProblem, &p.responsibility.unit)?;
        if description.trim().is_empty() {
            return Err(Error::Invalid("问题描述不能为空".into()));
        }
        if deadline < today {
            return Err(Error::Invalid(format!("解决时限 {deadline} 早于今天（{today}）")));
        }
        let owner = if owner.trim().is_empty() { p.responsibility.person.as_str() } else { owner.trim() };
        let mut tx = self.store.begin().await?;
        let new = NewProblem {
            project,
            unit: &p.responsibility.unit,
            description: description.trim(),
            owner,
            deadline,
            raised_on: today,
            raised_by: &self.actor.username,
            source,
        };
        let id = tx.insert_problem(&new).await?;
        tx.log_problem(id, &self.actor.username, "raise", description).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn resolve_problem(&self, id: i64, resolution: &str, today: Date) -> Result<()> {
        let p = self.problem(id).await?;
        self.allow(Action::ResolveProblem, &p.unit)?;
        if resolution.trim().is_empty() {
            return Err(Error::Invalid("办结须写明办结说明".into()));
        }
        if p.resolved_on.is_some() {
            return Err(Error::Invalid(format!("问题 #{id} 已办结")));
        }
        let mut tx = self.store.begin().await?;
        tx.resolve_problem(id, resolution, today).await?;
        tx.log_problem(id, &self.actor.username, "resolve", resolution).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Escalates every overdue open problem one level (责任单位 → 分包领导 → 区级), with a new
    /// deadline; a district job run daily. Returns the problems that moved.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn escalate_overdue(&self, today: Date) -> Result<Vec<(i64, ProblemLevel)>> {
        self.allow_top(Action::ResolveProblem)?;
        let mut moved = Vec::new();
        let mut tx = self.store.begin().await?;
        for p in self.problems(None).await? {
            let Some(deadline) = p.deadline else { continue };
            if let Some((level, new_deadline)) =
                escalation(p.level, deadline, p.resolved_on.is_some(), today, &self.config.lights)
            {
                tx.escalate_problem(p.id, level, new_deadline).await?;
                let note =
                    format!("逾期未解决，由{}升级至{}，新时限{new_deadline}", p.level.label_zh(), level.label_zh());
                tx.log_problem(p.id, &self.actor.username, "escalate", &note).await?;
                moved.push((p.id, level));
            }
        }
        tx.commit().await?;
        Ok(moved)
    }

    pub async fn problem(&self, id: i64) -> Result<ProblemRecord> {
        let found = self.store.problem_records(Some(id), None).await?;
        self.readable(found, "问题", id, |p| &p.unit)
    }

    /// The one record found by id, if the actor may read its unit's records.
    fn readable<T>(&self, found: Vec<T>, kind: &'static str, id: i64, unit: impl Fn(&T) -> &str) -> Result<T> {
        let record = found.into_iter().next().ok_or_else(|| Error::not_found(kind, id.to_string()))?;
        self.allow(Action::Read, unit(&record))?;
        Ok(record)
    }

    /// Unresolved problems and orders not closed in the actor's reach, as two numbers.
    pub async fn open_counts(&self) -> Result<(i64, i64)> {
        let scope = self.scope_of(None)?;
        self.allow(Action::Read, &scope)?;
        Ok(self.store.open_counts(&scope).await?)
    }

    /// Problems of a unit's subtree (the actor's reach when none is named).
    pub async fn problems(&self, unit: Option<&str>) -> Result<Vec<ProblemRecord>> {
        let scope = self.scope_of(unit)?;
        self.allow(Action::Read, &scope)?;
        Ok(self.store.problem_records(None, Some(&scope)).await?)
    }

    /// Issues a 督办 order to a unit about a subject (a project, task or problem).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, unit = %draft.unit))]
    pub async fn issue_order(&self, draft: &OrderDraft<'_>, today: Date) -> Result<i64> {
        let mut tx = self.store.begin().await?;
        let id = self.issue_order_in(&mut tx, draft, today).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Issues an order inside a larger write (a meeting's decisions, a problem's order).
    pub(crate) async fn issue_order_in(&self, tx: &mut Tx, draft: &OrderDraft<'_>, today: Date) -> Result<i64> {
        self.allow(Action::IssueOrder, draft.unit)?;
        if draft.title.trim().is_empty() {
            return Err(Error::Invalid("督办事项（标题）不能为空".into()));
        }
        let deadline = draft.deadline.ok_or_else(|| Error::Invalid("督办须有办理时限".into()))?;
        if deadline < today {
            return Err(Error::Invalid(format!("办理时限（{deadline}）不能早于今天（{today}）")));
        }
        let order = NewOrder {
            unit: draft.unit,
            subject: draft.subject,
            title: draft.title.trim(),
            requirement: draft.requirement,
            issued_by: &self.actor.username,
            issued_on: today,
            deadline,
            issued_from: draft.from,
        };
        let id = tx.insert_order(&order).await?;
        tx.log_order(id, &self.actor.username, "", OrderState::Issued.code(), draft.requirement).await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    async fn move_order(&self, id: i64, action: Action, event: OrderEvent, note: &str) -> Result<Order> {
        let order = self.order(id).await?;
        self.allow(action, &order.unit)?;
        let to = order_transition(order.state, event)?;
        let feedback = if event == OrderEvent::Feedback { note } else { order.feedback.as_str() };
        let mut tx = self.store.begin().await?;
        tx.move_order(&order, to, feedback).await?;
        tx.log_order(id, &self.actor.username, order.state.code(), to.code(), note).await?;
        tx.commit().await?;
        self.order(id).await
    }

    /// The unit signs for (签收) an order.
    pub async fn sign_order(&self, id: i64) -> Result<Order> {
        self.move_order(id, Action::HandleOrder, OrderEvent::Sign, "").await
    }

    /// The unit reports what it did (反馈).
    pub async fn feedback_order(&self, id: i64, feedback: &str) -> Result<Order> {
        if feedback.trim().is_empty() {
            return Err(Error::Invalid("反馈内容不能为空".into()));
        }
        self.move_order(id, Action::HandleOrder, OrderEvent::Feedback, feedback).await
    }

    /// The unit answers an order (反馈): signed for first when it was only issued.
    pub async fn respond_order(&self, id: i64, feedback: &str) -> Result<Order> {
        if feedback.trim().is_empty() {
            return Err(Error::Invalid("反馈内容不能为空".into()));
        }
        if self.order(id).await?.state == OrderState::Issued {
            self.sign_order(id).await?;
        }
        self.feedback_order(id, feedback).await
    }

    /// The district reviews the feedback: closes the order, or returns it for rework.
    pub async fn review_order(&self, id: i64, close: bool, note: &str) -> Result<Order> {
        if !close && note.trim().is_empty() {
            return Err(Error::Invalid("退回重办须写明原因".into()));
        }
        let event = if close { OrderEvent::Close } else { OrderEvent::ReturnForRework };
        self.move_order(id, Action::ReviewOrder, event, note).await
    }

    /// Asks for a later deadline, before the current one passes.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn request_extension(&self, id: i64, new_deadline: Date, reason: &str, today: Date) -> Result<i64> {
        let order = self.order(id).await?;
        self.allow(Action::RequestExtension, &order.unit)?;
        check_extension_request(today, order.deadline, new_deadline)?;
        // An order about a project cannot run past the project's own planned 竣工.
        if let Some(finish) = self.store.project(&order.subject).await?.and_then(|p| p.planned_finish)
            && new_deadline > finish
        {
            return Err(Error::Invalid(format!("申请的新时限（{new_deadline}）晚于项目计划竣工日期（{finish}）")));
        }
        let mut tx = self.store.begin().await?;
        let rid = tx.insert_extension_request(id, &self.actor.username, today, new_deadline, reason).await?;
        let note = format!("申请延期至{new_deadline}：{reason}");
        tx.log_order(id, &self.actor.username, order.state.code(), order.state.code(), &note).await?;
        tx.commit().await?;
        Ok(rid)
    }

    /// Approves (the deadline moves) or refuses an extension request.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn decide_extension(&self, request: i64, approve: bool, today: Date) -> Result<Order> {
        let asked = self.store.extension_request(request).await?;
        let order = self.order(asked.order).await?;
        self.allow(Action::DecideExtension, &order.unit)?;
        if asked.decided {
            return Err(Error::Invalid("该延期申请已审批".into()));
        }
        let mut tx = self.store.begin().await?;
        tx.decide_extension(request, approve, &self.actor.username, today).await?;
        if approve {
            tx.set_order_deadline(order.id, asked.new_deadline).await?;
        }
        let note =
            if approve { format!("同意延期至{}", asked.new_deadline) } else { "不同意延期".to_string() };
        tx.log_order(order.id, &self.actor.username, order.state.code(), order.state.code(), &note).await?;
        tx.commit().await?;
        self.order(order.id).await
    }

    pub async fn order(&self, id: i64) -> Result<Order> {
        let found = self.store.order_records(Some(id), None).await?;
        self.readable(found, "督办", id, |o| &o.unit)
    }

    /// Orders addressed to a unit's subtree.
    pub async fn orders(&self, unit: Option<&str>) -> Result<Vec<Order>> {
        let scope = self.scope_of(unit)?;
        self.allow(Action::Read, &scope)?;
        Ok(self.store.order_records(None, Some(&scope)).await?)
    }
}
