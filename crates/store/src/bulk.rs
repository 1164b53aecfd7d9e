//! Bulk loading in multi-row statements, for generated cities and large imports. Rows come
//! with database ids resolved once up front ([`Store::ids`]), not per row.

use std::collections::HashMap;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection, AssertSqlSafe, Row};
use taizhang_core::indicator::IndicatorValue;
use taizhang_core::plan::KeyTask;
use taizhang_core::project::{Project, YearPlan};

use crate::ledger::{opt_scaled, scaled};
use crate::{Backend, Result, Store, Tx};

pub(crate) type AnyQuery = sqlx::query::Query<'static, Any, AnyArguments>;

/// Multi-row statements `head (…), (…) … tail` for `rows`, `cols` parameters a row, bound by
/// `bind`. Every full chunk has the same text, written once.
pub(crate) fn build_inserts<T>(
    backend: Backend,
    head: &str,
    cols: usize,
    tail: &str,
    rows: &[T],
    bind: impl Fn(AnyQuery, &T) -> Result<AnyQuery>,
) -> Result<Vec<AnyQuery>> {
    let sql_for = |n: usize| {
        let mut sql = String::with_capacity(head.len() + n * cols * 5 + tail.len());
        sql.push_str(head);
        for i in 0..n {
            sql.push_str(if i == 0 { " (" } else { ", (" });
            for c in 0..cols {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&backend.placeholder(i * cols + c + 1));
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        sql
    };
    let per_statement = (backend.params_per_statement() / cols).max(1);
    let mut full: Option<String> = None;
    let mut statements = Vec::new();
    for chunk in rows.chunks(per_statement) {
        let sql = if chunk.len() == per_statement {
            full.get_or_insert_with(|| sql_for(per_statement)).clone()
        } else {
            sql_for(chunk.len())
        };
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            q = bind(q, row)?;
        }
        statements.push(q);
    }
    Ok(statements)
}

/// Runs statements in order; what `RETURNING` clauses give back.
pub(crate) async fn run(conn: &mut AnyConnection, statements: Vec<AnyQuery>) -> Result<Vec<AnyRow>> {
    let mut returned = Vec::new();
    for q in statements {
        returned.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(returned)
}

/// Statements for progress rows, replacing any stored for the same project and month.
pub(crate) fn progress_inserts(backend: Backend, rows: &[ProgressRow]) -> Result<Vec<AnyQuery>> {
    build_inserts(
        backend,
        "INSERT INTO project_progress (project_id, period, year, month, month_e4, ytd_e4, since_start_e4,
             image_progress, problems, row_hash) VALUES",
        10,
        "ON CONFLICT (project_id, period) DO UPDATE SET month_e4 = excluded.month_e4,
             ytd_e4 = excluded.ytd_e4, since_start_e4 = excluded.since_start_e4,
             image_progress = excluded.image_progress, problems = excluded.problems, row_hash = excluded.row_hash",
        rows,
        |q, row| {
            let p = &row.progress;
            let figures = [opt_scaled(p.month_wan)?, Some(scaled(p.ytd_wan)?), opt_scaled(p.since_start_wan)?];
            let key = p.period.key();
            let digest = crate::audit::progress_digest(row.project_id, &key, figures, &p.image_progress, &p.problems);
            Ok(q.bind(row.project_id)
                .bind(key)
                .bind(i64::from(p.period.year()))
                .bind(i64::from(p.period.month_of_year()))
                .bind(figures[0])
                .bind(figures[1])
                .bind(figures[2])
                .bind(p.image_progress.clone())
                .bind(p.problems.clone())
                .bind(digest))
        },
    )
}

/// A project row's columns in bind order (see [`bind_project`]), shared by single-row and
/// bulk writes; the plan node is set by its own statement (a sheet's 所属工作 column).
pub(crate) const PROJECT_COLUMNS: &str = "code, name, category, nature, location, content, total_investment_e4,
    planned_start, planned_finish, actual_start, actual_finish, unit_id, lead_leader, responsible_person, contact, deadline, sample";
