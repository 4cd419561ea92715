//! E-mail (issue 20): each person's choices (reminders on or off, digest
//! frequency) and the mail jobs — planned once (a unique key per reminder
//! and per week's digest), claimed by one instance at a time, retried, and
//! kept as the outbox the admin reads.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{cascade, drop_tables, index};

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum MailSettings {
    Table,
    UserId,
    Reminders,
    Digest,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MailJobs {
    Table,
    Id,
    DedupeKey,
    UserId,
    Kind,
    Recipient,
    Subject,
    BodyText,
    BodyHtml,
    UnsubscribeDigest,
    UnsubscribeUrl,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailSettings::Table)
                    .col(big_integer(MailSettings::UserId).primary_key())
                    .col(boolean(MailSettings::Reminders).default(true))
                    // `weekly` or `never` (`domain::mail::DigestFrequency`).
                    .col(string_len(MailSettings::Digest, 16))
                    .col(timestamp_with_time_zone(MailSettings::UpdatedAt))
                    .foreign_key(&mut cascade(MailSettings::UserId, Users::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailJobs::Table)
                    .col(big_pk_auto(MailJobs::Id))
                    // `reminder:<uid>:<day>:<offset>:<user>`, `digest:<week>:<user>`:
                    // planning the same mail twice (two instances) inserts it once.
                    .col(text(MailJobs::DedupeKey).unique_key())
                    .col(big_integer(MailJobs::UserId))
                    .col(string_len(MailJobs::Kind, 16))
                    .col(text(MailJobs::Recipient))
                    .col(text(MailJobs::Subject))
                    .col(text(MailJobs::BodyText))
                    .col(text(MailJobs::BodyHtml))
                    // SHA-256 (hex) of the unsubscribe link's token.
                    .col(string_len(MailJobs::UnsubscribeDigest, 64).unique_key())
                    // The link itself, for the `List-Unsubscribe` header (the
                    // body holds it too; it only turns this kind of mail off).
                    .col(text(MailJobs::UnsubscribeUrl))
                    .col(string_len(MailJobs::Status, 16))
                    .col(integer(MailJobs::Attempts).default(0))
                    .col(timestamp_with_time_zone(MailJobs::NextAttemptAt))
                    // While a sender holds it; a crashed sender's claim lapses.
                    .col(timestamp_with_time_zone_null(MailJobs::ClaimedUntil))
                    .col(text_null(MailJobs::LastError))
                    .col(timestamp_with_time_zone(MailJobs::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailJobs::SentAt))
                    .foreign_key(&mut cascade(MailJobs::UserId, Users::Table))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_mail_jobs_due",
            MailJobs::Table,
            [MailJobs::Status, MailJobs::NextAttemptAt],
        )
        .await?;
        index(
            manager,
            "idx_mail_jobs_created",
            MailJobs::Table,
            [MailJobs::CreatedAt],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [MailJobs::Table]).await?;
        drop_tables(manager, [MailSettings::Table]).await
    }
}
