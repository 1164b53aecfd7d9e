//! Gathering what the reports phrase. Counts, sums and roll-ups are computed in the
//! database (recursive subtree queries), never by loading every row into memory.

use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::indicator::{Aggregation, Catalogue, Temporal};
use taizhang_core::period::Period;
use taizhang_core::plan::PlanKind;
use taizhang_core::project::{Nature, completion_pct, lag_pp};
use taizhang_core::quantity::from_scaled;
use taizhang_core::report::{
    AnnualInput, CATEGORY_SECTIONS, CategorySummary, Figure, FlagshipSummary, PlanLevel, Programme, ProjectSummary,
    TaskSummary,
};

use crate::{Result, Store};

/// `sub(id)`: the unit whose code is `$1` and every unit below it.
pub(crate) const SUBTREE: &str = "WITH RECURSIVE sub(id) AS (
        SELECT id FROM org_units WHERE code = $1
        UNION ALL SELECT c.id FROM org_units c JOIN sub s ON c.parent_id = s.id)";

impl Store {
    /// The ids of a unit's subtree (the unit and those below it; none for an unknown unit), to
    /// write into a statement (`unit_id IN (…)`, see `rollups::id_list`). Read first, the few
    /// units of a district are what each planner sees: a recursive CTE in the same statement
    /// is estimated at a thousand rows or more, and PostgreSQL then hashes a year's rows of
    /// the whole province instead of reading the district's by their index.
    pub async fn subtree_units(&self, scope: &str) -> Result<Vec<i64>> {
        let sql = format!("{SUBTREE} SELECT id FROM sub");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scope).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(|r| sqlx::Row::try_get::<i64, _>(r, 0)).collect::<std::result::Result<_, _>>()?)
    }
}

/// The flag that marks a flagship project, and the one for projects of 1亿元 and more.
pub const FLAG_FLAGSHIP: &str = "出彩项目";
pub const FLAG_OVER_100M: &str = "亿元以上";

/// Started by `{end}`: a start date on or before it, money spent by the as-of row, or a
/// project already under construction (续建, 竣工) — never judged by one month's row alone.
pub(crate) fn started_by(end: &str) -> String {
    format!(
        "(p.actual_start IS NOT NULL AND p.actual_start <= {end}) OR p.nature IN ('{}', '{}')
         OR COALESCE(g.ytd_e4, 0) > 0 OR COALESCE(g.since_start_e4, 0) > 0",
        Nature::Continuing.label_zh(),
        Nature::Completing.label_zh()
    )
}

impl Store {
    /// Everything the annual summary of `unit` for `year` says, gathered from the ledger.
    /// A flagship whose lag behind 序时进度 is below `lagging_below_pp` counts as behind
    /// schedule (the jurisdiction's yellow line).
    pub async fn annual_input(
        &self,
        catalogue: &Catalogue,
        unit_code: &str,
        year: i32,
        lagging_below_pp: Decimal,
    ) -> Result<AnnualInput> {
        let unit = self.find_unit(unit_code).await?;
        let figures = self.year_figures(catalogue, &unit.code, year).await?;
        let projects = self.project_summary(&unit.code, year).await?;
        let flagships = self.flagships(&unit.code, year, None, lagging_below_pp).await?;
        let mut categories = Vec::new();
        for (category, _, _) in CATEGORY_SECTIONS {
            categories.push(self.category_summary(&unit.code, year, category).await?);
        }
        let tasks = self.task_summary(&unit.code, year).await?;
        let programme = self.programme(&unit.code, year + 1, lagging_below_pp).await?;
        let milestones = self.milestones(&unit.code).await?;
        let honours = self.honours(&unit.code, year, year).await?;
        // Ten years back is enough for "连续N年".
        let earlier_honours = self.honours(&unit.code, year - 10, year - 1).await?;
        Ok(AnnualInput {
            year,
            unit_name: unit.name,
            unit_kind: unit.kind,
            figures,
            projects: Some(projects),
            flagships: Some(flagships),
            categories,
            tasks: Some(tasks),
            programme,
            milestones,
            honours,
            earlier_honours,
            party: None,
        })
    }

