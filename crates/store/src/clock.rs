//! The system clock, read in one place: the rules take dates as parameters, and the
//! programs (CLI, web) ask here for "today" and for timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

use taizhang_core::project::Date;

fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// ISO-8601 UTC text for the moment `seconds` from now (sessions' expiry, audit columns).
pub fn iso_after(seconds: u64) -> String {
    let secs = unix_seconds() + seconds;
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let date = Date::from_unix_days(days).map_or_else(|_| "1970-01-01".to_string(), |d| d.to_string());
    format!("{date}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Today's date (UTC).
pub fn today() -> Date {
    Date::from_unix_days((unix_seconds() / 86_400) as i64).unwrap_or(Date { year: 1970, month: 1, day: 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_sort_as_time_does() {
        let now = iso_after(0);
        let later = iso_after(3600 * 24 * 400);
        assert!(now < later, "{now} {later}");
        assert!(now.starts_with(&today().to_string()) || now > today().to_string());
        assert_eq!(now.len(), "2026-11-27T04:22:27Z".len());
    }
}
