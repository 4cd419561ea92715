//! E-mail (issue 20): which reminder a deadline is due on a given day, when
//! the weekly digest goes out, how long a failed mail waits before the next
//! try. Pure: today and now are parameters.
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};

use crate::domain::stored::code_enum;

code_enum!(
    /// What a mail is: a reminder of one deadline, the weekly digest, or
    /// the steering committee's digest a head asked for (sent on request
    /// only: nothing to unsubscribe from).
    MailKind, "mail.kind", [
        Reminder => "reminder",
        Digest => "digest",
        Committee => "committee",
    ]
);

impl MailKind {
    /// Whether mails of this kind carry an unsubscribe link (RFC 8058):
    /// those sent on a schedule, not one a person asked for.
    pub fn unsubscribable(self) -> bool {
        self != MailKind::Committee
    }
}

code_enum!(
    /// How often a person receives the digest.
    DigestFrequency, "mail.frequency", [
        Weekly => "weekly",
        Never => "never",
    ]
);

code_enum!(
    /// Where a mail stands: `Pending` (waiting for its next try), `Sent`
    /// (handed to the SMTP server), `Outbox` (no SMTP configured: kept for
    /// the admin to read), `Failed` (given up after the last try, or refused
    /// for good: the admin sees it).
    MailStatus, "mail.status", [
        Pending => "pending",
        Sent => "sent",
        Outbox => "outbox",
        Failed => "failed",
    ]
);

/// The offset (days before `day`) whose reminder is due on `today`, if any:
/// the nearest offset already reached, while the deadline is still ahead or
/// today. A deadline entered late gets the reminder of the window it falls
/// in (entered at J-20: the J-30 one, once); a deadline past gets none.
/// `offsets` in any order.
pub fn reminder_due(day: NaiveDate, today: NaiveDate, offsets: &[u32]) -> Option<u32> {
    if today > day {
        return None;
    }
    let left = (day - today).num_days();
    offsets
        .iter()
        .copied()
        .filter(|o| i64::from(*o) >= left)
        .min()
}

/// The hour (structure's time) from which a Monday's digest goes out.
pub const DIGEST_HOUR: u32 = 7;

/// Days ahead a digest lists.
pub const DIGEST_AHEAD_DAYS: i64 = 14;

/// The week whose digest is due at `local` (the structure's local time), as
/// `2027-W05`: on Mondays from `DIGEST_HOUR` to midnight (an app stopped in
/// the morning still sends it when it comes back, once). A digest with
/// nothing to say on Monday is not sent later in the week.
pub fn digest_week(local: NaiveDateTime) -> Option<String> {
    if local.weekday() != Weekday::Mon || local.hour() < DIGEST_HOUR {
        return None;
    }
    let week = local.date().iso_week();
    Some(format!("{}-W{:02}", week.year(), week.week()))
}

/// Tries of one mail before it is given up.
pub const MAX_ATTEMPTS: i32 = 6;

/// How long to wait after the `attempts`-th failed try (1, 2, …) before the
/// next one; `None` once the mail is given up.
pub fn retry_after(attempts: i32) -> Option<chrono::Duration> {
    let minutes = match attempts {
        1 => 1,
        2 => 5,
        3 => 30,
        4 => 120,
        5 => 720,
        _ => return None,
    };
    Some(chrono::Duration::minutes(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_window_gives_its_reminder_and_a_past_deadline_none() {
        let day = d("2027-03-31");
        let funding = [30, 7];
        assert_eq!(reminder_due(day, d("2027-02-28"), &funding), None);
        assert_eq!(reminder_due(day, d("2027-03-01"), &funding), Some(30));
        assert_eq!(reminder_due(day, d("2027-03-11"), &funding), Some(30));
        assert_eq!(reminder_due(day, d("2027-03-24"), &funding), Some(7));
        assert_eq!(reminder_due(day, d("2027-03-31"), &funding), Some(7));
        assert_eq!(reminder_due(day, d("2027-04-01"), &funding), None);
        assert_eq!(reminder_due(day, d("2027-03-27"), &[3]), None);
        assert_eq!(reminder_due(day, d("2027-03-28"), &[3]), Some(3));
        // The order of the offsets does not matter.
        assert_eq!(reminder_due(day, d("2027-03-25"), &[7, 30]), Some(7));
    }

    #[test]
    fn the_digest_is_due_on_mondays_from_seven() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // 2027-02-01 is a Monday (ISO week 5).
        assert_eq!(digest_week(at("2027-02-01 06:59")), None);
        assert_eq!(
            digest_week(at("2027-02-01 07:00")).as_deref(),
            Some("2027-W05")
        );
        assert_eq!(
            digest_week(at("2027-02-01 23:59")).as_deref(),
            Some("2027-W05")
        );
        assert_eq!(digest_week(at("2027-02-02 09:00")), None);
        assert_eq!(digest_week(at("2027-02-08 06:00")), None);
        assert_eq!(
            digest_week(at("2027-02-08 08:00")).as_deref(),
            Some("2027-W06")
        );
        // Around new year, the ISO year: Monday 2029-12-31 is in 2030's week 1.
        assert_eq!(
            digest_week(at("2029-12-31 12:00")).as_deref(),
            Some("2030-W01")
        );
    }

    #[test]
    fn retries_wait_longer_each_time_then_stop() {
        let waits: Vec<_> = (1..=MAX_ATTEMPTS).map(retry_after).collect();
        assert!(waits[..5].iter().all(Option::is_some));
        assert!(waits[..5].windows(2).all(|w| w[0] < w[1]));
        assert_eq!(waits[5], None);
    }
}