    /// The year's figure of every indicator: the unit's own (key `2017`, else `2017-12`), or
    /// for summable indicators a roll-up of the units below. A roll-up has no growth:
    /// official growth cannot be recomputed.
    async fn year_figures(&self, catalogue: &Catalogue, unit: &str, year: i32) -> Result<Vec<Figure>> {
        let keys = [Period::Year(year).key(), Period::Month(year, 12).key()];
        let sql = format!(
            "{} WHERE u.code = $1 AND v.period IN ($2, $3) ORDER BY i.code, v.period",
            crate::values::VALUE_SELECT
        );
        let rows =
            sqlx::query(AssertSqlSafe(sql)).bind(unit).bind(&keys[0]).bind(&keys[1]).fetch_all(&self.pool).await?;
        let mut figures: Vec<Figure> = Vec::new();
        for r in rows {
            let value = crate::values::value_from_row(&r)?;
            // Ordered by period, the year key (`2017`) comes before `2017-12` and wins.
            if figures.iter().any(|f| f.indicator == value.indicator) {
                continue;
            }
            figures.push(Figure::of(&value));
        }
        for ind in catalogue.indicators.iter().filter(|i| i.aggregation == Aggregation::Sum) {
            if figures.iter().any(|f| f.indicator == ind.code && f.value.is_some()) {
                continue;
            }
            for key in &keys {
                if let Some(sum) = self.roll_up(unit, &ind.code, key).await? {
                    match figures.iter_mut().find(|f| f.indicator == ind.code) {
                        // A growth reported for the unit itself stays beside the summed level.
                        Some(f) => {
                            f.value = Some(sum);
                            f.rolled_up = true;
                        }
                        None => figures.push(Figure {
                            indicator: ind.code.to_string(),
                            value: Some(sum),
                            rolled_up: true,
                            ..Figure::default()
                        }),
                    }
                    break;
                }
            }
        }
        // A flow figure the year does not have yet: its latest month, said as 1-9月.
        let sql = format!(
            "{} WHERE u.code = $1 AND v.year = $2 AND v.period LIKE $3 ORDER BY i.code, v.period DESC",
            crate::values::VALUE_SELECT
        );
        let months = sqlx::query(AssertSqlSafe(sql))
            .bind(unit)
            .bind(i64::from(year))
            .bind(format!("{year}-%"))
            .fetch_all(&self.pool)
            .await?;
        for r in months {
            let value = crate::values::value_from_row(&r)?;
            let flow = catalogue.find(&value.indicator).is_some_and(|i| i.temporal == Temporal::Flow);
            if !flow || figures.iter().any(|f| f.indicator == value.indicator) {
                continue;
            }
            figures.push(Figure { through: Some(value.period), ..Figure::of(&value) });
        }
        Ok(figures)
    }

