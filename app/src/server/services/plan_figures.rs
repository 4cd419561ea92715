//! The per-project figures of the dashboard (`domain::funding::PlanFigures`),
//! written on the project row in the transaction of each change that moves
//! them, by the same code that builds the plan page: the dashboard and the
//! plan cannot disagree.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::funding::{FundingStatus, PlanFigures, detr_next_due};
use crate::error::AppError;
use crate::models::FundingPlan;
use crate::server::entities::projects::project;
use crate::server::services::{funding, rollup};

/// Bumped when the rules behind the figures change: rows below it are
/// recomputed at server start (`refresh_outdated`).
pub const FIGURES_VERSION: i32 = 1;

/// The figures of a loaded plan.
pub fn of_plan(plan: &FundingPlan) -> PlanFigures {
    PlanFigures::new(
        &plan.totals,
        &plan.self_funding.verdict,
        plan.lines.iter().filter_map(|l| {
            let d = l.detr?;
            detr_next_due(
                d.start_by,
                d.complete_by,
                l.status == FundingStatus::BalancePaid,
            )
        }),
    )
}

/// Writes the figures of `figures` on the project row.
pub async fn store(
    db: &impl ConnectionTrait,
    project_id: i64,
    figures: &PlanFigures,
) -> Result<(), AppError> {
    project::Entity::update_many()
        .col_expr(
            project::Column::PlanRequestedCents,
            Expr::value(figures.requested),
        )
        .col_expr(
            project::Column::PlanPendingCents,
            Expr::value(figures.pending),
        )
        .col_expr(
            project::Column::PlanGrantedCents,
            Expr::value(figures.granted),
        )
        .col_expr(project::Column::PlanPaidCents, Expr::value(figures.paid))
        .col_expr(
            project::Column::PlanToFindCents,
            Expr::value(figures.to_find),
        )
        .col_expr(project::Column::RuleBreach, Expr::value(figures.breach))
        .col_expr(
            project::Column::DetrDue,
            Expr::value(figures.detr_due.map(|(_, date)| date)),
        )
        .col_expr(
            project::Column::DetrDueKind,
            Expr::value(figures.detr_due.map(|(kind, _)| kind.as_str().to_owned())),
        )
        .col_expr(
            project::Column::FiguresVersion,
            Expr::value(FIGURES_VERSION),
        )
        .filter(project::Column::Id.eq(project_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Recomputes one project's figures (call it inside the write's
/// transaction, after the change), then the dashboard's summaries.
pub async fn refresh(db: &impl ConnectionTrait, project_id: i64) -> Result<(), AppError> {
    let plan = funding::plan(db, project_id, crate::api::today()).await?;
    store(db, project_id, &of_plan(&plan)).await?;
    rollup::refresh(db, project_id).await
}

/// Recomputes the projects whose figures predate `FIGURES_VERSION` (rows
/// from before the migration, or from older rules). Returns how many.
pub async fn refresh_outdated(db: &sea_orm::DatabaseConnection) -> Result<u64, AppError> {
    let mut done = 0;
    loop {
        let ids: Vec<i64> = project::Entity::find()
            .select_only()
            .column(project::Column::Id)
            .filter(project::Column::FiguresVersion.lt(FIGURES_VERSION))
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        if ids.is_empty() {
            return Ok(done);
        }
        let txn = crate::server::db::begin_write(db).await?;
        for id in &ids {
            refresh(&txn, *id).await?;
        }
        txn.commit().await?;
        done += ids.len() as u64;
    }
}
