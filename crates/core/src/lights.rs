//! 红黄绿灯: each project, task, indicator and 督办 order lit by configurable rules, every
//! light with its reason in words ("1-8月完成年计划52%，落后序时进度14.7个百分点").

use std::fmt;

use rust_decimal::Decimal;

use crate::config::LightConfig;
use crate::period::Period;
use crate::project::{Date, completion_pct, lag_pp};
use crate::quantity::format_number;

coded_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Light ("灯色") {
        Green = "green" / "绿灯",
        Yellow = "yellow" / "黄灯",
        Red = "red" / "红灯",
    }
}

impl fmt::Display for Light {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// A light and why it is lit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lit {
    pub light: Light,
    pub reason: String,
}

impl Lit {
    fn new(light: Light, reason: impl Into<String>) -> Self {
        Self { light, reason: reason.into() }
    }

    /// The worse of two lights, with both reasons when both matter.
    pub fn worst(self, other: Lit) -> Lit {
        match self.light.cmp(&other.light) {
            std::cmp::Ordering::Less => other,
            std::cmp::Ordering::Greater => self,
            std::cmp::Ordering::Equal if self.light == Light::Green => self,
            std::cmp::Ordering::Equal => Lit::new(self.light, format!("{}；{}", self.reason, other.reason)),
        }
    }
}

/// "1-8月" (or "1月"): the year-to-date span prose uses inside a year.
pub fn span(period: Period) -> String {
    match period.month_of_year() {
        1 => "1月".to_string(),
        m => format!("1-{m}月"),
    }
}

/// "超序时进度3.3个百分点" / "落后序时进度…" / "与序时进度持平".
pub fn lag_words(lag: Decimal) -> String {
    lag_words_with(lag, "序时进度")
}

/// [`lag_words`] in the office's own word for the pace: 序时进度, 时间进度, 均衡进度.
pub fn lag_words_with(lag: Decimal, pace: &str) -> String {
    if lag.is_zero() {
        format!("与{pace}持平")
    } else if lag.is_sign_negative() {
        format!("落后{pace}{}个百分点", format_number(-lag, 1))
    } else {
        format!("超{pace}{}个百分点", format_number(lag, 1))
    }
}

fn by_lag(lag: Decimal, cfg: &LightConfig) -> Light {
    if lag >= cfg.yellow_below_pp {
        Light::Green
    } else if lag >= cfg.red_below_pp {
        Light::Yellow
    } else {
        Light::Red
    }
}

fn months_between(from: Period, to: Period) -> i64 {
    let index = |p: Period| i64::from(p.year()) * 12 + i64::from(p.month_of_year());
    index(to) - index(from)
}

/// What a project's light is judged on at the end of a period.
#[derive(Debug, Clone, Copy)]
pub struct ProjectStatus {
    pub period: Period,
    pub planned_wan: Option<Decimal>,
    /// 年初至报告期累计 as of the period: the latest reported in the year, carried forward
    /// when the period's month was not reported; none when nothing was reported this year.
    pub ytd_wan: Option<Decimal>,
    /// The month `ytd_wan` was reported for.
    pub reported: Option<Period>,
    /// The project's own planned share of the year by this period (0..1), when it has a
    /// monthly plan; else 序时进度 m/12.
    pub own_time_progress: Option<Decimal>,
    pub planned_start: Option<Date>,
    pub actual_start: Option<Date>,
}

pub fn project_light(s: &ProjectStatus, cfg: &LightConfig) -> Lit {
    let mut lit = Lit::new(Light::Green, "按计划推进");
    if s.actual_start.is_none()
        && let Some(start) = s.planned_start
    {
        let late = months_between(start.month_period(), s.period.closing_month());
        if late >= i64::from(cfg.not_started_red_months) {
            lit = Lit::new(Light::Red, format!("计划{}年{}月开工，逾期{late}个月仍未开工", start.year, start.month));
        } else if late >= 0 {
            lit = Lit::new(Light::Yellow, format!("计划{}年{}月开工，尚未开工", start.year, start.month));
        }
    }
    let Some(plan) = s.planned_wan.filter(|p| !p.is_zero()) else { return lit };
    let (Some(ytd), Some(reported)) = (s.ytd_wan, s.reported) else {
        return lit.worst(Lit::new(Light::Yellow, format!("{}未报送进度", span(s.period))));
    };
    let pct = completion_pct(ytd, plan).unwrap_or_default();
    // A month not reported is judged on the last report against that month's schedule, and
    // is at least yellow for the missing report.
    let carried = reported != s.period.closing_month();
    let tp = match s.own_time_progress {
        Some(own) if !carried => own,
        _ => reported.time_progress(),
    };
    let lag = lag_pp(pct, tp);
    let progress = format!("{}完成年计划{}%，{}", span(reported), format_number(pct, 1), lag_words(lag));
    let by_progress = if carried {
        let light = by_lag(lag, cfg).max(Light::Yellow);
        Lit::new(light, format!("{}月未报；{progress}", s.period.month_of_year()))
    } else {
        Lit::new(by_lag(lag, cfg), progress)
    };
    if lit.light == Light::Green { by_progress } else { lit.worst(by_progress) }
}