    /// The sum over the units below `unit` that report a level, each counted once: the walk
    /// stops at a unit that reports for itself, so a street inside a reporting department is
    /// not added twice.
    async fn roll_up(&self, unit: &str, indicator: &str, period: &str) -> Result<Option<Decimal>> {
        let row = sqlx::query(
            "WITH RECURSIVE walk(id) AS (
                 SELECT c.id FROM org_units c JOIN org_units u ON c.parent_id = u.id WHERE u.code = $1
                 UNION ALL
                 SELECT c.id FROM org_units c JOIN walk w ON c.parent_id = w.id
                 WHERE NOT EXISTS (SELECT 1 FROM indicator_values v WHERE v.unit_id = w.id
                     AND v.indicator_id = (SELECT id FROM indicators WHERE code = $2)
                     AND v.period = $3 AND v.value_e4 IS NOT NULL))
             SELECT CAST(SUM(v.value_e4) AS BIGINT), COUNT(*) FROM indicator_values v JOIN walk w ON v.unit_id = w.id
             WHERE v.indicator_id = (SELECT id FROM indicators WHERE code = $2) AND v.period = $3
                 AND v.value_e4 IS NOT NULL",
        )
        .bind(unit)
        .bind(indicator)
        .bind(period)
        .fetch_one(&self.pool)
        .await?;
        let count: i64 = row.try_get(1)?;
        Ok((count > 0).then(|| row.try_get::<Option<i64>, _>(0)).transpose()?.flatten().map(from_scaled))
    }

    async fn project_summary(&self, unit: &str, year: i32) -> Result<ProjectSummary> {
        let (first, last) = (format!("{year}-01-01"), format!("{year}-12-31"));
        let sql = format!(
            "{SUBTREE}
             SELECT COUNT(*), CAST(SUM(COALESCE(g.ytd_e4, 0)) AS BIGINT),
                 SUM(CASE WHEN p.actual_start >= $3 AND p.actual_start <= $4 THEN 1 ELSE 0 END),
                 MAX(g.month) AS through,
                 SUM(CASE WHEN p.actual_finish >= $3 AND p.actual_finish <= $4 THEN 1 ELSE 0 END) AS finished
             FROM project_year_plans y JOIN projects p ON p.id = y.project_id JOIN sub ON sub.id = p.unit_id
             {as_of}
             WHERE y.year = $2",
            as_of = self.backend.as_of_progress("$2", "$5")
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(unit)
            .bind(i64::from(year))
            .bind(&first)
            .bind(&last)
            .bind(Period::Month(year, 12).key())
            .fetch_one(&self.pool)
            .await?;
        let through = row.try_get::<Option<i64>, _>("through")?.and_then(|m| u8::try_from(m).ok());
        // Projects whose latest report is older than the latest month anyone reported.
        let carried = match through {
            Some(m) => self.investment_totals(unit, Period::Month(year, m)).await?.all.carried,
            None => 0,
        };
        let named_sql = format!(
            "{SUBTREE}
             SELECT p.name FROM project_year_plans y JOIN projects p ON p.id = y.project_id JOIN sub ON sub.id = p.unit_id
             WHERE y.year = $2 AND p.sample = 0 AND p.actual_start >= $3 AND p.actual_start <= $4
             ORDER BY p.total_investment_e4 DESC, p.id LIMIT 3"
        );
        let started_named = sqlx::query(AssertSqlSafe(named_sql))
            .bind(unit)
            .bind(i64::from(year))
            .bind(&first)
            .bind(&last)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProjectSummary {
            count: u64::try_from(row.try_get::<i64, _>(0)?).unwrap_or_default(),
            completed_wan: row.try_get::<Option<i64>, _>(1)?.map(from_scaled).unwrap_or_default(),
            started: u64::try_from(row.try_get::<Option<i64>, _>(2)?.unwrap_or_default()).unwrap_or_default(),
            started_named,
            finished: u64::try_from(row.try_get::<Option<i64>, _>("finished")?.unwrap_or_default()).unwrap_or_default(),
            through_month: through,
            carried,
        })
    }

    /// Flagship projects with a plan in `year`; `preparatory` picks 前期 (Some(true)), the
    /// others (Some(false)), or all (None).
    async fn flagships(
        &self,
        unit: &str,
        year: i32,
        preparatory: Option<bool>,
        lagging_below_pp: Decimal,
    ) -> Result<FlagshipSummary> {
        let nature = match preparatory {
            Some(true) => "AND p.nature = '前期'",
            Some(false) => "AND p.nature <> '前期'",
            None => "",
        };
        let sql = format!(
            "{SUBTREE}
             SELECT p.name, p.sample, y.planned_e4, g.ytd_e4, g.month FROM project_year_plans y
             JOIN projects p ON p.id = y.project_id JOIN sub ON sub.id = p.unit_id
             JOIN project_flags f ON f.project_id = p.id AND f.flag = $3
             {as_of}
             WHERE y.year = $2 {nature} ORDER BY p.sample, p.id",
            as_of = self.backend.as_of_progress("$2", "$4")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(unit)
            .bind(i64::from(year))
            .bind(FLAG_FLAGSHIP)
            .bind(Period::Month(year, 12).key())
            .fetch_all(&self.pool)
            .await?;
        let mut summary = FlagshipSummary::default();
        for r in rows {
            summary.count += 1;
            if r.try_get::<i64, _>("sample")? == 0 && summary.named.len() < 3 {
                summary.named.push(r.try_get("name")?);
            }
            let plan = from_scaled(r.try_get("planned_e4")?);
            if let (Some(ytd), Some(month)) =
                (r.try_get::<Option<i64>, _>("ytd_e4")?, r.try_get::<Option<i64>, _>("month")?)
                && let Some(pct) = completion_pct(from_scaled(ytd), plan)
            {
                let month = u8::try_from(month).unwrap_or(12);
                if lag_pp(pct, Period::Month(year, month).time_progress()) < lagging_below_pp {
                    summary.lagging += 1;
                }
            }
        }
        Ok(summary)
    }

    async fn category_summary(&self, unit: &str, year: i32, category: &str) -> Result<CategorySummary> {
        let sql = format!(
            "{SUBTREE}
             SELECT COUNT(*), SUM(CASE WHEN p.actual_start IS NOT NULL AND p.actual_start <= $4 THEN 1 ELSE 0 END),
                 CAST(SUM(COALESCE(g.ytd_e4, 0)) AS BIGINT)
             FROM project_year_plans y JOIN projects p ON p.id = y.project_id JOIN sub ON sub.id = p.unit_id
             {as_of}
             WHERE y.year = $2 AND p.category = $3",
            as_of = self.backend.as_of_progress("$2", "$5")
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(unit)
            .bind(i64::from(year))
            .bind(category)
            .bind(format!("{year}-12-31"))
            .bind(Period::Month(year, 12).key())
            .fetch_one(&self.pool)
            .await?;
        Ok(CategorySummary {
            category: category.to_string(),
            count: u64::try_from(row.try_get::<i64, _>(0)?).unwrap_or_default(),
            started: u64::try_from(row.try_get::<Option<i64>, _>(1)?.unwrap_or_default()).unwrap_or_default(),
            completed_wan: row.try_get::<Option<i64>, _>(2)?.map(from_scaled).unwrap_or_default(),
        })
    }

    async fn task_summary(&self, unit: &str, year: i32) -> Result<TaskSummary> {
        let sql = format!(
            "{SUBTREE}
             SELECT COUNT(*), SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END)
             FROM tasks t JOIN sub ON sub.id = t.lead_unit_id WHERE t.year = $2"
        );
        let row = sqlx::query(AssertSqlSafe(sql)).bind(unit).bind(i64::from(year)).fetch_one(&self.pool).await?;
        let named_sql = format!(
            "{SUBTREE}
             SELECT t.name FROM tasks t JOIN sub ON sub.id = t.lead_unit_id
             WHERE t.year = $2 AND t.sample = 0 ORDER BY t.id LIMIT 2"
        );
        let named = sqlx::query(AssertSqlSafe(named_sql))
            .bind(unit)
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TaskSummary {
            count: u64::try_from(row.try_get::<i64, _>(0)?).unwrap_or_default(),
            named,
            done: u64::try_from(row.try_get::<Option<i64>, _>(1)?.unwrap_or_default()).unwrap_or_default(),
        })
    }

    /// The programme of `year` from the unit's plan tree, or none when it has no plan.
    async fn programme(&self, unit: &str, year: i32, lagging_below_pp: Decimal) -> Result<Option<Programme>> {
        let nodes = self.plan_nodes(unit, year).await?;
        let targets: Vec<_> =
            self.targets_of_year(year, Some(unit)).await?.into_iter().filter(|t| t.unit == unit).collect();
        if nodes.is_empty() && targets.is_empty() {
            return Ok(None);
        }
        let level = |kind: PlanKind| PlanLevel {
            label: nodes.iter().find(|n| n.kind == kind).map(|n| n.level_label.clone()).unwrap_or_default(),
            titles: nodes.iter().filter(|n| n.kind == kind).map(|n| n.title.clone()).collect(),
        };
        let action_measures = nodes
            .iter()
            .filter(|n| n.kind == PlanKind::Action)
            .map(|a| {
                let measures = nodes
                    .iter()
                    .filter(|m| m.kind == PlanKind::Measure && m.parent.as_deref() == Some(a.code.as_str()))
                    .map(|m| m.title.clone())
                    .collect();
                (a.title.clone(), measures)
            })
            .collect();
        let over_sql = format!(
            "{SUBTREE}
             SELECT COUNT(*) FROM project_year_plans y JOIN projects p ON p.id = y.project_id
             JOIN sub ON sub.id = p.unit_id JOIN project_flags f ON f.project_id = p.id AND f.flag = $3
             WHERE y.year = $2"
        );
        let over: i64 = sqlx::query(AssertSqlSafe(over_sql))
            .bind(unit)
            .bind(i64::from(year))
            .bind(FLAG_OVER_100M)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(Some(Programme {
            year,
            goal: nodes.iter().find(|n| n.kind == PlanKind::Goal).map(|n| n.title.clone()),
            actions: level(PlanKind::Action),
            action_measures,
            pillars: level(PlanKind::Pillar),
            works: level(PlanKind::Work),
            flagships_active: self.flagships(unit, year, Some(false), lagging_below_pp).await?,
            flagships_preparatory: self.flagships(unit, year, Some(true), lagging_below_pp).await?,
            projects_over_100m: u64::try_from(over).unwrap_or_default(),
            targets,
        }))
    }
}
