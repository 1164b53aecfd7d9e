//! The indicator catalogue: report sections and indicators with their aliases.

use std::collections::HashMap;

use sqlx::Row;
use taizhang_core::codes::IndicatorCode;
use taizhang_core::indicator::{Catalogue, Indicator, Phrasing, Section};
use taizhang_core::quantity::MeasureUnit;

use crate::{Result, Store, Tx};

impl Tx {
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
        let aliases = ind.aliases.iter().map(String::as_str);
        self.replace_children("indicator_aliases", "indicator_id", id, "alias", aliases).await?;
        Ok(id)
    }
}

impl Store {
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
}
