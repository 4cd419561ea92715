//! What a funding plan adds up to, and the rules it is checked against:
//! over-funding and the minimum self-funding of CGCT art. L1111-10.
//! All amounts are integer euro cents; percentages stay exact fractions
//! until they are shown.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::FundingStatus;
use crate::domain::stored::stored_enum;

stored_enum! {
    /// Where a line's money comes from, as the rules see it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum FunderCategory {
        /// A public funder other than the owner (State, EU, Région…).
        Public,
        /// Private money (sponsors, private partners): outside the 20 % base.
        Private,
        /// The owner's own contribution (autofinancement, its loans).
        OwnFunds,
    }
}

impl FunderCategory {
    pub const ALL: [FunderCategory; 3] = [
        FunderCategory::Public,
        FunderCategory::Private,
        FunderCategory::OwnFunds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FunderCategory::Public => "public",
            FunderCategory::Private => "private",
            FunderCategory::OwnFunds => "own_funds",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("funder_category.{}", self.as_str())).into_owned()
    }
}

impl std::str::FromStr for FunderCategory {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FunderCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| rust_i18n::t!("funding.unknown_category").into_owned())
    }
}

/// A line as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLine {
    pub category: FunderCategory,
    pub status: FundingStatus,
    pub requested: Option<i64>,
    pub granted: Option<i64>,
    pub paid: i64,
}

impl PlanLine {
    /// The amount the plan counts on: the grant once decided, the amount
    /// requested (or foreseen) before, nothing once refused.
    pub fn planned(&self) -> i64 {
        if self.status == FundingStatus::Refused {
            0
        } else if self.status.is_secured() {
            self.granted.unwrap_or(0)
        } else {
            self.requested.unwrap_or(0)
        }
    }

    /// The amount secured: granted and not refused.
    pub fn secured(&self) -> i64 {
        if self.status.is_secured() {
            self.granted.unwrap_or(0)
        } else {
            0
        }
    }
}

/// An exact fraction, rounded only when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub num: i64,
    pub den: i64,
}

impl Ratio {
    /// `None` when the denominator is zero.
    pub fn of(num: i64, den: i64) -> Option<Ratio> {
        (den != 0).then_some(Ratio { num, den })
    }

    /// Tenths of a percent, rounded half away from zero.
    pub fn permille(self) -> i64 {
        let scaled = i128::from(self.num) * 1000;
        let den = i128::from(self.den);
        let half = den / 2;
        let rounded = if scaled >= 0 {
            (scaled + half) / den
        } else {
            (scaled - half) / den
        };
        i64::try_from(rounded).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for Ratio {
    /// French form with one decimal: "23,5 %".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.permille();
        let sign = if p < 0 { "-" } else { "" };
        write!(f, "{sign}{},{}\u{a0}%", (p / 10).abs(), (p % 10).abs())
    }
}

/// What a plan adds up to. Every page, export and summary reads its
/// figures from here (by [`PlanFigure`], which gives each one its French
/// label), so that a figure means the same wherever it is shown.
///
/// « Aides » are the lines of funders other than the owner; the owner's own
/// lines (autofinancement, its loans) are its contribution, counted apart:
/// it is decided by the owner, not awaited from a funder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub cost: Option<i64>,
    /// Sum of what every line counts on (refused lines count for nothing).
    pub planned: i64,
    /// The owner's contribution: what its own lines count on.
    pub own_funds: i64,
    /// Aids foreseen, not yet filed.
    pub identified: i64,
    /// Aids asked for: the amounts requested on filed, not refused, lines.
    pub requested: i64,
    /// Aids filed and awaiting a decision (what they count on).
    pub pending: i64,
    /// Aids granted (secured).
    pub granted: i64,
    /// Aids paid.
    pub paid: i64,
    /// Cost minus the aids granted and the owner's contribution: what is
    /// still to obtain, never below zero (money above the cost is
    /// `over_funding`).
    pub still_to_find: Option<i64>,
    /// Planned above the cost (an error on the plan), if any.
    pub over_funding: Option<i64>,
    pub bar: Bar,
}

/// The segments of the plan's bar, which add up to the cost when the plan
/// does not exceed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Bar {
    /// Aids paid.
    pub paid: i64,
    /// Aids granted, not yet paid.
    pub granted: i64,
    /// The owner's contribution.
    pub own_funds: i64,
    /// Aids filed, awaiting a decision.
    pub pending: i64,
    /// Aids foreseen, not yet filed.
    pub identified: i64,
    /// Cost not covered by any line.
    pub to_find: i64,
}

