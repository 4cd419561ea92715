//! The project timeline: every change appends an event in the caller's
//! transaction. Events are never edited.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::error::AppError;
use crate::models::CurrentUser;
use crate::server::entities::projects::{event, project};

/// Appends an event to the project's timeline, stamps the project's last
/// change and brings the dashboard's summaries up to date with it (a write
/// that changes the project further after its event calls
/// `plan_figures::refresh` last, which does it again).
pub async fn record(
    txn: &DatabaseTransaction,
    project_id: i64,
    actor: &CurrentUser,
    kind: &str,
    data: Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // State changes keep their codes as columns (the dashboard's movement
    // queries); a creation "enters" the project's first stage.
    let state = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
    let (state_from, state_to) = match kind {
        "stage_changed" | "funding_status_changed" => (state("from"), state("to")),
        "created" => (None, state("stage")),
        _ => (None, None),
    };
    event::ActiveModel {
        state_from: Set(state_from),
        state_to: Set(state_to),
        project_id: Set(project_id),
        actor_id: Set(Some(actor.id)),
        at: Set(now),
        kind: Set(kind.to_owned()),
        data: Set(data.to_string()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    project::Entity::update_many()
        .col_expr(project::Column::LastEventAt, Expr::value(now))
        .filter(project::Column::Id.eq(project_id))
        .exec(txn)
        .await?;
    crate::server::services::rollup::refresh(txn, project_id).await
}

/// `NotFound` unless the project exists.
pub async fn project_exists(db: &impl sea_orm::ConnectionTrait, id: i64) -> Result<(), AppError> {
    project::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}
