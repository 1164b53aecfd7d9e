//! 数据核对: checks that flag figures for a person to look at, never refuse them — parts that
//! do not add up to their total, a unit whose figure differs from the sum of its sub-units',
//! a revision that moves a figure by more than a configured share. Each flag says the gap
//! in the figures' own unit, as a careful office would write it.

use rust_decimal::Decimal;

use crate::config::RuleConfig;
use crate::indicator::{Aggregation, Catalogue, Indicator, IndicatorValue};
use crate::period::Period;
use crate::quantity::format_number;

/// One figure to look at, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub indicator: String,
    pub unit: String,
    pub period: Period,
    pub message: String,
}

fn shown(ind: &Indicator, v: Decimal) -> String {
    ind.unit.format(v, ind.decimals)
}

fn number(ind: &Indicator, v: Decimal) -> String {
    format_number(v / ind.unit.factor(), ind.decimals)
}

/// Parts against their total, for one unit and period: "地区生产总值分项454.31+124.06+40.48=
/// 618.85亿元，合计622.2亿元，相差3.35亿元". Rules whose figures are not all there say nothing.
pub fn parts_flags(values: &[IndicatorValue], catalogue: &Catalogue, rules: &RuleConfig) -> Vec<Flag> {
    let mut out = Vec::new();
    let Some(first) = values.first() else { return out };
    let level = |key: &str| {
        let ind = catalogue.find(key)?;
        values.iter().find(|v| v.indicator == ind.code).and_then(|v| v.value)
    };
    for rule in &rules.parts {
        let (Some(ind), Some(total)) = (catalogue.find(&rule.total), level(&rule.total)) else { continue };
        let Some(parts) = rule.parts.iter().map(|p| level(p)).collect::<Option<Vec<Decimal>>>() else { continue };
        let sum: Decimal = parts.iter().sum();
        let allowed = total.abs() * rule.tolerance_pct / Decimal::ONE_HUNDRED;
        if (sum - total).abs() > allowed {
            let terms: Vec<String> = parts.iter().map(|p| number(ind, *p)).collect();
            out.push(Flag {
                indicator: ind.name.clone(),
                unit: first.unit.clone(),
                period: first.period,
                message: format!(
                    "{}分项{}={}，合计{}，相差{}",
                    ind.name,
                    terms.join("+"),
                    shown(ind, sum),
                    shown(ind, total),
                    shown(ind, (total - sum).abs())
                ),
            });
        }
    }
    out
}

/// A unit's own figure against its sub-units': "8个镇街中5个已报，合计2500人；县报3310人".
/// Flagged when the sub-units' sum differs by more than the tolerance, or when not all have
/// reported (the sum cannot yet be compared). Only summed indicators have a sum to compare.
#[allow(clippy::too_many_arguments)]
pub fn subunit_flag(
    ind: &Indicator,
    unit: &str,
    period: Period,
    own: Decimal,
    reported: usize,
    subunits: usize,
    sum: Decimal,
    rules: &RuleConfig,
) -> Option<Flag> {
    if ind.aggregation != Aggregation::Sum || reported == 0 {
        return None;
    }
    let allowed = own.abs() * rules.subunit_tolerance_pct / Decimal::ONE_HUNDRED;
    let complete = reported == subunits;
    if complete && (sum - own).abs() <= allowed {
        return None;
    }
    let gap = if complete { format!("，相差{}", shown(ind, (own - sum).abs())) } else { String::new() };
    Some(Flag {
        indicator: ind.name.clone(),
        unit: unit.to_string(),
        period,
        message: format!(
            "{}：{subunits}个下级单位中{reported}个已报，合计{}；本级报{}{gap}",
            ind.name,
            shown(ind, sum),
            shown(ind, own)
        ),
    })
}

/// A revision beyond the configured share: "社会消费品零售总额由474亿元修订为470亿元（-0.84%）".
pub fn revision_flag(
    ind: &Indicator,
    unit: &str,
    period: Period,
    before: Decimal,
    after: Decimal,
    rules: &RuleConfig,
) -> Option<Flag> {
    let limit = rules.revision_flag_pct?;
    if before.is_zero() {
        return None;
    }
    let change = (after - before) / before.abs() * Decimal::ONE_HUNDRED;
    (change.abs() > limit).then(|| Flag {
        indicator: ind.name.clone(),
        unit: unit.to_string(),
        period,
        message: format!(
            "{}由{}修订为{}（{}{}%，超过{}%）",
            ind.name,
            shown(ind, before),
            shown(ind, after),
            if change.is_sign_positive() { "+" } else { "" },
            format_number(change, 2),
            format_number(limit, 2)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PartsRule;
    use crate::test_support::d;

    #[test]
    fn hanzhong_parts_that_miss_their_total_are_flagged_with_the_gap() {
        // 汉中 1-8月: 三次产业 454.31 + 124.06 + 40.48 = 618.85 against 622.2 (亿元).
        let c = Catalogue::standard().unwrap();
        let rules = RuleConfig {
            parts: vec![PartsRule {
                total: "GDP".into(),
                parts: vec!["FAI".into(), "IVA".into(), "RSCG".into()],
                tolerance_pct: d("0.1"),
            }],
            ..RuleConfig::default()
        };
        let v = |code: &str, yi: &str| {
            let ind = c.find(code).unwrap();
            IndicatorValue::new(ind, "hz", Period::Month(2018, 8), Some(d(yi) * d("100000000")), None).unwrap()
        };
        let values = [v("GDP", "622.2"), v("FAI", "454.31"), v("IVA", "124.06"), v("RSCG", "40.48")];
        let flags = parts_flags(&values, &c, &rules);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].message, "地区生产总值分项454.31+124.06+40.48=618.85亿元，合计622.2亿元，相差3.35亿元");
        let fine = [v("GDP", "618.85"), v("FAI", "454.31"), v("IVA", "124.06"), v("RSCG", "40.48")];
        assert!(parts_flags(&fine, &c, &rules).is_empty());
    }

    #[test]
    fn a_county_beside_its_towns_and_a_large_revision_are_flagged() {
        let c = Catalogue::standard().unwrap();
        let people =
            c.indicators.iter().find(|i| i.unit.base_symbol() == "人" && i.aggregation == Aggregation::Sum).unwrap();
        let rules = RuleConfig::default();
        let p = Period::Year(2018);
        let flag = subunit_flag(people, "县", p, d("3310"), 5, 8, d("2500"), &rules).unwrap();
        assert_eq!(flag.message, format!("{}：8个下级单位中5个已报，合计2500人；本级报3310人", people.name));
        let off = subunit_flag(people, "县", p, d("3310"), 8, 8, d("3250"), &rules).unwrap();
        assert!(off.message.ends_with("合计3250人；本级报3310人，相差60人"), "{}", off.message);
        assert!(subunit_flag(people, "县", p, d("3310"), 8, 8, d("3290"), &rules).is_none(), "within 1% (33.1人)");
        let retail = c.find("RSCG").unwrap();
        let yi = d("100000000");
        assert!(revision_flag(retail, "erqi", p, d("474") * yi, d("470") * yi, &rules).is_none(), "under 5%");
        let big = revision_flag(retail, "erqi", p, d("474") * yi, d("430") * yi, &rules).unwrap();
        assert_eq!(big.message, "社会消费品零售总额由474亿元修订为430亿元（-9.28%，超过5%）");
    }
}