impl Bar {
    pub fn total(&self) -> i64 {
        self.paid + self.granted + self.own_funds + self.pending + self.identified + self.to_find
    }
}

/// The sums of some lines, whoever their funder: what a funder's row of the
/// dashboard shows, and the parts [`totals`] is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineSums {
    pub planned: i64,
    pub identified: i64,
    pub requested: i64,
    pub pending: i64,
    pub granted: i64,
    pub paid: i64,
}

/// Adds lines up. Inputs are bounded by `money::MAX_CENTS` per amount, so
/// sums of realistic plans cannot overflow; sums saturate regardless.
pub fn line_sums<'a>(lines: impl IntoIterator<Item = &'a PlanLine>) -> LineSums {
    let mut s = LineSums::default();
    for l in lines {
        let add = |acc: &mut i64, v: i64| *acc = acc.saturating_add(v);
        add(&mut s.planned, l.planned());
        add(&mut s.granted, l.secured());
        if l.status.is_secured() {
            add(&mut s.paid, l.paid);
        }
        if l.status.is_filed() && l.status != FundingStatus::Refused {
            add(&mut s.requested, l.requested.unwrap_or(0));
        }
        match l.status {
            FundingStatus::Identified => add(&mut s.identified, l.planned()),
            FundingStatus::Requested => add(&mut s.pending, l.planned()),
            _ => {}
        }
    }
    s
}

/// The plan's figures: the aids and the owner's contribution apart.
pub fn totals(cost: Option<i64>, lines: &[PlanLine]) -> Totals {
    let is_own = |l: &&PlanLine| l.category == FunderCategory::OwnFunds;
    let aids = line_sums(lines.iter().filter(|l| !is_own(l)));
    let own_funds = line_sums(lines.iter().filter(is_own)).planned;
    let planned = aids.planned.saturating_add(own_funds);
    let bar = Bar {
        paid: aids.paid,
        granted: aids.granted.saturating_sub(aids.paid),
        own_funds,
        pending: aids.pending,
        identified: aids.identified,
        to_find: cost.map_or(0, |c| c.saturating_sub(planned).max(0)),
    };
    Totals {
        cost,
        planned,
        own_funds,
        identified: aids.identified,
        requested: aids.requested,
        pending: aids.pending,
        granted: aids.granted,
        paid: aids.paid,
        still_to_find: cost.map(|c| {
            c.saturating_sub(aids.granted)
                .saturating_sub(own_funds)
                .max(0)
        }),
        over_funding: cost.and_then(|c| (planned > c).then(|| planned - c)),
        bar,
    }
}

/// The figures of a plan, each defined once (in [`Totals`]) with its one
/// French label. Pages list the ones they show from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanFigure {
    Cost,
    Planned,
    OwnFunds,
    Identified,
    Requested,
    Pending,
    Granted,
    Paid,
    StillToFind,
}

impl PlanFigure {
    /// Every figure, in the order the staff plan shows them.
    pub const ALL: [PlanFigure; 9] = [
        PlanFigure::Cost,
        PlanFigure::Planned,
        PlanFigure::OwnFunds,
        PlanFigure::Identified,
        PlanFigure::Requested,
        PlanFigure::Pending,
        PlanFigure::Granted,
        PlanFigure::Paid,
        PlanFigure::StillToFind,
    ];
    /// What partners are told: the cost, how it is covered, what is left.
    pub const SHARED: [PlanFigure; 6] = [
        PlanFigure::Cost,
        PlanFigure::OwnFunds,
        PlanFigure::Granted,
        PlanFigure::Pending,
        PlanFigure::Paid,
        PlanFigure::StillToFind,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanFigure::Cost => "cost",
            PlanFigure::Planned => "planned",
            PlanFigure::OwnFunds => "own_funds",
            PlanFigure::Identified => "identified",
            PlanFigure::Requested => "requested",
            PlanFigure::Pending => "pending",
            PlanFigure::Granted => "granted",
            PlanFigure::Paid => "paid",
            PlanFigure::StillToFind => "still_to_find",
        }
    }

    /// The French label, the same on every page and in every export.
    pub fn label(self) -> String {
        rust_i18n::t!(format!("plan_figure.{}", self.as_str())).into_owned()
    }

    /// The figure's value in `t`, `None` when the plan has no cost to
    /// measure it against.
    pub fn of(self, t: &Totals) -> Option<i64> {
        match self {
            PlanFigure::Cost => t.cost,
            PlanFigure::Planned => Some(t.planned),
            PlanFigure::OwnFunds => Some(t.own_funds),
            PlanFigure::Identified => Some(t.identified),
            PlanFigure::Requested => Some(t.requested),
            PlanFigure::Pending => Some(t.pending),
            PlanFigure::Granted => Some(t.granted),
            PlanFigure::Paid => Some(t.paid),
            PlanFigure::StillToFind => t.still_to_find,
        }
    }
}

