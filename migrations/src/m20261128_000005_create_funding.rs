//! Funding plans: the funder catalogue, one row per funding line, and on
//! the project its owner (for the self-funding rule) and any derogation.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{cascade, drop_tables, index, restrict};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, name, category): the real funders of local projects.
const FUNDERS: &[(&str, &str, &str)] = &[
    ("detr", "État – DETR", "public"),
    ("dsil", "État – DSIL", "public"),
    ("dsid", "État – DSID", "public"),
    ("dpv", "État – DPV", "public"),
    ("fnadt", "État – FNADT", "public"),
    ("fonds_vert", "État – Fonds vert", "public"),
    ("feder", "Union européenne – FEDER", "public"),
    ("leader", "Union européenne – FEADER / LEADER", "public"),
    ("region", "Région", "public"),
    ("departement", "Département", "public"),
    ("banque_territoires", "Banque des Territoires", "public"),
    ("ademe", "ADEME", "public"),
    ("caf", "CAF", "public"),
    ("agence_eau", "Agence de l’eau", "public"),
    (
        "autofinancement",
        "Autofinancement du maître d’ouvrage",
        "own_funds",
    ),
    ("emprunt", "Emprunt du maître d’ouvrage", "own_funds"),
    ("mecenat", "Mécénat et financements privés", "private"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Funders::Table)
                    .col(big_pk_auto(Funders::Id))
                    .col(string_len(Funders::Code, 40).unique_key())
                    .col(string_len(Funders::Name, 120))
                    .col(string_len(Funders::Category, 16))
                    .col(boolean(Funders::Active).default(true))
                    .col(integer(Funders::Position).default(0))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table(Funders::Table).columns([
            Funders::Code,
            Funders::Name,
            Funders::Category,
            Funders::Position,
        ]);
        for (i, (code, name, category)) in FUNDERS.iter().enumerate() {
            insert.values_panic([
                (*code).into(),
                (*name).into(),
                (*category).into(),
                <i32 as TryFrom<usize>>::try_from(i).unwrap_or(0).into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        // SQLite adds one column per statement.
        for column in [
            string_len(Projects::OwnerName, 200).default("").to_owned(),
            string_len_null(Projects::OwnerKind, 16),
            string_len_null(Projects::DerogationKind, 24),
            text_null(Projects::DerogationReason),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Projects::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(FundingLines::Table)
                    .col(big_pk_auto(FundingLines::Id))
                    .col(big_integer(FundingLines::ProjectId))
                    .col(big_integer(FundingLines::FunderId))
                    .col(string_len(FundingLines::Programme, 200).default(""))
                    .col(string_len(FundingLines::Basis, 3).default("ht"))
                    .col(string_len(FundingLines::Status, 20))
                    .col(big_integer_null(FundingLines::AmountRequestedCents))
                    .col(big_integer_null(FundingLines::AmountGrantedCents))
                    .col(big_integer(FundingLines::AmountPaidCents).default(0))
                    .col(big_integer_null(FundingLines::EligibleBaseCents))
                    .col(integer_null(FundingLines::RateBasisPoints))
                    .col(date_null(FundingLines::ApplicationDeadline))
                    .col(date_null(FundingLines::IdentifiedOn))
                    .col(date_null(FundingLines::RequestedOn))
                    .col(date_null(FundingLines::DecidedOn))
                    .col(date_null(FundingLines::AgreementOn))
                    .col(date_null(FundingLines::AdvanceOn))
                    .col(date_null(FundingLines::BalanceOn))
                    .col(boolean(FundingLines::StartExtended).default(false))
                    .col(boolean(FundingLines::CompletionExtended).default(false))
                    .col(text(FundingLines::Notes))
                    .col(integer(FundingLines::Version).default(1))
                    .col(timestamp_with_time_zone(FundingLines::CreatedAt))
                    .col(timestamp_with_time_zone(FundingLines::UpdatedAt))
                    .foreign_key(&mut cascade(FundingLines::ProjectId, Projects::Table))
                    .foreign_key(&mut restrict(FundingLines::FunderId, Funders::Table))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_funding_lines_project", FundingLines::ProjectId),
            ("idx_funding_lines_funder", FundingLines::FunderId),
        ] {
            index(manager, name, FundingLines::Table, [col]).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [FundingLines::Table]).await?;
        for column in [
            Projects::DerogationReason,
            Projects::DerogationKind,
            Projects::OwnerKind,
            Projects::OwnerName,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Projects::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        drop_tables(manager, [Funders::Table]).await
    }
}

#[derive(DeriveIden)]
enum Funders {
    Table,
    Id,
    Code,
    Name,
    Category,
    Active,
    Position,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    OwnerName,
    OwnerKind,
    DerogationKind,
    DerogationReason,
}

#[derive(DeriveIden)]
enum FundingLines {
    Table,
    Id,
    ProjectId,
    FunderId,
    Programme,
    Basis,
    Status,
    AmountRequestedCents,
    AmountGrantedCents,
    AmountPaidCents,
    EligibleBaseCents,
    RateBasisPoints,
    ApplicationDeadline,
    IdentifiedOn,
    RequestedOn,
    DecidedOn,
    AgreementOn,
    AdvanceOn,
    BalanceOn,
    StartExtended,
    CompletionExtended,
    Notes,
    Version,
    CreatedAt,
    UpdatedAt,
}