const PROJECT_COLUMN_COUNT: usize = 17;
/// What an upsert of a project replaces.
pub(crate) const PROJECT_UPDATES: &str = "name = excluded.name, category = excluded.category,
    nature = excluded.nature, location = excluded.location, content = excluded.content,
    total_investment_e4 = excluded.total_investment_e4, planned_start = excluded.planned_start,
    planned_finish = excluded.planned_finish, actual_start = excluded.actual_start,
    actual_finish = excluded.actual_finish,
    unit_id = excluded.unit_id, lead_leader = excluded.lead_leader,
    responsible_person = excluded.responsible_person, contact = excluded.contact,
    deadline = excluded.deadline, sample = excluded.sample";

/// Binds a project's [`PROJECT_COLUMNS`], its unit resolved to `unit`.
pub(crate) fn bind_project(q: AnyQuery, p: &Project, unit: i64) -> Result<AnyQuery> {
    p.validate()?;
    let r = &p.responsibility;
    Ok(q.bind(p.code.to_string())
        .bind(p.name.clone())
        .bind(p.category.clone())
        .bind(p.nature.label_zh())
        .bind(p.location.clone())
        .bind(p.content.clone())
        .bind(scaled(p.total_investment_wan)?)
        .bind(p.planned_start.map(|d| d.to_string()))
        .bind(p.planned_finish.map(|d| d.to_string()))
        .bind(p.actual_start.map(|d| d.to_string()))
        .bind(p.actual_finish.map(|d| d.to_string()))
        .bind(unit)
        .bind(r.lead_leader.clone())
        .bind(r.person.clone())
        .bind(r.contact.clone())
        .bind(r.deadline.map(|d| d.to_string()))
        .bind(i64::from(p.sample)))
}

