//! Reading and writing the ledger: units, indicators and their values and targets, the plan,
//! projects with their plans and progress, and key tasks.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::codes::{IndicatorCode, ProjectCode, UnitCode};
use taizhang_core::indicator::{Catalogue, Indicator, IndicatorValue, Phrasing, Section, Target};
use taizhang_core::org::{OrgTree, OrgUnit};
use taizhang_core::period::Period;
use taizhang_core::plan::{KeyTask, Milestone, PlanNode};
use taizhang_core::project::{Date, MonthlyProgress, Problem, Project, Responsibility, YearPlan};
use taizhang_core::quantity::{MeasureUnit, from_scaled, to_scaled};

use crate::bulk::{Ids, PROJECT_COLUMNS, PROJECT_UPDATES, bind_project};
use crate::{ProgressRow, Result, Store, StoreError, Tx};

pub(crate) fn scaled(v: Decimal) -> Result<i64> {
    Ok(to_scaled(v)?)
}

pub(crate) fn opt_scaled(v: Option<Decimal>) -> Result<Option<i64>> {
    v.map(scaled).transpose()
}

fn opt_date(text: Option<String>) -> Result<Option<Date>> {
    Ok(text.map(|t| Date::parse(&t)).transpose()?)
}

async fn id_of(conn: &mut AnyConnection, sql: &'static str, kind: &'static str, key: &str) -> Result<i64> {
    sqlx::query(sql)
        .bind(key)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?
        .ok_or_else(|| StoreError::not_found(kind, key))
}

pub(crate) async fn unit_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM org_units WHERE code = $1", "单位", code).await
}

async fn indicator_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM indicators WHERE code = $1", "指标", code).await
}

async fn project_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM projects WHERE code = $1", "项目", code).await
}

async fn plan_node_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM plan_nodes WHERE code = $1", "计划节点", code).await
}

async fn opt_plan_node_id(conn: &mut AnyConnection, code: Option<&str>) -> Result<Option<i64>> {
    match code {
        Some(c) => Ok(Some(plan_node_id(conn, c).await?)),
        None => Ok(None),
    }
}

/// How much the ledger holds, for summaries after loading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerCounts {
    pub units: i64,
    pub indicators: i64,
    pub values: i64,
    pub targets: i64,
    pub projects: i64,
    pub progress: i64,
    pub tasks: i64,
    pub users: i64,
}

