//! Sharing a project with partners: the sections a share shows and whether
//! a share still works on a given day.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A part of the shared project page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Title, summary, communes, owner, stage progress, officer contact.
    Summary,
    /// Milestones marked shareable.
    Milestones,
    /// Journal notes marked shareable.
    Notes,
    /// Totals and each funder's status.
    Funding,
    /// The project's partner organisations.
    Partners,
    /// Everything internal: other notes and milestones, versions, the
    /// timeline, health reasons, funding line notes, contacts.
    Internal,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Summary,
        Section::Milestones,
        Section::Notes,
        Section::Funding,
        Section::Partners,
        Section::Internal,
    ];
    /// The sections an officer chooses, in the form's order.
    pub const OPTIONAL: [Section; 4] = [
        Section::Milestones,
        Section::Notes,
        Section::Funding,
        Section::Partners,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Summary => "summary",
            Section::Milestones => "milestones",
            Section::Notes => "notes",
            Section::Funding => "funding",
            Section::Partners => "partners",
            Section::Internal => "internal",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("share.section.{}", self.as_str())).into_owned()
    }
}

/// The optional sections a share shows; the summary always shows, the
/// internal parts never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShareSections {
    pub milestones: bool,
    pub notes: bool,
    pub funding: bool,
    pub partners: bool,
}

impl ShareSections {
    pub fn shows(self, section: Section) -> bool {
        match section {
            Section::Summary => true,
            Section::Milestones => self.milestones,
            Section::Notes => self.notes,
            Section::Funding => self.funding,
            Section::Partners => self.partners,
            Section::Internal => false,
        }
    }

    /// The optional sections shown, in order.
    pub fn shown(self) -> Vec<Section> {
        Section::OPTIONAL
            .into_iter()
            .filter(|s| self.shows(*s))
            .collect()
    }
}

/// Whether a share works today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareState {
    Active,
    Expired,
    Revoked,
}

impl ShareState {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareState::Active => "active",
            ShareState::Expired => "expired",
            ShareState::Revoked => "revoked",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("share.state.{}", self.as_str())).into_owned()
    }
}

/// A share works through its expiry day, included, until it is revoked;
/// revocation wins over expiry.
pub fn share_state(expires_on: Option<NaiveDate>, revoked: bool, today: NaiveDate) -> ShareState {
    if revoked {
        ShareState::Revoked
    } else if expires_on.is_some_and(|last| today > last) {
        ShareState::Expired
    } else {
        ShareState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("date")
    }

    #[test]
    fn a_share_works_through_its_last_day() {
        assert_eq!(share_state(None, false, day(1)), ShareState::Active);
        assert_eq!(
            share_state(Some(day(10)), false, day(9)),
            ShareState::Active
        );
        assert_eq!(
            share_state(Some(day(10)), false, day(10)),
            ShareState::Active
        );
        assert_eq!(
            share_state(Some(day(10)), false, day(11)),
            ShareState::Expired
        );
    }

    #[test]
    fn revocation_wins_over_everything() {
        assert_eq!(share_state(None, true, day(1)), ShareState::Revoked);
        assert_eq!(
            share_state(Some(day(10)), true, day(9)),
            ShareState::Revoked
        );
        assert_eq!(share_state(Some(day(1)), true, day(9)), ShareState::Revoked);
    }

    #[test]
    fn the_summary_always_shows_and_internals_never() {
        let none = ShareSections::default();
        let all = ShareSections {
            milestones: true,
            notes: true,
            funding: true,
            partners: true,
        };
        for sections in [none, all] {
            assert!(sections.shows(Section::Summary));
            assert!(!sections.shows(Section::Internal));
        }
        assert!(none.shown().is_empty());
        assert_eq!(all.shown(), Section::OPTIONAL.to_vec());
        let funding_only = ShareSections {
            funding: true,
            ..ShareSections::default()
        };
        assert_eq!(funding_only.shown(), vec![Section::Funding]);
        assert!(!funding_only.shows(Section::Notes));
    }
}
