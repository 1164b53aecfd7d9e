//! Validation rules run on submission. Each failure says which rule and why, in words a
//! reporter can answer in a 说明.

use rust_decimal::Decimal;

use crate::config::RuleConfig;
use crate::indicator::{Catalogue, IndicatorValue};
use crate::project::MonthlyProgress;
use crate::quantity::format_number;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    pub rule: &'static str,
    pub message: String,
}

fn fail(rule: &'static str, message: String) -> RuleFailure {
    RuleFailure { rule, message }
}

/// What a month's project report is checked against.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProgressHistory<'a> {
    /// Last month's report of the same year (none in January or when missing).
    pub previous_month: Option<&'a MonthlyProgress>,
    /// The same month last year.
    pub same_month_last_year: Option<&'a MonthlyProgress>,
    pub total_investment_wan: Option<Decimal>,
}

/// How a month's 年初至报告期累计 breaks the rule against the month before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YtdBreak {
    /// It went down.
    Decreased,
    /// It is not last month's plus this month's (this month's amount inside), beyond the
    /// configured rounding tolerance.
    NotPreviousPlusMonth(Decimal),
}

/// The one YTD rule, for forms and imported workbooks alike: `ytd` against the month before
/// (`previous`, zero in January) and this month's amount, under the jurisdiction's settings.
pub fn ytd_break(previous: Decimal, month: Option<Decimal>, ytd: Decimal, cfg: &RuleConfig) -> Option<YtdBreak> {
    if cfg.ytd_never_decreases && ytd < previous {
        return Some(YtdBreak::Decreased);
    }
    match month {
        Some(m) if cfg.ytd_is_previous_plus_month && (previous + m - ytd).abs() > cfg.ytd_tolerance_wan => {
            Some(YtdBreak::NotPreviousPlusMonth(m))
        }
        _ => None,
    }
}

pub fn check_progress(p: &MonthlyProgress, history: ProgressHistory<'_>, cfg: &RuleConfig) -> Vec<RuleFailure> {
    let mut out = Vec::new();
    let month = p.period.month_of_year();
    let previous_ytd = if month == 1 { Some(Decimal::ZERO) } else { history.previous_month.map(|m| m.ytd_wan) };
    if let Some(prev) = previous_ytd {
        match ytd_break(prev, p.month_wan, p.ytd_wan, cfg) {
            Some(YtdBreak::Decreased) => out.push(fail(
                "ytd_never_decreases",
                format!("年初至报告期累计{}万元低于上月的{}万元", format_number(p.ytd_wan, 4), format_number(prev, 4)),
            )),
            Some(YtdBreak::NotPreviousPlusMonth(m)) => out.push(fail(
                "ytd_is_previous_plus_month",
                format!(
                    "年初至报告期累计{}万元不等于上月累计{}万元加当月{}万元",
                    format_number(p.ytd_wan, 4),
                    format_number(prev, 4),
                    format_number(m, 4)
                ),
            )),
            None => {}
        }
    }
    if let Some(limit) = cfg.swing_pct
        && let Some(this) = p.month_wan
    {
        let comparisons = [("上月", history.previous_month), ("上年同月", history.same_month_last_year)];
        for (label, other) in comparisons {
            let Some(before) = other.and_then(|o| o.month_wan).filter(|b| !b.is_zero()) else { continue };
            let swing = (this - before) / before * Decimal::ONE_HUNDRED;
            if swing.abs() > limit {
                out.push(fail(
                    "swing",
                    format!(
                        "当月完成投资{}万元较{}（{}万元）变动{}%，超过{}%",
                        format_number(this, 4),
                        label,
                        format_number(before, 4),
                        format_number(swing, 1),
                        format_number(limit, 2)
                    ),
                ));
            }
        }
    }
    if cfg.since_start_within_total
        && let (Some(s), Some(total)) = (p.since_start_wan, history.total_investment_wan)
        && s > total
    {
        out.push(fail(
            "since_start_within_total",
            format!("开工至报告期累计{}万元超过总投资{}万元", format_number(s, 4), format_number(total, 4)),
        ));
    }
    out
}

