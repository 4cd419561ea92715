//! The life of one funding line (docs/DOMAIN.md, "Funding plans"):
//! identified → requested → granted | refused → agreement signed → advance
//! paid → balance paid. Every move goes through [`check_status_move`].
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::domain::stored::stored_enum;

stored_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum FundingStatus {
        Identified,
        Requested,
        Granted,
        Refused,
        AgreementSigned,
        AdvancePaid,
        BalancePaid,
    }
}

impl FundingStatus {
    pub const ALL: [FundingStatus; 7] = [
        FundingStatus::Identified,
        FundingStatus::Requested,
        FundingStatus::Granted,
        FundingStatus::Refused,
        FundingStatus::AgreementSigned,
        FundingStatus::AdvancePaid,
        FundingStatus::BalancePaid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FundingStatus::Identified => "identified",
            FundingStatus::Requested => "requested",
            FundingStatus::Granted => "granted",
            FundingStatus::Refused => "refused",
            FundingStatus::AgreementSigned => "agreement_signed",
            FundingStatus::AdvancePaid => "advance_paid",
            FundingStatus::BalancePaid => "balance_paid",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("funding_status.{}", self.as_str())).into_owned()
    }

    /// Position on the granted path; refused sits beside granted.
    fn rank(self) -> u8 {
        match self {
            FundingStatus::Identified => 0,
            FundingStatus::Requested => 1,
            FundingStatus::Granted | FundingStatus::Refused => 2,
            FundingStatus::AgreementSigned => 3,
            FundingStatus::AdvancePaid => 4,
            FundingStatus::BalancePaid => 5,
        }
    }

    /// The money is secured: the funder has decided in favour.
    pub fn is_secured(self) -> bool {
        self != FundingStatus::Refused && self.rank() >= 2
    }

    /// An application has been filed (whatever its outcome).
    pub fn is_filed(self) -> bool {
        self.rank() >= 1
    }

    /// Some money has been paid.
    pub fn has_payment(self) -> bool {
        matches!(
            self,
            FundingStatus::AdvancePaid | FundingStatus::BalancePaid
        )
    }
}

impl fmt::Display for FundingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FundingStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FundingStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| rust_i18n::t!("funding.unknown_status").into_owned())
    }
}

/// What a status move needs besides the target status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAmounts {
    pub requested: Option<i64>,
    pub granted: Option<i64>,
    pub paid: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMoveError {
    /// Same status as now.
    Unchanged,
    /// A step that cannot follow the current one (e.g. paid before granted).
    Impossible {
        from: FundingStatus,
        to: FundingStatus,
    },
    /// Going back is a correction and needs a reason.
    ReasonRequired,
    /// Filing needs the amount requested.
    RequestedAmountMissing,
    /// Granting needs the amount granted, at most the amount requested.
    GrantedAmountMissing,
    GrantedAboveRequested,
    /// A payment needs the amount paid, at most the amount granted.
    PaidAmountMissing,
    PaidAboveGranted,
    /// Money recorded as paid on a line whose status says nothing was paid.
    PaidWithoutPayment,
}

impl fmt::Display for StatusMoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            StatusMoveError::Unchanged => rust_i18n::t!("funding.move_unchanged"),
            StatusMoveError::Impossible { from, to } => rust_i18n::t!(
                "funding.move_impossible",
                from = from.label(),
                to = to.label()
            ),
            StatusMoveError::ReasonRequired => rust_i18n::t!("funding.move_reason_required"),
            StatusMoveError::RequestedAmountMissing => {
                rust_i18n::t!("funding.requested_amount_missing")
            }
            StatusMoveError::GrantedAmountMissing => {
                rust_i18n::t!("funding.granted_amount_missing")
            }
            StatusMoveError::GrantedAboveRequested => {
                rust_i18n::t!("funding.granted_above_requested")
            }
            StatusMoveError::PaidAmountMissing => rust_i18n::t!("funding.paid_amount_missing"),
            StatusMoveError::PaidAboveGranted => rust_i18n::t!("funding.paid_above_granted"),
            StatusMoveError::PaidWithoutPayment => {
                rust_i18n::t!("funding.paid_without_payment")
            }
        };
        f.write_str(&text)
    }
}

