//! The working-day calendar: weekends off, the national holidays off and their 调休 weekends
//! worked, as the State Council's notice of each year sets them (a data file the city edits:
//! `data/calendar/holidays.toml`). Time limits counted in working days or working hours — a
//! 数字城管 case's 处置时限, a 督办's — are counted on it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::error::DomainError;
use crate::project::Date;

/// The national holidays and 调休 days built in (2017 and 2018, the demo's years).
pub const NATIONAL_HOLIDAYS: &str = include_str!("../../../data/calendar/holidays.toml");

/// A year's days off and weekend days worked, as the file gives them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearEntry {
    #[serde(default)]
    off: Vec<String>,
    #[serde(default)]
    work: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    off: BTreeSet<Date>,
    worked: BTreeSet<Date>,
    /// The years the file speaks of: outside them only weekends are off.
    years: BTreeSet<i32>,
}

/// Monday is 0, Sunday 6.
pub fn weekday(d: Date) -> u8 {
    // 1970-01-01 was a Thursday.
    (d.unix_days() + 3).rem_euclid(7) as u8
}

impl WorkCalendar {
    /// Reads a holidays file: `[2018]` with `off = ["2018-02-15..2018-02-21", …]` and
    /// `work = ["2018-02-11", …]`. An error names the year and the entry.
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let file: BTreeMap<String, YearEntry> =
            toml::from_str(text).map_err(|e| DomainError::Invalid(format!("节假日文件：{}", e.message())))?;
        let mut calendar = WorkCalendar::default();
        for (year, entry) in file {
            let y: i32 = year
                .parse()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| DomainError::Invalid(format!("节假日文件：“[{year}]”不是年份")))?;
            calendar.years.insert(y);
            for (list, into, word) in
                [(&entry.off, &mut calendar.off, "off"), (&entry.work, &mut calendar.worked, "work")]
            {
                for item in list {
                    let bad = |why: String| DomainError::Invalid(format!("节假日文件 [{year}] {word}“{item}”：{why}"));
                    let (from, to) = match item.split_once("..") {
                        Some((a, b)) => (Date::parse(a.trim()), Date::parse(b.trim())),
                        None => (Date::parse(item.trim()), Date::parse(item.trim())),
                    };
                    let (from, to) = (from.map_err(|e| bad(e.to_string()))?, to.map_err(|e| bad(e.to_string()))?);
                    if to < from || to.unix_days() - from.unix_days() > 31 {
                        return Err(bad("区间应由早到晚且不超过一个月".into()));
                    }
                    for day in from.unix_days()..=to.unix_days() {
                        into.insert(Date::from_unix_days(day)?);
                    }
                }
            }
        }
        if let Some(both) = calendar.off.intersection(&calendar.worked).next() {
            return Err(DomainError::Invalid(format!("节假日文件：{both}既放假又上班")));
        }
        Ok(calendar)
    }

    /// The built-in national calendar.
    pub fn national() -> Self {
        Self::from_toml(NATIONAL_HOLIDAYS).unwrap_or_default()
    }

    /// Whether the file says anything of `year` (else only weekends are off: say so).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.worked.contains(&d) {
            return true;
        }
        weekday(d) < 5 && !self.off.contains(&d)
    }

    /// The day `n` working days after `start` (a case reported on a holiday counts from the
    /// next working day): `n = 0` is `start` itself when it is a working day, else the next one.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut day = start;
        let mut left = n;
        while !self.is_working_day(day) || left > 0 {
            if self.is_working_day(day) {
                left -= 1;
            }
            day = next(day);
        }
        day
    }

    /// Working days from `from` to `to`: the working days after `from`, up to and including
    /// `to` (negative when `to` is earlier). How late a case closed, in working days.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        let (a, b, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        let mut count = 0;
        let mut day = a;
        while day < b {
            day = next(day);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        sign * count
    }
}

fn next(d: Date) -> Date {
    Date::from_unix_days(d.unix_days() + 1).unwrap_or(d)
}

/// A city's working hours: the minutes of the day (from midnight) each working day's spans
/// begin and end, e.g. 8:30–12:00 and 14:30–17:30.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    pub spans: Vec<(u16, u16)>,
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours { spans: vec![(8 * 60 + 30, 12 * 60), (14 * 60 + 30, 17 * 60 + 30)] }
    }
}

