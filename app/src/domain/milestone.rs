//! Milestones: dated entries on a project, late when past due and not done.
use std::{fmt, str::FromStr};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::stored::stored_enum;

stored_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum MilestoneKind {
        SteeringCommittee,
        TechnicalCommittee,
        PublicMeeting,
        Decision,
        Deliverable,
        ApplicationFiling,
        WorksStart,
        WorksEnd,
        Other,
    }
}

impl MilestoneKind {
    pub const ALL: [MilestoneKind; 9] = [
        MilestoneKind::SteeringCommittee,
        MilestoneKind::TechnicalCommittee,
        MilestoneKind::PublicMeeting,
        MilestoneKind::Decision,
        MilestoneKind::Deliverable,
        MilestoneKind::ApplicationFiling,
        MilestoneKind::WorksStart,
        MilestoneKind::WorksEnd,
        MilestoneKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::SteeringCommittee => "steering_committee",
            MilestoneKind::TechnicalCommittee => "technical_committee",
            MilestoneKind::PublicMeeting => "public_meeting",
            MilestoneKind::Decision => "decision",
            MilestoneKind::Deliverable => "deliverable",
            MilestoneKind::ApplicationFiling => "application_filing",
            MilestoneKind::WorksStart => "works_start",
            MilestoneKind::WorksEnd => "works_end",
            MilestoneKind::Other => "other",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("milestone.kind.{}", self.as_str())).into_owned()
    }
}

impl fmt::Display for MilestoneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MilestoneKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MilestoneKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| rust_i18n::t!("milestone.unknown_kind", value = s).into_owned())
    }
}

/// Where a milestone stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    Done,
    /// Past due and not done.
    Late,
    /// Due within the next `DUE_SOON_DAYS` days (today included).
    DueSoon,
    Upcoming,
}

pub const DUE_SOON_DAYS: i64 = 30;

/// The status on `today` (passed in: rules never read the clock).
pub fn milestone_status(
    due: NaiveDate,
    done: Option<NaiveDate>,
    today: NaiveDate,
) -> MilestoneStatus {
    if done.is_some() {
        MilestoneStatus::Done
    } else if due < today {
        MilestoneStatus::Late
    } else if (due - today).num_days() <= DUE_SOON_DAYS {
        MilestoneStatus::DueSoon
    } else {
        MilestoneStatus::Upcoming
    }
}

/// Who answers for a milestone: the staff member it is assigned to, while
/// their account is active staff (`assignee`: their id and whether it is),
/// else the project's lead officer; so unassigned milestones follow a change
/// of officer, and those of a departed colleague come back to the officer
/// rather than to no one. `services::assignments::open_milestones_of` asks
/// the same in SQL.
pub fn answerable(assignee: Option<(i64, bool)>, lead_officer_id: Option<i64>) -> Option<i64> {
    match assignee {
        Some((id, true)) => Some(id),
        _ => lead_officer_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assignee_answers_else_the_lead_officer() {
        assert_eq!(answerable(Some((7, true)), Some(3)), Some(7));
        assert_eq!(answerable(None, Some(3)), Some(3));
        assert_eq!(answerable(Some((7, true)), None), Some(7));
        assert_eq!(answerable(None, None), None);
        // A deactivated (or no longer staff) assignee: back to the officer.
        assert_eq!(answerable(Some((7, false)), Some(3)), Some(3));
        assert_eq!(answerable(Some((7, false)), None), None);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn late_starts_the_day_after_the_due_date() {
        let due = d("2026-11-28");
        assert_eq!(
            milestone_status(due, None, d("2026-11-28")),
            MilestoneStatus::DueSoon
        );
        assert_eq!(
            milestone_status(due, None, d("2026-11-29")),
            MilestoneStatus::Late
        );
        assert_eq!(
            milestone_status(due, None, d("2026-11-27")),
            MilestoneStatus::DueSoon
        );
    }

    #[test]
    fn done_is_never_late() {
        assert_eq!(
            milestone_status(d("2020-01-01"), Some(d("2020-02-01")), d("2026-11-28")),
            MilestoneStatus::Done
        );
    }

    #[test]
    fn due_soon_is_thirty_days_inclusive() {
        let today = d("2026-11-28");
        assert_eq!(
            milestone_status(d("2026-12-28"), None, today),
            MilestoneStatus::DueSoon
        );
        assert_eq!(
            milestone_status(d("2026-12-29"), None, today),
            MilestoneStatus::Upcoming
        );
    }

    #[test]
    fn across_a_leap_day() {
        let today = d("2028-02-28");
        assert_eq!(
            milestone_status(d("2028-02-29"), None, today),
            MilestoneStatus::DueSoon
        );
        assert_eq!(
            milestone_status(d("2028-02-29"), None, d("2028-03-01")),
            MilestoneStatus::Late
        );
    }

    #[test]
    fn kinds_round_trip_with_french_labels() {
        for kind in MilestoneKind::ALL {
            assert_eq!(kind.as_str().parse::<MilestoneKind>(), Ok(kind));
            assert!(!kind.label().starts_with("milestone."), "{kind}");
        }
        assert_eq!(
            MilestoneKind::SteeringCommittee.label(),
            "Comité de pilotage"
        );
    }
}
