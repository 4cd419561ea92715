//! What can happen to a project: the kinds of its timeline events
//! (docs/DOMAIN.md, "Milestones and the journal"). Stored as their snake
//! case code in `project_events.kind`; a stored code no variant knows fails
//! the read (an internal error, logged), never a silent "other".
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::domain::stored::stored_enum;

stored_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum EventKind {
        Created,
        /// The project's own fields (title, cost, communes…) or its partners.
        Updated,
        StageChanged,
        HealthChanged,
        MilestoneAdded,
        MilestoneUpdated,
        MilestoneDeleted,
        MilestoneDone,
        MilestoneReopened,
        NoteAdded,
        FundingLineAdded,
        FundingLineUpdated,
        FundingLineDeleted,
        FundingStatusChanged,
        /// A derogation to the 20 % rule set on the plan, or cleared.
        DerogationSet,
        DerogationCleared,
        PartnerAdded,
        PartnerRemoved,
        ShareCreated,
        ShareChanged,
        ShareRevoked,
        /// A document uploaded, replaced by a new version, edited, deleted.
        DocumentAdded,
        DocumentVersionAdded,
        DocumentUpdated,
        DocumentDeleted,
    }
}

impl EventKind {
    pub const ALL: [EventKind; 25] = [
        EventKind::Created,
        EventKind::Updated,
        EventKind::StageChanged,
        EventKind::HealthChanged,
        EventKind::MilestoneAdded,
        EventKind::MilestoneUpdated,
        EventKind::MilestoneDeleted,
        EventKind::MilestoneDone,
        EventKind::MilestoneReopened,
        EventKind::NoteAdded,
        EventKind::FundingLineAdded,
        EventKind::FundingLineUpdated,
        EventKind::FundingLineDeleted,
        EventKind::FundingStatusChanged,
        EventKind::DerogationSet,
        EventKind::DerogationCleared,
        EventKind::PartnerAdded,
        EventKind::PartnerRemoved,
        EventKind::ShareCreated,
        EventKind::ShareChanged,
        EventKind::ShareRevoked,
        EventKind::DocumentAdded,
        EventKind::DocumentVersionAdded,
        EventKind::DocumentUpdated,
        EventKind::DocumentDeleted,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::StageChanged => "stage_changed",
            EventKind::HealthChanged => "health_changed",
            EventKind::MilestoneAdded => "milestone_added",
            EventKind::MilestoneUpdated => "milestone_updated",
            EventKind::MilestoneDeleted => "milestone_deleted",
            EventKind::MilestoneDone => "milestone_done",
            EventKind::MilestoneReopened => "milestone_reopened",
            EventKind::NoteAdded => "note_added",
            EventKind::FundingLineAdded => "funding_line_added",
            EventKind::FundingLineUpdated => "funding_line_updated",
            EventKind::FundingLineDeleted => "funding_line_deleted",
            EventKind::FundingStatusChanged => "funding_status_changed",
            EventKind::DerogationSet => "derogation_set",
            EventKind::DerogationCleared => "derogation_cleared",
            EventKind::PartnerAdded => "partner_added",
            EventKind::PartnerRemoved => "partner_removed",
            EventKind::ShareCreated => "share_created",
            EventKind::ShareChanged => "share_changed",
            EventKind::ShareRevoked => "share_revoked",
            EventKind::DocumentAdded => "document_added",
            EventKind::DocumentVersionAdded => "document_version_added",
            EventKind::DocumentUpdated => "document_updated",
            EventKind::DocumentDeleted => "document_deleted",
        }
    }

    /// A move between two states (stage, funding status), whose codes the
    /// event keeps as columns for the dashboard's movements.
    pub fn is_state_change(self) -> bool {
        matches!(
            self,
            EventKind::StageChanged | EventKind::FundingStatusChanged
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().to_owned())
            );
        }
        assert!("abandoned".parse::<EventKind>().is_err());
    }
}
