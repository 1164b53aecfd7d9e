//! Reading typed values out of cells, with the message a user needs when one is wrong.

use calamine::Data;
use rust_decimal::Decimal;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::quantity::parse_number;

use crate::sheet::{cell_text, float_decimal, is_blank};

/// Text of a cell; none when blank.
pub fn text(cell: &Data) -> Option<String> {
    (!is_blank(cell)).then(|| cell_text(cell))
}

/// A number: numeric cells, numbers stored as text ("1,234.5", "１２３"), and "12.3%" (read
/// as 12.3 in a percent column). Blank is none.
pub fn number(cell: &Data) -> Result<Option<Decimal>, String> {
    let n = any_number(cell)?;
    // Past any figure the ledger holds; refused here, before a unit's factor multiplies it.
    if n.is_some_and(|n| n.abs() >= Decimal::from(1_000_000_000_000_000_i64)) {
        return Err("数值过大（绝对值应小于10¹⁵）".to_string());
    }
    Ok(n)
}

fn any_number(cell: &Data) -> Result<Option<Decimal>, String> {
    match cell {
        c if is_blank(c) => Ok(None),
        Data::Int(i) => Ok(Some(Decimal::from(*i))),
        Data::Float(f) => float_decimal(*f).map(Some).ok_or_else(|| "不是有限的数字".to_string()),
        Data::String(s) => {
            let t = s.trim().trim_end_matches(['%', '％']);
            parse_number(t).map(Some).map_err(|_| "不是数字".to_string())
        }
        Data::Error(_) => Err("单元格是公式错误值".to_string()),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Err("是日期，不是数字".to_string()),
        Data::Bool(_) => Err("不是数字".to_string()),
        Data::Empty => Ok(None),
    }
}

/// A date: an Excel date cell, an Excel serial number, or text (2018-03-01, 2018/3/1, 2018年3月1日).
pub fn date(cell: &Data) -> Result<Option<Date>, String> {
    let expected = "不是有效日期（应为 2018-03-01、2018/3/1 或 Excel 日期）";
    match cell {
        c if is_blank(c) => Ok(None),
        Data::DateTime(dt) => {
            Date::from_excel_serial(dt.as_f64().floor() as i64).map(Some).map_err(|_| expected.into())
        }
        Data::Int(i) => Date::from_excel_serial(*i).map(Some).map_err(|_| expected.into()),
        Data::Float(f) if f.fract() == 0.0 => Date::from_excel_serial(*f as i64).map(Some).map_err(|_| expected.into()),
        Data::DateTimeIso(s) => Date::parse(s.get(..10).unwrap_or(s)).map(Some).map_err(|_| expected.into()),
        Data::String(s) => Date::parse(s).map(Some).map_err(|_| expected.into()),
        _ => Err(expected.into()),
    }
}

/// A moment to the minute, as cases keep times ("2018-06-04 09:30"): an Excel date-time cell
/// or text ("2018-06-04 09:30", "2018/6/4 9:30", seconds dropped). Blank is none.
pub fn moment(cell: &Data) -> Result<Option<String>, String> {
    let expected = "不是有效时间（应为 2018-06-04 09:30 或 Excel 日期时间）";
    // The serial's fraction is the time of day: counted in exact decimals, to the minute.
    let from_serial = |f: f64| -> Result<Option<String>, String> {
        use rust_decimal::prelude::ToPrimitive;
        let serial = float_decimal(f).ok_or_else(|| expected.to_string())?;
        let days = serial.floor();
        let minutes = ((serial - days) * Decimal::from(1440)).round().to_i64().unwrap_or(0);
        let days = days.to_i64().ok_or_else(|| expected.to_string())?;
        let (days, minutes) = if minutes >= 1440 { (days + 1, 0) } else { (days, minutes) };
        let day = Date::from_excel_serial(days).map_err(|_| expected.to_string())?;
        Ok(Some(format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)))
    };
    match cell {
        c if is_blank(c) => Ok(None),
        Data::DateTime(dt) => from_serial(dt.as_f64()),
        Data::Float(f) => from_serial(*f),
        Data::String(s) | Data::DateTimeIso(s) => {
            let t = s.trim().replace('T', " ");
            let (day, time) = t.split_once(' ').ok_or_else(|| expected.to_string())?;
            let day = Date::parse(day).map_err(|_| expected.to_string())?;
            let mut hm = time.trim().split(':');
            let (Some(h), Some(m)) = (hm.next(), hm.next()) else { return Err(expected.into()) };
            let (h, m): (u32, u32) =
                (h.parse().map_err(|_| expected.to_string())?, m.parse().map_err(|_| expected.to_string())?);
            if h > 23 || m > 59 {
                return Err(expected.into());
            }
            Ok(Some(format!("{day} {h:02}:{m:02}")))
        }
        _ => Err(expected.into()),
    }
}