impl Tx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends to an event log (`{table}`: the record's id, who, when, then `fields`), the
    /// one shape of every audit trail (rounds, entries, problems, 督办).
    pub(crate) async fn log_event(
        &mut self,
        table: &'static str,
        record_column: &'static str,
        record: i64,
        actor: &str,
        fields: &[(&'static str, &str)],
    ) -> Result<()> {
        let columns: Vec<&str> = fields.iter().map(|(c, _)| *c).collect();
        let placeholders: Vec<String> = (4..4 + fields.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({record_column}, actor, at, {}) VALUES ($1, $2, $3, {})",
            columns.join(", "),
            placeholders.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(record).bind(actor.to_string()).bind(crate::now_iso());
        for (_, value) in fields {
            q = q.bind(value.to_string());
        }
        q.execute(self.conn()).await?;
        Ok(())
    }

    /// Inserts or updates a unit by code; its parent must exist already.
    pub async fn upsert_unit(&mut self, unit: &OrgUnit, order: i64) -> Result<i64> {
        self.units_changed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let parent = match &unit.parent {
            Some(p) => Some(unit_id(self.conn(), p).await?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO org_units (code, name, kind, parent_id, sort_order) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                 parent_id = excluded.parent_id, sort_order = excluded.sort_order
             RETURNING id",
        )
        .bind(unit.code.as_str())
        .bind(&unit.name)
        .bind(unit.kind.code())
        .bind(parent)
        .bind(order)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn upsert_section(&mut self, section: &Section, order: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO report_sections (key, title, lead, joiner, sort_order) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key) DO UPDATE SET title = excluded.title, lead = excluded.lead,
                 joiner = excluded.joiner, sort_order = excluded.sort_order",
        )
        .bind(&section.key)
        .bind(&section.title)
        .bind(&section.lead)
        .bind(&section.joiner)
        .bind(order)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Inserts or updates an indicator by code, replacing its aliases.
    pub async fn upsert_indicator(&mut self, ind: &Indicator) -> Result<i64> {
        let p = &ind.phrasing;
        let id: i64 = sqlx::query(
            "INSERT INTO indicators (code, name, unit, decimals, value_type, aggregation, temporal, direction,
                 non_negative, section, sort_order, phrase, clause, growth_word)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, unit = excluded.unit,
                 decimals = excluded.decimals, value_type = excluded.value_type,
                 aggregation = excluded.aggregation, temporal = excluded.temporal,
                 direction = excluded.direction, non_negative = excluded.non_negative,
                 section = excluded.section, sort_order = excluded.sort_order, phrase = excluded.phrase,
                 clause = excluded.clause, growth_word = excluded.growth_word
             RETURNING id",
        )
        .bind(ind.code.as_str())
        .bind(&ind.name)
        .bind(ind.unit.to_string())
        .bind(i64::from(ind.decimals))
        .bind(ind.value_type.code())
        .bind(ind.aggregation.code())
        .bind(ind.temporal.code())
        .bind(ind.direction.code())
        .bind(i64::from(ind.non_negative))
        .bind(&p.section)
        .bind(p.order)
        .bind(&p.phrase)
        .bind(&p.clause)
        .bind(&p.growth_word)
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
        sqlx::query("DELETE FROM indicator_aliases WHERE indicator_id = $1").bind(id).execute(self.conn()).await?;
        for alias in &ind.aliases {
            sqlx::query("INSERT INTO indicator_aliases (alias, indicator_id) VALUES ($1, $2)")
                .bind(alias)
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        Ok(id)
    }

    pub async fn upsert_value(&mut self, v: &IndicatorValue) -> Result<()> {
        let ids = Ids {
            indicators: HashMap::from([(v.indicator.clone(), indicator_id(self.conn(), &v.indicator).await?)]),
            units: HashMap::from([(v.unit.clone(), unit_id(self.conn(), &v.unit).await?)]),
            ..Ids::default()
        };
        self.insert_values(std::slice::from_ref(v), &ids).await
    }

    pub async fn upsert_target(&mut self, t: &Target) -> Result<()> {
        let ind = indicator_id(self.conn(), &t.indicator).await?;
        let unit = unit_id(self.conn(), &t.unit).await?;
        sqlx::query(
            "INSERT INTO targets (indicator_id, unit_id, year, level_e4, growth_e4, qualifier)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (indicator_id, unit_id, year) DO UPDATE SET level_e4 = excluded.level_e4,
                 growth_e4 = excluded.growth_e4, qualifier = excluded.qualifier",
        )
        .bind(ind)
        .bind(unit)
        .bind(i64::from(t.year))
        .bind(opt_scaled(t.level)?)
        .bind(opt_scaled(t.growth)?)
        .bind(t.qualifier.clone())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn upsert_plan_node(&mut self, n: &PlanNode) -> Result<()> {
        let parent = opt_plan_node_id(self.conn(), n.parent.as_deref()).await?;
        let unit = unit_id(self.conn(), &n.unit).await?;
        sqlx::query(
            "INSERT INTO plan_nodes (code, parent_id, unit_id, year, kind, level_label, title, sort_order)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (code) DO UPDATE SET parent_id = excluded.parent_id, unit_id = excluded.unit_id,
                 year = excluded.year, kind = excluded.kind, level_label = excluded.level_label,
                 title = excluded.title, sort_order = excluded.sort_order",
        )
        .bind(&n.code)
        .bind(parent)
        .bind(unit)
        .bind(i64::from(n.year))
        .bind(n.kind.code())
        .bind(&n.level_label)
        .bind(&n.title)
        .bind(n.order)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn upsert_milestone(&mut self, m: &Milestone) -> Result<()> {
        let unit = unit_id(self.conn(), &m.unit).await?;
        sqlx::query(
            "INSERT INTO plan_milestones (unit_id, horizon, sort_order, text) VALUES ($1, $2, $3, $4)
             ON CONFLICT (unit_id, horizon) DO UPDATE SET sort_order = excluded.sort_order, text = excluded.text",
        )
        .bind(unit)
        .bind(&m.horizon)
        .bind(m.order)
        .bind(&m.text)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Inserts or updates a project by code (checked first), replacing its flags.
    pub async fn upsert_project(&mut self, p: &Project) -> Result<i64> {
        let unit = unit_id(self.conn(), &p.responsibility.unit).await?;
        let node = opt_plan_node_id(self.conn(), p.plan_node.as_deref()).await?;
        let sql = format!(
            "INSERT INTO projects ({PROJECT_COLUMNS}, plan_node_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 $11, $12, $13, $14, $15, $16, $17)
             ON CONFLICT (code) DO UPDATE SET {PROJECT_UPDATES}, plan_node_id = excluded.plan_node_id RETURNING id"
        );
        let id: i64 = bind_project(sqlx::query(AssertSqlSafe(sql)), p, unit)?
            .bind(node)
            .fetch_one(self.conn())
            .await?
            .try_get(0)?;
        sqlx::query("DELETE FROM project_flags WHERE project_id = $1").bind(id).execute(self.conn()).await?;
        for flag in &p.flags {
            sqlx::query("INSERT INTO project_flags (project_id, flag) VALUES ($1, $2)")
                .bind(id)
                .bind(flag)
                .execute(self.conn())
                .await?;
        }
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

    /// Records a month's progress, checked against its project first.
    pub async fn upsert_progress(&mut self, m: &MonthlyProgress) -> Result<()> {
        let project = project_id(self.conn(), &m.project).await?;
        let master =
            load_project(self.conn(), &m.project).await?.ok_or_else(|| StoreError::not_found("项目", &m.project))?;
        m.validate(&master)?;
        self.insert_progress_rows(&[ProgressRow { project_id: project, progress: m.clone() }]).await
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

    /// Inserts or updates a key task by code, replacing its cooperating units.
    pub async fn upsert_task(&mut self, t: &KeyTask) -> Result<i64> {
        let lead = unit_id(self.conn(), &t.lead_unit).await?;
        let node = opt_plan_node_id(self.conn(), t.plan_node.as_deref()).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO tasks (code, name, year, plan_node_id, lead_unit_id, lead_leader, deadline, target, status, sample)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, year = excluded.year,
                 plan_node_id = excluded.plan_node_id, lead_unit_id = excluded.lead_unit_id,
                 lead_leader = excluded.lead_leader, deadline = excluded.deadline, target = excluded.target,
                 status = excluded.status, sample = excluded.sample
             RETURNING id",
        )
        .bind(&t.code)
        .bind(&t.name)
        .bind(i64::from(t.year))
        .bind(node)
        .bind(lead)
        .bind(&t.lead_leader)
        .bind(t.deadline.map(|d| d.to_string()))
        .bind(&t.target)
        .bind(t.status.code())
        .bind(i64::from(t.sample))
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
        sqlx::query("DELETE FROM task_cooperators WHERE task_id = $1").bind(id).execute(self.conn()).await?;
        for code in &t.cooperating_units {
            let unit = unit_id(self.conn(), code).await?;
            sqlx::query("INSERT INTO task_cooperators (task_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(unit)
                .execute(self.conn())
                .await?;
        }
        Ok(id)
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
        Ok(())
    }

    pub async fn upsert_honour(&mut self, h: &taizhang_core::honour::Honour) -> Result<()> {
        let unit = unit_id(self.conn(), &h.unit).await?;
        sqlx::query(
            "INSERT INTO honours (unit_id, year, scope, subject, item, kind, result) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (unit_id, year, scope, subject, item, kind) DO UPDATE SET result = excluded.result",
        )
        .bind(unit)
        .bind(i64::from(h.year))
        .bind(&h.scope)
        .bind(&h.subject)
        .bind(&h.item)
        .bind(h.kind.code())
        .bind(h.kind.result())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

fn unit_from_row(r: &AnyRow) -> Result<OrgUnit> {
    Ok(OrgUnit {
        code: UnitCode::parse(&r.try_get::<String, _>("code")?)?,
        name: r.try_get("name")?,
        kind: r.try_get::<String, _>("kind")?.parse()?,
        parent: r.try_get("parent_code")?,
    })
}

pub(crate) const PROJECT_SELECT: &str =
    "SELECT p.code, p.name, p.category, p.nature, p.location, p.content, p.total_investment_e4,
        p.planned_start, p.planned_finish, p.actual_start, u.code AS unit_code, p.lead_leader,
        p.responsible_person, p.contact, p.deadline, n.code AS node_code, p.sample, p.id
    FROM projects p JOIN org_units u ON u.id = p.unit_id LEFT JOIN plan_nodes n ON n.id = p.plan_node_id";

async fn load_project(conn: &mut AnyConnection, code: &str) -> Result<Option<Project>> {
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

/// A progress row (month_e4, ytd_e4, since_start_e4, image_progress, problems) as a report.
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

/// A value row (indicator, unit, period, value_e4, growth_e4, note, sample) as a value.
pub(crate) fn value_from_row(r: &AnyRow) -> Result<IndicatorValue> {
    Ok(IndicatorValue {
        indicator: r.try_get("indicator")?,
        unit: r.try_get("unit")?,
        period: r.try_get::<String, _>("period")?.parse()?,
        value: r.try_get::<Option<i64>, _>("value_e4")?.map(from_scaled),
        reported_growth: r.try_get::<Option<i64>, _>("growth_e4")?.map(from_scaled),
        note: r.try_get("note")?,
        sample: r.try_get::<i64, _>("sample")? != 0,
    })
}

impl Store {
    pub async fn units(&self) -> Result<Vec<OrgUnit>> {
        let rows = sqlx::query(
            "SELECT u.code, u.name, u.kind, p.code AS parent_code FROM org_units u
             LEFT JOIN org_units p ON p.id = u.parent_id ORDER BY u.sort_order, u.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_from_row).collect()
    }

    pub async fn org_tree(&self) -> Result<OrgTree> {
        Ok(OrgTree::new(self.units().await?)?)
    }

    /// A unit by code or exact name.
    pub async fn find_unit(&self, code_or_name: &str) -> Result<OrgUnit> {
        let row = sqlx::query(
            "SELECT u.code, u.name, u.kind, p.code AS parent_code FROM org_units u
             LEFT JOIN org_units p ON p.id = u.parent_id WHERE u.code = $1 OR u.name = $1
             ORDER BY CASE WHEN u.code = $1 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(code_or_name.trim())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("单位", code_or_name))?;
        unit_from_row(&row)
    }

    /// The unit at the top of the tree (the first root), the default subject of reports.
    pub async fn top_unit(&self) -> Result<OrgUnit> {
        let row = sqlx::query(
            "SELECT u.code, u.name, u.kind, NULL AS parent_code FROM org_units u
             WHERE u.parent_id IS NULL ORDER BY u.sort_order, u.id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::Config("数据库中还没有单位：请先运行 taizhang demo 或导入单位".into()))?;
        Ok(OrgUnit { parent: None, ..unit_from_row(&row)? })
    }

    /// The indicator catalogue as this deployment holds it.
    pub async fn catalogue(&self) -> Result<Catalogue> {
        let sections = sqlx::query("SELECT key, title, lead, joiner FROM report_sections ORDER BY sort_order")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Section {
                    key: r.try_get("key")?,
                    title: r.try_get("title")?,
                    lead: r.try_get("lead")?,
                    joiner: r.try_get("joiner")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
        for r in sqlx::query("SELECT indicator_id, alias FROM indicator_aliases ORDER BY alias")
            .fetch_all(&self.pool)
            .await?
        {
            aliases.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        let indicators = sqlx::query(
            "SELECT id, code, name, unit, decimals, value_type, aggregation, temporal, direction, non_negative,
                 section, sort_order, phrase, clause, growth_word FROM indicators ORDER BY section, sort_order",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Indicator {
                code: IndicatorCode::parse(&r.try_get::<String, _>("code")?)?,
                name: r.try_get("name")?,
                aliases: aliases.remove(&r.try_get::<i64, _>("id")?).unwrap_or_default(),
                unit: MeasureUnit::parse(&r.try_get::<String, _>("unit")?)?,
                decimals: u32::try_from(r.try_get::<i64, _>("decimals")?).unwrap_or(2),
                value_type: r.try_get::<String, _>("value_type")?.parse()?,
                aggregation: r.try_get::<String, _>("aggregation")?.parse()?,
                temporal: r.try_get::<String, _>("temporal")?.parse()?,
                direction: r.try_get::<String, _>("direction")?.parse()?,
                non_negative: r.try_get::<i64, _>("non_negative")? != 0,
                phrasing: Phrasing {
                    section: r.try_get("section")?,
                    order: r.try_get("sort_order")?,
                    phrase: r.try_get("phrase")?,
                    clause: r.try_get("clause")?,
                    growth_word: r.try_get("growth_word")?,
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Catalogue::new(sections, indicators)?)
    }

    /// The value reported for a unit itself (never a roll-up).
    pub async fn value(&self, indicator: &str, unit: &str, period: Period) -> Result<Option<IndicatorValue>> {
        let row = sqlx::query(
            "SELECT i.code AS indicator, u.code AS unit, v.period, v.value_e4, v.growth_e4, v.note, v.sample
             FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN org_units u ON u.id = v.unit_id
             WHERE i.code = $1 AND u.code = $2 AND v.period = $3",
        )
        .bind(indicator)
        .bind(unit)
        .bind(period.key())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(value_from_row).transpose()
    }

    pub async fn target(&self, indicator: &str, unit: &str, year: i32) -> Result<Option<Target>> {
        let row = sqlx::query(
            "SELECT t.level_e4, t.growth_e4, t.qualifier FROM targets t
             JOIN indicators i ON i.id = t.indicator_id JOIN org_units u ON u.id = t.unit_id
             WHERE i.code = $1 AND u.code = $2 AND t.year = $3",
        )
        .bind(indicator)
        .bind(unit)
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Target {
                indicator: indicator.to_string(),
                unit: unit.to_string(),
                year,
                level: r.try_get::<Option<i64>, _>("level_e4")?.map(from_scaled),
                growth: r.try_get::<Option<i64>, _>("growth_e4")?.map(from_scaled),
                qualifier: r.try_get("qualifier")?,
            })
        })
        .transpose()
    }

    pub async fn plan_nodes(&self, unit: &str, year: i32) -> Result<Vec<PlanNode>> {
        let rows = sqlx::query(
            "SELECT n.code, p.code AS parent_code, u.code AS unit_code, n.year, n.kind, n.level_label, n.title, n.sort_order
             FROM plan_nodes n JOIN org_units u ON u.id = n.unit_id LEFT JOIN plan_nodes p ON p.id = n.parent_id
             WHERE u.code = $1 AND n.year = $2 ORDER BY n.sort_order, n.id",
        )
        .bind(unit)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanNode {
                    code: r.try_get("code")?,
                    parent: r.try_get("parent_code")?,
                    unit: r.try_get("unit_code")?,
                    year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
                    kind: r.try_get::<String, _>("kind")?.parse()?,
                    level_label: r.try_get("level_label")?,
                    title: r.try_get("title")?,
                    order: r.try_get("sort_order")?,
                })
            })
            .collect()
    }

    pub async fn milestones(&self, unit: &str) -> Result<Vec<Milestone>> {
        let rows = sqlx::query(
            "SELECT m.horizon, m.sort_order, m.text FROM plan_milestones m JOIN org_units u ON u.id = m.unit_id
             WHERE u.code = $1 ORDER BY m.sort_order",
        )
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Milestone {
                    unit: unit.to_string(),
                    horizon: r.try_get("horizon")?,
                    order: r.try_get("sort_order")?,
                    text: r.try_get("text")?,
                })
            })
            .collect()
    }

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

    /// The latest month any project has reported (what pages show by default).
    pub async fn latest_progress_period(&self) -> Result<Option<Period>> {
        let row = sqlx::query("SELECT MAX(period) FROM project_progress").fetch_one(&self.pool).await?;
        Ok(row.try_get::<Option<String>, _>(0)?.map(|p| p.parse()).transpose()?)
    }

    /// A project's monthly reports of a year, January first.
    pub async fn project_progress(&self, project: &str, year: i32) -> Result<Vec<MonthlyProgress>> {
        let rows = sqlx::query(
            "SELECT g.period, g.month_e4, g.ytd_e4, g.since_start_e4, g.image_progress, g.problems
             FROM project_progress g JOIN projects p ON p.id = g.project_id WHERE p.code = $1 AND g.year = $2 ORDER BY g.period",
        )
        .bind(project)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let period: Period = r.try_get::<String, _>("period")?.parse()?;
                progress_from_row(r, project.to_string(), period)
            })
            .collect()
    }

    /// An indicator's values for a unit, every period, oldest first.
    pub async fn indicator_series(&self, indicator: &str, unit: &str) -> Result<Vec<IndicatorValue>> {
        let rows = sqlx::query(
            "SELECT i.code AS indicator, u.code AS unit, v.period, v.value_e4, v.growth_e4, v.note, v.sample
             FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN org_units u ON u.id = v.unit_id
             WHERE i.code = $1 AND u.code = $2 ORDER BY v.period",
        )
        .bind(indicator)
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(value_from_row).collect()
    }

    pub async fn problems(&self, project: &str) -> Result<Vec<Problem>> {
        let rows = sqlx::query(
            "SELECT q.raised_on, q.description, q.owner, q.deadline, q.resolved_on, q.resolution
             FROM problems q JOIN projects p ON p.id = q.project_id WHERE p.code = $1 ORDER BY q.id",
        )
        .bind(project)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Problem {
                    raised_on: Date::parse(&r.try_get::<String, _>("raised_on")?)?,
                    description: r.try_get("description")?,
                    owner: r.try_get("owner")?,
                    deadline: opt_date(r.try_get("deadline")?)?,
                    resolved_on: opt_date(r.try_get("resolved_on")?)?,
                    resolution: r.try_get("resolution")?,
                })
            })
            .collect()
    }

    pub async fn task(&self, code: &str) -> Result<Option<KeyTask>> {
        let Some(r) = sqlx::query(
            "SELECT t.id, t.code, t.name, t.year, n.code AS node_code, u.code AS unit_code, t.lead_leader,
                 t.deadline, t.target, t.status, t.sample
             FROM tasks t JOIN org_units u ON u.id = t.lead_unit_id LEFT JOIN plan_nodes n ON n.id = t.plan_node_id
             WHERE t.code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let cooperating = sqlx::query(
            "SELECT u.code FROM task_cooperators c JOIN org_units u ON u.id = c.unit_id WHERE c.task_id = $1 ORDER BY u.code",
        )
        .bind(r.try_get::<i64, _>("id")?)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|c| c.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(KeyTask {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
            plan_node: r.try_get("node_code")?,
            lead_unit: r.try_get("unit_code")?,
            cooperating_units: cooperating,
            lead_leader: r.try_get("lead_leader")?,
            deadline: opt_date(r.try_get("deadline")?)?,
            target: r.try_get("target")?,
            status: r.try_get::<String, _>("status")?.parse()?,
            sample: r.try_get::<i64, _>("sample")? != 0,
        }))
    }

    /// A unit's honours of the years `from..=to`, in the order they were recorded.
    pub async fn honours(&self, unit: &str, from: i32, to: i32) -> Result<Vec<taizhang_core::honour::Honour>> {
        let rows = sqlx::query(
            "SELECT h.year, h.scope, h.subject, h.item, h.kind, h.result FROM honours h JOIN org_units u ON u.id = h.unit_id
             WHERE u.code = $1 AND h.year >= $2 AND h.year <= $3 ORDER BY h.year, h.id",
        )
        .bind(unit)
        .bind(i64::from(from))
        .bind(i64::from(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(taizhang_core::honour::Honour {
                    unit: unit.to_string(),
                    year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
                    scope: r.try_get("scope")?,
                    subject: r.try_get("subject")?,
                    item: r.try_get("item")?,
                    kind: taizhang_core::honour::HonourKind::from_parts(
                        &r.try_get::<String, _>("kind")?,
                        &r.try_get::<String, _>("result")?,
                    )?,
                })
            })
            .collect()
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Refreshes the query planner's statistics after a bulk load (both databases accept it).
    pub async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn counts(&self) -> Result<LedgerCounts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM org_units), (SELECT COUNT(*) FROM indicators),
                 (SELECT COUNT(*) FROM indicator_values), (SELECT COUNT(*) FROM targets),
                 (SELECT COUNT(*) FROM projects), (SELECT COUNT(*) FROM project_progress),
                 (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM users)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(LedgerCounts {
            units: row.try_get(0)?,
            indicators: row.try_get(1)?,
            values: row.try_get(2)?,
            targets: row.try_get(3)?,
            projects: row.try_get(4)?,
            progress: row.try_get(5)?,
            tasks: row.try_get(6)?,
            users: row.try_get(7)?,
        })
    }
}
