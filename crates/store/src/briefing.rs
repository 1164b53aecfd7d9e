//! What the monthly briefing and the assessment league table need from the ledger, summed
//! in the database (recursive subtree queries), never by loading every row.

use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::briefing::Totals;
use taizhang_core::period::Period;
use taizhang_core::project::{Date, completion_pct};
use taizhang_core::quantity::from_scaled;

use crate::reports::{SUBTREE, started_by};
use crate::{Result, Store};
use taizhang_core::project::Nature;

/// Project totals of a scope at a month: all of them, those flagged, by category and by
/// responsible unit.
#[derive(Debug, Clone, Default)]
pub struct TotalsSet {
    pub all: Totals,
    /// The projects carrying the flag asked for, when there are any.
    pub flagged: Option<Totals>,
    /// The 出彩项目 (the programme's flagships, 双十), when there are any.
    pub flagship: Option<Totals>,
    pub by_category: Vec<Totals>,
    pub by_unit: Vec<Totals>,
    /// By 建设性质, in the order offices list them (新开工, 续建, 竣工, 前期).
    pub by_nature: Vec<Totals>,
}

/// A 新开工 project due to have started by a period, and whether it has.
#[derive(Debug, Clone)]
pub struct StartDue {
    pub name: String,
    pub started: bool,
    pub code: String,
    pub unit_id: i64,
    /// A sample row (示例), listed after the real ones.
    pub sample: bool,
}

impl Store {
    /// Plan, month and year-to-date totals of the projects with a plan in the period's year,
    /// as of the period's month, in a unit's subtree — all, those flagged `flag`, by category,
    /// by unit and by 建设性质 — summed from the rows themselves in one pass over the projects
    /// (the as-of rows found once, materialized), grouped several ways: what the maintained
    /// roll-ups ([`Store::investment_totals`]) are checked against.
    pub async fn investment_totals_from_rows(&self, scope: &str, period: Period, flag: &str) -> Result<TotalsSet> {
        let sums = "COUNT(*) AS n, CAST(SUM(planned) AS BIGINT) AS planned, CAST(SUM(month) AS BIGINT) AS month,
                 CAST(SUM(ytd) AS BIGINT) AS ytd, SUM(carried) AS carried, SUM(started) AS started,
                 SUM(finished) AS finished, SUM(on_pace) AS on_pace";
        let sql = format!(
            "{SUBTREE},
             asof AS MATERIALIZED (
                 SELECT p.category AS category, u.name AS unit_name, y.planned_e4 AS planned,
                     CASE WHEN g.period = $3 THEN COALESCE(g.month_e4, 0) ELSE 0 END AS month,
                     COALESCE(g.ytd_e4, 0) AS ytd, CASE WHEN g.period = $3 THEN 0 ELSE 1 END AS carried,
                     p.nature AS nature, CASE WHEN {started} THEN 1 ELSE 0 END AS started,
                     CASE WHEN p.actual_finish IS NOT NULL AND p.actual_finish <= $5 THEN 1 ELSE 0 END AS finished,
                     -- At or above 序时进度: 累计/计划 ≥ 月数/12, in integers.
                     CASE WHEN y.planned_e4 > 0 AND COALESCE(g.ytd_e4, 0) * 12 >= y.planned_e4 * $6
                         THEN 1 ELSE 0 END AS on_pace,
                     CASE WHEN EXISTS (SELECT 1 FROM project_flags f WHERE f.project_id = p.id AND f.flag = $4)
                         THEN 1 ELSE 0 END AS flagged,
                     CASE WHEN EXISTS (SELECT 1 FROM project_flags f WHERE f.project_id = p.id AND f.flag = $7)
                         THEN 1 ELSE 0 END AS flagship
                 FROM project_year_plans y JOIN projects p ON p.id = y.project_id JOIN sub ON sub.id = p.unit_id
                 JOIN org_units u ON u.id = p.unit_id
                 {as_of}
                 WHERE y.year = $2)
             SELECT 'all' AS grouping, '' AS label, {sums} FROM asof
             UNION ALL SELECT 'flagged', '', {sums} FROM asof WHERE flagged = 1
             UNION ALL SELECT 'flagship', '', {sums} FROM asof WHERE flagship = 1
             UNION ALL SELECT 'category', category, {sums} FROM asof GROUP BY category
             UNION ALL SELECT 'unit', unit_name, {sums} FROM asof GROUP BY unit_name
             UNION ALL SELECT 'nature', nature, {sums} FROM asof GROUP BY nature",
            as_of = self.backend.as_of_progress("$2", "$3"),
            started = started_by("$5"),
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(scope)
            .bind(i64::from(period.year()))
            .bind(period.closing_month().key())
            .bind(flag)
            .bind(Date::end_of(period).to_string())
            .bind(i64::from(period.month_of_year()))
            .bind(crate::reports::FLAG_FLAGSHIP)
            .fetch_all(&self.pool)
            .await?;
        let mut set = TotalsSet::default();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            let sum = |col: &str| -> Result<Decimal> {
                Ok(r.try_get::<Option<i64>, _>(col)?.map(from_scaled).unwrap_or_default())
            };
            let count = |col: &str| -> Result<u64> {
                Ok(u64::try_from(r.try_get::<Option<i64>, _>(col)?.unwrap_or_default()).unwrap_or_default())
            };
            let totals = Totals {
                label: r.try_get("label")?,
                projects: u64::try_from(n).unwrap_or_default(),
                planned_wan: sum("planned")?,
                month_wan: sum("month")?,
                ytd_wan: sum("ytd")?,
                carried: count("carried")?,
                started: count("started")?,
                finished: count("finished")?,
                on_pace: count("on_pace")?,
            };
            match r.try_get::<String, _>("grouping")?.as_str() {
                "all" => set.all = totals,
                "flagged" => set.flagged = Some(totals).filter(|t| t.projects > 0),
                "flagship" => set.flagship = Some(totals).filter(|t| t.projects > 0),
                "category" => set.by_category.push(totals),
                "nature" => set.by_nature.push(totals),
                _ => set.by_unit.push(totals),
            }
        }
        // Sorted here, not by the database's collation, so every backend agrees.
        set.by_category.sort_by(|a, b| a.label.cmp(&b.label));
        set.by_unit.sort_by(|a, b| a.label.cmp(&b.label));
        let order = |label: &str| Nature::ALL.iter().position(|n| n.label_zh() == label).unwrap_or(usize::MAX);
        set.by_nature.sort_by_key(|t| order(&t.label));
        Ok(set)
    }

