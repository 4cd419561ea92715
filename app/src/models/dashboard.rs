//! The head's portfolio figures (first slice of the dashboard).
use serde::{Deserialize, Serialize};

use crate::domain::Stage;
use crate::domain::funding::Totals;

/// One stage of the funnel: how many projects, and their total cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageCount {
    pub stage: Stage,
    pub projects: i64,
    pub cost_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioSummary {
    /// Every stage, in path order, abandoned last (zeros included).
    pub funnel: Vec<StageCount>,
    /// The funding of active projects (not completed, not abandoned), with
    /// their total cost.
    pub money: Totals,
}
