//! Indicator values (with reported growth) and targets.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::indicator::{Clears, IndicatorValue, Published, Target, ValueVersion};
use taizhang_core::period::Period;
use taizhang_core::quantity::from_scaled;

use crate::bulk::Ids;
use crate::filter::Filtered;
use crate::ledger::*;
use crate::{Result, Store, Tx};

/// The columns [`value_from_row`] reads, from `indicator_values v` joined to `indicators i`
/// and `org_units u`.
pub(crate) const VALUE_SELECT: &str =
    "SELECT i.code AS indicator, u.code AS unit, v.period, v.value_e4, v.growth_e4, v.note, v.sample, v.vintage,
         v.source, v.caliber, v.price_basis, v.shown_unit, v.shown_decimals, v.growth_decimals
     FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN org_units u ON u.id = v.unit_id";

fn opt_code<T: std::str::FromStr<Err = taizhang_core::DomainError>>(r: &AnyRow, col: &str) -> Result<Option<T>> {
    Ok(r.try_get::<Option<String>, _>(col)?.map(|c| c.parse()).transpose()?)
}

fn opt_u32(r: &AnyRow, col: &str) -> Result<Option<u32>> {
    Ok(r.try_get::<Option<i64>, _>(col)?.and_then(|n| u32::try_from(n).ok()))
}

/// A row of [`VALUE_SELECT`] as a value.
pub(crate) fn value_from_row(r: &AnyRow) -> Result<IndicatorValue> {
    Ok(IndicatorValue {
        indicator: r.try_get("indicator")?,
        unit: r.try_get("unit")?,
        period: r.try_get::<String, _>("period")?.parse()?,
        value: r.try_get::<Option<i64>, _>("value_e4")?.map(from_scaled),
        reported_growth: r.try_get::<Option<i64>, _>("growth_e4")?.map(from_scaled),
        note: r.try_get("note")?,
        sample: r.try_get::<i64, _>("sample")? != 0,
        vintage: opt_code(r, "vintage")?,
        source: r.try_get("source")?,
        caliber: opt_code(r, "caliber")?,
        price_basis: opt_code(r, "price_basis")?,
        published: Published {
            unit: opt_code(r, "shown_unit")?,
            decimals: opt_u32(r, "shown_decimals")?,
            growth_decimals: opt_u32(r, "growth_decimals")?,
        },
        clears: Clears::default(),
    })
}

/// The columns [`target_from_row`] reads, from `targets t` joined to `indicators i` and
/// `org_units u`.
pub(crate) const TARGET_SELECT: &str =
    "SELECT i.code AS indicator, u.code AS unit, t.year, t.level_e4, t.growth_e4, t.qualifier, t.target_text
     FROM targets t JOIN indicators i ON i.id = t.indicator_id JOIN org_units u ON u.id = t.unit_id";

pub(crate) fn target_from_row(r: &AnyRow) -> Result<Target> {
    Ok(Target {
        indicator: r.try_get("indicator")?,
        unit: r.try_get("unit")?,
        year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
        level: r.try_get::<Option<i64>, _>("level_e4")?.map(from_scaled),
        growth: r.try_get::<Option<i64>, _>("growth_e4")?.map(from_scaled),
        bound: opt_code(r, "qualifier")?,
        text: r.try_get("target_text")?,
    })
}

impl Tx {
    /// Writes a value over the stored one (blank fields keep theirs, cleared ones empty),
    /// with a version recorded by `by`.
    pub async fn upsert_value(&mut self, v: &IndicatorValue, by: &str) -> Result<()> {
        let sql = format!("{VALUE_SELECT} WHERE i.code = $1 AND u.code = $2 AND v.period = $3");
        let stored = sqlx::query(AssertSqlSafe(sql))
            .bind(&v.indicator)
            .bind(&v.unit)
            .bind(v.period.key())
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(value_from_row)
            .transpose()?;
        let ids = Ids {
            indicators: HashMap::from([(v.indicator.clone(), indicator_id(self.conn(), &v.indicator).await?)]),
            units: HashMap::from([(v.unit.clone(), unit_id(self.conn(), &v.unit).await?)]),
            ..Ids::default()
        };
        let merged = v.clone().merged_over(stored.as_ref());
        if stored.as_ref() == Some(&merged) {
            return Ok(());
        }
        self.insert_values(std::slice::from_ref(&merged), &ids, by).await
    }

