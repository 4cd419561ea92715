//! Spreadsheet imports: each uploaded file, its column mapping, the preview
//! shown to the user, and what its confirmation wrote (for the undo).
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{drop_tables, index, set_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(big_pk_auto(Imports::Id))
                    .col(string_len(Imports::FileName, 255))
                    .col(big_integer(Imports::FileSize))
                    // SHA-256 of the file, hex.
                    .col(string_len(Imports::Digest, 64))
                    // The file itself: the preview and the confirmation read
                    // the same bytes.
                    .col(blob(Imports::Content))
                    // `failed` (unreadable file), `previewed`, `committed`, `undone`.
                    .col(string_len(Imports::Status, 16))
                    .col(text_null(Imports::Error))
                    // JSON: the header row, the field of each column, the key.
                    .col(text(Imports::Mapping))
                    // JSON: the verdict of each row, as last shown.
                    .col(text(Imports::Preview))
                    // JSON: how many rows of each verdict (the list of imports).
                    .col(text(Imports::Counts))
                    // JSON: the projects the confirmation created and updated.
                    .col(text_null(Imports::Outcome))
                    .col(big_integer_null(Imports::CreatedBy))
                    .col(timestamp_with_time_zone(Imports::CreatedAt))
                    .col(timestamp_with_time_zone_null(Imports::CommittedAt))
                    .col(timestamp_with_time_zone_null(Imports::UndoneAt))
                    .foreign_key(&mut set_null(Imports::CreatedBy, Users::Table))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_imports_created_at",
            Imports::Table,
            [Imports::CreatedAt],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [Imports::Table]).await
    }
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    FileName,
    FileSize,
    Digest,
    Content,
    Status,
    Error,
    Mapping,
    Preview,
    Counts,
    Outcome,
    CreatedBy,
    CreatedAt,
    CommittedAt,
    UndoneAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}
