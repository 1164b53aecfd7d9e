//! Problems, 督办 orders and extension requests, with their event logs; and the rows the
//! warning rules light (the rules themselves are `core::lights`, applied in the app layer).

use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::lights::ProjectStatus;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::quantity::from_scaled;
use taizhang_core::supervision::{Order, OrderState, ProblemLevel, ProblemRecord};

use crate::filter::Arg;
use crate::filter::Filtered;
use crate::ledger::{opt_date, unit_id};
use crate::reports::{SUBTREE, started_by};
use crate::{Result, Store, StoreError, Tx};

/// A project of the year as the light rules see it.
#[derive(Debug, Clone)]
pub struct ProjectLightRow {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub unit_id: i64,
    pub status: ProjectStatus,
}

/// A task of the year as the light rules see it.
#[derive(Debug, Clone)]
pub struct TaskLightRow {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub deadline: Option<Date>,
    pub percent: Option<Decimal>,
    pub done: bool,
}

/// A unit's level target of the year beside its value for the period.
#[derive(Debug, Clone)]
pub struct IndicatorLightRow {
    pub indicator: String,
    pub unit: String,
    pub target: Decimal,
    pub value: Option<Decimal>,
}

/// A 督办 order as issued.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub unit: &'a str,
    pub subject: &'a str,
    pub title: &'a str,
    pub requirement: &'a str,
    pub issued_by: &'a str,
    pub issued_on: Date,
    pub deadline: Date,
    pub issued_from: &'a str,
}

/// A problem as raised.
#[derive(Debug, Clone)]
pub struct NewProblem<'a> {
    pub project: &'a str,
    pub unit: &'a str,
    pub description: &'a str,
    pub owner: &'a str,
    pub deadline: Date,
    pub raised_on: Date,
    pub raised_by: &'a str,
    pub source: &'a str,
}

/// An extension request as decided on.
#[derive(Debug, Clone)]
pub struct ExtensionRequest {
    pub order: i64,
    pub new_deadline: Date,
    pub decided: bool,
}

fn problem_from_row(r: &AnyRow) -> Result<ProblemRecord> {
    Ok(ProblemRecord {
        id: r.try_get("id")?,
        project: r.try_get("code")?,
        unit: r.try_get("unit_code")?,
        raised_on: Date::parse(&r.try_get::<String, _>("raised_on")?)?,
        description: r.try_get("description")?,
        owner: r.try_get("owner")?,
        deadline: opt_date(r.try_get("deadline")?)?,
        level: r.try_get::<String, _>("level")?.parse()?,
        resolved_on: opt_date(r.try_get("resolved_on")?)?,
        resolution: r.try_get("resolution")?,
        raised_by: r.try_get("raised_by")?,
        source: r.try_get("source")?,
        confirmed_on: opt_date(r.try_get("confirmed_on")?)?,
    })
}

fn order_from_row(r: &AnyRow) -> Result<Order> {
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
        issued_from: r.try_get("issued_from")?,
        issued_by: r.try_get("issued_by")?,
    })
}