/// Parts that must add up to their total, among one unit's values for one period.
pub fn check_parts(values: &[IndicatorValue], catalogue: &Catalogue, cfg: &RuleConfig) -> Vec<RuleFailure> {
    let mut out = Vec::new();
    let level = |key: &str| {
        let code = catalogue.find(key).map(|i| i.code.clone())?;
        values.iter().find(|v| v.indicator == code).and_then(|v| v.value)
    };
    for rule in &cfg.parts {
        let Some(total) = level(&rule.total) else { continue };
        let parts: Option<Vec<Decimal>> = rule.parts.iter().map(|p| level(p)).collect();
        let Some(parts) = parts else { continue };
        let sum: Decimal = parts.iter().sum();
        let allowed = total.abs() * rule.tolerance_pct / Decimal::ONE_HUNDRED;
        if (sum - total).abs() > allowed {
            let name = catalogue.find(&rule.total).map_or(rule.total.as_str(), |i| i.name.as_str());
            out.push(fail(
                "parts_sum",
                format!("{name}的分项之和{}与合计{}不符", format_number(sum, 4), format_number(total, 4)),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PartsRule;
    use crate::period::Period;
    use crate::test_support::d;

    fn report(month: u8, amount: Option<&str>, ytd: &str, since_start: Option<&str>) -> MonthlyProgress {
        MonthlyProgress {
            project: "P".into(),
            period: Period::Month(2018, month),
            month_wan: amount.map(d),
            ytd_wan: d(ytd),
            since_start_wan: since_start.map(d),
            image_progress: String::new(),
            problems: String::new(),
        }
    }

    fn rules_of(failures: &[RuleFailure]) -> Vec<&str> {
        failures.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn each_rule_fails_on_its_own_case() {
        let cfg = RuleConfig::default();
        let may = report(5, Some("100"), "500", Some("900"));
        let history = ProgressHistory {
            previous_month: Some(&may),
            same_month_last_year: None,
            total_investment_wan: Some(d("1000")),
        };
        let cases: [(MonthlyProgress, &[&str]); 6] = [
            (report(6, Some("100"), "600", Some("1000")), &[]),
            (report(6, Some("100"), "450", None), &["ytd_never_decreases"]),
            (report(6, Some("100"), "650", None), &["ytd_is_previous_plus_month"]),
            (report(6, Some("131"), "631", None), &["swing"]),
            (report(6, Some("100"), "600", Some("1000.01")), &["since_start_within_total"]),
            (report(6, Some("100.005"), "600", None), &[]),
        ];
        for (p, want) in cases {
            assert_eq!(rules_of(&check_progress(&p, history, &cfg)), want, "{p:?}");
        }
        let jan = report(1, Some("10"), "20", None);
        assert_eq!(rules_of(&check_progress(&jan, ProgressHistory::default(), &cfg)), ["ytd_is_previous_plus_month"]);
        let last_year = report(6, Some("50"), "300", None);
        let h = ProgressHistory { same_month_last_year: Some(&last_year), ..ProgressHistory::default() };
        let failures = check_progress(&report(6, Some("100"), "600", None), h, &cfg);
        assert_eq!(rules_of(&failures), ["swing"]);
        assert!(failures[0].message.contains("上年同月") && failures[0].message.contains("100%"), "{failures:?}");
        let off = RuleConfig { swing_pct: None, ..RuleConfig::default() };
        assert!(check_progress(&report(6, Some("100"), "600", None), h, &off).is_empty());
    }

    #[test]
    fn parts_must_add_up_to_their_total() {
        let c = Catalogue::standard().unwrap();
        let cfg = RuleConfig {
            parts: vec![PartsRule {
                total: "GDP".into(),
                parts: vec!["GPBR".into(), "FAI".into()],
                tolerance_pct: d("1"),
            }],
            ..RuleConfig::default()
        };
        let v = |code: &str, value: &str| {
            IndicatorValue::new(c.find(code).unwrap(), "u", Period::Month(2018, 6), Some(d(value)), None).unwrap()
        };
        assert!(check_parts(&[v("GDP", "100"), v("GPBR", "40"), v("FAI", "60.5")], &c, &cfg).is_empty());
        let bad = check_parts(&[v("GDP", "100"), v("GPBR", "40"), v("FAI", "50")], &c, &cfg);
        assert_eq!(rules_of(&bad), ["parts_sum"]);
        assert!(bad[0].message.contains("地区生产总值"));
        assert!(
            check_parts(&[v("GDP", "100"), v("GPBR", "40")], &c, &cfg).is_empty(),
            "a missing part is not a failure"
        );
    }
}