/// A period: text keys and Chinese labels, a year number (2017), or a date cell (its month:
/// Excel turns a typed "2017-03" into a date).
pub fn period(cell: &Data) -> Result<Option<Period>, String> {
    let expected = "不是有效报告期（应为 2017、2017Q1、2017-03、2017年、2017年3月 或 2017年1-3月）";
    match cell {
        c if is_blank(c) => Ok(None),
        Data::Int(y) if (1949..=2200).contains(y) => Ok(Some(Period::Year(*y as i32))),
        Data::Float(f) if f.fract() == 0.0 && (1949.0..=2200.0).contains(f) => Ok(Some(Period::Year(*f as i32))),
        Data::DateTime(_) | Data::DateTimeIso(_) => {
            date(cell).map(|d| d.map(Date::month_period)).map_err(|_| expected.into())
        }
        Data::String(s) => Period::parse_label(s).map(|l| Some(l.period)).map_err(|_| expected.into()),
        _ => Err(expected.into()),
    }
}

/// A whole year (年度): 2018, "2018", "2018年".
pub fn year(cell: &Data) -> Result<Option<i32>, String> {
    match period(cell) {
        Ok(Some(Period::Year(y))) => Ok(Some(y)),
        Ok(None) => Ok(None),
        _ => Err("不是有效年度（应为 2018 或 2018年）".into()),
    }
}

/// A list in one cell: "出彩项目、亿元以上", "a, b; c".
pub fn list(cell: &Data) -> Vec<String> {
    text(cell)
        .map(|t| {
            t.split(['、', ',', '，', ';', '；', '/', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Data {
        Data::String(t.into())
    }

    #[test]
    fn numbers_are_read_as_offices_type_them() {
        let d = |t: &str| t.parse::<Decimal>().unwrap();
        let cases = [
            (Data::Float(1234.5), Some(d("1234.5"))),
            (Data::Int(12), Some(d("12"))),
            (s("1,234.5"), Some(d("1234.5"))),
            (s("12.3%"), Some(d("12.3"))),
            (s("  "), None),
            (Data::Empty, None),
        ];
        for (cell, want) in cases {
            assert_eq!(number(&cell).unwrap(), want, "{cell:?}");
        }
        assert_eq!(number(&s("12,5O0")).unwrap_err(), "不是数字");
        assert!(number(&Data::Bool(true)).is_err());
        // Past any ledger figure: refused where it is read, before 亿元 multiplies it by 10⁸.
        for huge in [Data::Float(1e21), s("88888888888888888888888888"), Data::Int(i64::MAX)] {
            assert_eq!(number(&huge).unwrap_err(), "数值过大（绝对值应小于10¹⁵）", "{huge:?}");
        }
    }

    #[test]
    fn dates_come_from_serials_and_text() {
        let want = Date::new(2018, 3, 1).ok();
        assert_eq!(date(&Data::Int(43_160)).unwrap(), want);
        assert_eq!(date(&s("2018/3/1")).unwrap(), want);
        assert_eq!(date(&s("2018年3月1日")).unwrap(), want);
        assert!(date(&s("2018-02-30")).is_err());
        assert!(date(&Data::Float(43_160.5)).is_err());
    }

    #[test]
    fn moments_come_from_date_time_serials_and_text_to_the_minute() {
        // 2018-06-04 is serial 43255; 09:30 is 0.3958333… of a day.
        assert_eq!(moment(&Data::Float(43_255.395_833_333)).unwrap().as_deref(), Some("2018-06-04 09:30"));
        assert_eq!(moment(&Data::Float(43_255.999_999_9)).unwrap().as_deref(), Some("2018-06-05 00:00"));
        assert_eq!(moment(&s("2018/6/4 9:30:15")).unwrap().as_deref(), Some("2018-06-04 09:30"));
        assert_eq!(moment(&s("2018-06-04T17:05")).unwrap().as_deref(), Some("2018-06-04 17:05"));
        assert!(moment(&s("2018-06-04 25:00")).is_err());
        assert!(moment(&s("2018-06-04")).is_err(), "a case's time needs its minute");
        assert_eq!(moment(&Data::Empty).unwrap(), None);
    }

    #[test]
    fn periods_come_from_labels_years_and_dates() {
        assert_eq!(period(&s("2017年1-3月")).unwrap(), Some(Period::Month(2017, 3)));
        assert_eq!(period(&Data::Int(2017)).unwrap(), Some(Period::Year(2017)));
        assert!(period(&Data::Int(43_160)).unwrap_err().contains("报告期"));
        assert_eq!(year(&s("2018年")).unwrap(), Some(2018));
        assert!(year(&s("2018-03")).is_err());
        assert_eq!(list(&s("出彩项目、亿元以上")), vec!["出彩项目", "亿元以上"]);
    }
}
