//! The iCalendar text (RFC 5545) of a calendar feed, written with the
//! `icalendar` crate (escaping, line folding): one all-day `VEVENT` per
//! deadline with a stable `UID`, its `SEQUENCE`, `VALARM` reminders, French
//! titles and a link to the project; the structure's time zone named
//! (`X-WR-TIMEZONE`) and described (`VTIMEZONE`, its real transitions).
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use chrono_tz::Tz;
use icalendar::{Alarm, Calendar, Component, EventLike, Trigger};
use rust_i18n::t;

use crate::domain::calendar::{EntryKind, FeedScope};
use crate::server::services::calendar::FeedEntry;

/// What a feed is called in the reader's calendar list.
pub struct FeedHeading<'a> {
    pub name: &'a str,
    pub structure: &'a str,
    /// The site's address, for the links to projects (no trailing slash).
    pub base_url: &'a str,
    /// The page every entry links to instead of its project's (a shared
    /// project's feed links to its shared page, never to the staff's).
    pub page: Option<&'a str>,
    pub zone: Tz,
}

/// The feed's name in the reader's calendar list (`criteria`: a filter's,
/// in words).
pub fn feed_name(scope: FeedScope, owner: &str, structure: &str, criteria: &str) -> String {
    match scope {
        FeedScope::Mine => t!("calendar.name.mine", name = owner),
        FeedScope::Portfolio => t!("calendar.name.portfolio", structure = structure),
        FeedScope::Filter => t!("calendar.name.filter", criteria = criteria),
    }
    .into_owned()
}

/// A shared project's feed's name in the reader's calendar list.
pub fn project_feed_name(project: &str, structure: &str) -> String {
    t!(
        "calendar.name.project",
        project = project,
        structure = structure
    )
    .into_owned()
}

/// The refusal of a revoked or expired share link's feed (410).
pub fn shared_gone() -> crate::error::AppError {
    crate::error::AppError::Gone(t!("calendar.shared_gone").into_owned())
}

/// The refusal of a client that asked too often.
pub fn too_many() -> crate::error::AppError {
    crate::error::AppError::TooManyRequests(t!("calendar.too_many").into_owned())
}

/// The entry's title, in French.
pub fn summary(entry: &FeedEntry) -> String {
    title(entry.kind, &entry.subject, &entry.project_title)
}

/// A deadline's title, in French: its kind, its subject (the milestone's
/// title or the funder's name) and its project.
pub fn title(kind: EntryKind, subject: &str, project: &str) -> String {
    match kind {
        EntryKind::Milestone => t!(
            "calendar.entry.milestone",
            title = subject,
            project = project
        ),
        EntryKind::Application => {
            t!(
                "calendar.entry.application",
                funder = subject,
                project = project
            )
        }
        EntryKind::DetrStart => t!("calendar.entry.detr_start", project = project),
        EntryKind::DetrCompletion => t!("calendar.entry.detr_completion", project = project),
    }
    .into_owned()
}

/// Text as a property holds it: line breaks of any kind become one `\n`
/// (the crate escapes that, not a lone CR), other control characters go.
pub fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect()
}

/// A TEXT value escaped by hand (RFC 5545 §3.3.11), for the calendar's
/// own properties, which the crate writes as they are.
fn escaped(text: &str) -> String {
    clean_text(text)
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// When a reminder fires: 09:00 (local to the reader) `days` before the
/// day, an all-day event starting at midnight.
fn reminder(days: u32) -> Duration {
    Duration::days(i64::from(days)) - Duration::hours(9)
}

/// The whole feed.
pub fn render(heading: &FeedHeading, entries: &[FeedEntry], now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::empty();
    let name = escaped(heading.name);
    let description = escaped(&t!("calendar.description", structure = heading.structure));
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//Maillage//Calendrier des échéances//FR"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("NAME", name.as_str()),
        ("X-WR-CALNAME", name.as_str()),
        ("X-WR-CALDESC", description.as_str()),
    ] {
        calendar.append_property((key, value));
    }
    calendar
        .timezone(heading.zone.name())
        .ttl(&Duration::hours(1));
    for entry in entries {
        let title = clean_text(&summary(entry));
        let link = match heading.page {
            Some(page) => page.to_owned(),
            None => format!("{}/projets/{}", heading.base_url, entry.project_id),
        };
        let mut event = icalendar::Event::new();
        event
            .uid(&entry.uid)
            .sequence(u32::try_from(entry.sequence).unwrap_or_default())
            // The entry's last revision, not the moment of the request: the
            // same feed gives the same bytes (and `ETag`) until it changes.
            .timestamp(entry.moved_at)
            .last_modified(entry.moved_at)
            // All day: the end is the next day, excluded (RFC 5545 §3.6.1).
            .starts(entry.day)
            .ends(entry.day.succ_opt().unwrap_or(entry.day))
            .summary(&title)
            .description(&clean_text(&t!(
                "calendar.entry.description",
                project = entry.project_title.as_str(),
                link = link.as_str()
            )))
            .url(&link)
            .add_property("TRANSP", "TRANSPARENT");
        for days in entry.kind.reminder_days() {
            // The crate gives every component a UID and a DTSTAMP; given
            // here, they stay the same from one request to the next.
            let mut alarm = Alarm::display(&title, Trigger::before_start(reminder(*days)));
            alarm
                .uid(&format!("{}-rappel-{days}", entry.uid))
                .timestamp(entry.moved_at);
            event.alarm(alarm);
        }
        calendar.push(event.done());
    }
    let text = calendar.done().to_string();
    // The VTIMEZONE goes before the events. Written here rather than
    // through the crate, which would add a random UID to it.
    match vtimezone_text(heading.zone, now.year()) {
        Some(zone) => {
            let at = text
                .find("BEGIN:VEVENT\r\n")
                .or_else(|| text.rfind("END:VCALENDAR"))
                .unwrap_or(text.len());
            format!("{}{zone}{}", &text[..at], &text[at..])
        }
        None => text,
    }
}

