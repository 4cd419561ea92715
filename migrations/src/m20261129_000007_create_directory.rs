//! The partner directory: organisations, people, their memberships over
//! time, elected mandates, the partners of each project, and the audit of
//! personal-data operations (RGPD exports and erasures).
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{cascade, drop_tables, index, restrict, set_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(big_pk_auto(Organisations::Id))
                    .col(string_len(Organisations::Name, 200))
                    .col(string_len(Organisations::SearchKey, 800))
                    .col(string_len(Organisations::Kind, 24))
                    .col(string_len_null(Organisations::Siren, 9))
                    .col(string_len_null(Organisations::Siret, 14).unique_key())
                    .col(string_len_null(Organisations::CommuneCode, 5))
                    .col(string_len_null(Organisations::EpciSiren, 9))
                    .col(text(Organisations::Address))
                    .col(string_len(Organisations::Website, 300))
                    .col(text(Organisations::Notes))
                    .col(big_integer_null(Organisations::FunderId).unique_key())
                    .col(integer(Organisations::Version).default(1))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .foreign_key(&mut set_null(Organisations::FunderId, Funders::Table))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_organisations_search_key", Organisations::SearchKey),
            ("idx_organisations_kind", Organisations::Kind),
            ("idx_organisations_siren", Organisations::Siren),
            ("idx_organisations_commune", Organisations::CommuneCode),
            ("idx_organisations_epci", Organisations::EpciSiren),
        ] {
            index(manager, name, Organisations::Table, [col]).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(big_pk_auto(People::Id))
                    .col(string_len(People::FirstName, 100))
                    .col(string_len(People::LastName, 100))
                    .col(string_len(People::SearchKey, 900))
                    .col(string_len(People::JobTitle, 200))
                    .col(string_len_null(People::Email, 254))
                    .col(string_len_null(People::Phone, 40))
                    .col(text(People::Notes))
                    .col(timestamp_with_time_zone_null(People::ErasedAt))
                    .col(integer(People::Version).default(1))
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .col(timestamp_with_time_zone(People::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_people_search_key",
            People::Table,
            [People::SearchKey],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(big_pk_auto(Memberships::Id))
                    .col(big_integer(Memberships::PersonId))
                    .col(big_integer(Memberships::OrganisationId))
                    .col(string_len(Memberships::JobTitle, 200))
                    .col(date_null(Memberships::StartOn))
                    .col(date_null(Memberships::EndOn))
                    .foreign_key(&mut cascade(Memberships::PersonId, People::Table))
                    .foreign_key(&mut cascade(
                        Memberships::OrganisationId,
                        Organisations::Table,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Mandates::Table)
                    .col(big_pk_auto(Mandates::Id))
                    .col(big_integer(Mandates::PersonId))
                    .col(big_integer(Mandates::OrganisationId))
                    .col(string_len(Mandates::Office, 32))
                    .col(date(Mandates::StartOn))
                    .col(date_null(Mandates::EndOn))
                    .foreign_key(&mut cascade(Mandates::PersonId, People::Table))
                    .foreign_key(&mut cascade(Mandates::OrganisationId, Organisations::Table))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectPartners::Table)
                    .col(big_pk_auto(ProjectPartners::Id))
                    .col(big_integer(ProjectPartners::ProjectId))
                    .col(big_integer_null(ProjectPartners::OrganisationId))
                    .col(big_integer_null(ProjectPartners::PersonId))
                    .col(string_len(ProjectPartners::Role, 24))
                    .col(text(ProjectPartners::Note))
                    .col(timestamp_with_time_zone(ProjectPartners::CreatedAt))
                    .foreign_key(&mut cascade(ProjectPartners::ProjectId, Projects::Table))
                    .foreign_key(&mut restrict(
                        ProjectPartners::OrganisationId,
                        Organisations::Table,
                    ))
                    .foreign_key(&mut restrict(ProjectPartners::PersonId, People::Table))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DirectoryAudit::Table)
                    .col(big_pk_auto(DirectoryAudit::Id))
                    .col(timestamp_with_time_zone(DirectoryAudit::At))
                    .col(big_integer_null(DirectoryAudit::ActorId))
                    .col(string_len(DirectoryAudit::Action, 40))
                    .col(big_integer_null(DirectoryAudit::PersonId))
                    .col(text(DirectoryAudit::Details))
                    .to_owned(),
            )
            .await?;

        for (name, table, col) in [
            (
                "idx_memberships_person",
                Memberships::Table.into_iden(),
                Memberships::PersonId.into_iden(),
            ),
            (
                "idx_memberships_organisation",
                Memberships::Table.into_iden(),
                Memberships::OrganisationId.into_iden(),
            ),
            (
                "idx_mandates_person",
                Mandates::Table.into_iden(),
                Mandates::PersonId.into_iden(),
            ),
            (
                "idx_mandates_organisation",
                Mandates::Table.into_iden(),
                Mandates::OrganisationId.into_iden(),
            ),
            (
                "idx_project_partners_project",
                ProjectPartners::Table.into_iden(),
                ProjectPartners::ProjectId.into_iden(),
            ),
            (
                "idx_project_partners_organisation",
                ProjectPartners::Table.into_iden(),
                ProjectPartners::OrganisationId.into_iden(),
            ),
            (
                "idx_project_partners_person",
                ProjectPartners::Table.into_iden(),
                ProjectPartners::PersonId.into_iden(),
            ),
            (
                "idx_directory_audit_person",
                DirectoryAudit::Table.into_iden(),
                DirectoryAudit::PersonId.into_iden(),
            ),
        ] {
            index(manager, name, table, [col]).await?;
        }
        // One owner per project, whatever the service does: a partial unique
        // index, same syntax on PostgreSQL and SQLite.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_project_partners_one_owner \
                 ON project_partners (project_id) WHERE role = 'owner'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                DirectoryAudit::Table.into_iden(),
                ProjectPartners::Table.into_iden(),
                Mandates::Table.into_iden(),
                Memberships::Table.into_iden(),
                People::Table.into_iden(),
                Organisations::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Funders {
    Table,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    SearchKey,
    Kind,
    Siren,
    Siret,
    CommuneCode,
    EpciSiren,
    Address,
    Website,
    Notes,
    FunderId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    FirstName,
    LastName,
    SearchKey,
    JobTitle,
    Email,
    Phone,
    Notes,
    ErasedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    PersonId,
    OrganisationId,
    JobTitle,
    StartOn,
    EndOn,
}

#[derive(DeriveIden)]
enum Mandates {
    Table,
    Id,
    PersonId,
    OrganisationId,
    Office,
    StartOn,
    EndOn,
}

#[derive(DeriveIden)]
enum ProjectPartners {
    Table,
    Id,
    ProjectId,
    OrganisationId,
    PersonId,
    Role,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DirectoryAudit {
    Table,
    Id,
    At,
    ActorId,
    Action,
    PersonId,
    Details,
}
