//! Honours and rankings, by unit and year.

use sqlx::Row;

use crate::ledger::*;
use crate::{Result, Store, Tx};

impl Tx {
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
}

impl Store {
    /// A unit's honours of the years `from..=to`, in the order they were recorded.
    pub async fn honours(&self, unit: &str, from: i32, to: i32) -> Result<Vec<taizhang_core::honour::Honour>> {
        let q = sqlx::query(
"SELECT h.year, h.scope, h.subject, h.item, h.kind, h.result FROM honours h JOIN org_units u ON u.id = h.unit_id
WHERE u.code = $1 AND h.year >= $2 AND h.year <= $3 ORDER BY h.year, h.id",
)
.bind(unit)
.bind(i64::from(from))
.bind(i64::from(to));
        self.read_rows(q, |r| {
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
        .await
    }
}
