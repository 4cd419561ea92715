//! The structure's time zone (`TIME_ZONE`, Europe/Paris by default): every
//! time shown and every "today" — lateness, deadlines, share expiry — is
//! read in it, summer time included. Set once at start; timestamps stay
//! stored in UTC.
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

pub const DEFAULT_ZONE: Tz = chrono_tz::Europe::Paris;

static ZONE: OnceLock<Tz> = OnceLock::new();

/// Fixes the process's zone (the first call wins: tests share one process).
pub fn use_zone(zone: Tz) {
    let _ = ZONE.set(zone);
}

pub fn zone() -> Tz {
    ZONE.get().copied().unwrap_or(DEFAULT_ZONE)
}

/// The day it is in the zone at the instant `at`.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    local_date_in(zone(), at)
}

pub fn local_date_in(zone: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// The instant `day` begins in the zone (the first instant of the day when
/// a clock change skips or repeats midnight).
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day_start_in(zone(), day)
}

pub fn day_start_in(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut time = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A zone may skip midnight (a clock change at 00:00): take the next
    // minute that exists.
    for _ in 0..=120 {
        if let Some(at) = zone.from_local_datetime(&time).earliest() {
            return at.with_timezone(&Utc);
        }
        time += chrono::Duration::minutes(1);
    }
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// "01/12/2026 20:46": day and time in the zone.
pub fn datetime(at: DateTime<Utc>) -> String {
    datetime_in(zone(), at)
}

pub fn datetime_in(zone: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone).format("%d/%m/%Y %H:%M").to_string()
}

/// Parses a `TIME_ZONE` setting (an IANA name such as `Europe/Paris`,
/// `America/Cayenne`, `Indian/Reunion`).
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Europe, Indian};

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("instant")
    }

    #[test]
    fn times_are_shown_in_the_structure_zone_with_summer_time() {
        for (zone, instant, shown) in [
            // Winter: UTC+1; summer: UTC+2.
            (Europe::Paris, "2026-12-01T19:46:00Z", "01/12/2026 20:46"),
            (Europe::Paris, "2026-07-01T19:46:00Z", "01/07/2026 21:46"),
            // The night of the spring change: 01:30 UTC is 03:30 in Paris.
            (Europe::Paris, "2026-03-29T01:30:00Z", "29/03/2026 03:30"),
            (Indian::Reunion, "2026-12-01T19:46:00Z", "01/12/2026 23:46"),
        ] {
            assert_eq!(
                datetime_in(zone, utc(instant)),
                shown,
                "{instant} in {zone}"
            );
        }
    }

    #[test]
    fn today_turns_at_local_midnight() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("day");
        // 23:30 UTC on 31 December is already 1 January in Paris…
        assert_eq!(
            local_date_in(Europe::Paris, utc("2026-12-31T23:30:00Z")),
            day(2027, 1, 1)
        );
        // …and still 31 December in French Guiana (UTC-3).
        assert_eq!(
            local_date_in(America::Cayenne, utc("2027-01-01T02:30:00Z")),
            day(2026, 12, 31)
        );
        assert_eq!(
            day_start_in(Europe::Paris, day(2026, 7, 14)),
            utc("2026-07-13T22:00:00Z")
        );
        assert_eq!(
            day_start_in(Europe::Paris, day(2026, 1, 14)),
            utc("2026-01-13T23:00:00Z")
        );
    }

    #[test]
    fn zone_names_are_checked() {
        assert_eq!(parse_zone(" Europe/Paris "), Some(Europe::Paris));
        assert_eq!(parse_zone("Paris"), None);
        assert_eq!(parse_zone("UTC+1"), None);
    }
}