impl WorkCalendar {
    /// The moment `minutes` working minutes after (`day`, `minute` of the day), on the working
    /// hours given: a case dispatched at 17:00 with a 2-hour limit is due at 10:00 the next
    /// working day (8:30–12:00, 14:30–17:30). Returns (day, minute of the day).
    pub fn add_working_minutes(&self, day: Date, minute: u16, minutes: u32, hours: &WorkingHours) -> (Date, u16) {
        let (mut day, mut at, mut left) = (day, minute, minutes);
        loop {
            if self.is_working_day(day) {
                for &(from, to) in &hours.spans {
                    let begin = at.max(from);
                    if begin >= to {
                        continue;
                    }
                    let room = u32::from(to - begin);
                    if left <= room {
                        return (day, begin + left as u16);
                    }
                    left -= room;
                    at = to;
                }
            }
            day = next(day);
            at = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn weekdays_count_from_monday() {
        assert_eq!(weekday(d("2018-02-11")), 6, "a Sunday");
        assert_eq!(weekday(d("2018-02-12")), 0, "a Monday");
    }

    #[test]
    fn the_spring_festival_of_2018_is_off_and_its_weekends_worked() {
        let c = WorkCalendar::national();
        assert!(c.covers(2018) && c.covers(2017) && !c.covers(2019));
        assert!(c.is_working_day(d("2018-02-11")), "Sunday, worked (调休)");
        assert!(!c.is_working_day(d("2018-02-15")), "除夕 off");
        assert!(!c.is_working_day(d("2018-02-21")));
        assert!(c.is_working_day(d("2018-02-22")));
        assert!(c.is_working_day(d("2018-02-24")), "Saturday, worked");
        assert!(!c.is_working_day(d("2018-02-25")), "an ordinary Sunday");
        // Five working days from Tuesday 13 February: 14, 22, 23, 24 (worked), 26.
        assert_eq!(c.add_working_days(d("2018-02-13"), 5), d("2018-02-26"));
        assert_eq!(c.working_days_between(d("2018-02-13"), d("2018-02-26")), 5);
        assert_eq!(c.working_days_between(d("2018-02-26"), d("2018-02-13")), -5);
        // Reported on a holiday: day 0 is the next working day.
        assert_eq!(c.add_working_days(d("2018-10-03"), 0), d("2018-10-08"));
    }

    #[test]
    fn working_hours_run_over_the_night_and_the_holiday() {
        let c = WorkCalendar::national();
        let hours = WorkingHours::default();
        // Friday 28 September 2018 at 17:00, 2 hours: 30 minutes that day, then Saturday 29
        // (worked, 调休) from 8:30 — due at 10:00.
        assert_eq!(c.add_working_minutes(d("2018-09-28"), 17 * 60, 120, &hours), (d("2018-09-29"), 10 * 60));
        // Sunday 30 September is worked too; then 1–7 October off: from 30 September 17:00,
        // 1 hour runs 30 minutes to 17:30, the rest on Monday 8 October.
        assert_eq!(c.add_working_minutes(d("2018-09-30"), 17 * 60, 60, &hours), (d("2018-10-08"), 9 * 60));
        // The lunch break is not counted: 11:30 + 1 hour is 15:00.
        assert_eq!(c.add_working_minutes(d("2018-06-05"), 11 * 60 + 30, 60, &hours), (d("2018-06-05"), 15 * 60));
    }

    #[test]
    fn a_bad_holidays_file_names_the_year_and_the_entry() {
        let err = WorkCalendar::from_toml("[2018]\noff = [\"2018-02-30\"]\n").unwrap_err().to_string();
        assert!(err.contains("[2018]") && err.contains("2018-02-30"), "{err}");
        let err = WorkCalendar::from_toml("[2018]\noff = [\"2018-03-01..2018-02-01\"]\n").unwrap_err().to_string();
        assert!(err.contains("由早到晚"), "{err}");
        let err = WorkCalendar::from_toml("[\"二〇一八\"]\noff = []\n").unwrap_err().to_string();
        assert!(err.contains("不是年份"), "{err}");
        let err = WorkCalendar::from_toml("[2018]\noff = [\"2018-02-11\"]\nwork = [\"2018-02-11\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("既放假又上班"), "{err}");
    }
}