impl Store {
    /// The projects with a plan in `period`'s year of these units (not their subtrees'), with
    /// their progress at the period's closing month, in code order.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn project_light_rows(&self, units: &[i64], period: Period) -> Result<Vec<ProjectLightRow>> {
        let ids = crate::rollups::id_list(units);
        let sql = format!(
            "SELECT p.code, p.name, u.code AS unit_code, u.id AS unit_id, y.planned_e4, p.planned_start, p.actual_start, g.ytd_e4,
                 g.period AS reported, CASE WHEN {started} THEN 1 ELSE 0 END AS started, mp.planned_ytd_e4
             FROM projects p JOIN org_units u ON u.id = p.unit_id
             JOIN project_year_plans y ON y.project_id = p.id AND y.year = $1
             {as_of}
             LEFT JOIN project_month_plans mp ON mp.project_id = p.id AND mp.period = $2
             WHERE p.unit_id IN ({ids})",
            // A month's end date and its key compare alike ('2018-09' < '2018-09-30' < '2018-10').
            started = started_by("$3"),
            as_of = self.backend.as_of_progress("$1", "$2")
        );
        let end = Date::end_of(period).to_string();
        let q =
            sqlx::query(AssertSqlSafe(sql)).bind(i64::from(period.year())).bind(period.closing_month().key()).bind(end);
        self.read_rows(q, |r| {
            let ytd = r.try_get::<Option<i64>, _>("ytd_e4")?.map(from_scaled);
            let reported = r.try_get::<Option<String>, _>("reported")?.map(|p| p.parse::<Period>()).transpose()?;
            let actual_start = opt_date(r.try_get("actual_start")?)?;
            // Money spent, or a project already under construction, is a start whether or not
            // the start date was recorded.
            let started = match actual_start {
                Some(d) => Some(d),
                None => (r.try_get::<i64, _>("started")? == 1).then(|| Date::end_of(period)),
            };
            let planned = from_scaled(r.try_get("planned_e4")?);
            // The project's own monthly plan, as a share of its year, replaces m/12.
            let own = r
                .try_get::<Option<i64>, _>("planned_ytd_e4")?
                .map(from_scaled)
                .and_then(|m| (!planned.is_zero()).then(|| m / planned));
            Ok(ProjectLightRow {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                unit: r.try_get("unit_code")?,
                unit_id: r.try_get("unit_id")?,
                status: ProjectStatus {
                    period: period.closing_month(),
                    planned_wan: Some(planned),
                    ytd_wan: ytd,
                    reported,
                    own_time_progress: own,
                    planned_start: opt_date(r.try_get("planned_start")?)?,
                    actual_start: started,
                },
            })
        })
        .await
        // The subtree's units listed (`subtree_ids`): a district reads its own projects, not the
        // year's plans of the province; in code order, sorted here
        // (asked of the database, the order would make SQLite walk every project by code).
        .map(|mut rows: Vec<ProjectLightRow>| {
            rows.sort_by(|a, b| a.code.cmp(&b.code));
            rows
        })
    }

    /// The tasks of `period`'s year led in a unit's subtree, with their latest percent up to
    /// the period's closing month.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn task_light_rows(&self, scope: &str, period: Period) -> Result<Vec<TaskLightRow>> {
        let sql = "SELECT t.code, t.name, u.code AS unit_code, t.deadline, t.status,
                 (SELECT tp.percent_e4 FROM task_progress tp WHERE tp.task_id = t.id AND tp.period <= $2
                  ORDER BY tp.period DESC LIMIT 1) AS percent_e4
             FROM tasks t JOIN org_units u ON u.id = t.lead_unit_id
             WHERE t.lead_unit_id IN ({units}) AND t.year = $1 ORDER BY t.code";
        self.year_rows(sql, scope, period, period.closing_month().key(), |r| {
            Ok(TaskLightRow {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                unit: r.try_get("unit_code")?,
                deadline: opt_date(r.try_get("deadline")?)?,
                percent: r.try_get::<Option<i64>, _>("percent_e4")?.map(from_scaled),
                done: r.try_get::<String, _>("status")? == "done",
            })
        })
        .await
    }

    /// Level targets of `period`'s year in a unit's subtree, with the value for the period.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn indicator_light_rows(&self, scope: &str, period: Period) -> Result<Vec<IndicatorLightRow>> {
        let sql = "SELECT i.code, u.code AS unit_code, t.level_e4, v.value_e4 FROM targets t
             JOIN indicators i ON i.id = t.indicator_id JOIN org_units u ON u.id = t.unit_id
             LEFT JOIN indicator_values v ON v.indicator_id = t.indicator_id AND v.unit_id = t.unit_id AND v.period = $2
             WHERE t.unit_id IN ({units}) AND t.year = $1 AND t.level_e4 IS NOT NULL ORDER BY u.code, i.code";
        self.year_rows(sql, scope, period, period.key(), |r| {
            Ok(IndicatorLightRow {
                indicator: r.try_get("code")?,
                unit: r.try_get("unit_code")?,
                target: from_scaled(r.try_get("level_e4")?),
                value: r.try_get::<Option<i64>, _>("value_e4")?.map(from_scaled),
            })
        })
        .await
    }

    /// The rows of a query over a unit's subtree (`{units}`, its ids listed first: each
    /// planner then reads the subtree's rows by index), a year (`$1`) and a period (`$2`).
    async fn year_rows<T>(
        &self,
        sql: &str,
        scope: &str,
        period: Period,
        period_key: String,
        from_row: impl Fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let sql = sql.replace("{units}", &crate::rollups::id_list(&self.subtree_units(scope).await?));
        let q = sqlx::query(AssertSqlSafe(sql)).bind(i64::from(period.year())).bind(period_key);
        self.read_rows(q, from_row).await
    }

    /// Problems by id, or of the projects of a unit's subtree, each condition only when given.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn problem_records(&self, id: Option<i64>, scope: Option<&str>) -> Result<Vec<ProblemRecord>> {
        let select =
            "SELECT q.id, p.code, u.code AS unit_code, q.raised_on, q.description, q.owner, q.deadline, q.level,
                 q.resolved_on, q.resolution, q.raised_by, q.source, q.confirmed_on
             FROM problems q JOIN projects p ON p.id = q.project_id JOIN org_units u ON u.id = p.unit_id";
        self.records_where(select, ("q.id", id), ("p.unit_id", scope), problem_from_row).await
    }

    /// How many problems are unresolved and orders not closed in a unit's subtree (the menu's
    /// counts, read on every page: two counts, not the records).
    pub async fn open_counts(&self, scope: &str) -> Result<(i64, i64)> {
        let sql = format!(
            "{SUBTREE}
             SELECT (SELECT COUNT(*) FROM problems q JOIN projects p ON p.id = q.project_id JOIN sub ON sub.id = p.unit_id
                     WHERE q.resolved_on IS NULL),
                    (SELECT COUNT(*) FROM orders o JOIN sub ON sub.id = o.unit_id WHERE o.state <> '{}')",
            OrderState::Closed.code()
        );
        let r = sqlx::query(AssertSqlSafe(sql)).bind(scope).fetch_one(&self.pool).await?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }

    /// Orders by id, or addressed to a unit's subtree, each condition only when given.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn order_records(&self, id: Option<i64>, scope: Option<&str>) -> Result<Vec<Order>> {
        let select = "SELECT o.id, u.code AS unit_code, o.subject, o.title, o.requirement, o.issued_on, o.deadline,
                 o.state, o.feedback, o.version, o.issued_from, o.issued_by
             FROM orders o JOIN org_units u ON u.id = o.unit_id";
        self.records_where(select, ("o.id", id), ("o.unit_id", scope), order_from_row).await
    }

    /// The rows of `select` with the id given, or within the unit given, in id order.
    async fn records_where<T>(
        &self,
        select: &str,
        (id_column, id): (&str, Option<i64>),
        (unit_column, scope): (&str, Option<&str>),
        from_row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let q = Filtered::new(format!("{select} WHERE 1 = 1"), vec![])
            .and_eq(id_column, id)
            .and_within(unit_column, scope)
            .then(&format!("ORDER BY {id_column}"));
        self.read_rows(q.query(), from_row).await
    }

    pub async fn extension_request(&self, id: i64) -> Result<ExtensionRequest> {
        let row = sqlx::query("SELECT order_id, new_deadline, decision FROM extension_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("延期申请", id.to_string()))?;
        Ok(ExtensionRequest {
            order: row.try_get("order_id")?,
            new_deadline: Date::parse(&row.try_get::<String, _>("new_deadline")?)?,
            decided: row.try_get::<Option<String>, _>("decision")?.is_some(),
        })
    }
}

