//! Indicator values (with reported growth) and targets.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::any::AnyRow;
use taizhang_core::indicator::{IndicatorValue, Target};
use taizhang_core::period::Period;
use taizhang_core::quantity::from_scaled;

use crate::bulk::Ids;
use crate::ledger::*;
use crate::{Result, Store, Tx};

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

impl Tx {
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
}

impl Store {
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
}