/// A key task on `today`: past its deadline and not done is red; within the warning days and
/// under the warning percentage, yellow.
pub fn task_light(today: Date, deadline: Option<Date>, percent: Option<Decimal>, done: bool, cfg: &LightConfig) -> Lit {
    if done {
        return Lit::new(Light::Green, "已完成");
    }
    let Some(deadline) = deadline else { return Lit::new(Light::Green, "未设完成时限") };
    let days = deadline.unix_days() - today.unix_days();
    let pct = percent.map(|p| format!("，完成{}%", format_number(p, 1))).unwrap_or_default();
    if days < 0 {
        Lit::new(Light::Red, format!("已超过完成时限（{deadline}）{}天，尚未完成{pct}", -days))
    } else if days <= cfg.task_yellow_days && percent.is_none_or(|p| p < cfg.task_yellow_below_pct) {
        Lit::new(Light::Yellow, format!("距完成时限（{deadline}）还有{days}天{pct}"))
    } else {
        Lit::new(Light::Green, format!("按期推进{pct}"))
    }
}

/// An indicator's light when both its level and its level target are known.
pub fn value_light(
    period: Period,
    value: Option<&crate::indicator::IndicatorValue>,
    target: Option<&crate::indicator::Target>,
    cfg: &LightConfig,
) -> Option<Lit> {
    let target = target?;
    // Words are judged by people; a ceiling (以内) is not a pace to keep up with.
    if target.text.is_some() || target.bound == Some(crate::indicator::Bound::AtMost) {
        return None;
    }
    indicator_light(period, value?.value?, target.level?, cfg)
}

/// A flow indicator's year-to-date value against its annual target × 序时进度.
pub fn indicator_light(period: Period, value: Decimal, target: Decimal, cfg: &LightConfig) -> Option<Lit> {
    let pct = completion_pct(value, target)?;
    let lag = lag_pp(pct, period.time_progress());
    let reason = format!("{}完成年度目标{}%，{}", span(period), format_number(pct, 1), lag_words(lag));
    let light = if lag >= Decimal::ZERO {
        Light::Green
    } else if lag >= -cfg.indicator_red_pp {
        Light::Yellow
    } else {
        Light::Red
    };
    Some(Lit::new(light, reason))
}

/// A 督办 order on `today`.
pub fn order_light(today: Date, deadline: Date, closed: bool, cfg: &LightConfig) -> Lit {
    let days = deadline.unix_days() - today.unix_days();
    if closed {
        Lit::new(Light::Green, "已办结")
    } else if days < 0 {
        Lit::new(Light::Red, format!("已超过办理时限（{deadline}）{}天", -days))
    } else if days <= cfg.order_yellow_days {
        Lit::new(Light::Yellow, format!("{days}天后到期（{deadline}）"))
    } else {
        Lit::new(Light::Green, format!("办理中，时限{deadline}"))
    }
}

/// What a lit item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WarningKind {
    Project,
    Task,
    Indicator,
    Order,
}

impl WarningKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            WarningKind::Project => "重点项目",
            WarningKind::Task => "重点工作",
            WarningKind::Indicator => "指标",
            WarningKind::Order => "督办",
        }
    }
}