stored_enum! {
    /// The cases where the prefect may waive the minimum self-funding.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DerogationKind {
        UrbanRenewal,
        ListedMonument,
        DisasterRepair,
        Overseas,
    }
}

impl DerogationKind {
    pub const ALL: [DerogationKind; 4] = [
        DerogationKind::UrbanRenewal,
        DerogationKind::ListedMonument,
        DerogationKind::DisasterRepair,
        DerogationKind::Overseas,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DerogationKind::UrbanRenewal => "urban_renewal",
            DerogationKind::ListedMonument => "listed_monument",
            DerogationKind::DisasterRepair => "disaster_repair",
            DerogationKind::Overseas => "overseas",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("derogation.{}", self.as_str())).into_owned()
    }
}

impl std::str::FromStr for DerogationKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DerogationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| rust_i18n::t!("funding.unknown_derogation").into_owned())
    }
}

/// A recorded derogation: always with its reason, always displayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Derogation {
    pub kind: DerogationKind,
    pub reason: String,
}

/// The minimum share, as a fraction: 20 %.
pub const MIN_SELF_FUNDING: Ratio = Ratio { num: 20, den: 100 };

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The owner is not a local authority: the rule does not apply.
    NotApplicable,
    Met,
    Breached,
    /// Breached, but a derogation is recorded (shown as such, never as met).
    Derogation(Derogation),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfFundingCheck {
    /// The owner's own contribution (planned).
    pub owner: i64,
    /// Total public funding: public funders plus the owner's contribution.
    pub public_total: i64,
    /// 20 % of the public total, rounded up to the cent.
    pub threshold: i64,
    /// The owner's share of the public total.
    pub share: Option<Ratio>,
    /// What the owner would have to add, other funding unchanged, to reach
    /// the minimum (adding to its share also adds to the public total).
    pub shortfall: i64,
    pub verdict: Verdict,
}

