//! Calendar feeds (iCalendar): each staff member's private feed addresses,
//! whose tokens are stored hashed like share links, and the calendar
//! entries the feeds have published, so that an entry whose date moves gets
//! a higher `SEQUENCE` and a client updates it instead of adding a second.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{cascade, drop_tables};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarFeeds::Table)
                    .col(big_pk_auto(CalendarFeeds::Id))
                    .col(big_integer(CalendarFeeds::UserId))
                    // `mine` (the user's projects) or `portfolio` (all of them).
                    .col(string_len(CalendarFeeds::Scope, 16))
                    // SHA-256 of the token, hex; the token itself is never stored.
                    .col(string_len(CalendarFeeds::TokenDigest, 64).unique_key())
                    .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                    .foreign_key(&mut cascade(CalendarFeeds::UserId, Users::Table))
                    .to_owned(),
            )
            .await?;
        // One address per user and scope: renewing replaces it.
        manager
            .create_index(
                Index::create()
                    .name("idx_calendar_feeds_user_scope")
                    .table(CalendarFeeds::Table)
                    .col(CalendarFeeds::UserId)
                    .col(CalendarFeeds::Scope)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CalendarEntries::Table)
                    // The entry's UID, e.g. `jalon-12@maillage.example.fr`
                    // (the host is the site's, of any length).
                    .col(text(CalendarEntries::Uid).primary_key())
                    .col(date(CalendarEntries::Day))
                    .col(integer(CalendarEntries::Sequence).default(0))
                    .col(timestamp_with_time_zone(CalendarEntries::MovedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [CalendarEntries::Table]).await?;
        drop_tables(manager, [CalendarFeeds::Table]).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    UserId,
    Scope,
    TokenDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CalendarEntries {
    Table,
    Uid,
    Day,
    Sequence,
    MovedAt,
}
