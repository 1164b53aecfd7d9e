//! The system clock, read in one place: the rules take dates as parameters, and the
//! programs (CLI, web) ask here for "today" and for timestamps.

use std::sync::RwLock;

use taizhang_core::config::Zone;
use taizhang_core::project::Date;

/// The office's zone ("today" there, not in UTC: at 07:00 in Beijing it is already the next
/// day); set from the configuration when the app opens.
static ZONE: RwLock<Option<Zone>> = RwLock::new(None);

/// The zone "today" is taken in from now on (the configuration's `time_zone`).
pub fn use_zone(zone: &Zone) {
    if let Ok(mut z) = ZONE.write() {
        *z = Some(zone.clone());
    }
}

/// ISO-8601 UTC text for the moment `seconds` from now (sessions' expiry).
pub fn iso_after(seconds: u64) -> String {
    let now = u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0);
    Date::iso_timestamp(now + seconds)
}

/// Now in the office's zone, to the minute (a case's steps and deadlines).
pub fn now() -> crate::Moment {
    let zone = ZONE.read().ok().and_then(|z| z.clone()).unwrap_or_default();
    let time = zone.zone().to_datetime(jiff::Timestamp::now()).time();
    crate::Moment {
        day: today(),
        minute: u16::try_from(time.hour()).unwrap_or(0) * 60 + u16::try_from(time.minute()).unwrap_or(0),
    }
}

/// Today's date in the office's zone (Asia/Shanghai unless configured otherwise).
pub fn today() -> Date {
    let zone = ZONE.read().ok().and_then(|z| z.clone()).unwrap_or_default();
    let day = zone.zone().to_datetime(jiff::Timestamp::now()).date();
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
    fn today_is_the_offices_date_not_utcs() {
        let before = today();
        let beijing = Zone::default().zone().to_datetime(jiff::Timestamp::now()).date();
        let after = today();
        let beijing = Date::new(i32::from(beijing.year()), beijing.month() as u8, beijing.day() as u8).unwrap();
        // Read between two readings of the date, so a run across midnight still agrees.
        assert!(beijing == before || beijing == after, "{beijing} is neither {before} nor {after}");
    }
}
