//! Reporting periods: `2017`, `2017Q3`, `2017-03`, and the Chinese labels people write.
//!
//! A flow indicator reported for `2017-03` holds the year-to-date figure through March
//! (`2017年1-3月`); the key stays the month, the reading is the indicator's business.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
}

/// What a Chinese label said besides the period: `2017年1-3月` is year-to-date through March.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodLabel {
    pub period: Period,
    pub year_to_date: bool,
}

const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1949..=2200;

impl Period {
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// The last month of the year the period covers: a year is month 12, Q3 is month 9.
    pub fn month_of_year(self) -> u8 {
        match self {
            Period::Year(_) => 12,
            Period::Quarter(_, q) => q * 3,
            Period::Month(_, m) => m,
        }
    }

    pub fn quarter(self) -> u8 {
        self.month_of_year().div_ceil(3)
    }

    /// 序时进度: the share of the year elapsed at the end of the period, m/12 (exact).
    pub fn time_progress(self) -> Decimal {
        Decimal::from(self.month_of_year()) / Decimal::from(12)
    }

    /// The storage key: `2017`, `2017Q3`, `2017-03`.
    pub fn key(self) -> String {
        self.to_string()
    }

    /// The month period that closes this one (`2017Q3` → `2017-09`, `2017` → `2017-12`).
    pub fn closing_month(self) -> Period {
        Period::Month(self.year(), self.month_of_year())
    }

    /// The Chinese label as reports print it; `ytd` asks for the year-to-date form.
    pub fn label_zh(self, ytd: bool) -> String {
        match self {
            Period::Year(y) => format!("{y}年"),
            Period::Quarter(y, q) if ytd => format!("{y}年1-{}月", q * 3),
            Period::Quarter(y, q) => {
                format!("{y}年第{}季度", crate::numerals::zh_numeral(q.into()))
            }
            Period::Month(y, 1) if ytd => format!("{y}年1月"),
            Period::Month(y, m) if ytd => format!("{y}年1-{m}月"),
            Period::Month(y, m) => format!("{y}年{m}月"),
        }
    }

    /// Parses a storage key or a Chinese label. Full-width digits are accepted.
    pub fn parse_label(input: &str) -> Result<PeriodLabel, DomainError> {
        let bad = || DomainError::Period {
            value: input.to_string(),
            expected: "2017、2017Q3、2017-03、2017年、2017年3月、2017年1-3月 或 2017年第三季度",
        };
        let text: String = input
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '－' | '—' | '–' | '~' | '～' => '-',
                'ｑ' | 'Ｑ' | 'q' => 'Q',
                _ => c,
            })
            .filter(|c| !c.is_whitespace())
            .collect();
        let year_of = |s: &str| -> Option<i32> {
            if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok().filter(|y| YEAR_RANGE.contains(y))
        };
        let month_of = |s: &str| -> Option<u8> {
            if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok().filter(|m| (1..=12).contains(m))
        };
        let point = |period| Ok(PeriodLabel { period, year_to_date: false });

        if let Some(rest) = text.strip_suffix('年').or_else(|| text.strip_suffix("年度")) {
            return year_of(rest).map(Period::Year).map_or_else(|| Err(bad()), point);
        }
        if let Some((y, rest)) = text.split_once('年') {
            let year = year_of(y).ok_or_else(bad)?;
            if let Some(q) = rest.strip_prefix('第').and_then(|r| r.strip_suffix("季度")) {
                let q = match q {
                    "一" | "1" => 1,
                    "二" | "2" => 2,
                    "三" | "3" => 3,
                    "四" | "4" => 4,
                    _ => return Err(bad()),
                };
                return point(Period::Quarter(year, q));
            }
            let months = rest.strip_suffix('月').ok_or_else(bad)?;
            return match months.split_once('-') {
                Some((from, to)) => {
                    if month_of(from) != Some(1) {
                        return Err(bad());
                    }
                    let m = month_of(to).ok_or_else(bad)?;
                    Ok(PeriodLabel { period: Period::Month(year, m), year_to_date: true })
                }
                None => point(Period::Month(year, month_of(months).ok_or_else(bad)?)),
            };
        }
        if let Some((y, q)) = text.split_once('Q') {
            let year = year_of(y).ok_or_else(bad)?;
            return match q {
                "1" | "2" | "3" | "4" => point(Period::Quarter(year, q.parse().map_err(|_| bad())?)),
                _ => Err(bad()),
            };
        }
        if let Some((y, m)) = text.split_once('-') {
            let year = year_of(y).ok_or_else(bad)?;
            return point(Period::Month(year, month_of(m).ok_or_else(bad)?));
        }
        year_of(&text).map(Period::Year).map_or_else(|| Err(bad()), point)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse_label(s).map(|l| l.period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    #[test]
    fn labels_and_keys_parse_to_periods() {
        let cases: &[(&str, Period, bool)] = &[
            ("2017", Period::Year(2017), false),
            ("2017年", Period::Year(2017), false),
            ("2017年度", Period::Year(2017), false),
            ("2017Q3", Period::Quarter(2017, 3), false),
            ("2017q1", Period::Quarter(2017, 1), false),
            ("2017年第三季度", Period::Quarter(2017, 3), false),
            ("2017-03", Period::Month(2017, 3), false),
            ("2017-3", Period::Month(2017, 3), false),
            ("2017年3月", Period::Month(2017, 3), false),
            ("2017年1-3月", Period::Month(2017, 3), true),
            ("2017年1－12月", Period::Month(2017, 12), true),
            (" ２０１８年６月 ", Period::Month(2018, 6), false),
        ];
        for (text, period, ytd) in cases {
            let label = Period::parse_label(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((label.period, label.year_to_date), (*period, *ytd), "{text}");
        }
    }

    #[test]
    fn malformed_labels_are_refused_with_the_value_named() {
        for text in ["", "17", "2017-13", "2017-00", "2017Q5", "2017年2-5月", "2017年13月", "二〇一七年", "1800", "abc"]
        {
            let err = Period::parse_label(text).expect_err(text).to_string();
            assert!(err.contains(text.trim()), "{text}: {err}");
        }
    }

    #[test]
    fn keys_round_trip() {
        for p in [Period::Year(2017), Period::Quarter(2017, 3), Period::Month(2017, 3), Period::Month(2018, 12)] {
            assert_eq!(p.key().parse::<Period>().unwrap(), p);
        }
        assert_eq!(Period::Month(2017, 3).key(), "2017-03");
    }

    #[test]
    fn month_quarter_and_time_progress() {
        assert_eq!(Period::Month(2017, 8).month_of_year(), 8);
        assert_eq!(Period::Month(2017, 8).quarter(), 3);
        assert_eq!(Period::Quarter(2017, 2).month_of_year(), 6);
        assert_eq!(Period::Year(2017).month_of_year(), 12);
        assert_eq!(Period::Month(2017, 3).time_progress(), d("0.25"));
        assert_eq!(Period::Year(2017).time_progress(), d("1"));
        assert_eq!(Period::Quarter(2017, 3).closing_month(), Period::Month(2017, 9));
    }

    #[test]
    fn chinese_labels_are_printed_as_reports_write_them() {
        assert_eq!(Period::Month(2018, 6).label_zh(true), "2018年1-6月");
        assert_eq!(Period::Month(2018, 1).label_zh(true), "2018年1月");
        assert_eq!(Period::Month(2018, 6).label_zh(false), "2018年6月");
        assert_eq!(Period::Quarter(2018, 3).label_zh(false), "2018年第三季度");
        assert_eq!(Period::Year(2017).label_zh(true), "2017年");
    }
}