/// One lit item of a unit's subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub lit: Lit,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    fn status(month: u8, plan: &str, ytd: Option<&str>) -> ProjectStatus {
        ProjectStatus {
            period: Period::Month(2018, month),
            planned_wan: Some(d(plan)),
            ytd_wan: ytd.map(d),
            reported: ytd.map(|_| Period::Month(2018, month)),
            own_time_progress: None,
            planned_start: Date::new(2018, 1, 1).ok(),
            actual_start: Date::new(2018, 1, 10).ok(),
        }
    }

    #[test]
    fn projects_are_lit_by_their_lag_behind_time_progress() {
        let cfg = LightConfig::default();
        let cases = [
            (8, "100", "74", Light::Green, "1-8月完成年计划74%，超序时进度7.3个百分点"),
            (3, "100", "30.90", Light::Green, "1-3月完成年计划30.9%，超序时进度5.9个百分点"),
            (8, "100", "52", Light::Yellow, "1-8月完成年计划52%，落后序时进度14.7个百分点"),
            (6, "100", "40", Light::Green, "1-6月完成年计划40%，落后序时进度10个百分点"),
            (6, "100", "20", Light::Yellow, "1-6月完成年计划20%，落后序时进度30个百分点"),
            (6, "100", "19.9", Light::Red, "1-6月完成年计划19.9%，落后序时进度30.1个百分点"),
            (12, "100", "100", Light::Green, "1-12月完成年计划100%，与序时进度持平"),
        ];
        for (month, plan, ytd, light, reason) in cases {
            let lit = project_light(&status(month, plan, Some(ytd)), &cfg);
            assert_eq!((lit.light, lit.reason.as_str()), (light, reason), "month {month} at {ytd}");
        }
    }

    #[test]
    fn a_month_not_reported_is_judged_on_the_last_total_and_never_green() {
        let cfg = LightConfig::default();
        let carried = ProjectStatus { reported: Some(Period::Month(2018, 8)), ..status(9, "100", Some("80")) };
        let lit = project_light(&carried, &cfg);
        assert_eq!(
            (lit.light, lit.reason.as_str()),
            (Light::Yellow, "9月未报；1-8月完成年计划80%，超序时进度13.3个百分点")
        );
        let behind = ProjectStatus { reported: Some(Period::Month(2018, 8)), ..status(9, "100", Some("30")) };
        assert_eq!(project_light(&behind, &cfg).light, Light::Red, "carried and far behind stays red");
    }

    #[test]
    fn a_project_of_its_own_monthly_plan_is_measured_against_it() {
        let cfg = LightConfig::default();
        let s = ProjectStatus { own_time_progress: Some(d("0.2")), ..status(6, "100", Some("20")) };
        assert_eq!(project_light(&s, &cfg).light, Light::Green);
    }

    #[test]
    fn projects_not_started_are_yellow_then_red_three_months_on() {
        let cfg = LightConfig::default();
        let late = |month| ProjectStatus {
            planned_start: Date::new(2018, 3, 1).ok(),
            actual_start: None,
            ..status(month, "100", Some("100"))
        };
        assert_eq!(project_light(&late(2), &cfg).light, Light::Green, "not due yet");
        let yellow = project_light(&late(3), &cfg);
        assert_eq!((yellow.light, yellow.reason.as_str()), (Light::Yellow, "计划2018年3月开工，尚未开工"));
        assert_eq!(project_light(&late(5), &cfg).light, Light::Yellow);
        let red = project_light(&late(6), &cfg);
        assert_eq!((red.light, red.reason.as_str()), (Light::Red, "计划2018年3月开工，逾期3个月仍未开工"));
        let unreported = project_light(&status(4, "100", None), &cfg);
        assert_eq!((unreported.light, unreported.reason.as_str()), (Light::Yellow, "1-4月未报送进度"));
    }

    #[test]
    fn tasks_are_lit_by_deadline_and_completion() {
        let cfg = LightConfig::default();
        let today = Date::new(2018, 6, 25).unwrap();
        let day = |m, d| Date::new(2018, m, d).ok();
        let cases = [
            (day(6, 20), Some("90"), false, Light::Red, "已超过完成时限（2018-06-20）5天，尚未完成，完成90%"),
            (day(6, 30), Some("50"), false, Light::Yellow, "距完成时限（2018-06-30）还有5天，完成50%"),
            (day(6, 30), Some("85"), false, Light::Green, "按期推进，完成85%"),
            (day(9, 30), Some("10"), false, Light::Green, "按期推进，完成10%"),
            (day(6, 1), None, true, Light::Green, "已完成"),
        ];
        for (deadline, pct, done, light, reason) in cases {
            let lit = task_light(today, deadline, pct.map(d), done, &cfg);
            assert_eq!((lit.light, lit.reason.as_str()), (light, reason));
        }
    }

    #[test]
    fn indicators_below_target_times_time_progress_are_yellow_then_red() {
        let cfg = LightConfig::default();
        let p = Period::Month(2018, 6);
        let lit = |v: &str| indicator_light(p, d(v), d("100"), &cfg).unwrap();
        assert_eq!(lit("50").light, Light::Green);
        assert_eq!(lit("45").light, Light::Yellow);
        assert_eq!(lit("40").light, Light::Yellow);
        assert_eq!(lit("39.9").light, Light::Red);
        assert_eq!(lit("39.9").reason, "1-6月完成年度目标39.9%，落后序时进度10.1个百分点");
        assert!(indicator_light(p, d("1"), d("0"), &cfg).is_none());
    }

    #[test]
    fn orders_are_lit_by_their_deadline() {
        let cfg = LightConfig::default();
        let today = Date::new(2018, 6, 25).unwrap();
        assert_eq!(order_light(today, Date::new(2018, 6, 24).unwrap(), false, &cfg).light, Light::Red);
        assert_eq!(order_light(today, Date::new(2018, 6, 28).unwrap(), false, &cfg).light, Light::Yellow);
        assert_eq!(order_light(today, Date::new(2018, 7, 28).unwrap(), false, &cfg).light, Light::Green);
        assert_eq!(order_light(today, Date::new(2018, 6, 1).unwrap(), true, &cfg).light, Light::Green);
    }
}
