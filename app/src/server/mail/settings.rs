//! Each person's mail choices (no row: the defaults, reminders on and the
//! weekly digest), the one-click unsubscribe behind a mail's link, and the
//! outbox the admin reads.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::domain::mail::{DigestFrequency, MailKind, MailStatus};
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

/// Mails of a kind just turned off that were waiting (a retry after a
/// failure): not sent after all, and marked so for the admin.
async fn cancel_pending(
    db: &impl ConnectionTrait,
    user_id: i64,
    choice: MailSettingsView,
) -> Result<(), AppError> {
    let mut off = Vec::new();
    if !choice.reminders {
        off.push(MailKind::Reminder);
    }
    if choice.digest == DigestFrequency::Never {
        off.push(MailKind::Digest);
    }
    if off.is_empty() {
        return Ok(());
    }
    mail_job::Entity::update_many()
        .col_expr(
            mail_job::Column::Status,
            Expr::value(MailStatus::Failed.as_str()),
        )
        .col_expr(
            mail_job::Column::LastError,
            Expr::value(rust_i18n::t!("mail.outbox.cancelled").into_owned()),
        )
        .filter(mail_job::Column::UserId.eq(user_id))
        .filter(mail_job::Column::Status.eq(MailStatus::Pending))
        // Not one a sender holds right now: that one may be on its way.
        .filter(mail_job::Column::ClaimedUntil.is_null())
        .filter(mail_job::Column::Kind.is_in(off))
        // A committee digest was asked for: opting out of the weekly one
        // does not cancel it.
        .filter(mail_job::Column::DedupeKey.not_like("committee:%"))
        .exec(db)
        .await?;
    Ok(())
}

async fn upsert(
    db: &impl ConnectionTrait,
    user_id: i64,
    choice: MailSettingsView,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    cancel_pending(db, user_id, choice).await?;
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
    if !kind.unsubscribable() {
        return Ok(Some(kind));
    }
    // Read and written in one write turn: an unsubscribe from the other
    // kind at the same moment is not undone.
    let txn = begin_write(db).await?;
    let mut choice = of(&*txn, user_id).await?;
    match kind {
        MailKind::Reminder => choice.reminders = false,
        MailKind::Digest => choice.digest = DigestFrequency::Never,
        MailKind::Committee => {}
    }
    upsert(&*txn, user_id, choice, now).await?;
    txn.commit().await?;
    Ok(Some(kind))
}

/// The mails in trouble (given up, or waiting for another try after a
/// failure), however old, then the latest others; newest first in each.
/// The unsubscribe links are masked: the admin reads what was said, and
/// cannot act for the recipient.
pub async fn outbox(db: &impl ConnectionTrait, smtp: bool) -> Result<Outbox, AppError> {
    let newest = || {
        mail_job::Entity::find()
            .order_by_desc(mail_job::Column::CreatedAt)
            .order_by_desc(mail_job::Column::Id)
            .limit(OUTBOX_SHOWN)
    };
    let trouble = newest()
        .filter(
            Condition::any()
                .add(mail_job::Column::Status.eq(MailStatus::Failed))
                .add(
                    Condition::all()
                        .add(mail_job::Column::Status.eq(MailStatus::Pending))
                        .add(mail_job::Column::LastError.is_not_null()),
                ),
        )
        .all(db)
        .await?;
    let seen: std::collections::HashSet<i64> = trouble.iter().map(|j| j.id).collect();
    let rest = newest().all(db).await?;
    let masked = rust_i18n::t!("mail.outbox.masked_link").into_owned();
    let entries = trouble
        .into_iter()
        .chain(rest.into_iter().filter(|j| !seen.contains(&j.id)))
        .map(|j| OutboxEntry {
            id: j.id,
            created_at: j.created_at,
            recipient: j.recipient,
            kind: j.kind,
            subject: j.subject,
            body_text: j.body_text.replace(&j.unsubscribe_url, &masked),
            status: j.status,
            attempts: j.attempts,
            last_error: j.last_error,
            sent_at: j.sent_at,
        })
        .collect();
    Ok(Outbox { smtp, entries })
}