impl StatusMoveError {
    /// The form field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            StatusMoveError::Unchanged | StatusMoveError::Impossible { .. } => "status",
            StatusMoveError::ReasonRequired => "reason",
            StatusMoveError::RequestedAmountMissing => "amount_requested",
            StatusMoveError::GrantedAmountMissing | StatusMoveError::GrantedAboveRequested => {
                "amount_granted"
            }
            StatusMoveError::PaidAmountMissing
            | StatusMoveError::PaidAboveGranted
            | StatusMoveError::PaidWithoutPayment => "amount_paid",
        }
    }
}

impl StatusMoveError {
    /// The field of the status form (status, amount, reason) it belongs to.
    pub fn status_form_field(self) -> &'static str {
        match self.field() {
            "status" | "reason" => self.field(),
            _ => "amount",
        }
    }
}

/// Whether a line's amounts fit its status: a filed line says how much was
/// asked, a granted one how much was granted (at most what was asked), a
/// paid one how much was paid (at most what was granted).
pub fn check_amounts(status: FundingStatus, amounts: LineAmounts) -> Result<(), StatusMoveError> {
    if status.is_filed() && amounts.requested.is_none_or(|a| a <= 0) {
        return Err(StatusMoveError::RequestedAmountMissing);
    }
    if status.is_secured() {
        match (amounts.granted, amounts.requested) {
            (None, _) | (Some(..=0), _) => return Err(StatusMoveError::GrantedAmountMissing),
            (Some(g), Some(r)) if g > r => return Err(StatusMoveError::GrantedAboveRequested),
            _ => {}
        }
    }
    if status.has_payment() {
        if amounts.paid <= 0 {
            return Err(StatusMoveError::PaidAmountMissing);
        }
    } else if amounts.paid != 0 {
        return Err(StatusMoveError::PaidWithoutPayment);
    }
    if amounts.granted.is_some_and(|g| amounts.paid > g) {
        return Err(StatusMoveError::PaidAboveGranted);
    }
    Ok(())
}

