//! A project's stage and the moves between stages (docs/DOMAIN.md,
//! "A project's life"; the Les Communs mapping is in `communs.rs`).
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::domain::stored::stored_enum;

stored_enum! {
    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
    )]
    #[serde(rename_all = "snake_case")]
    pub enum Stage {
        #[default]
        Emergence,
        Study,
        Funding,
        Delivery,
        Completed,
        Abandoned,
    }
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Emergence,
        Stage::Study,
        Stage::Funding,
        Stage::Delivery,
        Stage::Completed,
        Stage::Abandoned,
    ];
    /// The stages of the step bar, in order (abandoned is off the path).
    pub const PATH: [Stage; 5] = [
        Stage::Emergence,
        Stage::Study,
        Stage::Funding,
        Stage::Delivery,
        Stage::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Emergence => "emergence",
            Stage::Study => "study",
            Stage::Funding => "funding",
            Stage::Delivery => "delivery",
            Stage::Completed => "completed",
            Stage::Abandoned => "abandoned",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("stage.{}", self.as_str())).into_owned()
    }

    /// Position on the path (abandoned has none).
    pub fn rank(self) -> Option<usize> {
        Stage::PATH.iter().position(|s| *s == self)
    }

    pub fn is_active(self) -> bool {
        !matches!(self, Stage::Completed | Stage::Abandoned)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s.trim())
            .ok_or_else(|| rust_i18n::t!("stage.unknown", value = s).into_owned())
    }
}

/// What kind of move a stage change is; recorded on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageMove {
    Forward,
    Back,
    Abandon,
    Reopen,
}

/// Why a stage change is refused (French message through `Display`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageMoveError {
    Unchanged,
    ReasonRequired,
    CompleteOnlyFromDelivery,
    CompletedCannotBeAbandoned,
}

impl StageMoveError {
    /// The form field the refusal is about: a missing reason is the
    /// reason's; a move that is not allowed is the stage's.
    pub fn field(self) -> &'static str {
        match self {
            StageMoveError::ReasonRequired => "reason",
            StageMoveError::Unchanged
            | StageMoveError::CompleteOnlyFromDelivery
            | StageMoveError::CompletedCannotBeAbandoned => "stage",
        }
    }
}

impl fmt::Display for StageMoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match self {
            StageMoveError::Unchanged => "stage.error_unchanged",
            StageMoveError::ReasonRequired => "stage.error_reason_required",
            StageMoveError::CompleteOnlyFromDelivery => "stage.error_complete_from_delivery",
            StageMoveError::CompletedCannotBeAbandoned => "stage.error_completed_abandon",
        };
        f.write_str(&rust_i18n::t!(key))
    }
}

