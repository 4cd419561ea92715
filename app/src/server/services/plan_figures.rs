//! The per-project figures of the dashboard (`domain::funding::PlanFigures`),
//! written on the project row by the commit of each change that moves them
//! (`change::Change::plan_moved`), computed from the rows the plan page
//! reads by the same code (`compute`, over `plan_rows`): the dashboard and the plan
//! cannot disagree.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::funding::PlanFigures;
use crate::error::AppError;
use crate::server::entities::projects::project;
use crate::server::services::plan_rows::PlanRows;

/// Bumped when the rules behind the figures change: rows below it are
/// recomputed at server start (`change::refresh_outdated`).
pub const FIGURES_VERSION: i32 = 2;

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
            Expr::value(figures.detr_due.map(|(kind, _)| kind)),
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

/// A project's plan figures, from the rows its plan page reads
/// (`plan_rows`), without the page's texts.
pub async fn compute(db: &impl ConnectionTrait, project_id: i64) -> Result<PlanFigures, AppError> {
    Ok(PlanRows::load(db, project_id).await?.figures())
}

/// The figures stored on every project row, by project (the dashboard's
/// check that `store` ran wherever a plan moved).
pub async fn stored(
    db: &impl ConnectionTrait,
) -> Result<std::collections::BTreeMap<i64, PlanFigures>, AppError> {
    Ok(project::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| {
            let detr_due = p.detr_due_kind.zip(p.detr_due);
            let figures = PlanFigures {
                requested: p.plan_requested_cents,
                pending: p.plan_pending_cents,
                granted: p.plan_granted_cents,
                paid: p.plan_paid_cents,
                to_find: p.plan_to_find_cents,
                breach: p.rule_breach,
                detr_due,
            };
            (p.id, figures)
        })
        .collect())
}

/// The figures of every project computed afresh from its plan rows.
pub async fn expected(
    db: &impl ConnectionTrait,
) -> Result<std::collections::BTreeMap<i64, PlanFigures>, AppError> {
    let ids: Vec<i64> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut all = std::collections::BTreeMap::new();
    for id in ids {
        all.insert(id, compute(db, id).await?);
    }
    Ok(all)
}