/// Whether a line may go from `from` to `to` with these amounts (as they
/// will be after the move). Forward moves follow the lifecycle: a request
/// before a decision, a grant before any agreement or payment (an agreement
/// or the advance may be skipped). Any move back is a correction and needs
/// a reason. Returns whether the move goes back.
pub fn check_status_move(
    from: FundingStatus,
    to: FundingStatus,
    amounts: LineAmounts,
    reason: Option<&str>,
) -> Result<bool, StatusMoveError> {
    use FundingStatus as S;
    if from == to {
        return Err(StatusMoveError::Unchanged);
    }
    // Money has been paid: the funder cannot be said to have refused.
    if to == S::Refused && from.has_payment() {
        return Err(StatusMoveError::Impossible { from, to });
    }
    // Between granted and refused (same step), either way is a correction.
    let backward = to.rank() < from.rank()
        || matches!(
            (from, to),
            (S::Refused, S::Granted) | (S::Granted, S::Refused)
        );
    let forward_ok = matches!(
        (from, to),
        (S::Identified, S::Requested)
            | (S::Requested, S::Granted | S::Refused)
            | (
                S::Granted,
                S::AgreementSigned | S::AdvancePaid | S::BalancePaid
            )
            | (S::AgreementSigned, S::AdvancePaid | S::BalancePaid)
            | (S::AdvancePaid, S::BalancePaid)
    );
    if backward {
        if reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(StatusMoveError::ReasonRequired);
        }
    } else if !forward_ok {
        return Err(StatusMoveError::Impossible { from, to });
    }
    check_amounts(to, amounts)?;
    Ok(backward)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FundingStatus as S;

    const FULL: LineAmounts = LineAmounts {
        requested: Some(100_000_00),
        granted: Some(80_000_00),
        paid: 80_000_00,
    };

    /// The amounts of a fully paid line, as they are after moving to `to`.
    fn at(to: FundingStatus) -> LineAmounts {
        LineAmounts {
            paid: if to.has_payment() { FULL.paid } else { 0 },
            ..FULL
        }
    }

    #[test]
    fn the_lifecycle_moves_forward_step_by_step() {
        for (from, to) in [
            (S::Identified, S::Requested),
            (S::Requested, S::Granted),
            (S::Requested, S::Refused),
            (S::Granted, S::AgreementSigned),
            (S::AgreementSigned, S::AdvancePaid),
            (S::AdvancePaid, S::BalancePaid),
            // No convention or no advance for some funders.
            (S::Granted, S::BalancePaid),
            (S::AgreementSigned, S::BalancePaid),
        ] {
            assert_eq!(
                check_status_move(from, to, at(to), None),
                Ok(false),
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn impossible_moves_are_refused() {
        for (from, to) in [
            (S::Identified, S::Granted),
            (S::Identified, S::BalancePaid),
            (S::Requested, S::AdvancePaid),
            (S::Requested, S::AgreementSigned),
            (S::Refused, S::AgreementSigned),
            (S::Refused, S::BalancePaid),
        ] {
            assert_eq!(
                check_status_move(from, to, at(to), None),
                Err(StatusMoveError::Impossible { from, to }),
                "{from} → {to}"
            );
        }
        assert_eq!(
            check_status_move(S::Granted, S::Granted, at(S::Granted), None),
            Err(StatusMoveError::Unchanged)
        );
    }

    #[test]
    fn going_back_is_a_correction_with_a_reason() {
        assert_eq!(
            check_status_move(S::Granted, S::Requested, at(S::Requested), None),
            Err(StatusMoveError::ReasonRequired)
        );
        assert_eq!(
            check_status_move(S::Granted, S::Requested, at(S::Requested), Some("  ")),
            Err(StatusMoveError::ReasonRequired)
        );
        assert_eq!(
            check_status_move(
                S::Granted,
                S::Requested,
                at(S::Requested),
                Some("Saisie erronée")
            ),
            Ok(true)
        );
        assert_eq!(
            check_status_move(
                S::Refused,
                S::Granted,
                at(S::Granted),
                Some("Recours gracieux gagné")
            ),
            Ok(true)
        );
        assert_eq!(
            check_status_move(S::Granted, S::Refused, at(S::Refused), None),
            Err(StatusMoveError::ReasonRequired)
        );
        assert_eq!(
            check_status_move(
                S::Granted,
                S::Refused,
                at(S::Refused),
                Some("Décision retirée")
            ),
            Ok(true)
        );
        // Once money has been paid, "refused" is not a correction.
        for from in [S::AdvancePaid, S::BalancePaid] {
            assert_eq!(
                check_status_move(from, S::Refused, at(S::Refused), Some("?")),
                Err(StatusMoveError::Impossible {
                    from,
                    to: S::Refused
                })
            );
        }
    }

    #[test]
    fn amounts_follow_the_lifecycle() {
        let none = LineAmounts {
            requested: None,
            granted: None,
            paid: 0,
        };
        assert_eq!(
            check_status_move(S::Identified, S::Requested, none, None),
            Err(StatusMoveError::RequestedAmountMissing)
        );
        let asked = LineAmounts {
            requested: Some(50_000_00),
            ..none
        };
        assert_eq!(
            check_status_move(S::Requested, S::Granted, asked, None),
            Err(StatusMoveError::GrantedAmountMissing)
        );
        let too_much = LineAmounts {
            granted: Some(50_000_01),
            ..asked
        };
        assert_eq!(
            check_status_move(S::Requested, S::Granted, too_much, None),
            Err(StatusMoveError::GrantedAboveRequested)
        );
        let granted = LineAmounts {
            granted: Some(40_000_00),
            ..asked
        };
        assert_eq!(
            check_status_move(S::Requested, S::Granted, granted, None),
            Ok(false)
        );
        assert_eq!(
            check_status_move(S::Granted, S::AdvancePaid, granted, None),
            Err(StatusMoveError::PaidAmountMissing)
        );
        let overpaid = LineAmounts {
            paid: 40_000_01,
            ..granted
        };
        assert_eq!(
            check_status_move(S::Granted, S::BalancePaid, overpaid, None),
            Err(StatusMoveError::PaidAboveGranted)
        );
        // A refusal needs no granted amount.
        assert_eq!(
            check_status_move(S::Requested, S::Refused, asked, None),
            Ok(false)
        );
    }

    #[test]
    fn statuses_round_trip_through_their_codes() {
        for s in FundingStatus::ALL {
            assert_eq!(s.as_str().parse::<FundingStatus>(), Ok(s));
        }
        assert!("paid".parse::<FundingStatus>().is_err());
        assert!(S::Granted.is_secured() && !S::Refused.is_secured() && S::Refused.is_filed());
    }
}