impl Tx {
    /// A new problem of a project, with the responsible unit answering first.
    pub async fn insert_problem(&mut self, p: &NewProblem<'_>) -> Result<i64> {
        let uid = unit_id(self.conn(), p.unit).await?;
        let row = sqlx::query(
            "INSERT INTO problems (project_id, raised_on, description, owner, deadline, resolution, level, unit_id,
                 raised_by, source)
             SELECT id, $2, $3, $4, $5, '', 'unit', $6, $7, $8 FROM projects WHERE code = $1 RETURNING id",
        )
        .bind(p.project)
        .bind(p.raised_on.to_string())
        .bind(p.description)
        .bind(p.owner)
        .bind(p.deadline.to_string())
        .bind(uid)
        .bind(p.raised_by)
        .bind(p.source)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn resolve_problem(&mut self, id: i64, resolution: &str, today: Date) -> Result<()> {
        self.execute(
            "UPDATE problems SET resolved_on = $1, resolution = $2 WHERE id = $3 AND resolved_on IS NULL",
            vec![today.to_string().into(), resolution.into(), id.into()],
        )
        .await
    }

    /// The raiser confirms a resolved problem (确认办结), or, with `None`, sends it back open.
    pub async fn confirm_problem(&mut self, id: i64, confirmed_on: Option<Date>) -> Result<()> {
        match confirmed_on {
            Some(d) => {
                self.execute(
                    "UPDATE problems SET confirmed_on = $1 WHERE id = $2 AND resolved_on IS NOT NULL",
                    vec![d.to_string().into(), id.into()],
                )
                .await
            }
            None => {
                self.execute("UPDATE problems SET resolved_on = NULL, resolution = '' WHERE id = $1", vec![id.into()])
                    .await
            }
        }
    }

