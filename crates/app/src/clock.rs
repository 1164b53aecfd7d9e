//! The system clock, read in one place: the rules take dates as parameters, and the
//! programs (CLI, web) ask here for "today" and for timestamps.

use taizhang_core::project::Date;

/// ISO-8601 UTC text for the moment `seconds` from now (sessions' expiry).
pub fn iso_after(seconds: u64) -> String {
    let now = u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0);
    Date::iso_timestamp(now + seconds)
}

/// Today's date (UTC).
pub fn today() -> Date {
    let day = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    Date::new(i32::from(day.year()), day.month() as u8, day.day() as u8).unwrap_or(Date {
        year: 1970,
        month: 1,
        day: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_sort_as_time_does() {
        let now = iso_after(0);
        let later = iso_after(3600 * 24 * 400);
        assert!(now < later, "{now} {later}");
    }

    #[test]
    fn now_falls_on_today() {
        let before = today().to_string();
        let now = iso_after(0);
        let after = today().to_string();
        // Read between two readings of the date, so a run across midnight still agrees.
        assert!(now.starts_with(&before) || now.starts_with(&after), "{now} is neither {before} nor {after}");
    }
}
