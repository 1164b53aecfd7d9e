//! The system clock, read in one place: the rules take dates as parameters, and the
//! programs (CLI, web) ask here for "today" and for timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

use taizhang_core::project::Date;

fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// ISO-8601 UTC text for the moment `seconds` from now (sessions' expiry).
pub fn iso_after(seconds: u64) -> String {
    Date::iso_timestamp(unix_seconds() + seconds)
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
