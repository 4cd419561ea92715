//! A plan reduced to the figures the portfolio dashboard adds up: kept on
//! the project row so that the dashboard sums columns instead of
//! recomputing every plan.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::deadlines::DetrDue;
use super::plan::{Totals, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanFigures {
    /// Filed, not refused (as in the plan's totals).
    pub requested: i64,
    /// Filed, awaiting a decision.
    pub pending: i64,
    /// Secured.
    pub granted: i64,
    pub paid: i64,
    /// Cost minus secured money, never below zero: a project funded above
    /// its cost does not make up for another one's gap.
    pub to_find: i64,
    /// The 20 % self-funding rule is broken and no derogation is recorded.
    pub breach: bool,
    /// The earliest DETR date ahead of the project's granted DETR lines.
    pub detr_due: Option<(DetrDue, NaiveDate)>,
}

impl PlanFigures {
    pub fn new(
        totals: &Totals,
        verdict: &Verdict,
        detr: impl IntoIterator<Item = (DetrDue, NaiveDate)>,
    ) -> Self {
        PlanFigures {
            requested: totals.requested,
            pending: totals.pending,
            granted: totals.granted,
            paid: totals.paid,
            to_find: totals.still_to_find.unwrap_or(0),
            breach: *verdict == Verdict::Breached,
            detr_due: detr
                .into_iter()
                .min_by_key(|(kind, date)| (*date, *kind as u8)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::funding::plan::tests::line;
    use crate::domain::funding::plan::{Derogation, DerogationKind, FunderCategory};
    use crate::domain::funding::{FundingStatus as S, check_self_funding, totals};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn figures_of_a_plan() {
        // Cost 500 000 €: DETR granted 300 000 (100 000 paid), Région
        // requested 150 000, owner 50 000 identified.
        let mut detr = line(
            FunderCategory::Public,
            S::AdvancePaid,
            300_000_00,
            300_000_00,
        );
        detr.paid = 100_000_00;
        let lines = [
            detr,
            line(FunderCategory::Public, S::Requested, 150_000_00, 0),
            line(FunderCategory::OwnFunds, S::Identified, 50_000_00, 0),
        ];
        let t = totals(Some(500_000_00), &lines);
        let check = check_self_funding(true, &lines, None);
        let f = PlanFigures::new(
            &t,
            &check.verdict,
            [
                (DetrDue::Completion, d("2030-01-10")),
                (DetrDue::Start, d("2028-06-01")),
            ],
        );
        assert_eq!(f.requested, 450_000_00);
        assert_eq!(f.pending, 150_000_00);
        assert_eq!(f.granted, 300_000_00);
        assert_eq!(f.paid, 100_000_00);
        // 500 000 − 300 000 granted − 50 000 of the owner's own.
        assert_eq!(f.to_find, 150_000_00);
        // Owner 50 000 of a public total of 500 000: 10 %, below 20 %.
        assert!(f.breach);
        assert_eq!(f.detr_due, Some((DetrDue::Start, d("2028-06-01"))));
    }

    #[test]
    fn overfunded_and_derogated_plans() {
        let lines = [
            line(FunderCategory::Public, S::Granted, 120_000_00, 120_000_00),
            line(FunderCategory::OwnFunds, S::Identified, 10_000_00, 0),
        ];
        let t = totals(Some(100_000_00), &lines);
        let derogation = Derogation {
            kind: DerogationKind::ListedMonument,
            reason: "Église classée".into(),
        };
        let check = check_self_funding(true, &lines, Some(&derogation));
        let f = PlanFigures::new(&t, &check.verdict, []);
        assert_eq!(
            f.to_find, 0,
            "granted above the cost leaves nothing to find"
        );
        assert!(!f.breach, "a recorded derogation is not a breach");
        assert_eq!(f.detr_due, None);
        // Unknown cost: nothing to find can be computed.
        let f = PlanFigures::new(&totals(None, &lines), &check.verdict, []);
        assert_eq!(f.to_find, 0);
    }
}
