//! What a funder asks for with an application (issue 21): the document
//! types each funder's catalogue lists by default; a funding line shows
//! which of them it has and which are missing. DETR's list is seeded with
//! the two types it needs beyond the first list.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::keys::{cascade, drop_tables};

#[derive(DeriveMigrationName)]
pub struct Migration;

const NEW_TYPES: &[(&str, &str, i32)] = &[
    ("calendrier", "Calendrier prévisionnel", 12),
    (
        "attestation_non_commencement",
        "Attestation de non-commencement",
        13,
    ),
];

const DETR: &[&str] = &[
    "deliberation",
    "plan_financement",
    "devis",
    "calendrier",
    "attestation_non_commencement",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FunderDocuments::Table)
                    .col(big_integer(FunderDocuments::FunderId))
                    .col(string_len(FunderDocuments::TypeCode, 40))
                    .primary_key(
                        Index::create()
                            .col(FunderDocuments::FunderId)
                            .col(FunderDocuments::TypeCode),
                    )
                    .foreign_key(&mut cascade(FunderDocuments::FunderId, Funders::Table))
                    .to_owned(),
            )
            .await?;
        let mut types = Query::insert();
        types.into_table(DocumentTypes::Table).columns([
            DocumentTypes::Code,
            DocumentTypes::Label,
            DocumentTypes::Position,
        ]);
        for (code, label, position) in NEW_TYPES {
            types.values_panic([(*code).into(), (*label).into(), (*position).into()]);
        }
        manager.exec_stmt(types).await?;
        for code in DETR {
            let mut insert = Query::insert();
            insert
                .into_table(FunderDocuments::Table)
                .columns([FunderDocuments::FunderId, FunderDocuments::TypeCode])
                .select_from(
                    Query::select()
                        .column(Funders::Id)
                        .expr(Expr::val(*code))
                        .from(Funders::Table)
                        .and_where(Expr::col(Funders::Code).eq("detr"))
                        .to_owned(),
                )
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [FunderDocuments::Table]).await?;
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(DocumentTypes::Table)
                    .and_where(
                        Expr::col(DocumentTypes::Code).is_in(NEW_TYPES.iter().map(|(c, _, _)| *c)),
                    )
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum FunderDocuments {
    Table,
    FunderId,
    TypeCode,
}

#[derive(DeriveIden)]
enum Funders {
    Table,
    Id,
    Code,
}

#[derive(DeriveIden)]
enum DocumentTypes {
    Table,
    Code,
    Label,
    Position,
}