/// Statements inserting or updating projects by code (`RETURNING code, id` when asked), their
/// flags replaced. Only codes in `flags_stored` can have flags already (others are new).
pub(crate) fn project_upserts(
    backend: Backend,
    projects: &[Project],
    ids: &Ids,
    returning: bool,
    flags_stored: &dyn Fn(&str) -> bool,
) -> Result<Vec<AnyQuery>> {
    let unit_of = |p: &Project| {
        ids.units
            .get(&p.responsibility.unit)
            .copied()
            .ok_or_else(|| crate::StoreError::not_found("单位", &p.responsibility.unit))
    };
    let tail = format!(
        "ON CONFLICT (code) DO UPDATE SET {PROJECT_UPDATES}{}",
        if returning { " RETURNING code, id" } else { "" }
    );
    let head = format!("INSERT INTO projects ({PROJECT_COLUMNS}) VALUES");
    let mut statements =
        build_inserts(backend, &head, PROJECT_COLUMN_COUNT, &tail, projects, |q, p| bind_project(q, p, unit_of(p)?))?;
    let replaced: Vec<&str> = projects.iter().map(|p| p.code.as_str()).filter(|c| flags_stored(c)).collect();
    for chunk in replaced.chunks(backend.params_per_statement()) {
        let sql = format!(
            "DELETE FROM project_flags WHERE project_id IN (SELECT id FROM projects WHERE code IN ({}))",
            backend.placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for code in chunk {
            q = q.bind(code.to_string());
        }
        statements.push(q);
    }
    let flags: Vec<(&str, &str)> =
        projects.iter().flat_map(|p| p.flags.iter().map(|f| (p.code.as_str(), f.as_str()))).collect();
    statements.extend(build_inserts(
        backend,
        // Projects named by code, so that new ones need no id read back first.
        "INSERT INTO project_flags (project_id, flag) SELECT p.id, v.column2 FROM (VALUES",
        2,
        ") AS v JOIN projects p ON p.code = v.column1",
        &flags,
        |q, (code, flag)| Ok(q.bind(code.to_string()).bind(flag.to_string())),
    )?);
    // The plan node a sheet's 所属工作 column names (resolved by the parser to a node code).
    let linked: Vec<(&str, &str)> =
        projects.iter().filter_map(|p| p.plan_node.as_deref().map(|n| (p.code.as_str(), n))).collect();
    statements.extend(build_inserts(
        backend,
        "UPDATE projects SET plan_node_id = n.id FROM (VALUES",
        2,
        ") AS v JOIN plan_nodes n ON n.code = v.column2 WHERE projects.code = v.column1",
        &linked,
        |q, (code, node)| Ok(q.bind(code.to_string()).bind(node.to_string())),
    )?);
    Ok(statements)
}

/// Statements for yearly plans of projects named by code, replacing any stored for the year.
pub(crate) fn year_plan_inserts(backend: Backend, plans: &[YearPlan]) -> Result<Vec<AnyQuery>> {
    build_inserts(
        backend,
        // SQLite reads `ON CONFLICT` after a join as the join's constraint without `WHERE`.
        "INSERT INTO project_year_plans (project_id, year, planned_e4, milestones)
             SELECT p.id, v.column2, v.column3, v.column4 FROM (VALUES",
        4,
        ") AS v JOIN projects p ON p.code = v.column1 WHERE true
             ON CONFLICT (project_id, year) DO UPDATE SET planned_e4 = excluded.planned_e4,
             milestones = excluded.milestones",
        plans,
        |q, p| {
            Ok(q.bind(p.project.clone())
                .bind(i64::from(p.year))
                .bind(scaled(p.planned_wan)?)
                .bind(p.milestones.clone()))
        },
    )
}

/// Statements for indicator values by resolved ids: each replaces any stored for the same
/// key (a withdrawn one removes it) and appends a version recorded by `by`. Values come
/// already merged over what is stored ([`IndicatorValue::merged_over`]).
pub(crate) fn value_inserts(backend: Backend, values: &[IndicatorValue], ids: &Ids, by: &str) -> Result<Vec<AnyQuery>> {
    let key = |v: &IndicatorValue| -> Result<(i64, i64)> {
        let ind = ids
            .indicators
            .get(&v.indicator)
            .copied()
            .ok_or_else(|| crate::StoreError::not_found("指标", &v.indicator))?;
        let unit = ids.units.get(&v.unit).copied().ok_or_else(|| crate::StoreError::not_found("单位", &v.unit))?;
        Ok((ind, unit))
    };
    let code = |c: Option<&'static str>| c.map(str::to_string);
    let (withdrawn, kept): (Vec<IndicatorValue>, Vec<IndicatorValue>) =
        values.iter().cloned().partition(IndicatorValue::is_withdrawn);
    let mut statements = build_inserts(
        backend,
        "INSERT INTO indicator_values (indicator_id, unit_id, period, year, value_e4, growth_e4, note, sample,
             vintage, source, caliber, price_basis, shown_unit, shown_decimals, growth_decimals, row_hash) VALUES",
        16,
        "ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET value_e4 = excluded.value_e4,
             growth_e4 = excluded.growth_e4, note = excluded.note, sample = excluded.sample,
             vintage = excluded.vintage, source = excluded.source, caliber = excluded.caliber,
             price_basis = excluded.price_basis, shown_unit = excluded.shown_unit,
             shown_decimals = excluded.shown_decimals, growth_decimals = excluded.growth_decimals,
             row_hash = excluded.row_hash",
        &kept,
        |q, v| {
            let (ind, unit) = key(v)?;
            let (value, growth) = (opt_scaled(v.value)?, opt_scaled(v.reported_growth)?);
            let digest = crate::audit::value_digest(ind, unit, &v.period.key(), value, growth);
            Ok(q.bind(ind)
                .bind(unit)
                .bind(v.period.key())
                .bind(i64::from(v.period.year()))
                .bind(value)
                .bind(growth)
                .bind(v.note.clone())
                .bind(i64::from(v.sample))
                .bind(code(v.vintage.map(|x| x.code())))
                .bind(v.source.clone())
                .bind(code(v.caliber.map(|x| x.code())))
                .bind(code(v.price_basis.map(|x| x.code())))
                .bind(v.published.unit.as_ref().map(|u| u.to_string()))
                .bind(v.published.decimals.map(i64::from))
                .bind(v.published.growth_decimals.map(i64::from))
                .bind(digest))
        },
    )?;
    for v in &withdrawn {
        let (ind, unit) = key(v)?;
        let q = sqlx::query("DELETE FROM indicator_values WHERE indicator_id = $1 AND unit_id = $2 AND period = $3")
            .bind(ind)
            .bind(unit)
            .bind(v.period.key());
        statements.push(q);
    }
    let now = crate::now_iso();
    statements.extend(build_inserts(
        backend,
        "INSERT INTO indicator_value_versions (indicator_id, unit_id, period, value_e4, growth_e4, vintage, source,
             caliber, price_basis, withdrawn, recorded_by, recorded_at) VALUES",
        12,
        "",
        values,
        |q, v| {
            let (ind, unit) = key(v)?;
            Ok(q.bind(ind)
                .bind(unit)
                .bind(v.period.key())
                .bind(opt_scaled(v.value)?)
                .bind(opt_scaled(v.reported_growth)?)
                .bind(code(v.vintage.map(|x| x.code())))
                .bind(v.source.clone())
                .bind(code(v.caliber.map(|x| x.code())))
                .bind(code(v.price_basis.map(|x| x.code())))
                .bind(i64::from(v.is_withdrawn()))
                .bind(by.to_string())
                .bind(now.clone()))
        },
    )?);
    Ok(statements)
}

