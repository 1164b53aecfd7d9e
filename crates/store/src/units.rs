//! Org units: the tree every figure belongs to.

use sqlx::Row;
use sqlx::any::AnyRow;
use taizhang_core::codes::UnitCode;
use taizhang_core::org::{OrgTree, OrgUnit};

use crate::ledger::*;
use crate::{Result, Store, StoreError, Tx};

pub(crate) fn unit_from_row(r: &AnyRow) -> Result<OrgUnit> {
    Ok(OrgUnit {
        code: UnitCode::parse(&r.try_get::<String, _>("code")?)?,
        name: r.try_get("name")?,
        kind: r.try_get::<String, _>("kind")?.parse()?,
        parent: r.try_get("parent_code")?,
    })
}

impl Tx {
    /// Inserts or updates a unit by code; its parent must exist already.
    pub async fn upsert_unit(&mut self, unit: &OrgUnit, order: i64) -> Result<i64> {
        // Every server's cached tree is stale once this commits.
        sqlx::query("UPDATE ledger_version SET units_version = units_version + 1 WHERE id = 1")
            .execute(self.conn())
            .await?;
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
}
