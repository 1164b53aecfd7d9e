//! Honours and rankings, by unit and year.

use sqlx::{AssertSqlSafe, Row};
use taizhang_core::honour::{Honour, HonourKind};

use crate::filter::Filtered;
use crate::ledger::*;
use crate::{Result, Store, Tx};

impl Tx {
    pub async fn upsert_honour(&mut self, h: &Honour) -> Result<()> {
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
}

/// The columns [`honour_from_row`] reads, from `honours h` joined to `org_units u`.
const HONOUR_SELECT: &str = "SELECT u.code AS unit, h.year, h.scope, h.subject, h.item, h.kind, h.result
     FROM honours h JOIN org_units u ON u.id = h.unit_id";

fn honour_from_row(r: &sqlx::any::AnyRow) -> Result<Honour> {
    Ok(Honour {
        unit: r.try_get("unit")?,
        year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
        scope: r.try_get("scope")?,
        subject: r.try_get("subject")?,
        item: r.try_get("item")?,
        kind: HonourKind::from_parts(&r.try_get::<String, _>("kind")?, &r.try_get::<String, _>("result")?)?,
    })
}

impl Store {
    /// The honours of a year in a unit's subtree (every unit when none), for export.
    pub async fn honours_of_year(&self, year: i32, scope: Option<&str>) -> Result<Vec<Honour>> {
        let q = Filtered::new(format!("{HONOUR_SELECT} WHERE h.year = $1"), vec![i64::from(year).into()])
            .and_within("h.unit_id", scope)
            .then("ORDER BY u.sort_order, u.id, h.id");
        self.read_rows(q.query(), honour_from_row).await
    }

    /// A unit's honours of the years `from..=to`, in the order they were recorded.
    pub async fn honours(&self, unit: &str, from: i32, to: i32) -> Result<Vec<Honour>> {
        let sql = format!("{HONOUR_SELECT} WHERE u.code = $1 AND h.year >= $2 AND h.year <= $3 ORDER BY h.year, h.id");
        let q = sqlx::query(AssertSqlSafe(sql)).bind(unit).bind(i64::from(from)).bind(i64::from(to));
        self.read_rows(q, honour_from_row).await
    }
}
