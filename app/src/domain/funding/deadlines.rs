//! Grant deadlines (docs/DOMAIN.md, "Funding plans"): DETR lapses unless
//! works start within two years of the notification (one one-year extension
//! possible, CGCT art. R2334-28) and end within four years of their start
//! (two-year extension possible, art. R2334-29); a LEADER application must be
//! filed before works start.
use chrono::{Months, NaiveDate};

use crate::domain::stored::stored_enum;

/// Adds whole years; the 29th of February becomes the 28th in a common
/// year (the earlier date: a deadline is never pushed past its anniversary).
fn plus_years(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// Date by which works must start on a DETR grant notified on `notified`.
pub fn detr_start_deadline(notified: NaiveDate, extended: bool) -> NaiveDate {
    plus_years(notified, if extended { 3 } else { 2 })
}

/// Date by which works started on `works_start` must be completed.
pub fn detr_completion_deadline(works_start: NaiveDate, extended: bool) -> NaiveDate {
    plus_years(works_start, if extended { 6 } else { 4 })
}

stored_enum! {
    /// The DETR date that comes next on a granted line.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    pub enum DetrDue {
        /// Works must start by then or the grant lapses.
        #[cfg_attr(feature = "ssr", sea_orm(string_value = "detr_start"))]
        Start,
        /// Works must be completed by then.
        #[cfg_attr(feature = "ssr", sea_orm(string_value = "detr_completion"))]
        Completion,
    }
}

impl DetrDue {
    pub const ALL: [DetrDue; 2] = [DetrDue::Start, DetrDue::Completion];

    pub fn as_str(self) -> &'static str {
        match self {
            DetrDue::Start => "detr_start",
            DetrDue::Completion => "detr_completion",
        }
    }
}

/// What a granted DETR line must do next, and by when: start works (until
/// they have started), then complete them (until the balance is paid).
pub fn detr_next_due(
    start_by: NaiveDate,
    complete_by: Option<NaiveDate>,
    balance_paid: bool,
) -> Option<(DetrDue, NaiveDate)> {
    match complete_by {
        None => Some((DetrDue::Start, start_by)),
        Some(end) if !balance_paid => Some((DetrDue::Completion, end)),
        Some(_) => None,
    }
}

/// A LEADER application must be filed before works start: it is too late
/// when filed after the recorded start (strictly), or not yet filed once
/// works have started.
pub fn leader_too_late(filed: Option<NaiveDate>, works_start: Option<NaiveDate>) -> bool {
    match (filed, works_start) {
        (Some(f), Some(s)) => f > s,
        (None, Some(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn detr_next_due_follows_the_works() {
        let start = d("2028-03-15");
        let end = d("2031-05-01");
        assert_eq!(
            detr_next_due(start, None, false),
            Some((DetrDue::Start, start))
        );
        assert_eq!(
            detr_next_due(start, Some(end), false),
            Some((DetrDue::Completion, end))
        );
        assert_eq!(detr_next_due(start, Some(end), true), None);
    }

    #[test]
    fn detr_start_is_two_years_after_notification_three_if_extended() {
        assert_eq!(detr_start_deadline(d("2026-03-15"), false), d("2028-03-15"));
        assert_eq!(detr_start_deadline(d("2026-03-15"), true), d("2029-03-15"));
    }

    #[test]
    fn leap_days_and_month_ends() {
        // Notified on a leap day: the anniversary falls on the 28th.
        assert_eq!(detr_start_deadline(d("2024-02-29"), false), d("2026-02-28"));
        assert_eq!(detr_start_deadline(d("2024-02-29"), true), d("2027-02-28"));
        // Four years after a leap day is a leap day again.
        assert_eq!(
            detr_completion_deadline(d("2024-02-29"), false),
            d("2028-02-29")
        );
        // Six years after is not.
        assert_eq!(
            detr_completion_deadline(d("2024-02-29"), true),
            d("2030-02-28")
        );
        // Month ends stay month ends; the 28th of February stays the 28th.
        assert_eq!(detr_start_deadline(d("2026-01-31"), false), d("2028-01-31"));
        assert_eq!(detr_start_deadline(d("2026-02-28"), false), d("2028-02-28"));
        assert_eq!(detr_start_deadline(d("2026-12-31"), true), d("2029-12-31"));
    }

    #[test]
    fn completion_is_four_years_after_works_start_six_if_extended() {
        assert_eq!(
            detr_completion_deadline(d("2027-09-01"), false),
            d("2031-09-01")
        );
        assert_eq!(
            detr_completion_deadline(d("2027-09-01"), true),
            d("2033-09-01")
        );
    }

    #[test]
    fn leader_application_after_works_start_is_flagged() {
        assert!(leader_too_late(
            Some(d("2026-05-02")),
            Some(d("2026-05-01"))
        ));
        assert!(!leader_too_late(
            Some(d("2026-05-01")),
            Some(d("2026-05-01"))
        ));
        assert!(!leader_too_late(
            Some(d("2026-04-30")),
            Some(d("2026-05-01"))
        ));
        // Not filed and works started: too late already.
        assert!(leader_too_late(None, Some(d("2026-05-01"))));
        assert!(!leader_too_late(Some(d("2026-05-01")), None));
        assert!(!leader_too_late(None, None));
    }
}