    pub async fn escalate_problem(&mut self, id: i64, level: ProblemLevel, deadline: Date) -> Result<()> {
        self.execute(
            "UPDATE problems SET level = $1, deadline = $2 WHERE id = $3",
            vec![level.code().into(), deadline.to_string().into(), id.into()],
        )
        .await
    }

    pub async fn log_problem(&mut self, id: i64, actor: &str, event: &str, note: &str) -> Result<()> {
        self.log_event("problem_events", "problem_id", id, actor, &[("event", event), ("note", note)]).await
    }

    /// A new order, issued.
    pub async fn insert_order(&mut self, order: &NewOrder<'_>) -> Result<i64> {
        let uid = unit_id(self.conn(), order.unit).await?;
        let row = sqlx::query(
            "INSERT INTO orders (unit_id, subject, title, requirement, issued_by, issued_on, deadline, state, feedback, version,
                 issued_from)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'issued', '', 1, $8) RETURNING id",
        )
        .bind(uid)
        .bind(order.subject)
        .bind(order.title)
        .bind(order.requirement)
        .bind(order.issued_by)
        .bind(order.issued_on.to_string())
        .bind(order.deadline.to_string())
        .bind(order.issued_from)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Moves an order to `to` with its feedback if it is still at its version.
    pub async fn move_order(&mut self, order: &Order, to: OrderState, feedback: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE orders SET state = $1, feedback = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(to.code())
        .bind(feedback)
        .bind(order.id)
        .bind(order.version)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("督办 {}", order.id)));
        }
        Ok(())
    }

    pub async fn set_order_deadline(&mut self, order: i64, deadline: Date) -> Result<()> {
        self.execute(
            "UPDATE orders SET deadline = $1, version = version + 1 WHERE id = $2",
            vec![deadline.to_string().into(), order.into()],
        )
        .await
    }

    pub async fn log_order(&mut self, id: i64, actor: &str, from: &str, to: &str, note: &str) -> Result<()> {
        let fields = [("from_state", from), ("to_state", to), ("note", note)];
        self.log_event("order_events", "order_id", id, actor, &fields).await
    }

    pub async fn insert_extension_request(
        &mut self,
        order: i64,
        actor: &str,
        today: Date,
        new_deadline: Date,
        reason: &str,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO extension_requests (order_id, requested_by, requested_on, new_deadline, reason) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
        )
        .bind(order)
        .bind(actor)
        .bind(today.to_string())
        .bind(new_deadline.to_string())
        .bind(reason)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn decide_extension(&mut self, request: i64, approve: bool, actor: &str, today: Date) -> Result<()> {
        self.execute(
            "UPDATE extension_requests SET decision = $1, decided_by = $2, decided_on = $3 WHERE id = $4",
            vec![
                Arg::from(if approve { "approved" } else { "refused" }),
                actor.into(),
                today.to_string().into(),
                request.into(),
            ],
        )
        .await
    }
}
