//! Settings the admin changes from the app (`settings`, by name); one
//! absent takes the server's value from its environment.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::error::AppError;
use crate::models::RetentionView;
use crate::server::entities::setting;

/// How long deleted documents are kept, in days.
pub const DOCUMENT_RETENTION: &str = "document_retention_days";

/// The retention in force: the admin's, else `default_days` (the
/// server's). A stored value that no longer reads as days is ignored.
pub async fn document_retention(
    db: &impl ConnectionTrait,
    default_days: i64,
) -> Result<RetentionView, AppError> {
    let stored = setting::Entity::find_by_id(DOCUMENT_RETENTION.to_owned())
        .one(db)
        .await?
        .and_then(|s| s.value.parse::<i64>().ok())
        .filter(|d| *d >= 0);
    Ok(RetentionView {
        days: stored.unwrap_or(default_days),
        default_days,
        set: stored.is_some(),
    })
}

/// Sets the retention (`None`: back to the server's).
pub async fn set_document_retention(
    db: &impl ConnectionTrait,
    days: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    match days {
        None => {
            setting::Entity::delete_by_id(DOCUMENT_RETENTION.to_owned())
                .exec(db)
                .await?;
        }
        Some(days) => {
            setting::Entity::insert(setting::ActiveModel {
                name: Set(DOCUMENT_RETENTION.to_owned()),
                value: Set(days.to_string()),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(setting::Column::Name)
                    .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec(db)
            .await?;
        }
    }
    Ok(())
}