/// The offset from UTC in effect at `at`, in seconds.
fn offset_at(zone: Tz, at: DateTime<Utc>) -> i32 {
    zone.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// `+0200`, `-0300`.
fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.abs();
    format!("{sign}{:02}{:02}", abs / 3600, (abs % 3600) / 60)
}

/// The instants at which the zone's offset changes between `from` and
/// `to`, each with the offsets before and after (found hour by hour, then
/// to the minute).
fn transitions(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, i32, i32)> {
    let mut out = Vec::new();
    let mut at = from;
    let mut offset = offset_at(zone, at);
    while at < to {
        let next = at + Duration::hours(1);
        let next_offset = offset_at(zone, next);
        if next_offset != offset {
            let mut minute = at;
            while offset_at(zone, minute + Duration::minutes(1)) == offset {
                minute += Duration::minutes(1);
            }
            out.push((minute + Duration::minutes(1), offset, next_offset));
            offset = next_offset;
        }
        at = next;
    }
    out
}

/// The zone's `VTIMEZONE`: its offsets and the transitions between them
/// from the year before `year` to three years after, read from the tz
/// database (a zone without summer time, as in most overseas
/// départements, gets one `STANDARD` part). `None` for UTC.
/// The VTIMEZONE blocks made so far, by zone and year.
type ZoneBlocks = HashMap<(Tz, i32), Option<String>>;

fn vtimezone_text(zone: Tz, year: i32) -> Option<String> {
    // About 44 000 offset look-ups: once per zone and year per process.
    static MADE: LazyLock<Mutex<ZoneBlocks>> = LazyLock::new(Default::default);
    let mut made = MADE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    made.entry((zone, year))
        .or_insert_with(|| make_vtimezone(zone, year))
        .clone()
}

fn make_vtimezone(zone: Tz, year: i32) -> Option<String> {
    if zone == Tz::UTC {
        return None;
    }
    let from = Utc.with_ymd_and_hms(year - 1, 1, 1, 0, 0, 0).single()?;
    let to = Utc.with_ymd_and_hms(year + 4, 1, 1, 0, 0, 0).single()?;
    let local = |at: DateTime<Utc>, offset: i32| -> NaiveDateTime {
        at.naive_utc() + Duration::seconds(i64::from(offset))
    };
    let stamp = |at: NaiveDateTime| at.format("%Y%m%dT%H%M%S").to_string();
    let mut text = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", zone.name());
    let changes = transitions(zone, from, to);
    if changes.is_empty() {
        let offset = format_offset(offset_at(zone, from));
        let start = NaiveDate::from_ymd_opt(1970, 1, 1)?.and_hms_opt(0, 0, 0)?;
        text.push_str(&format!(
            "BEGIN:STANDARD\r\nDTSTART:{}\r\nTZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\n",
            stamp(start)
        ));
    }
    for (at, before, after) in changes {
        // The part a transition starts: summer time when the offset grows.
        let part = if after > before {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        text.push_str(&format!(
            "BEGIN:{part}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nEND:{part}\r\n",
            stamp(local(at, before)),
            format_offset(before),
            format_offset(after),
        ));
    }
    text.push_str("END:VTIMEZONE\r\n");
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_changes_twice_a_year_at_the_legal_hours() {
        let text = vtimezone_text(chrono_tz::Europe::Paris, 2027).unwrap();
        // 28 March 2027, 02:00 → 03:00; 31 October 2027, 03:00 → 02:00.
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        ));
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        ));
        // 2026 to 2030: ten transitions.
        assert_eq!(text.matches("BEGIN:DAYLIGHT").count(), 5);
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 5);
    }

    #[test]
    fn a_zone_without_summer_time_has_one_standard_part() {
        let text = vtimezone_text(chrono_tz::Indian::Reunion, 2027).unwrap();
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 1);
        assert!(text.contains("TZOFFSETTO:+0400"));
        assert!(!text.contains("DAYLIGHT"));
        assert_eq!(format_offset(-3 * 3600), "-0300");
        assert_eq!(format_offset(5 * 3600 + 1800), "+0530");
        assert!(vtimezone_text(Tz::UTC, 2027).is_none());
    }

    #[test]
    fn text_keeps_its_line_breaks_as_one_kind_and_loses_other_controls() {
        assert_eq!(clean_text("a\r\nb\rc\nd\te\u{7}f"), "a\nb\nc\ndef");
        assert_eq!(
            escaped("Saint-Flour; Cantal, 15\\\r\nx"),
            "Saint-Flour\\; Cantal\\, 15\\\\\\nx"
        );
        assert_eq!(reminder(3), Duration::days(2) + Duration::hours(15));
    }
}
