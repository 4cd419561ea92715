//! Mail jobs: a mail is planned once (its unique key), claimed by one
//! sender at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the
//! write turn and `BEGIN IMMEDIATE` serialise claimers), handed to SMTP or
//! kept in the outbox, retried with backoff, given up visibly. A sender
//! that dies mid-send leaves a claim that lapses (`LEASE`): the mail is
//! sent by the next one.
use chrono::{DateTime, Duration, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TryInsertResult,
};

use super::compose::Composed;
use crate::domain::mail::{MailKind, MailStatus, retry_after};
use crate::error::AppError;
use crate::server::config::{MailConfig, SmtpTls};
use crate::server::db::begin_write;
use crate::server::entities::mail::mail_job;

/// How long a claim holds before another sender may take the mail: well
/// over a batch's worst case (`BATCH` × `SEND_TIMEOUT`), so a slow relay
/// never lets a second sender take a mail still being sent.
pub const LEASE: Duration = Duration::minutes(15);
/// Mails claimed at a time.
const BATCH: u64 = 10;
/// One SMTP command that takes longer has failed…
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// …and so has a whole send (connection, commands, data) that takes longer.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Where mail goes: an SMTP server, or the outbox.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl Mailer {
    /// The configured SMTP server, or the outbox when there is none.
    pub fn new(config: &MailConfig) -> Result<Self, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("MAIL_FROM : {e}"))?;
        let Some(smtp) = &config.smtp else {
            return Ok(Self {
                transport: None,
                from,
            });
        };
        let builder = match smtp.tls {
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &smtp.host,
            )),
        }
        .map_err(|e| format!("SMTP_HOST : {e}"))?;
        let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = &smtp.user {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                smtp.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Self {
            transport: Some(builder.build()),
            from,
        })
    }

    /// Mail kept in the outbox (no SMTP).
    pub fn outbox() -> Self {
        Self::new(&MailConfig::default()).expect("the default sender is valid")
    }
}

/// A mail to plan.
pub struct NewMail {
    /// Unique per mail: planning it again (another tick, another instance)
    /// inserts nothing.
    pub dedupe_key: String,
    pub user_id: i64,
    /// `Name <address>`.
    pub recipient: String,
    pub kind: MailKind,
    pub composed: Composed,
    pub unsubscribe_digest: String,
    pub unsubscribe_url: String,
}

/// Plans `mail`; false when a mail of that key was already planned.
pub async fn enqueue(
    db: &DatabaseConnection,
    mail: NewMail,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let txn = begin_write(db).await?;
    let inserted = mail_job::Entity::insert(mail_job::ActiveModel {
        dedupe_key: Set(mail.dedupe_key),
        user_id: Set(mail.user_id),
        kind: Set(mail.kind),
        recipient: Set(mail.recipient),
        subject: Set(mail.composed.subject),
        body_text: Set(mail.composed.text),
        body_html: Set(mail.composed.html),
        unsubscribe_digest: Set(mail.unsubscribe_digest),
        unsubscribe_url: Set(mail.unsubscribe_url),
        status: Set(MailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([mail_job::Column::DedupeKey])
    .exec(&*txn)
    .await?;
    txn.commit().await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(_)))
}

/// Whether a mail of that key was planned already.
pub async fn planned(db: &impl ConnectionTrait, dedupe_key: &str) -> Result<bool, AppError> {
    Ok(mail_job::Entity::find()
        .filter(mail_job::Column::DedupeKey.eq(dedupe_key))
        .one(db)
        .await?
        .is_some())
}

/// Takes up to `BATCH` mails due at `now` that no one holds, for `LEASE`;
/// counts the try. Two senders never take the same mail.
pub async fn claim(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<mail_job::Model>, AppError> {
    let due = Query::select()
        .column(mail_job::Column::Id)
        .from(mail_job::Entity)
        .and_where(mail_job::Column::Status.eq(MailStatus::Pending.as_str()))
        .and_where(mail_job::Column::NextAttemptAt.lte(now))
        .cond_where(
            Condition::any()
                .add(mail_job::Column::ClaimedUntil.is_null())
                .add(mail_job::Column::ClaimedUntil.lt(now)),
        )
        .order_by(mail_job::Column::Id, Order::Asc)
        .limit(BATCH)
        // PostgreSQL: a row another sender is claiming is skipped, not
        // waited for; SQLite has no row locks (its writers take turns).
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let txn = begin_write(db).await?;
    let mut claimed = mail_job::Entity::update_many()
        .col_expr(mail_job::Column::ClaimedUntil, Expr::value(now + LEASE))
        .col_expr(
            mail_job::Column::Attempts,
            Expr::col(mail_job::Column::Attempts).add(1),
        )
        .filter(mail_job::Column::Id.in_subquery(due))
        // Again on the row itself: what the subquery saw may have been
        // claimed since (SQLite has no row lock to wait on).
        .filter(mail_job::Column::Status.eq(MailStatus::Pending))
        .filter(
            Condition::any()
                .add(mail_job::Column::ClaimedUntil.is_null())
                .add(mail_job::Column::ClaimedUntil.lt(now)),
        )
        .exec_with_returning(&*txn)
        .await?;
    txn.commit().await?;
    claimed.sort_by_key(|j| j.id);
    Ok(claimed)
}

/// Why a try failed, and whether trying again may help.
struct Failure {
    permanent: bool,
    message: String,
}

fn message_of(mailer: &Mailer, job: &mail_job::Model) -> Result<Message, Failure> {
    let permanent = |message: String| Failure {
        permanent: true,
        message,
    };
    let to: Mailbox = job
        .recipient
        .parse()
        .map_err(|e| permanent(format!("destinataire : {e}")))?;
    let mut builder = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(job.subject.clone());
    if job.kind.unsubscribable() {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{}>", job.unsubscribe_url),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            job.body_text.clone(),
            job.body_html.clone(),
        ))
        .map_err(|e| permanent(format!("message : {e}")))
}

async fn try_send(mailer: &Mailer, job: &mail_job::Model) -> Result<MailStatus, Failure> {
    let message = message_of(mailer, job)?;
    let Some(transport) = &mailer.transport else {
        return Ok(MailStatus::Outbox);
    };
    match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
        Ok(Ok(_)) => Ok(MailStatus::Sent),
        Ok(Err(err)) => Err(Failure {
            permanent: err.is_permanent(),
            message: err.to_string(),
        }),
        Err(_) => Err(Failure {
            permanent: false,
            message: format!(
                "pas de réponse du serveur SMTP en {} s",
                SEND_TIMEOUT.as_secs()
            ),
        }),
    }
}

