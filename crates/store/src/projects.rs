//! Key projects: master records, flags, yearly and monthly plans, problems.

use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::codes::ProjectCode;
use taizhang_core::project::{Date, Problem, Project, Responsibility, YearPlan};
use taizhang_core::quantity::from_scaled;

use crate::bulk::{PROJECT_COLUMNS, PROJECT_UPDATES, bind_project};
use crate::ledger::*;
use crate::{Result, Store, Tx};

pub(crate) const PROJECT_SELECT: &str =
    "SELECT p.code, p.name, p.category, p.nature, p.location, p.content, p.total_investment_e4,
        p.planned_start, p.planned_finish, p.actual_start, p.actual_finish, u.code AS unit_code, p.lead_leader,
        p.responsible_person, p.contact, p.deadline, n.code AS node_code, p.sample, p.id
    FROM projects p JOIN org_units u ON u.id = p.unit_id LEFT JOIN plan_nodes n ON n.id = p.plan_node_id";

pub(crate) async fn load_project(conn: &mut AnyConnection, code: &str) -> Result<Option<Project>> {
    let sql = format!("{PROJECT_SELECT} WHERE p.code = $1");
    let Some(r) = sqlx::query(AssertSqlSafe(sql)).bind(code).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let id: i64 = r.try_get("id")?;
    let flags = sqlx::query("SELECT flag FROM project_flags WHERE project_id = $1 ORDER BY flag")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|f| f.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(project_from_row(&r, flags)?))
}

/// A row of [`PROJECT_SELECT`] as a project.
pub(crate) fn project_from_row(r: &AnyRow, flags: Vec<String>) -> Result<Project> {
    Ok(Project {
        code: ProjectCode::parse(&r.try_get::<String, _>("code")?)?,
        name: r.try_get("name")?,
        category: r.try_get("category")?,
        nature: r.try_get::<String, _>("nature")?.parse()?,
        location: r.try_get("location")?,
        content: r.try_get("content")?,
        total_investment_wan: from_scaled(r.try_get("total_investment_e4")?),
        planned_start: opt_date(r.try_get("planned_start")?)?,
        planned_finish: opt_date(r.try_get("planned_finish")?)?,
        actual_start: opt_date(r.try_get("actual_start")?)?,
        actual_finish: opt_date(r.try_get("actual_finish")?)?,
        flags,
        responsibility: Responsibility {
            lead_leader: r.try_get("lead_leader")?,
            unit: r.try_get("unit_code")?,
            person: r.try_get("responsible_person")?,
            contact: r.try_get("contact")?,
            deadline: opt_date(r.try_get("deadline")?)?,
        },
        plan_node: r.try_get("node_code")?,
        sample: r.try_get::<i64, _>("sample")? != 0,
    })
}

impl Tx {
    /// Inserts or updates a project by code (checked first), replacing its flags.
    pub async fn upsert_project(&mut self, p: &Project) -> Result<i64> {
        let unit = unit_id(self.conn(), &p.responsibility.unit).await?;
        // The unit it may leave, before; the one it is in, after.
        self.touch_projects(&[p.code.as_str()]).await?;
        let node = opt_plan_node_id(self.conn(), p.plan_node.as_deref()).await?;
        let sql = format!(
            "INSERT INTO projects ({PROJECT_COLUMNS}, plan_node_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 $11, $12, $13, $14, $15, $16, $17, $18)
             ON CONFLICT (code) DO UPDATE SET {PROJECT_UPDATES}, plan_node_id = excluded.plan_node_id RETURNING id"
        );
        let id: i64 = bind_project(sqlx::query(AssertSqlSafe(sql)), p, unit)?
            .bind(node)
            .fetch_one(self.conn())
            .await?
            .try_get(0)?;
        self.replace_children("project_flags", "project_id", id, "flag", p.flags.iter().map(String::as_str)).await?;
        self.touch_projects(&[p.code.as_str()]).await?;
        Ok(id)
    }

    pub async fn upsert_year_plan(&mut self, plan: &YearPlan) -> Result<()> {
        // Plans name their project by code; looking it up first says when it is missing.
        project_id(self.conn(), &plan.project).await?;
        if plan.planned_wan.is_sign_negative() && !plan.planned_wan.is_zero() {
            return Err(taizhang_core::DomainError::Negative {
                field: "年度计划投资(万元)".into(),
                value: plan.planned_wan.to_string(),
            }
            .into());
        }
        self.insert_year_plans(std::slice::from_ref(plan)).await
    }

    /// Records a month of a project's own monthly plan.
    pub async fn upsert_month_plan(&mut self, m: &taizhang_core::project::MonthPlan) -> Result<()> {
        let project = project_id(self.conn(), &m.project).await?;
        sqlx::query(
            "INSERT INTO project_month_plans (project_id, period, planned_ytd_e4) VALUES ($1, $2, $3)
             ON CONFLICT (project_id, period) DO UPDATE SET planned_ytd_e4 = excluded.planned_ytd_e4",
        )
        .bind(project)
        .bind(m.period.key())
        .bind(scaled(m.planned_ytd_wan)?)
        .execute(self.conn())
        .await?;
        // The sums do not read it, but the project's light does (its own 序时进度).
        self.touch_projects(&[m.project.as_str()]).await
    }

    pub async fn add_problem(&mut self, project_code: &str, p: &Problem) -> Result<i64> {
        let project = project_id(self.conn(), project_code).await?;
        let row = sqlx::query(
            "INSERT INTO problems (project_id, raised_on, description, owner, deadline, resolved_on, resolution)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(project)
        .bind(p.raised_on.to_string())
        .bind(&p.description)
        .bind(&p.owner)
        .bind(p.deadline.map(|d| d.to_string()))
        .bind(p.resolved_on.map(|d| d.to_string()))
        .bind(&p.resolution)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get(0)?)
    }
}

impl Store {
    pub async fn project(&self, code: &str) -> Result<Option<Project>> {
        let mut conn = self.pool.acquire().await?;
        load_project(&mut conn, code).await
    }

    pub async fn year_plan(&self, project: &str, year: i32) -> Result<Option<YearPlan>> {
        let row = sqlx::query(
            "SELECT y.planned_e4, y.milestones FROM project_year_plans y JOIN projects p ON p.id = y.project_id
             WHERE p.code = $1 AND y.year = $2",
        )
        .bind(project)
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(YearPlan {
                project: project.to_string(),
                year,
                planned_wan: from_scaled(r.try_get("planned_e4")?),
                milestones: r.try_get("milestones")?,
            })
        })
        .transpose()
    }

    pub async fn problems(&self, project: &str) -> Result<Vec<Problem>> {
        let q = sqlx::query(
            "SELECT q.raised_on, q.description, q.owner, q.deadline, q.resolved_on, q.resolution
FROM problems q JOIN projects p ON p.id = q.project_id WHERE p.code = $1 ORDER BY q.id",
        )
        .bind(project);
        self.read_rows(q, |r| {
            Ok(Problem {
                raised_on: Date::parse(&r.try_get::<String, _>("raised_on")?)?,
                description: r.try_get("description")?,
                owner: r.try_get("owner")?,
                deadline: opt_date(r.try_get("deadline")?)?,
                resolved_on: opt_date(r.try_get("resolved_on")?)?,
                resolution: r.try_get("resolution")?,
            })
        })
        .await
    }
}
