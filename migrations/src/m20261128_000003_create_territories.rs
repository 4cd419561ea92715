use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{drop_tables, index};

/// Reference territories (régions, départements, EPCI, communes), imported
/// from `@etalab/decoupage-administratif` by `maillage ref import`.
/// Codes are strings: INSEE codes keep Corsica's 2A/2B and leading zeros.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(string_len(Regions::Code, 3).primary_key())
                    .col(string_len(Regions::Name, 120))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Departements::Table)
                    .col(string_len(Departements::Code, 3).primary_key())
                    .col(string_len(Departements::Name, 120))
                    .col(string_len(Departements::RegionCode, 3))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Epcis::Table)
                    .col(string_len(Epcis::Siren, 9).primary_key())
                    .col(string_len(Epcis::Name, 200))
                    .col(string_len(Epcis::Kind, 10))
                    .col(integer_null(Epcis::Population))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Communes::Table)
                    .col(string_len(Communes::Insee, 5).primary_key())
                    .col(string_len(Communes::Name, 200))
                    .col(string_len(Communes::SearchKey, 200))
                    .col(string_len(Communes::DepartementCode, 3))
                    .col(string_len(Communes::RegionCode, 3))
                    .col(string_len_null(Communes::EpciSiren, 9))
                    .col(integer_null(Communes::Population))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_communes_search_key", Communes::SearchKey),
            ("idx_communes_epci", Communes::EpciSiren),
            ("idx_communes_departement", Communes::DepartementCode),
        ] {
            index(manager, name, Communes::Table, [col]).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                Communes::Table.into_iden(),
                Epcis::Table.into_iden(),
                Departements::Table.into_iden(),
                Regions::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
}

#[derive(DeriveIden)]
enum Departements {
    Table,
    Code,
    Name,
    RegionCode,
}

#[derive(DeriveIden)]
enum Epcis {
    Table,
    Siren,
    Name,
    Kind,
    Population,
}

#[derive(DeriveIden)]
enum Communes {
    Table,
    Insee,
    Name,
    SearchKey,
    DepartementCode,
    RegionCode,
    EpciSiren,
    Population,
}
