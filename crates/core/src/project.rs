//! Key projects (重点项目): master record, responsibility (三定), yearly plan, monthly
//! progress, milestones and problems; and the 序时进度 lag.
//!
//! Project money is kept in 万元, the unit every project ledger uses.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::codes::ProjectCode;
use crate::error::DomainError;
use crate::period::Period;

const UNIX_EPOCH: jiff::civil::Date = jiff::civil::Date::constant(1970, 1, 1);

/// A calendar date, validated (no 2018-02-30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DomainError> {
        let bad = || DomainError::Date { value: format!("{year}-{month:02}-{day:02}") };
        if !(1900..=2200).contains(&year) {
            return Err(bad());
        }
        let (y, m, d) = (i16::try_from(year), i8::try_from(month), i8::try_from(day));
        let (Ok(y), Ok(m), Ok(d)) = (y, m, d) else { return Err(bad()) };
        jiff::civil::Date::new(y, m, d).map(Self::from_civil).map_err(|_| bad())
    }

    fn from_civil(d: jiff::civil::Date) -> Self {
        Self { year: i32::from(d.year()), month: d.month() as u8, day: d.day() as u8 }
    }

    /// The same day as jiff's civil date (fields were validated on the way in).
    fn civil(self) -> jiff::civil::Date {
        jiff::civil::Date::new(self.year as i16, self.month as i8, self.day as i8).unwrap_or(UNIX_EPOCH)
    }

    /// `2018-03-01`, `2018/3/1`, `2018.3.1`, `2018年3月1日`; `2018-03` means the month's first day.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::Date { value: text.to_string() };
        let t = text.trim().replace(['/', '.', '年', '月'], "-").replace('日', "");
        let parts: Vec<&str> = t.split('-').filter(|p| !p.is_empty()).collect();
        let num = |s: &str| s.parse::<u32>().map_err(|_| bad());
        let (y, m, d) = match parts.as_slice() {
            [y, m, d] => (num(y)?, num(m)?, num(d)?),
            [y, m] => (num(y)?, num(m)?, 1),
            _ => return Err(bad()),
        };
        let (Ok(y), Ok(m), Ok(d)) = (i32::try_from(y), u8::try_from(m), u8::try_from(d)) else {
            return Err(bad());
        };
        Self::new(y, m, d).map_err(|_| bad())
    }

    /// The date `days` after 1970-01-01 (negative: before).
    pub fn from_unix_days(days: i64) -> Result<Self, DomainError> {
        let bad = || DomainError::Date { value: days.to_string() };
        let hours = days.checked_mul(24).ok_or_else(bad)?;
        let d = UNIX_EPOCH.checked_add(jiff::SignedDuration::from_hours(hours)).map_err(|_| bad())?;
        Self::new(i32::from(d.year()), d.month() as u8, d.day() as u8).map_err(|_| bad())
    }

    /// ISO-8601 UTC text (`2026-11-27T04:22:27Z`) of a moment given in seconds since 1970:
    /// text that sorts as time does, for audit columns and session expiry.
    pub fn iso_timestamp(unix_seconds: u64) -> String {
        let second = i64::try_from(unix_seconds).unwrap_or(i64::MAX);
        jiff::Timestamp::from_second(second).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_string()
    }

    /// Days since 1970-01-01 (the inverse of [`Date::from_unix_days`]).
    pub fn unix_days(self) -> i64 {
        self.civil().duration_since(UNIX_EPOCH).as_hours() / 24
    }

    /// The date `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Result<Self, DomainError> {
        Self::from_unix_days(self.unix_days() + days)
    }

    /// The ISO 8601 week (year, week) the day falls in: the week's Thursday names its year.
    pub fn iso_week(self) -> (i32, u8) {
        let w = self.civil().iso_week_date();
        (i32::from(w.year()), w.week() as u8)
    }

    /// The Monday of an ISO 8601 week, if the year has that week.
    pub fn iso_week_monday(year: i32, week: u8) -> Option<Self> {
        let (y, w) = (i16::try_from(year).ok()?, i8::try_from(week).ok()?);
        jiff::civil::ISOWeekDate::new(y, w, jiff::civil::Weekday::Monday).ok().map(|d| Self::from_civil(d.date()))
    }

    /// The last day of the month a period closes with (2018-06 → 2018-06-30).
    pub fn end_of(period: Period) -> Self {
        let p = period.closing_month();
        let first = Date { year: p.year(), month: p.month_of_year(), day: 1 };
        Self::from_civil(first.civil().last_of_month())
    }

    /// An Excel date serial (1900 system: serial 1 is 1900-01-01; 25569 is 1970-01-01).
    pub fn from_excel_serial(serial: i64) -> Result<Self, DomainError> {
        if !(61..=2_958_465).contains(&serial) {
            return Err(DomainError::Date { value: serial.to_string() });
        }
        Self::from_unix_days(serial - 25_569)
    }

    pub fn month_period(self) -> Period {
        Period::Month(self.year, self.month)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

coded_enum! {
    /// 建设性质.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Nature ("建设性质") {
        New = "new" / "新开工" | "新建",
        Continuing = "continuing" / "续建",
        Preparatory = "preparatory" / "前期" | "谋划",
        Completing = "completing" / "竣工",
    }
}

