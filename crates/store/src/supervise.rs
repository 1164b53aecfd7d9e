//! Warnings (红黄绿灯) over the ledger, problems with their escalation, and 督办 orders —
//! through the same service layer and permission rule as reporting.

use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::access::Action;
use taizhang_core::indicator::Temporal;
use taizhang_core::lights::{Light, Lit, ProjectStatus, indicator_light, order_light, project_light, task_light};
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::quantity::from_scaled;
use taizhang_core::supervision::{
    OrderEvent, OrderState, ProblemLevel, check_extension_request, escalation, order_transition,
};

use crate::ledger::unit_id;
use crate::reports::SUBTREE;
use crate::service::Service;
use crate::{Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WarningKind {
    Project,
    Task,
    Indicator,
    Order,
}

impl WarningKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            WarningKind::Project => "重点项目",
            WarningKind::Task => "重点工作",
            WarningKind::Indicator => "指标",
            WarningKind::Order => "督办",
        }
    }
}

/// One lit item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub lit: Lit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemRecord {
    pub id: i64,
    pub project: String,
    pub unit: String,
    pub description: String,
    pub owner: String,
    pub deadline: Option<Date>,
    pub level: ProblemLevel,
    pub resolved_on: Option<Date>,
    pub resolution: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub unit: String,
    pub subject: String,
    pub title: String,
    pub requirement: String,
    pub issued_on: Date,
    pub deadline: Date,
    pub state: OrderState,
    pub feedback: String,
    pub version: i64,
}

fn unit_name(service: &Service<'_>, code: &str) -> String {
    service.tree.get(code).map_or_else(|| code.to_string(), |u| u.name.clone())
}

