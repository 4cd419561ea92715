//! Each person's mail choices (no row: the defaults, reminders on and the
//! weekly digest), the one-click unsubscribe behind a mail's link, and the
//! outbox the admin reads.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::domain::mail::{DigestFrequency, MailKind};
use crate::error::AppError;
use crate::models::{MailSettingsView, Outbox, OutboxEntry};
use crate::server::db::begin_write;
use crate::server::entities::mail::{mail_job, mail_setting};
use crate::server::share_token;

/// Mails the outbox page lists, newest first.
pub const OUTBOX_SHOWN: u64 = 200;

/// What `user_id` chose.
pub async fn of(db: &impl ConnectionTrait, user_id: i64) -> Result<MailSettingsView, AppError> {
    Ok(mail_setting::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|s| MailSettingsView {
            reminders: s.reminders,
            digest: s.digest,
        })
        .unwrap_or_default())
}

/// Every stored choice (people with none have the defaults).
pub async fn all(
    db: &impl ConnectionTrait,
) -> Result<std::collections::HashMap<i64, MailSettingsView>, AppError> {
    Ok(mail_setting::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.user_id,
                MailSettingsView {
                    reminders: s.reminders,
                    digest: s.digest,
                },
            )
        })
        .collect())
}

/// Records `user_id`'s choices.
pub async fn save(
    db: &DatabaseConnection,
    user_id: i64,
    choice: MailSettingsView,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    upsert(&*txn, user_id, choice, now).await?;
    txn.commit().await?;
    Ok(())
}

async fn upsert(
    db: &impl ConnectionTrait,
    user_id: i64,
    choice: MailSettingsView,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    mail_setting::Entity::insert(mail_setting::ActiveModel {
        user_id: Set(user_id),
        reminders: Set(choice.reminders),
        digest: Set(choice.digest),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(mail_setting::Column::UserId)
            .update_columns([
                mail_setting::Column::Reminders,
                mail_setting::Column::Digest,
                mail_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The mail behind an unsubscribe token: its kind and its recipient's id.
pub async fn mail_of_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(MailKind, i64)>, AppError> {
    if !share_token::well_formed(token) {
        return Ok(None);
    }
    let job = mail_job::Entity::find()
        .filter(mail_job::Column::UnsubscribeDigest.eq(share_token::digest(token)))
        .one(db)
        .await?
        .filter(|j| share_token::matches(token, &j.unsubscribe_digest));
    Ok(job.map(|j| (j.kind, j.user_id)))
}

/// Turns off the kind of mail the token's mail was, for its recipient;
/// the kind, or `None` for an unknown token. Doing it twice is harmless.
pub async fn unsubscribe(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<MailKind>, AppError> {
    let Some((kind, user_id)) = mail_of_token(db, token).await? else {
        return Ok(None);
    };
    // Read and written in one write turn: an unsubscribe from the other
    // kind at the same moment is not undone.
    let txn = begin_write(db).await?;
    let mut choice = of(&*txn, user_id).await?;
    match kind {
        MailKind::Reminder => choice.reminders = false,
        MailKind::Digest => choice.digest = DigestFrequency::Never,
    }
    upsert(&*txn, user_id, choice, now).await?;
    txn.commit().await?;
    Ok(Some(kind))
}

/// The latest mails, newest first.
pub async fn outbox(db: &impl ConnectionTrait, smtp: bool) -> Result<Outbox, AppError> {
    let entries = mail_job::Entity::find()
        .order_by_desc(mail_job::Column::CreatedAt)
        .order_by_desc(mail_job::Column::Id)
        .limit(OUTBOX_SHOWN)
        .all(db)
        .await?
        .into_iter()
        .map(|j| OutboxEntry {
            id: j.id,
            created_at: j.created_at,
            recipient: j.recipient,
            kind: j.kind,
            subject: j.subject,
            body_text: j.body_text,
            status: j.status,
            attempts: j.attempts,
            last_error: j.last_error,
            sent_at: j.sent_at,
        })
        .collect();
    Ok(Outbox { smtp, entries })
}
