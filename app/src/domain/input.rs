//! What a person may type: the length of each kind of text and the range of
//! each kind of date. One place, used by every form's `validate()` (so the
//! browser and the server check the same) and by the forms' `maxlength`.
//!
//! Every limit stays below Excel's 32 767 characters per cell, so whatever
//! is accepted can be exported.
use chrono::{Datelike, NaiveDate};

/// Maximum lengths, in characters.
pub mod max {
    /// A project's title, an organisation's name, a funder's name.
    pub const TITLE: usize = 200;
    /// A person's first or last name.
    pub const PERSON_NAME: usize = 100;
    /// A theme, programme or funder label; a job title; a share label.
    pub const LABEL: usize = 200;
    /// A project's reference.
    pub const REFERENCE: usize = 40;
    /// A project's summary (shown in lists).
    pub const SUMMARY: usize = 1_000;
    /// A project's description.
    pub const DESCRIPTION: usize = 10_000;
    /// Why a stage, health or funding status changed; a derogation.
    pub const REASON: usize = 2_000;
    /// A journal note, a milestone's note, a funding line's note.
    pub const NOTE: usize = 5_000;
    /// The notes kept on an organisation or a person.
    pub const DIRECTORY_NOTE: usize = 5_000;
    /// A postal address.
    pub const ADDRESS: usize = 500;
    /// A web address.
    pub const WEBSITE: usize = 300;
    /// A phone number as typed.
    pub const PHONE: usize = 40;
    /// A search typed into a list's search box or a type-ahead.
    pub const SEARCH: usize = 200;
    /// A code in a filter or a choice (stage, programme, INSEE, SIREN…).
    pub const CODE: usize = 60;
}

/// Excel's limit on a cell's text; every `max` is below it.
pub const EXCEL_CELL_MAX: usize = 32_767;

/// The kinds of dates, each with the range a real one falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// Project dates, milestones, notes, funding steps and deadlines, a
    /// health date, a filter's "since": 1990 to 2100.
    Planning,
    /// The start or end of a mandate or a membership: 1945 to 2100.
    History,
}

impl DateKind {
    pub fn range(self) -> (NaiveDate, NaiveDate) {
        let first_year = match self {
            DateKind::Planning => 1990,
            DateKind::History => 1945,
        };
        (ymd(first_year, 1, 1), ymd(2100, 12, 31))
    }

