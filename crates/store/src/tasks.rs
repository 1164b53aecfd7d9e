//! Key tasks (重点工作).

use sqlx::Row;
use taizhang_core::plan::KeyTask;

use crate::ledger::*;
use crate::{Result, Store, Tx};

impl Tx {
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
        let mut units = Vec::new();
        for code in &t.cooperating_units {
            units.push(unit_id(self.conn(), code).await?);
        }
        self.replace_children("task_cooperators", "task_id", id, "unit_id", units).await?;
        Ok(id)
    }
}

impl Store {
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
}
