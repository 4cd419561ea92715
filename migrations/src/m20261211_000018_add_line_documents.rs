//! What one application asks for (issue 21): a funding line may keep its
//! own list of the document types its application needs, instead of its
//! funder's default list (`funder_documents`). `own_documents` tells which
//! list applies, so that an own list may also be empty.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::keys::{cascade, drop_tables};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(FundingLines::Table)
                    .add_column(boolean(FundingLines::OwnDocuments).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LineDocuments::Table)
                    .col(big_integer(LineDocuments::FundingLineId))
                    .col(string_len(LineDocuments::TypeCode, 40))
                    .primary_key(
                        Index::create()
                            .col(LineDocuments::FundingLineId)
                            .col(LineDocuments::TypeCode),
                    )
                    .foreign_key(&mut cascade(
                        LineDocuments::FundingLineId,
                        FundingLines::Table,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [LineDocuments::Table]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(FundingLines::Table)
                    .drop_column(FundingLines::OwnDocuments)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum FundingLines {
    Table,
    OwnDocuments,
}

#[derive(DeriveIden)]
enum LineDocuments {
    Table,
    FundingLineId,
    TypeCode,
}
