//! Settings the admin changes from the app rather than the server's
//! environment, by name (issue 21: how long deleted documents are kept).
//! A setting absent here takes the environment's value.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::keys::drop_tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(string_len(Settings::Name, 60).primary_key())
                    .col(string_len(Settings::Value, 200))
                    .col(timestamp_with_time_zone(Settings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [Settings::Table]).await
    }
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Name,
    Value,
    UpdatedAt,
}