/// 三定: the fixed leader, unit, person and deadline of a project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Responsibility {
    pub lead_leader: String,
    pub unit: String,
    pub person: String,
    pub contact: String,
    pub deadline: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub code: ProjectCode,
    pub name: String,
    pub category: String,
    pub nature: Nature,
    pub location: String,
    pub content: String,
    pub total_investment_wan: Decimal,
    pub planned_start: Option<Date>,
    pub planned_finish: Option<Date>,
    pub actual_start: Option<Date>,
    /// 实际竣工: the finish node's actual date, or as a projects workbook gives it.
    pub actual_finish: Option<Date>,
    pub flags: Vec<String>,
    pub responsibility: Responsibility,
    pub plan_node: Option<String>,
    pub sample: bool,
}

impl Project {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.code.trim().is_empty() || self.name.trim().is_empty() {
            return Err(DomainError::Invalid(format!("项目“{}”缺少项目编码或项目名称", self.name)));
        }
        non_negative("总投资(万元)", self.total_investment_wan)?;
        if let (Some(s), Some(f)) = (self.planned_start, self.planned_finish)
            && f < s
        {
            return Err(DomainError::Invalid(format!("项目“{}”计划竣工 {f} 早于计划开工 {s}", self.code)));
        }
        if let (Some(s), Some(f)) = (self.actual_start, self.actual_finish)
            && f < s
        {
            return Err(DomainError::Invalid(format!("项目“{}”实际竣工 {f} 早于实际开工 {s}", self.code)));
        }
        Ok(())
    }
}

/// A project's plan for one year: planned investment and the milestones (形象进度节点).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearPlan {
    pub project: String,
    pub year: i32,
    pub planned_wan: Decimal,
    pub milestones: String,
}

/// A project's own monthly plan: investment planned from January through a month (万元).
/// Its share of the annual plan is the project's 序时进度 for that month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthPlan {
    pub project: String,
    pub period: Period,
    pub planned_ytd_wan: Decimal,
}

/// One month's report: 当月完成投资, 年初至报告期累计 (ytd), 开工至报告期累计 (since_start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyProgress {
    pub project: String,
    pub period: Period,
    pub month_wan: Option<Decimal>,
    pub ytd_wan: Decimal,
    pub since_start_wan: Option<Decimal>,
    pub image_progress: String,
    pub problems: String,
}

impl MonthlyProgress {
    /// Checks a report against its project: a month period, no negative amounts, and
    /// 开工至报告期累计 not above 总投资.
    pub fn validate(&self, project: &Project) -> Result<(), DomainError> {
        if !matches!(self.period, Period::Month(..)) {
            return Err(DomainError::Invalid(format!("项目进度的报告期应为月份，而不是“{}”", self.period)));
        }
        if let Some(m) = self.month_wan {
            non_negative("当月完成投资(万元)", m)?;
        }
        non_negative("年初至报告期累计(万元)", self.ytd_wan)?;
        if let Some(s) = self.since_start_wan {
            non_negative("开工至报告期累计(万元)", s)?;
            if s > project.total_investment_wan {
                return Err(DomainError::Invalid(format!(
                    "开工至报告期累计(万元)={s} 超过项目“{}”总投资 {} 万元",
                    project.code, project.total_investment_wan
                )));
            }
        }
        Ok(())
    }
}

fn non_negative(field: &str, value: Decimal) -> Result<(), DomainError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(DomainError::Negative { field: field.to_string(), value: value.to_string() });
    }
    Ok(())
}

/// 完成年计划%: `ytd / plan × 100`, or none when there is no plan to measure against.
pub fn completion_pct(ytd: Decimal, plan: Decimal) -> Option<Decimal> {
    (!plan.is_zero()).then(|| ytd * Decimal::ONE_HUNDRED / plan)
}