/// CGCT art. L1111-10: when the owner is a local authority, its own
/// contribution must be at least 20 % of all the public money in the project
/// (its own included, private money excluded). Met exactly at 20 %.
pub fn check_self_funding(
    owner_is_local_authority: bool,
    lines: &[PlanLine],
    derogation: Option<&Derogation>,
) -> SelfFundingCheck {
    let sum = |category: FunderCategory| {
        lines
            .iter()
            .filter(|l| l.category == category)
            .fold(0_i64, |acc, l| acc.saturating_add(l.planned()))
    };
    let owner = sum(FunderCategory::OwnFunds);
    let public_total = owner.saturating_add(sum(FunderCategory::Public));
    let wide = |v: i64| i128::from(v);
    // ceil(public_total × 20 / 100), exactly.
    let threshold_wide =
        (wide(public_total) * wide(MIN_SELF_FUNDING.num) + wide(MIN_SELF_FUNDING.den) - 1)
            / wide(MIN_SELF_FUNDING.den);
    let threshold = i64::try_from(threshold_wide).unwrap_or(i64::MAX);
    let met =
        wide(owner) * wide(MIN_SELF_FUNDING.den) >= wide(public_total) * wide(MIN_SELF_FUNDING.num);
    // owner ≥ 20 % × (owner + external) ⇔ owner ≥ external × 20 / 80.
    let external = wide(public_total) - wide(owner);
    let num = wide(MIN_SELF_FUNDING.num);
    let rest = wide(MIN_SELF_FUNDING.den) - num;
    let minimum = (external * num + rest - 1) / rest;
    let shortfall = i64::try_from((minimum - wide(owner)).max(0)).unwrap_or(i64::MAX);
    let verdict = match (owner_is_local_authority, met, derogation) {
        (false, _, _) => Verdict::NotApplicable,
        (true, true, _) => Verdict::Met,
        (true, false, Some(d)) => Verdict::Derogation(d.clone()),
        (true, false, None) => Verdict::Breached,
    };
    SelfFundingCheck {
        owner,
        public_total,
        threshold,
        share: Ratio::of(owner, public_total),
        shortfall,
        verdict,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use FunderCategory::{OwnFunds, Private, Public};
    use FundingStatus as S;

    /// A line of the plan: `granted` 0 is none yet, nothing paid.
    pub(crate) fn line(
        category: FunderCategory,
        status: FundingStatus,
        requested: i64,
        granted: i64,
    ) -> PlanLine {
        PlanLine {
            category,
            status,
            requested: Some(requested),
            granted: (granted > 0).then_some(granted),
            paid: 0,
        }
    }

    fn verdict_of(lines: &[PlanLine]) -> (SelfFundingCheck, bool) {
        let check = check_self_funding(true, lines, None);
        let met = check.verdict == Verdict::Met;
        (check, met)
    }

    /// Worked examples, computed by hand (amounts in cents).
    #[test]
    fn self_funding_worked_examples() {
        // 1. Town hall renovation, 500 000 €: DETR 200 000, Région 150 000,
        //    commune 150 000. Public total 500 000; 20 % = 100 000; owner 30 %.
        let (c, met) = verdict_of(&[
            line(Public, S::Granted, 200_000_00, 200_000_00),
            line(Public, S::Requested, 150_000_00, 0),
            line(OwnFunds, S::Identified, 150_000_00, 0),
        ]);
        assert_eq!(
            (c.owner, c.public_total, c.threshold),
            (150_000_00, 500_000_00, 100_000_00)
        );
        assert_eq!(c.share.unwrap().to_string(), "30,0\u{a0}%");
        assert!(met);

        // 2. Exactly 20 %: 80 000 of grants, 20 000 owner → met.
        let (c, met) = verdict_of(&[
            line(Public, S::Granted, 80_000_00, 80_000_00),
            line(OwnFunds, S::Identified, 20_000_00, 0),
        ]);
        assert_eq!((c.public_total, c.threshold), (100_000_00, 20_000_00));
        assert!(met);

        // 3. One cent short: 80 000,01 of grants, 20 000 owner → breached.
        //    Public total 100 000,01; 20 % = 20 000,002 → threshold 20 000,01.
        let (c, met) = verdict_of(&[
            line(Public, S::Requested, 80_000_01, 0),
            line(OwnFunds, S::Identified, 20_000_00, 0),
        ]);
        assert_eq!((c.public_total, c.threshold), (100_000_01, 20_000_01));
        assert!(!met);
        // 80 000,01 / 4 = 20 000,0025 → 20 000,01: one cent short.
        assert_eq!(c.shortfall, 1);
        assert_eq!(c.verdict, Verdict::Breached);

        // 4. Private sponsorship is outside the base: cost 300 000, mécénat
        //    100 000, DETR 160 000, owner 40 000. Public 200 000; 20 % =
        //    40 000 → met (with the sponsor in the base it would still be
        //    13,3 % of 300 000, the wrong reading).
        let (c, met) = verdict_of(&[
            line(Private, S::Granted, 100_000_00, 100_000_00),
            line(Public, S::Granted, 160_000_00, 160_000_00),
            line(OwnFunds, S::Identified, 40_000_00, 0),
        ]);
        assert_eq!(
            (c.owner, c.public_total, c.threshold),
            (40_000_00, 200_000_00, 40_000_00)
        );
        assert!(met);

        // 5. A refused grant leaves the base: DETR 90 000 refused, Département
        //    60 000 granted, owner 15 000. Public 75 000; 20 % = 15 000 → met.
        let (c, met) = verdict_of(&[
            line(Public, S::Refused, 90_000_00, 0),
            line(Public, S::Granted, 60_000_00, 60_000_00),
            line(OwnFunds, S::Identified, 15_000_00, 0),
        ]);
        assert_eq!((c.public_total, c.threshold), (75_000_00, 15_000_00));
        assert!(met);

        // 6. A grant decided below the request counts for what was granted:
        //    asked 120 000, granted 100 000; owner 24 000. Public 124 000;
        //    20 % = 24 800 → breached by 800 €.
        let (c, met) = verdict_of(&[
            line(Public, S::Granted, 120_000_00, 100_000_00),
            line(OwnFunds, S::Identified, 24_000_00, 0),
        ]);
        assert_eq!((c.public_total, c.threshold), (124_000_00, 24_800_00));
        assert_eq!(c.share.unwrap().to_string(), "19,4\u{a0}%");
        assert!(!met);
        // The owner must reach 100 000 / 4 = 25 000: 1 000 € more.
        assert_eq!(c.shortfall, 1_000_00);

        // 7. Loans of the owner are its own contribution: owner 10 000 +
        //    loan 15 000 = 25 000, Fonds vert 100 000. Public 125 000;
        //    20 % = 25 000 → met.
        let (c, met) = verdict_of(&[
            line(OwnFunds, S::Identified, 10_000_00, 0),
            line(OwnFunds, S::Identified, 15_000_00, 0),
            line(Public, S::Requested, 100_000_00, 0),
        ]);
        assert_eq!(
            (c.owner, c.public_total, c.threshold),
            (25_000_00, 125_000_00, 25_000_00)
        );
        assert!(met);
    }

    #[test]
    fn the_rule_applies_to_local_authorities_only_and_derogations_show() {
        let lines = [
            line(Public, S::Granted, 90_000_00, 90_000_00),
            line(OwnFunds, S::Identified, 10_000_00, 0),
        ];
        assert_eq!(
            check_self_funding(false, &lines, None).verdict,
            Verdict::NotApplicable
        );
        let d = Derogation {
            kind: DerogationKind::ListedMonument,
            reason: "Église classée MH, arrêté préfectoral du 3 mars".into(),
        };
        assert_eq!(
            check_self_funding(true, &lines, Some(&d)).verdict,
            Verdict::Derogation(d.clone())
        );
        // A derogation on a plan that meets the rule changes nothing.
        let fine = [
            line(Public, S::Granted, 80_000_00, 80_000_00),
            line(OwnFunds, S::Identified, 20_000_00, 0),
        ];
        assert_eq!(
            check_self_funding(true, &fine, Some(&d)).verdict,
            Verdict::Met
        );
    }

    #[test]
    fn totals_and_bar() {
        let mut paid = line(Public, S::AdvancePaid, 200_000_00, 180_000_00);
        paid.paid = 54_000_00;
        let lines = [
            paid,
            line(Public, S::Requested, 150_000_00, 0),
            line(Public, S::Refused, 70_000_00, 0),
            line(Public, S::Identified, 40_000_00, 0),
            line(OwnFunds, S::Identified, 100_000_00, 0),
        ];
        let t = totals(Some(600_000_00), &lines);
        assert_eq!(t.planned, 470_000_00);
        assert_eq!(t.own_funds, 100_000_00);
        assert_eq!(t.identified, 40_000_00, "the owner's line is no aid");
        assert_eq!(t.requested, 350_000_00);
        assert_eq!(t.pending, 150_000_00);
        assert_eq!(t.granted, 180_000_00);
        assert_eq!(t.paid, 54_000_00);
        // 600 000 − 180 000 granted − 100 000 of the owner's own.
        assert_eq!(t.still_to_find, Some(320_000_00));
        assert_eq!(t.over_funding, None);
        assert_eq!(
            t.bar,
            Bar {
                paid: 54_000_00,
                granted: 126_000_00,
                own_funds: 100_000_00,
                pending: 150_000_00,
                identified: 40_000_00,
                to_find: 130_000_00
            }
        );
        assert_eq!(t.bar.total(), 600_000_00);

        let over = totals(Some(400_000_00), &lines);
        assert_eq!(over.over_funding, Some(70_000_00));
        assert_eq!(over.bar.to_find, 0);
        assert_eq!(totals(None, &lines).still_to_find, None);
    }

    /// The partner's « reste à financer » of a fully planned project is
    /// zero: the owner's own money is not a hole (issue 17, item 6).
    #[test]
    fn a_fully_planned_plan_has_nothing_left_to_find() {
        let lines = [
            line(Public, S::Granted, 480_000_00, 480_000_00),
            line(Public, S::Requested, 480_000_00, 0),
            line(Public, S::Requested, 240_000_00, 0),
            line(OwnFunds, S::Identified, 1_200_000_00, 0),
        ];
        let t = totals(Some(2_400_000_00), &lines);
        assert_eq!(t.pending, 720_000_00);
        assert_eq!(t.requested, 1_200_000_00);
        assert_eq!(t.still_to_find, Some(720_000_00));
        assert_eq!(t.bar.to_find, 0);
        for f in PlanFigure::ALL {
            assert!(!f.label().starts_with("plan_figure."), "{f:?} has a label");
        }
        assert_eq!(PlanFigure::StillToFind.of(&t), t.still_to_find);
        assert_eq!(PlanFigure::Pending.of(&t), Some(t.pending));
    }

    #[test]
    fn ratios_round_only_for_display() {
        assert_eq!(Ratio::of(1, 3).unwrap().to_string(), "33,3\u{a0}%");
        assert_eq!(Ratio::of(2, 3).unwrap().to_string(), "66,7\u{a0}%");
        assert_eq!(Ratio::of(1, 8).unwrap().permille(), 125);
        assert_eq!(Ratio::of(1, 0), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    use crate::domain::money::MAX_CENTS;

    fn status() -> impl Strategy<Value = FundingStatus> {
        prop::sample::select(FundingStatus::ALL.to_vec())
    }

    fn category() -> impl Strategy<Value = FunderCategory> {
        prop::sample::select(FunderCategory::ALL.to_vec())
    }

    /// A line whose amounts respect its lifecycle: granted ≤ requested,
    /// paid ≤ granted.
    fn line() -> impl Strategy<Value = PlanLine> {
        (
            category(),
            status(),
            1..=MAX_CENTS,
            0_u32..=100,
            0_u32..=100,
        )
            .prop_map(|(category, status, requested, g, p)| {
                let granted = status.is_secured().then(|| {
                    i64::try_from(i128::from(requested) * i128::from(g) / 100).unwrap_or(0)
                });
                let paid = if status.has_payment() {
                    i64::try_from(i128::from(granted.unwrap_or(0)) * i128::from(p) / 100)
                        .unwrap_or(0)
                } else {
                    0
                };
                PlanLine {
                    category,
                    status,
                    requested: Some(requested),
                    granted,
                    paid,
                }
            })
    }

    proptest! {
        #[test]
        fn totals_never_overflow_and_stay_ordered(
            lines in prop::collection::vec(line(), 0..200),
            cost in prop::option::of(0..=MAX_CENTS),
        ) {
            let exact = |f: &dyn Fn(&PlanLine) -> i64| lines.iter().map(|l| i128::from(f(l))).sum::<i128>();
            let t = totals(cost, &lines);
            // No saturation happened: the i64 sums equal the exact sums.
            prop_assert_eq!(i128::from(t.planned), exact(&PlanLine::planned));
            let granted_aid = |l: &PlanLine| if l.category == FunderCategory::OwnFunds { 0 } else { l.secured() };
            prop_assert_eq!(i128::from(t.granted), exact(&granted_aid));
            prop_assert!(t.paid <= t.granted);
            prop_assert!(t.granted <= t.requested);
            prop_assert!(t.bar.paid + t.bar.granted + t.bar.own_funds + t.bar.pending + t.bar.identified == t.planned);
            if let Some(c) = cost {
                if t.over_funding.is_none() {
                    prop_assert_eq!(t.bar.total(), c);
                } else {
                    prop_assert_eq!(t.bar.to_find, 0);
                }
                prop_assert_eq!(t.still_to_find, Some((c - t.granted - t.own_funds).max(0)));
            }
        }

        #[test]
        fn the_verdict_flips_exactly_at_twenty_percent(
            external in 0..=MAX_CENTS / 2,
            owner in 0..=MAX_CENTS / 2,
            private in 0..=MAX_CENTS / 2,
        ) {
            let lines = [
                PlanLine { category: FunderCategory::Public, status: FundingStatus::Requested, requested: Some(external), granted: None, paid: 0 },
                PlanLine { category: FunderCategory::OwnFunds, status: FundingStatus::Identified, requested: Some(owner), granted: None, paid: 0 },
                PlanLine { category: FunderCategory::Private, status: FundingStatus::Requested, requested: Some(private), granted: None, paid: 0 },
            ];
            let check = check_self_funding(true, &lines, None);
            let exact_met = i128::from(owner) * 100 >= i128::from(owner + external) * 20;
            prop_assert_eq!(check.verdict == Verdict::Met, exact_met);
            prop_assert_eq!(check.verdict == Verdict::Met, check.owner >= check.threshold);
            // The smallest owner share that meets the rule is ceil(external / 4):
            // it meets, one cent less does not.
            let minimum = (external + 3) / 4;
            let at = |o: i64| {
                let mut l = lines;
                l[1].requested = Some(o);
                check_self_funding(true, &l, None).verdict == Verdict::Met
            };
            prop_assert!(at(minimum));
            if minimum > 0 {
                prop_assert!(!at(minimum - 1));
            }
            // Adding exactly the shortfall meets the rule.
            prop_assert!(at(owner + check.shortfall));
            prop_assert_eq!(check.shortfall, (minimum - owner).max(0));
        }
    }
}