impl Service<'_> {
    /// The unit a read covers: the one named, else the actor's own unit (unit roles) or the top.
    pub(crate) fn scope_of(&self, unit: Option<&str>) -> Result<String> {
        let code = match unit {
            Some(u) => self.tree.find(u).map(|u| u.code.clone()).ok_or_else(|| StoreError::not_found("单位", u))?,
            None => match (&self.actor.unit, self.actor.role.needs_unit()) {
                (Some(own), true) => own.clone(),
                _ => self
                    .tree
                    .roots()
                    .next()
                    .map(|u| u.code.clone())
                    .ok_or_else(|| StoreError::Config("数据库中还没有单位".into()))?,
            },
        };
        Ok(code)
    }

    /// Every project, task, indicator and 督办 order of a unit's subtree lit for `period`
    /// (tasks and orders as on `today`), worst first.
    pub async fn warnings(&self, period: Period, unit: Option<&str>, today: Date) -> Result<Vec<Warning>> {
        let scope = self.scope_of(unit)?;
        self.allow_read_unit(&scope)?;
        let lights = &self.config.lights;
        let year = period.year();
        let mut out = Vec::new();

        let sql = format!(
            "{SUBTREE}
             SELECT p.code, p.name, u.code AS unit_code, y.planned_e4, p.planned_start, p.actual_start, g.ytd_e4, g.since_start_e4,
                 mp.planned_ytd_e4
             FROM projects p JOIN sub ON sub.id = p.unit_id JOIN org_units u ON u.id = p.unit_id
             JOIN project_year_plans y ON y.project_id = p.id AND y.year = $2
             LEFT JOIN project_progress g ON g.project_id = p.id AND g.period = $3
             LEFT JOIN project_month_plans mp ON mp.project_id = p.id AND mp.period = $3
             ORDER BY p.code"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&scope)
            .bind(i64::from(year))
            .bind(period.closing_month().key())
            .fetch_all(&self.store.pool)
            .await?;
        for r in rows {
            let ytd = r.try_get::<Option<i64>, _>("ytd_e4")?.map(from_scaled);
            let since_start = r.try_get::<Option<i64>, _>("since_start_e4")?.map(from_scaled);
            let actual_start = r.try_get::<Option<String>, _>("actual_start")?.map(|d| Date::parse(&d)).transpose()?;
            // Money spent is a start, whether or not the start date was recorded.
            let started = actual_start.or_else(|| {
                (ytd.is_some_and(|v| v > Decimal::ZERO) || since_start.is_some_and(|v| v > Decimal::ZERO))
                    .then(|| Date::end_of(period))
            });
            let planned = from_scaled(r.try_get("planned_e4")?);
            // The project's own monthly plan, as a share of its year, replaces m/12.
            let own = r
                .try_get::<Option<i64>, _>("planned_ytd_e4")?
                .map(from_scaled)
                .and_then(|m| (!planned.is_zero()).then(|| m / planned));
            let status = ProjectStatus {
                period: period.closing_month(),
                planned_wan: Some(planned),
                ytd_wan: ytd,
                own_time_progress: own,
                planned_start: r.try_get::<Option<String>, _>("planned_start")?.map(|d| Date::parse(&d)).transpose()?,
                actual_start: started,
            };
            let unit: String = r.try_get("unit_code")?;
            out.push(Warning {
                kind: WarningKind::Project,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                unit: unit_name(self, &unit),
                lit: project_light(&status, lights),
            });
        }

        let sql = format!(
            "{SUBTREE}
             SELECT t.code, t.name, u.code AS unit_code, t.deadline, t.status,
                 (SELECT tp.percent_e4 FROM task_progress tp WHERE tp.task_id = t.id AND tp.period <= $3
                  ORDER BY tp.period DESC LIMIT 1) AS percent_e4
             FROM tasks t JOIN sub ON sub.id = t.lead_unit_id JOIN org_units u ON u.id = t.lead_unit_id
             WHERE t.year = $2 ORDER BY t.code"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&scope)
            .bind(i64::from(year))
            .bind(period.closing_month().key())
            .fetch_all(&self.store.pool)
            .await?;
        for r in rows {
            let deadline = r.try_get::<Option<String>, _>("deadline")?.map(|d| Date::parse(&d)).transpose()?;
            let percent = r.try_get::<Option<i64>, _>("percent_e4")?.map(from_scaled);
            let done = r.try_get::<String, _>("status")? == "done";
            let unit: String = r.try_get("unit_code")?;
            out.push(Warning {
                kind: WarningKind::Task,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                unit: unit_name(self, &unit),
                lit: task_light(today, deadline, percent, done, lights),
            });
        }

        let catalogue = self.store.catalogue().await?;
        let sql = format!(
            "{SUBTREE}
             SELECT i.code, u.code AS unit_code, t.level_e4, v.value_e4 FROM targets t JOIN sub ON sub.id = t.unit_id
             JOIN indicators i ON i.id = t.indicator_id JOIN org_units u ON u.id = t.unit_id
             LEFT JOIN indicator_values v ON v.indicator_id = t.indicator_id AND v.unit_id = t.unit_id AND v.period = $3
             WHERE t.year = $2 AND t.level_e4 IS NOT NULL ORDER BY u.code, i.code"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&scope)
            .bind(i64::from(year))
            .bind(period.key())
            .fetch_all(&self.store.pool)
            .await?;
        for r in rows {
            let code: String = r.try_get("code")?;
            let Some(ind) = catalogue.find(&code).filter(|i| i.temporal == Temporal::Flow) else { continue };
            let Some(value) = r.try_get::<Option<i64>, _>("value_e4")?.map(from_scaled) else { continue };
            let target = from_scaled(r.try_get("level_e4")?);
            let Some(lit) = indicator_light(period, value, target, lights) else { continue };
            let unit: String = r.try_get("unit_code")?;
            out.push(Warning {
                kind: WarningKind::Indicator,
                code,
                name: ind.name.clone(),
                unit: unit_name(self, &unit),
                lit,
            });
        }

        for order in self.orders(Some(&scope)).await? {
            let lit = order_light(today, order.deadline, order.state == OrderState::Closed, lights);
            out.push(Warning {
                kind: WarningKind::Order,
                code: order.id.to_string(),
                name: order.title.clone(),
                unit: unit_name(self, &order.unit),
                lit,
            });
        }
        out.sort_by(|a, b| b.lit.light.cmp(&a.lit.light).then(a.kind.cmp(&b.kind)).then(a.code.cmp(&b.code)));
        Ok(out)
    }

    pub(crate) fn allow_read_unit(&self, unit: &str) -> Result<()> {
        Ok(taizhang_core::access::authorize(&self.actor, Action::Read, unit, &self.tree)?)
    }

    fn allow_on(&self, action: Action, unit: &str) -> Result<()> {
        Ok(taizhang_core::access::authorize(&self.actor, action, unit, &self.tree)?)
    }

    /// Raises a problem on a project; it starts with the responsible unit.
    pub async fn raise_problem(
        &self,
        project: &str,
        description: &str,
        owner: &str,
        deadline: Date,
        today: Date,
    ) -> Result<i64> {
        let p = self.store.project(project).await?.ok_or_else(|| StoreError::not_found("项目", project))?;
        self.allow_on(Action::RaiseProblem, &p.responsibility.unit)?;
        let mut tx = self.store.begin().await?;
        let uid = unit_id(tx.conn(), &p.responsibility.unit).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO problems (project_id, raised_on, description, owner, deadline, resolution, level, unit_id)
             SELECT id, $2, $3, $4, $5, '', 'unit', $6 FROM projects WHERE code = $1 RETURNING id",
        )
        .bind(project)
        .bind(today.to_string())
        .bind(description)
        .bind(owner)
        .bind(deadline.to_string())
        .bind(uid)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        log_problem(&mut tx, id, &self.actor.username, "raise", description).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn resolve_problem(&self, id: i64, resolution: &str, today: Date) -> Result<()> {
        let p = self.problem(id).await?;
        self.allow_on(Action::ResolveProblem, &p.unit)?;
        let mut tx = self.store.begin().await?;
        sqlx::query("UPDATE problems SET resolved_on = $1, resolution = $2 WHERE id = $3 AND resolved_on IS NULL")
            .bind(today.to_string())
            .bind(resolution)
            .bind(id)
            .execute(tx.conn())
            .await?;
        log_problem(&mut tx, id, &self.actor.username, "resolve", resolution).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Escalates every overdue open problem one level (责任单位 → 分包领导 → 区级), with a new
    /// deadline; a district job run daily. Returns the problems that moved.
    pub async fn escalate_overdue(&self, today: Date) -> Result<Vec<(i64, ProblemLevel)>> {
        let top = self.scope_of(None)?;
        self.allow_on(Action::ResolveProblem, &top)?;
        let mut moved = Vec::new();
        let mut tx = self.store.begin().await?;
        for p in self.problems(None).await? {
            let Some(deadline) = p.deadline else { continue };
            if let Some((level, new_deadline)) =
                escalation(p.level, deadline, p.resolved_on.is_some(), today, &self.config.lights)
            {
                sqlx::query("UPDATE problems SET level = $1, deadline = $2 WHERE id = $3")
                    .bind(level.code())
                    .bind(new_deadline.to_string())
                    .bind(p.id)
                    .execute(tx.conn())
                    .await?;
                let note =
                    format!("逾期未解决，由{}升级至{}，新时限{new_deadline}", p.level.label_zh(), level.label_zh());
                log_problem(&mut tx, p.id, &self.actor.username, "escalate", &note).await?;
                moved.push((p.id, level));
            }
        }
        tx.commit().await?;
        Ok(moved)
    }

    pub async fn problem(&self, id: i64) -> Result<ProblemRecord> {
        self.problems_where(Some(id), None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("问题", id.to_string()))
    }

    /// Problems of a unit's subtree (the actor's reach when none is named).
    pub async fn problems(&self, unit: Option<&str>) -> Result<Vec<ProblemRecord>> {
        let scope = self.scope_of(unit)?;
        self.allow_read_unit(&scope)?;
        self.problems_where(None, Some(&scope)).await
    }

    async fn problems_where(&self, id: Option<i64>, scope: Option<&str>) -> Result<Vec<ProblemRecord>> {
        let sql = format!(
            "{SUBTREE}
             SELECT q.id, p.code, u.code AS unit_code, q.description, q.owner, q.deadline, q.level, q.resolved_on, q.resolution
             FROM problems q JOIN projects p ON p.id = q.project_id JOIN org_units u ON u.id = p.unit_id
             WHERE ($2 < 0 OR q.id = $2) AND ($1 = '' OR p.unit_id IN (SELECT id FROM sub)) ORDER BY q.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(scope.unwrap_or(""))
            .bind(id.unwrap_or(-1))
            .fetch_all(&self.store.pool)
            .await?;
        let date = |v: Option<String>| v.map(|d| Date::parse(&d)).transpose();
        rows.iter()
            .map(|r| {
                Ok(ProblemRecord {
                    id: r.try_get("id")?,
                    project: r.try_get("code")?,
                    unit: r.try_get("unit_code")?,
                    description: r.try_get("description")?,
                    owner: r.try_get("owner")?,
                    deadline: date(r.try_get("deadline")?)?,
                    level: r.try_get::<String, _>("level")?.parse()?,
                    resolved_on: date(r.try_get("resolved_on")?)?,
                    resolution: r.try_get("resolution")?,
                })
            })
            .collect()
    }

    /// Issues a 督办 order to a unit about a subject (a project, task or problem).
    pub async fn issue_order(
        &self,
        unit: &str,
        subject: &str,
        title: &str,
        requirement: &str,
        deadline: Date,
        today: Date,
    ) -> Result<i64> {
        self.allow_on(Action::IssueOrder, unit)?;
        if deadline < today {
            return Err(StoreError::Config(format!("办理时限（{deadline}）不能早于今天（{today}）")));
        }
        let mut tx = self.store.begin().await?;
        let uid = unit_id(tx.conn(), unit).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO orders (unit_id, subject, title, requirement, issued_by, issued_on, deadline, state, feedback, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'issued', '', 1) RETURNING id",
        )
        .bind(uid)
        .bind(subject)
        .bind(title)
        .bind(requirement)
        .bind(&self.actor.username)
        .bind(today.to_string())
        .bind(deadline.to_string())
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        log_order(&mut tx, id, &self.actor.username, "", OrderState::Issued.code(), requirement).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn move_order(&self, id: i64, action: Action, event: OrderEvent, note: &str) -> Result<Order> {
        let order = self.order(id).await?;
        self.allow_on(action, &order.unit)?;
        let to = order_transition(order.state, event)?;
        let mut tx = self.store.begin().await?;
        let feedback = if event == OrderEvent::Feedback { note.to_string() } else { order.feedback.clone() };
        let done = sqlx::query(
            "UPDATE orders SET state = $1, feedback = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(to.code())
        .bind(&feedback)
        .bind(id)
        .bind(order.version)
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("督办 {id}")));
        }
        log_order(&mut tx, id, &self.actor.username, order.state.code(), to.code(), note).await?;
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
            return Err(StoreError::Config("反馈内容不能为空".into()));
        }
        self.move_order(id, Action::HandleOrder, OrderEvent::Feedback, feedback).await
    }

    /// The district reviews the feedback: closes the order, or returns it for rework.
    pub async fn review_order(&self, id: i64, close: bool, note: &str) -> Result<Order> {
        if !close && note.trim().is_empty() {
            return Err(StoreError::Config("退回重办须写明原因".into()));
        }
        let event = if close { OrderEvent::Close } else { OrderEvent::ReturnForRework };
        self.move_order(id, Action::ReviewOrder, event, note).await
    }

    /// Asks for a later deadline, before the current one passes.
    pub async fn request_extension(&self, id: i64, new_deadline: Date, reason: &str, today: Date) -> Result<i64> {
        let order = self.order(id).await?;
        self.allow_on(Action::RequestExtension, &order.unit)?;
        check_extension_request(today, order.deadline, new_deadline)?;
        let mut tx = self.store.begin().await?;
        let rid: i64 = sqlx::query(
            "INSERT INTO extension_requests (order_id, requested_by, requested_on, new_deadline, reason) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
        )
        .bind(id)
        .bind(&self.actor.username)
        .bind(today.to_string())
        .bind(new_deadline.to_string())
        .bind(reason)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        log_order(
            &mut tx,
            id,
            &self.actor.username,
            order.state.code(),
            order.state.code(),
            &format!("申请延期至{new_deadline}：{reason}"),
        )
        .await?;
        tx.commit().await?;
        Ok(rid)
    }

    /// Approves (the deadline moves) or refuses an extension request.
    pub async fn decide_extension(&self, request: i64, approve: bool, today: Date) -> Result<Order> {
        let row = sqlx::query("SELECT order_id, new_deadline, decision FROM extension_requests WHERE id = $1")
            .bind(request)
            .fetch_optional(&self.store.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("延期申请", request.to_string()))?;
        let order = self.order(row.try_get("order_id")?).await?;
        self.allow_on(Action::DecideExtension, &order.unit)?;
        if row.try_get::<Option<String>, _>("decision")?.is_some() {
            return Err(StoreError::Config("该延期申请已审批".into()));
        }
        let new_deadline: String = row.try_get("new_deadline")?;
        let mut tx = self.store.begin().await?;
        sqlx::query("UPDATE extension_requests SET decision = $1, decided_by = $2, decided_on = $3 WHERE id = $4")
            .bind(if approve { "approved" } else { "refused" })
            .bind(&self.actor.username)
            .bind(today.to_string())
            .bind(request)
            .execute(tx.conn())
            .await?;
        if approve {
            sqlx::query("UPDATE orders SET deadline = $1, version = version + 1 WHERE id = $2")
                .bind(&new_deadline)
                .bind(order.id)
                .execute(tx.conn())
                .await?;
        }
        let note = if approve { format!("同意延期至{new_deadline}") } else { "不同意延期".to_string() };
        log_order(&mut tx, order.id, &self.actor.username, order.state.code(), order.state.code(), &note).await?;
        tx.commit().await?;
        self.order(order.id).await
    }

    pub async fn order(&self, id: i64) -> Result<Order> {
        let order = self
            .orders_where(Some(id), None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("督办", id.to_string()))?;
        self.allow_read_unit(&order.unit)?;
        Ok(order)
    }

    /// Orders addressed to a unit's subtree.
    pub async fn orders(&self, unit: Option<&str>) -> Result<Vec<Order>> {
        let scope = self.scope_of(unit)?;
        self.allow_read_unit(&scope)?;
        self.orders_where(None, Some(&scope)).await
    }

    async fn orders_where(&self, id: Option<i64>, scope: Option<&str>) -> Result<Vec<Order>> {
        let sql = format!(
            "{SUBTREE}
             SELECT o.id, u.code AS unit_code, o.subject, o.title, o.requirement, o.issued_on, o.deadline, o.state, o.feedback, o.version
             FROM orders o JOIN org_units u ON u.id = o.unit_id
             WHERE ($2 < 0 OR o.id = $2) AND ($1 = '' OR o.unit_id IN (SELECT id FROM sub)) ORDER BY o.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(scope.unwrap_or(""))
            .bind(id.unwrap_or(-1))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Order {
                    id: r.try_get("id")?,
                    unit: r.try_get("unit_code")?,
                    subject: r.try_get("subject")?,
                    title: r.try_get("title")?,
                    requirement: r.try_get("requirement")?,
                    issued_on: Date::parse(&r.try_get::<String, _>("issued_on")?)?,
                    deadline: Date::parse(&r.try_get::<String, _>("deadline")?)?,
                    state: r.try_get::<String, _>("state")?.parse()?,
                    feedback: r.try_get("feedback")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    /// The lit items only (red and yellow).
    pub async fn lit_warnings(&self, period: Period, unit: Option<&str>, today: Date) -> Result<Vec<Warning>> {
        Ok(self.warnings(period, unit, today).await?.into_iter().filter(|w| w.lit.light != Light::Green).collect())
    }
}

async fn log_problem(tx: &mut crate::Tx, id: i64, actor: &str, event: &str, note: &str) -> Result<()> {
    sqlx::query("INSERT INTO problem_events (problem_id, actor, at, event, note) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(actor)
        .bind(crate::now_iso())
        .bind(event)
        .bind(note)
        .execute(tx.conn())
        .await?;
    Ok(())
}

async fn log_order(tx: &mut crate::Tx, id: i64, actor: &str, from: &str, to: &str, note: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO order_events (order_id, actor, at, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(actor)
    .bind(crate::now_iso())
    .bind(from)
    .bind(to)
    .bind(note)
    .execute(tx.conn())
    .await?;
    Ok(())
}
