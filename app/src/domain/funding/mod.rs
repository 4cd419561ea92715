//! Funding plans: the lifecycle of a line, what the plan adds up to, the
//! 20 % self-funding rule and grant deadlines.
pub mod deadlines;
pub mod figures;
pub mod plan;
pub mod status;

pub use deadlines::{
    DetrDue, detr_completion_deadline, detr_next_due, detr_start_deadline, leader_too_late,
};
pub use figures::PlanFigures;
pub use plan::{
    Bar, Derogation, DerogationKind, FunderCategory, LineSums, PlanFigure, PlanLine, Ratio,
    SelfFundingCheck, Totals, Verdict, check_self_funding, line_sums, totals,
};
pub use status::{FundingStatus, LineAmounts, StatusMoveError, check_amounts, check_status_move};
