//! Calendar feeds (issue 20): which deadlines a feed publishes, the
//! reminders each kind carries, and the `SEQUENCE` rule that lets a client
//! update an entry whose date moved instead of showing it twice.
use chrono::NaiveDate;

use crate::domain::Role;
use crate::domain::stored::code_enum;

code_enum!(
    /// Whose deadlines a feed holds.
    FeedScope, "calendar.scope", [
        Mine => "mine",
        Portfolio => "portfolio",
        Filter => "filter",
    ]
);

impl FeedScope {
    /// Whether `role` may subscribe to this feed: every staff member to
    /// their own projects, heads and admins to the whole portfolio.
    pub fn allowed(self, role: Role) -> bool {
        match self {
            FeedScope::Mine => role.is_staff(),
            FeedScope::Portfolio | FeedScope::Filter => matches!(role, Role::Head | Role::Admin),
        }
    }

    /// Whether a user holds one feed of this scope (created from the
    /// account page) rather than one per dashboard filter (created from the
    /// dashboard).
    pub fn single(self) -> bool {
        self != FeedScope::Filter
    }

    /// The single feeds `role` may have (none for a partner).
    pub fn for_role(role: Role) -> Vec<FeedScope> {
        FeedScope::ALL
            .iter()
            .copied()
            .filter(|s| s.single() && s.allowed(role))
            .collect()
    }
}

/// What a calendar entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// An open milestone, on its due date.
    Milestone,
    /// A funding application still to file, on the funder's closing date.
    Application,
    /// A granted DETR line: works must start by then.
    DetrStart,
    /// A granted DETR line: works must be completed by then.
    DetrCompletion,
}

impl EntryKind {
    /// The UID's prefix: with the row's id, stable for the entry's life.
    pub fn uid_prefix(self) -> &'static str {
        match self {
            EntryKind::Milestone => "jalon",
            EntryKind::Application => "depot",
            EntryKind::DetrStart => "detr-debut",
            EntryKind::DetrCompletion => "detr-fin",
        }
    }

    /// Days before the date at which the calendar reminds (`VALARM`): J-30
    /// and J-7 for funding deadlines, J-3 for milestones.
    pub fn reminder_days(self) -> &'static [u32] {
        match self {
            EntryKind::Milestone => &[3],
            _ => &[30, 7],
        }
    }
}

/// The UID of the entry of kind `kind` for row `id`, under `domain` (the
/// host the feed is served from, so two installations never collide).
pub fn entry_uid(kind: EntryKind, id: i64, domain: &str) -> String {
    format!("{}-{id}@{domain}", kind.uid_prefix())
}

/// The `SEQUENCE` an entry is published with on `day`, given what was
/// published before (its day and sequence): unchanged while the day stays,
/// one more when it moves, 0 the first time.
pub fn next_sequence(before: Option<(NaiveDate, i32)>, day: NaiveDate) -> (i32, bool) {
    match before {
        None => (0, true),
        Some((was, sequence)) if was == day => (sequence, false),
        Some((_, sequence)) => (sequence.saturating_add(1), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_moved_date_raises_the_sequence_and_a_kept_one_does_not() {
        assert_eq!(next_sequence(None, d("2027-03-01")), (0, true));
        assert_eq!(
            next_sequence(Some((d("2027-03-01"), 0)), d("2027-03-01")),
            (0, false)
        );
        assert_eq!(
            next_sequence(Some((d("2027-03-01"), 0)), d("2027-03-08")),
            (1, true)
        );
        // Moved back to an earlier date: still one more, never less.
        assert_eq!(
            next_sequence(Some((d("2027-03-08"), 4)), d("2027-03-01")),
            (5, true)
        );
        assert_eq!(
            next_sequence(Some((d("2027-03-08"), i32::MAX)), d("2027-03-01")),
            (i32::MAX, true)
        );
    }

    #[test]
    fn the_portfolio_is_for_heads_and_admins_and_nothing_is_for_partners() {
        for role in Role::ALL {
            assert_eq!(FeedScope::Mine.allowed(role), role != Role::Partner);
            assert_eq!(FeedScope::for_role(role).is_empty(), role == Role::Partner);
            assert_eq!(
                FeedScope::Portfolio.allowed(role),
                matches!(role, Role::Head | Role::Admin)
            );
            assert_eq!(
                FeedScope::Filter.allowed(role),
                matches!(role, Role::Head | Role::Admin)
            );
            assert!(!FeedScope::for_role(role).contains(&FeedScope::Filter));
        }
    }

    #[test]
    fn uids_are_stable_and_distinct_by_kind() {
        assert_eq!(
            entry_uid(EntryKind::Milestone, 12, "maillage.example"),
            "jalon-12@maillage.example"
        );
        let kinds = [
            EntryKind::Milestone,
            EntryKind::Application,
            EntryKind::DetrStart,
            EntryKind::DetrCompletion,
        ];
        let uids: std::collections::HashSet<_> =
            kinds.iter().map(|k| entry_uid(*k, 1, "h")).collect();
        assert_eq!(uids.len(), kinds.len());
        assert_eq!(EntryKind::Milestone.reminder_days(), &[3]);
        assert_eq!(EntryKind::Application.reminder_days(), &[30, 7]);
    }
}