/// What one delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub outbox: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Sends every mail due at `now`, batch after batch. Each batch is
/// claimed at `now` plus the time spent so far, so its lease runs from when
/// it was taken.
pub async fn deliver(
    db: &DatabaseConnection,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Delivered, AppError> {
    let mut done = Delivered::default();
    let started = std::time::Instant::now();
    loop {
        let at = now + Duration::from_std(started.elapsed()).unwrap_or_default();
        let batch = claim(db, at).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for job in batch {
            let outcome = try_send(mailer, &job).await;
            let mut update = mail_job::Entity::update_many()
                .col_expr(
                    mail_job::Column::ClaimedUntil,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .filter(mail_job::Column::Id.eq(job.id))
                .filter(mail_job::Column::Status.eq(MailStatus::Pending))
                // Only while this sender's claim stands (never a later one's).
                .filter(mail_job::Column::ClaimedUntil.eq(job.claimed_until));
            match outcome {
                Ok(status) => {
                    if status == MailStatus::Sent {
                        done.sent += 1;
                    } else {
                        done.outbox += 1;
                    }
                    update = update
                        .col_expr(mail_job::Column::Status, Expr::value(status.as_str()))
                        .col_expr(mail_job::Column::SentAt, Expr::value(now))
                        .col_expr(mail_job::Column::LastError, Expr::value(None::<String>));
                }
                Err(failure) => {
                    let wait = (!failure.permanent)
                        .then(|| retry_after(job.attempts))
                        .flatten();
                    tracing::warn!(
                        job = job.id,
                        attempts = job.attempts,
                        permanent = failure.permanent,
                        error = %failure.message,
                        "mail not sent"
                    );
                    update = update.col_expr(
                        mail_job::Column::LastError,
                        Expr::value(failure.message.chars().take(2000).collect::<String>()),
                    );
                    update = match wait {
                        Some(wait) => {
                            done.retried += 1;
                            update
                                .col_expr(mail_job::Column::NextAttemptAt, Expr::value(now + wait))
                        }
                        None => {
                            done.failed += 1;
                            update.col_expr(
                                mail_job::Column::Status,
                                Expr::value(MailStatus::Failed.as_str()),
                            )
                        }
                    };
                }
            }
            let txn = begin_write(db).await?;
            update.exec(&*txn).await?;
            txn.commit().await?;
        }
    }
}

/// How long a handled mail (sent, kept in the outbox, given up) stays in
/// the table for the admin to read.
pub const KEPT_DAYS: i64 = 180;

/// Forgets the mails handled more than `KEPT_DAYS` before `now` (never one
/// still waiting for a try); how many.
pub async fn prune(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, AppError> {
    let done = mail_job::Entity::delete_many()
        .filter(mail_job::Column::CreatedAt.lt(now - chrono::Duration::days(KEPT_DAYS)))
        .filter(mail_job::Column::Status.ne(MailStatus::Pending))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