    /// The 新开工 projects of `period`'s year of these units (not their subtrees') planned to
    /// start by the period's end, sample rows last.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn starts_due(&self, units: &[i64], period: Period) -> Result<Vec<StartDue>> {
        let end = Date::end_of(period).to_string();
        let ids = crate::rollups::id_list(units);
        let sql = format!(
            "SELECT p.name, p.code, p.unit_id, p.sample, CASE WHEN {started} THEN 1 ELSE 0 END AS started
             FROM projects p JOIN project_year_plans y ON y.project_id = p.id AND y.year = $1
             {as_of}
             WHERE p.unit_id IN ({ids}) AND p.nature = '新开工' AND p.planned_start IS NOT NULL
                 AND p.planned_start <= $2
             ORDER BY p.sample, p.code",
            started = started_by("$2"),
            as_of = self.backend.as_of_progress("$1", "$3")
        );
        let starts = sqlx::query(AssertSqlSafe(sql))
            .bind(i64::from(period.year()))
            .bind(&end)
            .bind(period.closing_month().key())
            .fetch_all(&self.pool)
            .await?;
        starts
            .iter()
            .map(|r| {
                Ok(StartDue {
                    name: r.try_get("name")?,
                    started: r.try_get::<i64, _>("started")? == 1,
                    code: r.try_get("code")?,
                    unit_id: r.try_get("unit_id")?,
                    sample: r.try_get::<i64, _>("sample")? != 0,
                })
            })
            .collect()
    }

    /// Year-to-date investment of a unit's projects with a plan in `year`, as of each month
    /// January through `through`, from the rows (the roll-ups' [`Store::monthly_ytd`] is
    /// checked against it): the as-of rule, so a month someone missed does not dip.
    /// Each report adds what it raised over the project's previous one (LAG over its rows);
    /// the running sum of those increments is the as-of total, in one scan of the year.
    pub async fn monthly_ytd_from_rows(&self, scope: &str, year: i32, through: u8) -> Result<Vec<Decimal>> {
        let sql = format!(
            "{SUBTREE}
             SELECT d.month, CAST(SUM(d.ytd_e4 - COALESCE(d.prev, 0)) AS BIGINT) FROM (
                 SELECT g.month, g.ytd_e4, LAG(g.ytd_e4) OVER (PARTITION BY g.project_id ORDER BY g.period) AS prev
                 FROM project_progress g JOIN projects p ON p.id = g.project_id JOIN sub ON sub.id = p.unit_id
                 JOIN project_year_plans y ON y.project_id = p.id AND y.year = g.year
                 WHERE g.year = $2 AND g.month <= $3) d
             GROUP BY d.month"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(scope)
            .bind(i64::from(year))
            .bind(i64::from(through))
            .fetch_all(&self.pool)
            .await?;
        let increments = by_month(&rows, through)?;
        Ok(increments
            .into_iter()
            .scan(Decimal::ZERO, |total, inc| {
                *total += inc;
                Some(*total)
            })
            .collect())
    }

    /// The share of a unit subtree's tasks of `year` that are done, in percent.
    pub async fn task_completion(&self, unit: &str, year: i32) -> Result<Option<Decimal>> {
        let sql = format!(
            "{SUBTREE}
             SELECT COUNT(*), SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) FROM tasks t JOIN sub ON sub.id = t.lead_unit_id
             WHERE t.year = $2"
        );
        let row = sqlx::query(AssertSqlSafe(sql)).bind(unit).bind(i64::from(year)).fetch_one(&self.pool).await?;
        let total: i64 = row.try_get(0)?;
        let done: i64 = row.try_get::<Option<i64>, _>(1)?.unwrap_or_default();
        Ok(completion_pct(Decimal::from(done), Decimal::from(total)).map(|p| p.round_dp(2)))
    }
}

/// Rows of (month, scaled amount) as January through `through`, a month without a row zero.
pub(crate) fn by_month(rows: &[sqlx::any::AnyRow], through: u8) -> Result<Vec<Decimal>> {
    let mut out = vec![Decimal::ZERO; usize::from(through)];
    for r in rows {
        let month = usize::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0);
        if let Some(slot) = month.checked_sub(1).and_then(|i| out.get_mut(i)) {
            *slot = r.try_get::<Option<i64>, _>(1)?.map(from_scaled).unwrap_or_default();
        }
    }
    Ok(out)
}