    /// `Ok` when the date is plausible; else the French message naming the range.
    pub fn check(self, date: NaiveDate) -> Result<NaiveDate, String> {
        let (first, last) = self.range();
        if (first..=last).contains(&date) {
            Ok(date)
        } else {
            Err(rust_i18n::t!(
                "input.date_out_of_range",
                first = first.year(),
                last = last.year()
            )
            .into_owned())
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Reads a date as typed (`2026-03-28` or `28/03/2026`); `Err` holds the
/// French message (not a date, or out of the kind's range).
pub fn parse_date(text: &str, kind: DateKind) -> Result<NaiveDate, String> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map_err(|_| rust_i18n::t!("project.invalid_date").into_owned())?;
    // chrono reads "+10000-01-01" and "0202-01-01": the range check refuses them.
    kind.check(date)
}

/// A text within `max` characters once trimmed: `Err` holds the French
/// message. Control characters are refused before this (the request codec).
pub fn check_length(text: &str, max: usize) -> Result<(), String> {
    if text.chars().count() > max {
        Err(rust_i18n::t!("input.too_long", max = max).into_owned())
    } else {
        Ok(())
    }
}

/// Text as people type it: no control characters but tab and line breaks
/// (a NUL byte is refused by PostgreSQL and truncates C strings elsewhere).
pub fn is_text(value: &str) -> bool {
    !value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A value read from a page's address: trimmed, `None` when empty or not
/// text (a hand-edited address never breaks the page; the value is ignored).
pub fn url_value(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && is_text(v))
}

/// A search box's text, cut to [`max::SEARCH`] characters: a longer one
/// cannot match anything more useful, and is not an error.
pub fn search_text(text: &str) -> String {
    text.trim().chars().take(max::SEARCH).collect()
}

/// The highest page number a list accepts (far past any real list).
pub const MAX_PAGE: u64 = 100_000;
/// The longest deadline window a filter accepts, in days.
pub const MAX_WINDOW_DAYS: i64 = 3_650;

/// Checks a list filter's values as they come from a URL or a client:
/// codes of at most [`max::CODE`] characters, a plausible date, a page
/// number and a window in range. Each problem is recorded on its field.
#[derive(Default)]
pub struct FilterCheck {
    pub errors: crate::error::FieldErrors,
}

impl FilterCheck {
    pub fn code(&mut self, field: &str, value: &Option<String>) {
        if value
            .as_ref()
            .is_some_and(|v| v.chars().count() > max::CODE)
        {
            self.errors
                .add(field, rust_i18n::t!("input.too_long", max = max::CODE));
        }
    }

    pub fn date(&mut self, field: &str, value: Option<NaiveDate>) {
        if let Some(Err(message)) = value.map(|d| DateKind::Planning.check(d)) {
            self.errors.add(field, message);
        }
    }

    pub fn page(&mut self, field: &str, value: Option<u64>) {
        if value.is_some_and(|p| p > MAX_PAGE) {
            self.errors.add(
                field,
                rust_i18n::t!("input.page_out_of_range", max = MAX_PAGE),
            );
        }
    }

    pub fn window(&mut self, field: &str, value: Option<i64>) {
        if value.is_some_and(|d| !(0..=MAX_WINDOW_DAYS).contains(&d)) {
            self.errors.add(
                field,
                rust_i18n::t!("input.window_out_of_range", max = MAX_WINDOW_DAYS),
            );
        }
    }

    /// Whether `field` was refused (to drop it from a hand-edited URL).
    pub fn refused(&self, field: &str) -> bool {
        self.errors.get(field).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_their_range_are_refused() {
        for text in [
            "0000-01-01",
            "0202-01-01",
            "1899-12-31",
            "1989-12-31",
            "2101-01-01",
            "+99999-01-01",
            "-0001-01-01",
        ] {
            assert!(
                parse_date(text, DateKind::Planning).is_err(),
                "{text} accepted"
            );
        }
        assert_eq!(
            parse_date("28/03/2026", DateKind::Planning),
            Ok(ymd(2026, 3, 28))
        );
        assert_eq!(
            parse_date("1990-01-01", DateKind::Planning),
            Ok(ymd(1990, 1, 1))
        );
        assert_eq!(
            parse_date("2100-12-31", DateKind::Planning),
            Ok(ymd(2100, 12, 31))
        );
        // A mayor elected in 1977 is history, not planning.
        assert!(parse_date("1977-03-20", DateKind::Planning).is_err());
        assert!(parse_date("1977-03-20", DateKind::History).is_ok());
        assert!(parse_date("1944-12-31", DateKind::History).is_err());
    }

    #[test]
    fn the_range_message_names_the_years() {
        let err = parse_date("0202-01-01", DateKind::Planning).unwrap_err();
        assert!(err.contains("1990") && err.contains("2100"), "{err}");
    }

    #[test]
    fn every_limit_fits_an_excel_cell() {
        for limit in [
            max::TITLE,
            max::LABEL,
            max::SUMMARY,
            max::DESCRIPTION,
            max::REASON,
            max::NOTE,
            max::DIRECTORY_NOTE,
            max::ADDRESS,
        ] {
            assert!(limit <= EXCEL_CELL_MAX);
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(check_length(&"é".repeat(200), 200).is_ok());
        assert!(check_length(&"é".repeat(201), 200).is_err());
        assert_eq!(search_text(&"a".repeat(50_000)).len(), max::SEARCH);
    }
}
