//! Portfolio figures by aggregate queries: one `GROUP BY` over projects and
//! one over funding lines, whatever the size of the portfolio (no per-project
//! work). The funding sums go through the same domain rule as a single plan.
use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::domain::Stage;
use crate::domain::funding::{FunderCategory, FundingStatus, PlanLine, totals};
use crate::error::AppError;
use crate::models::{PortfolioSummary, StageCount};

#[derive(FromQueryResult)]
struct StageRow {
    stage: String,
    projects: i64,
    cost: Option<i64>,
}

#[derive(FromQueryResult)]
struct StatusRow {
    status: String,
    requested: Option<i64>,
    granted: Option<i64>,
    paid: Option<i64>,
}

/// `CAST(SUM(col) AS BIGINT)`: PostgreSQL sums bigints as numeric.
fn sum(table: &str, column: &str) -> sea_orm::sea_query::SimpleExpr {
    Func::cast_as(
        Func::sum(Expr::col((Alias::new(table), Alias::new(column)))),
        Alias::new("BIGINT"),
    )
    .into()
}

pub async fn summary(db: &impl ConnectionTrait) -> Result<PortfolioSummary, AppError> {
    let backend = db.get_database_backend();
    let by_stage = Query::select()
        .column((Alias::new("projects"), Alias::new("stage")))
        .expr_as(
            Func::cast_as(
                Func::count(Expr::col((Alias::new("projects"), Alias::new("id")))),
                Alias::new("BIGINT"),
            ),
            Alias::new("projects"),
        )
        .expr_as(sum("projects", "estimated_cost_cents"), Alias::new("cost"))
        .from(Alias::new("projects"))
        .group_by_col((Alias::new("projects"), Alias::new("stage")))
        .to_owned();
    let rows: HashMap<String, StageRow> = StageRow::find_by_statement(backend.build(&by_stage))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.stage.clone(), r))
        .collect();
    let funnel = Stage::ALL
        .into_iter()
        .map(|stage| {
            let row = rows.get(stage.as_str());
            StageCount {
                stage,
                projects: row.map_or(0, |r| r.projects),
                cost_cents: row.and_then(|r| r.cost).unwrap_or(0),
            }
        })
        .collect();
    let active_cost: i64 = Stage::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .filter_map(|s| rows.get(s.as_str()).and_then(|r| r.cost))
        .sum();

    let inactive = [Stage::Completed.as_str(), Stage::Abandoned.as_str()];
    let by_status = Query::select()
        .column((Alias::new("funding_lines"), Alias::new("status")))
        .expr_as(
            sum("funding_lines", "amount_requested_cents"),
            Alias::new("requested"),
        )
        .expr_as(
            sum("funding_lines", "amount_granted_cents"),
            Alias::new("granted"),
        )
        .expr_as(
            sum("funding_lines", "amount_paid_cents"),
            Alias::new("paid"),
        )
        .from(Alias::new("funding_lines"))
        .inner_join(
            Alias::new("projects"),
            Expr::col((Alias::new("projects"), Alias::new("id")))
                .equals((Alias::new("funding_lines"), Alias::new("project_id"))),
        )
        .and_where(Expr::col((Alias::new("projects"), Alias::new("stage"))).is_not_in(inactive))
        .group_by_col((Alias::new("funding_lines"), Alias::new("status")))
        .to_owned();
    // Sums are linear: one pseudo-line per status adds up like the lines.
    let lines: Vec<PlanLine> = StatusRow::find_by_statement(backend.build(&by_status))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            Ok(PlanLine {
                category: FunderCategory::Public,
                status: r
                    .status
                    .parse::<FundingStatus>()
                    .map_err(|_| AppError::Internal)?,
                requested: r.requested,
                granted: r.granted,
                paid: r.paid.unwrap_or(0),
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(PortfolioSummary {
        funnel,
        money: totals(Some(active_cost), &lines),
    })
}
