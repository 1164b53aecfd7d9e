//! The year's plan tree and long-range milestones.

use sqlx::Row;
use taizhang_core::plan::{Milestone, PlanNode};

use crate::ledger::*;
use crate::{Result, Store, Tx};

impl Tx {
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
        let id: i64 = sqlx::query("SELECT id FROM plan_milestones WHERE unit_id = $1 AND horizon = $2")
            .bind(unit)
            .bind(&m.horizon)
            .fetch_one(self.conn())
            .await?
            .try_get(0)?;
        self.execute("DELETE FROM plan_milestone_targets WHERE milestone_id = $1", vec![id.into()]).await?;
        for (seq, (indicator, target)) in (1_i64..).zip(&m.targets) {
            self.execute(
                "INSERT INTO plan_milestone_targets (milestone_id, seq, indicator_code, target_text) VALUES ($1, $2, $3, $4)",
                vec![id.into(), seq.into(), indicator.as_str().into(), target.as_str().into()],
            )
            .await?;
        }
        Ok(())
    }
}

impl Store {
    pub async fn plan_nodes(&self, unit: &str, year: i32) -> Result<Vec<PlanNode>> {
        let q = sqlx::query(
"SELECT n.code, p.code AS parent_code, u.code AS unit_code, n.year, n.kind, n.level_label, n.title, n.sort_order
FROM plan_nodes n JOIN org_units u ON u.id = n.unit_id LEFT JOIN plan_nodes p ON p.id = n.parent_id
WHERE u.code = $1 AND n.year = $2 ORDER BY n.sort_order, n.id",
)
.bind(unit)
.bind(i64::from(year));
        self.read_rows(q, |r| {
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
        .await
    }

    pub async fn milestones(&self, unit: &str) -> Result<Vec<Milestone>> {
        let q = sqlx::query(
            "SELECT m.id, m.horizon, m.sort_order, m.text FROM plan_milestones m JOIN org_units u ON u.id = m.unit_id
WHERE u.code = $1 ORDER BY m.sort_order",
        )
        .bind(unit);
        let rows = self
            .read_rows(q, |r| {
                let m = Milestone {
                    unit: unit.to_string(),
                    horizon: r.try_get("horizon")?,
                    order: r.try_get("sort_order")?,
                    text: r.try_get("text")?,
                    targets: vec![],
                };
                Ok((r.try_get::<i64, _>("id")?, m))
            })
            .await?;
        let mut out = Vec::new();
        for (id, mut m) in rows {
            let q = sqlx::query(
                "SELECT indicator_code, target_text FROM plan_milestone_targets WHERE milestone_id = $1 ORDER BY seq",
            )
            .bind(id);
            m.targets = self.read_rows(q, |r| Ok((r.try_get("indicator_code")?, r.try_get("target_text")?))).await?;
            out.push(m);
        }
        Ok(out)
    }
}