/// One project's progress row, by project id.
#[derive(Debug, Clone)]
pub struct ProgressRow {
    pub project_id: i64,
    pub progress: taizhang_core::project::MonthlyProgress,
}

/// Database ids by code, resolved once for bulk loading.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub units: HashMap<String, i64>,
    pub indicators: HashMap<String, i64>,
    pub projects: HashMap<String, i64>,
}

impl Store {
    pub async fn ids(&self) -> Result<Ids> {
        let map = |sql: &'static str| async move {
            sqlx::query(sql)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<HashMap<String, i64>>>()
        };
        Ok(Ids {
            units: map("SELECT code, id FROM org_units").await?,
            indicators: map("SELECT code, id FROM indicators").await?,
            projects: map("SELECT code, id FROM projects").await?,
        })
    }
}

impl Tx {
    /// Progress rows, replacing any already stored for the same project and month.
    pub async fn insert_progress_rows(&mut self, rows: &[ProgressRow]) -> Result<()> {
        run(&mut self.tx, progress_inserts(self.backend, rows)?).await?;
        let codes: Vec<&str> = rows.iter().map(|r| r.progress.project.as_str()).collect();
        self.touch_projects(&codes).await
    }

    /// Projects inserted or updated by code, their flags replaced; returns their ids by code.
    /// Fields an office sheet does not carry (actual start, plan node) are the caller's to keep.
    /// `stored_before` tells which codes may have flags already (the others are new).
    pub async fn upsert_projects(
        &mut self,
        projects: &[Project],
        ids: &Ids,
        stored_before: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<HashMap<String, i64>> {
        let statements = project_upserts(self.backend, projects, ids, true, stored_before)?;
        let codes: Vec<&str> = projects.iter().map(|p| p.code.as_str()).collect();
        // The units they leave, then the units they are in.
        self.touch_projects(&codes).await?;
        let rows = run(&mut self.tx, statements).await?;
        self.touch_projects(&codes).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Yearly plans of projects named by code.
    pub async fn insert_year_plans(&mut self, plans: &[YearPlan]) -> Result<()> {
        run(&mut self.tx, year_plan_inserts(self.backend, plans)?).await?;
        let codes: Vec<&str> = plans.iter().map(|p| p.project.as_str()).collect();
        self.touch_projects(&codes).await
    }

    /// Indicator values by resolved ids, replacing any stored for the same key, each with a
    /// version recorded by `by`.
    pub async fn insert_values(&mut self, values: &[IndicatorValue], ids: &Ids, by: &str) -> Result<()> {
        run(&mut self.tx, value_inserts(self.backend, values, ids, by)?).await.map(drop)
    }

    /// New key tasks (no cooperating units) by resolved unit ids.
    pub async fn insert_tasks(&mut self, tasks: &[KeyTask], ids: &Ids) -> Result<()> {
        let statements = build_inserts(
            self.backend,
            "INSERT INTO tasks (code, name, year, lead_unit_id, lead_leader, deadline, target, status, sample) VALUES",
            9,
            "",
            tasks,
            |q, t| {
                let unit = ids
                    .units
                    .get(&t.lead_unit)
                    .copied()
                    .ok_or_else(|| crate::StoreError::not_found("单位", &t.lead_unit))?;
                Ok(q.bind(t.code.clone())
                    .bind(t.name.clone())
                    .bind(i64::from(t.year))
                    .bind(unit)
                    .bind(t.lead_leader.clone())
                    .bind(t.deadline.map(|d| d.to_string()))
                    .bind(t.target.clone())
                    .bind(t.status.code())
                    .bind(i64::from(t.sample)))
            },
        )?;
        run(&mut self.tx, statements).await.map(drop)
    }
}
