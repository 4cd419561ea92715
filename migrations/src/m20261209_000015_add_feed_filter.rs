//! A head's calendar feed of a dashboard filter: a feed keeps the filter it
//! publishes (the dashboard's query string, `""` for the other scopes), and
//! a user may hold one address per scope and filter.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CalendarFeeds::Table)
                    .add_column(text(CalendarFeeds::Filter).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_calendar_feeds_user_scope")
                    .table(CalendarFeeds::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_calendar_feeds_user_scope_filter")
                    .table(CalendarFeeds::Table)
                    .col(CalendarFeeds::UserId)
                    .col(CalendarFeeds::Scope)
                    .col(CalendarFeeds::Filter)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_calendar_feeds_user_scope_filter")
                    .table(CalendarFeeds::Table)
                    .to_owned(),
            )
            .await?;
        // Back to one address per user and scope: the filter feeds go.
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(CalendarFeeds::Table)
                    .and_where(Expr::col(CalendarFeeds::Filter).ne(""))
                    .to_owned(),
            )
            .await?;
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
            .alter_table(
                Table::alter()
                    .table(CalendarFeeds::Table)
                    .drop_column(CalendarFeeds::Filter)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    UserId,
    Scope,
    Filter,
}