/// The 序时进度 lag in percentage points: 完成% − m/12 × 100, rounded to 0.01 pp.
/// `time_progress` is m/12 by default, or the project's own monthly plan share.
pub fn lag_pp(completion_pct: Decimal, time_progress: Decimal) -> Decimal {
    (completion_pct - time_progress * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A problem (问题) raised on a project or task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub raised_on: Date,
    pub description: String,
    pub owner: String,
    pub deadline: Option<Date>,
    pub resolved_on: Option<Date>,
    pub resolution: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso_utc_text() {
        assert_eq!(Date::iso_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(Date::iso_timestamp(1_764_217_347), "2025-11-27T04:22:27Z");
        assert_eq!(Date::iso_timestamp(951_782_400), "2000-02-29T00:00:00Z");
    }
    use crate::test_support::d;

    #[test]
    fn lag_matches_the_published_checks() {
        // month 8 at 74 % → +7.33 pp; month 3 at 30.90 % → +5.90 pp
        let rows = [(8, "74", "7.33"), (3, "30.90", "5.90"), (6, "40", "-10"), (12, "100", "0")];
        for (month, pct, lag) in rows {
            let tp = Period::Month(2018, month).time_progress();
            assert_eq!(lag_pp(d(pct), tp), d(lag), "month {month} at {pct}%");
        }
    }

    #[test]
    fn completion_is_exact_and_absent_without_a_plan() {
        assert_eq!(completion_pct(d("37"), d("50")), Some(d("74")));
        assert_eq!(completion_pct(d("1"), d("0")), None);
    }

    #[test]
    fn dates_come_from_day_counts_and_excel_serials() {
        assert_eq!(Date::from_unix_days(0).unwrap().to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(17_532).unwrap().to_string(), "2018-01-01");
        assert_eq!(Date::from_excel_serial(43_101).unwrap().to_string(), "2018-01-01");
        assert_eq!(Date::from_excel_serial(42_825).unwrap().to_string(), "2017-03-31");
        assert!(Date::from_excel_serial(0).is_err());
    }

    #[test]
    fn day_counts_round_trip_and_months_end_where_they_do() {
        for text in ["1970-01-01", "2016-02-29", "2018-06-30", "2000-03-01", "1900-03-01"] {
            let date = Date::parse(text).unwrap();
            assert_eq!(Date::from_unix_days(date.unix_days()).unwrap(), date, "{text}");
        }
        assert_eq!(Date::parse("2018-06-25").unwrap().plus_days(7).unwrap().to_string(), "2018-07-02");
        assert_eq!(Date::end_of(Period::Month(2016, 2)).to_string(), "2016-02-29");
        assert_eq!(Date::end_of(Period::Month(2018, 12)).to_string(), "2018-12-31");
        assert_eq!(Date::end_of(Period::Quarter(2018, 2)).to_string(), "2018-06-30");
    }

    #[test]
    fn dates_parse_in_office_forms_and_refuse_impossible_days() {
        for text in ["2018-03-01", "2018/3/1", "2018.3.1", "2018年3月1日", "2018-03"] {
            assert_eq!(Date::parse(text).unwrap(), Date::new(2018, 3, 1).unwrap(), "{text}");
        }
        assert_eq!(Date::parse("2016-02-29").unwrap().to_string(), "2016-02-29");
        for bad in ["2018-02-29", "2018-13-01", "2018-04-31", "明年", "2018", ""] {
            let err = Date::parse(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    fn project(total: &str) -> Project {
        Project {
            code: ProjectCode::parse("P1").unwrap(),
            name: "郑州地产投资大厦".into(),
            category: "产业发展".into(),
            nature: Nature::New,
            location: String::new(),
            content: String::new(),
            total_investment_wan: d(total),
            planned_start: None,
            planned_finish: None,
            actual_start: None,
            actual_finish: None,
            flags: vec![],
            responsibility: Responsibility::default(),
            plan_node: None,
            sample: false,
        }
    }

    #[test]
    fn progress_is_checked_against_its_project() {
        let p = project("10000");
        let mut report = MonthlyProgress {
            project: "P1".into(),
            period: Period::Month(2018, 3),
            month_wan: Some(d("100")),
            ytd_wan: d("300"),
            since_start_wan: Some(d("9000")),
            image_progress: "主体施工".into(),
            problems: String::new(),
        };
        assert!(report.validate(&p).is_ok());
        report.since_start_wan = Some(d("10000.5"));
        assert!(report.validate(&p).unwrap_err().to_string().contains("超过"));
        report.since_start_wan = None;
        report.month_wan = Some(d("-1"));
        assert!(report.validate(&p).unwrap_err().to_string().contains("不能为负数"));
        report.month_wan = None;
        report.period = Period::Quarter(2018, 1);
        assert!(report.validate(&p).is_err());
        assert!(project("-5").validate().is_err());
        assert_eq!("续建".parse::<Nature>().unwrap(), Nature::Continuing);
        assert!("在建中".parse::<Nature>().is_err());
    }
}