    pub async fn upsert_target(&mut self, t: &Target) -> Result<()> {
        let ind = indicator_id(self.conn(), &t.indicator).await?;
        let unit = unit_id(self.conn(), &t.unit).await?;
        sqlx::query(
            "INSERT INTO targets (indicator_id, unit_id, year, level_e4, growth_e4, qualifier, target_text)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (indicator_id, unit_id, year) DO UPDATE SET level_e4 = excluded.level_e4,
                 growth_e4 = excluded.growth_e4, qualifier = excluded.qualifier, target_text = excluded.target_text",
        )
        .bind(ind)
        .bind(unit)
        .bind(i64::from(t.year))
        .bind(opt_scaled(t.level)?)
        .bind(opt_scaled(t.growth)?)
        // The bound as its word (以上, 左右, 以内), as the column always held it.
        .bind(t.bound.map(|b| b.label_zh().to_string()))
        .bind(t.text.clone())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The value reported for a unit itself (never a roll-up).
    pub async fn value(&self, indicator: &str, unit: &str, period: Period) -> Result<Option<IndicatorValue>> {
        let sql = format!("{VALUE_SELECT} WHERE i.code = $1 AND u.code = $2 AND v.period = $3");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(indicator)
            .bind(unit)
            .bind(period.key())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(value_from_row).transpose()
    }

    /// Every version of an indicator's figures for a unit (of one period, when given),
    /// by period and then oldest first: what each write made it, when, and by whom.
    pub async fn value_history(
        &self,
        indicator: &str,
        unit: &str,
        period: Option<Period>,
    ) -> Result<Vec<ValueVersion>> {
        let q = Filtered::new(
            "SELECT h.period, h.value_e4, h.growth_e4, h.vintage, h.source, h.caliber, h.price_basis, h.withdrawn,
                 h.recorded_by, h.recorded_at
             FROM indicator_value_versions h JOIN indicators i ON i.id = h.indicator_id
             JOIN org_units u ON u.id = h.unit_id
             WHERE i.code = $1 AND u.code = $2",
            vec![indicator.into(), unit.into()],
        )
        .and_eq("h.period", period.map(|p| p.key()))
        .then("ORDER BY h.period, h.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(ValueVersion {
                    period: r.try_get::<String, _>("period")?.parse()?,
                    value: r.try_get::<Option<i64>, _>("value_e4")?.map(from_scaled),
                    reported_growth: r.try_get::<Option<i64>, _>("growth_e4")?.map(from_scaled),
                    vintage: opt_code(r, "vintage")?,
                    source: r.try_get("source")?,
                    caliber: opt_code(r, "caliber")?,
                    price_basis: opt_code(r, "price_basis")?,
                    withdrawn: r.try_get::<i64, _>("withdrawn")? != 0,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    /// The versions' levels of a year's figures in a unit's subtree, in the order written:
    /// (indicator code, unit code, period, level), withdrawn ones as none.
    pub async fn level_versions_of_year(
        &self,
        year: i32,
        scope: &str,
    ) -> Result<Vec<(String, String, Period, Option<Decimal>)>> {
        let q = Filtered::new(
            "SELECT i.code, u.code, h.period, h.value_e4 FROM indicator_value_versions h
             JOIN indicators i ON i.id = h.indicator_id JOIN org_units u ON u.id = h.unit_id
             WHERE (h.period = $1 OR h.period LIKE $2)",
            vec![Period::Year(year).key().into(), format!("{year}%").into()],
        )
        .and_within("h.unit_id", Some(scope))
        .then("ORDER BY h.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get::<String, _>(2)?.parse()?,
                    r.try_get::<Option<i64>, _>(3)?.map(from_scaled),
                ))
            })
            .collect()
    }

    pub async fn target(&self, indicator: &str, unit: &str, year: i32) -> Result<Option<Target>> {
        let sql = format!("{TARGET_SELECT} WHERE i.code = $1 AND u.code = $2 AND t.year = $3");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(indicator)
            .bind(unit)
            .bind(i64::from(year))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(target_from_row).transpose()
    }

    /// An indicator's values for a unit, every period, oldest first.
    pub async fn indicator_series(&self, indicator: &str, unit: &str) -> Result<Vec<IndicatorValue>> {
        let sql = format!("{VALUE_SELECT} WHERE i.code = $1 AND u.code = $2 ORDER BY v.period");
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(indicator).bind(unit).fetch_all(&self.pool).await?;
        rows.iter().map(value_from_row).collect()
    }
}
