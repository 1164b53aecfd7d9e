//! Projects' monthly progress reports (年初至报告期累计 and the rest).

use sqlx::Row;
use sqlx::any::AnyRow;
use taizhang_core::period::Period;
use taizhang_core::project::MonthlyProgress;
use taizhang_core::quantity::from_scaled;

use crate::ledger::*;
use crate::projects::load_project;
use crate::{ProgressRow, Result, Store, StoreError, Tx};

/// A progress row (month_e4, ytd_e4, since_start_e4, image_progress, problems) as a report.
/// See [`Store::progress_context`].
#[derive(Debug, Clone, Default)]
pub struct ProgressContext {
    pub previous: Option<MonthlyProgress>,
    pub last_year: Option<MonthlyProgress>,
    pub total_wan: Option<rust_decimal::Decimal>,
}

pub(crate) fn progress_from_row(r: &AnyRow, project: String, period: Period) -> Result<MonthlyProgress> {
    Ok(MonthlyProgress {
        project,
        period,
        month_wan: r.try_get::<Option<i64>, _>("month_e4")?.map(from_scaled),
        ytd_wan: from_scaled(r.try_get("ytd_e4")?),
        since_start_wan: r.try_get::<Option<i64>, _>("since_start_e4")?.map(from_scaled),
        image_progress: r.try_get("image_progress")?,
        problems: r.try_get("problems")?,
    })
}

impl Tx {
    /// Records a month's progress, checked against its project first.
    pub async fn upsert_progress(&mut self, m: &MonthlyProgress) -> Result<()> {
        let project = project_id(self.conn(), &m.project).await?;
        let master =
            load_project(self.conn(), &m.project).await?.ok_or_else(|| StoreError::not_found("项目", &m.project))?;
        m.validate(&master)?;
        self.insert_progress_rows(&[ProgressRow { project_id: project, progress: m.clone() }]).await
    }
}

impl Store {
    pub async fn progress(&self, project: &str, period: Period) -> Result<Option<MonthlyProgress>> {
        let row = sqlx::query(
            "SELECT g.month_e4, g.ytd_e4, g.since_start_e4, g.image_progress, g.problems
             FROM project_progress g JOIN projects p ON p.id = g.project_id WHERE p.code = $1 AND g.period = $2",
        )
        .bind(project)
        .bind(period.key())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| progress_from_row(&r, project.to_string(), period)).transpose()
    }

    /// What a month's report of a project is checked against, in one read: the previous
    /// month's report (none in January), the same month's last year, and the project's 总投资.
    pub async fn progress_context(&self, project: &str, period: Period) -> Result<ProgressContext> {
        let month = period.closing_month();
        let (year, m) = (month.year(), month.month_of_year());
        let previous = if m > 1 { Some(Period::Month(year, m - 1)) } else { None };
        let last_year = Period::Month(year - 1, m);
        let rows = sqlx::query(
            "SELECT 'total' AS which, p.total_investment_e4 AS ytd_e4, NULL AS month_e4, NULL AS since_start_e4,
                 '' AS image_progress, '' AS problems
             FROM projects p WHERE p.code = $1
             UNION ALL
             SELECT g.period, g.ytd_e4, g.month_e4, g.since_start_e4, g.image_progress, g.problems
             FROM project_progress g JOIN projects p ON p.id = g.project_id
             WHERE p.code = $1 AND g.period IN ($2, $3)",
        )
        .bind(project)
        .bind(previous.unwrap_or(last_year).key())
        .bind(last_year.key())
        .fetch_all(&self.pool)
        .await?;
        let mut context = ProgressContext::default();
        for r in &rows {
            let which: String = r.try_get("which")?;
            if which == "total" {
                context.total_wan = Some(from_scaled(r.try_get("ytd_e4")?));
                continue;
            }
            let at: Period = which.parse()?;
            let report = progress_from_row(r, project.to_string(), at);
            if Some(at) == previous {
                context.previous = Some(report?);
            } else if at == last_year {
                context.last_year = Some(report?);
            }
        }
        Ok(context)
    }

    /// The latest month any project has reported (what pages show by default).
    pub async fn latest_progress_period(&self) -> Result<Option<Period>> {
        let row = sqlx::query("SELECT MAX(period) FROM project_progress").fetch_one(&self.pool).await?;
        Ok(row.try_get::<Option<String>, _>(0)?.map(|p| p.parse()).transpose()?)
    }

    /// Of the units that owe progress in a month's year (a project with a plan), how many
    /// reported something for that month, and how many owe: (reported, owing).
    pub async fn month_reporting(&self, month: Period) -> Result<(usize, usize)> {
        let year = i64::from(month.year());
        let row = sqlx::query(
            // From the roll-ups: a unit's cell of the month counts a project not carried when
            // it reported that month; every project with a plan has a cell each month.
            "SELECT
                 (SELECT COUNT(DISTINCT unit_id) FROM project_rollups
                  WHERE year = $1 AND month = $2 AND projects > carried),
                 (SELECT COUNT(DISTINCT unit_id) FROM project_rollups WHERE year = $1 AND month = $2)",
        )
        .bind(year)
        .bind(i64::from(month.month_of_year()))
        .fetch_one(&self.pool)
        .await?;
        let count = |i: usize| -> Result<usize> { Ok(usize::try_from(row.try_get::<i64, _>(i)?).unwrap_or_default()) };
        Ok((count(0)?, count(1)?))
    }

    /// A project's monthly reports of a year, January first.
    pub async fn project_progress(&self, project: &str, year: i32) -> Result<Vec<MonthlyProgress>> {
        let q = sqlx::query(
            "SELECT g.period, g.month_e4, g.ytd_e4, g.since_start_e4, g.image_progress, g.problems
FROM project_progress g JOIN projects p ON p.id = g.project_id WHERE p.code = $1 AND g.year = $2 ORDER BY g.period",
        )
        .bind(project)
        .bind(i64::from(year));
        self.read_rows(q, |r| {
            let period: Period = r.try_get::<String, _>("period")?.parse()?;
            progress_from_row(r, project.to_string(), period)
        })
        .await
    }
}