/// The one rule for stage changes:
/// - forward to any later stage, but `completed` only from `delivery`;
/// - back to any earlier stage, with a reason (a refused grant sends a
///   project back to `funding`);
/// - `abandoned` from any active stage, with a reason;
/// - reopening an abandoned project, with a reason.
pub fn check_stage_move(
    from: Stage,
    to: Stage,
    reason: Option<&str>,
) -> Result<StageMove, StageMoveError> {
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    let kind = match (from, to) {
        _ if from == to => return Err(StageMoveError::Unchanged),
        (Stage::Completed, Stage::Abandoned) => {
            return Err(StageMoveError::CompletedCannotBeAbandoned);
        }
        (_, Stage::Abandoned) => StageMove::Abandon,
        (from, Stage::Completed) if from != Stage::Delivery => {
            return Err(StageMoveError::CompleteOnlyFromDelivery);
        }
        (Stage::Abandoned, _) => StageMove::Reopen,
        (from, to) if to > from => StageMove::Forward,
        _ => StageMove::Back,
    };
    if kind != StageMove::Forward && !has_reason {
        return Err(StageMoveError::ReasonRequired);
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    #[test]
    fn every_pair_of_stages_has_a_verdict() {
        use StageMove::*;
        use StageMoveError::*;
        // (from, to, without reason, with reason)
        type Verdict = Result<StageMove, StageMoveError>;
        let table: Vec<(Stage, Stage, Verdict, Verdict)> = vec![
            (Emergence, Study, Ok(Forward), Ok(Forward)),
            (Emergence, Funding, Ok(Forward), Ok(Forward)),
            (Emergence, Delivery, Ok(Forward), Ok(Forward)),
            (
                Emergence,
                Completed,
                Err(CompleteOnlyFromDelivery),
                Err(CompleteOnlyFromDelivery),
            ),
            (Emergence, Abandoned, Err(ReasonRequired), Ok(Abandon)),
            (Study, Emergence, Err(ReasonRequired), Ok(Back)),
            (Study, Funding, Ok(Forward), Ok(Forward)),
            (Study, Delivery, Ok(Forward), Ok(Forward)),
            (
                Study,
                Completed,
                Err(CompleteOnlyFromDelivery),
                Err(CompleteOnlyFromDelivery),
            ),
            (Study, Abandoned, Err(ReasonRequired), Ok(Abandon)),
            (Funding, Emergence, Err(ReasonRequired), Ok(Back)),
            (Funding, Study, Err(ReasonRequired), Ok(Back)),
            (Funding, Delivery, Ok(Forward), Ok(Forward)),
            (
                Funding,
                Completed,
                Err(CompleteOnlyFromDelivery),
                Err(CompleteOnlyFromDelivery),
            ),
            (Funding, Abandoned, Err(ReasonRequired), Ok(Abandon)),
            (Delivery, Emergence, Err(ReasonRequired), Ok(Back)),
            (Delivery, Study, Err(ReasonRequired), Ok(Back)),
            (Delivery, Funding, Err(ReasonRequired), Ok(Back)),
            (Delivery, Completed, Ok(Forward), Ok(Forward)),
            (Delivery, Abandoned, Err(ReasonRequired), Ok(Abandon)),
            (Completed, Emergence, Err(ReasonRequired), Ok(Back)),
            (Completed, Study, Err(ReasonRequired), Ok(Back)),
            (Completed, Funding, Err(ReasonRequired), Ok(Back)),
            (Completed, Delivery, Err(ReasonRequired), Ok(Back)),
            (
                Completed,
                Abandoned,
                Err(CompletedCannotBeAbandoned),
                Err(CompletedCannotBeAbandoned),
            ),
            (Abandoned, Emergence, Err(ReasonRequired), Ok(Reopen)),
            (Abandoned, Study, Err(ReasonRequired), Ok(Reopen)),
            (Abandoned, Funding, Err(ReasonRequired), Ok(Reopen)),
            (Abandoned, Delivery, Err(ReasonRequired), Ok(Reopen)),
            (
                Abandoned,
                Completed,
                Err(CompleteOnlyFromDelivery),
                Err(CompleteOnlyFromDelivery),
            ),
        ];
        assert_eq!(table.len(), 30, "6 × 5 ordered pairs");
        for (from, to, without, with) in table {
            assert_eq!(
                check_stage_move(from, to, None),
                without,
                "{from} → {to} without reason"
            );
            assert_eq!(
                check_stage_move(from, to, Some("  ")),
                without,
                "{from} → {to} blank reason"
            );
            assert_eq!(
                check_stage_move(from, to, Some("Subvention refusée")),
                with,
                "{from} → {to} with reason"
            );
        }
        for stage in Stage::ALL {
            assert_eq!(check_stage_move(stage, stage, Some("x")), Err(Unchanged));
        }
    }

    #[test]
    fn codes_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>(), Ok(stage));
        }
        assert!("idee".parse::<Stage>().is_err());
    }

    #[test]
    fn french_labels_and_messages() {
        assert_eq!(Funding.label(), "Montage financier");
        assert_eq!(
            StageMoveError::ReasonRequired.to_string(),
            "Indiquez un motif : il est obligatoire pour revenir à une étape précédente, abandonner ou relancer un projet."
        );
    }
}
