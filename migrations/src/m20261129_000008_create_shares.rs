//! Sharing projects with partners: partner accounts belong to an
//! organisation of the directory, and `project_shares` holds each share —
//! with a partner account or as a link whose token is stored hashed.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{cascade, drop_tables, index, restrict};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign key: SQLite cannot add one to an existing table; the
        // account service checks the organisation exists.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(big_integer_null(Users::OrganisationId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectShares::Table)
                    .col(big_pk_auto(ProjectShares::Id))
                    .col(big_integer(ProjectShares::ProjectId))
                    // A partner account, or none for a link.
                    .col(big_integer_null(ProjectShares::UserId))
                    // SHA-256 of a link's token, hex; the token itself is never stored.
                    .col(string_len_null(ProjectShares::TokenDigest, 64).unique_key())
                    .col(string_len(ProjectShares::Label, 120))
                    // The share works through this day, included.
                    .col(date_null(ProjectShares::ExpiresOn))
                    .col(timestamp_with_time_zone_null(ProjectShares::RevokedAt))
                    .col(boolean(ProjectShares::ShowMilestones).default(true))
                    .col(boolean(ProjectShares::ShowNotes).default(false))
                    .col(boolean(ProjectShares::ShowFunding).default(false))
                    .col(boolean(ProjectShares::ShowPartners).default(false))
                    .col(big_integer(ProjectShares::UseCount).default(0))
                    .col(timestamp_with_time_zone_null(ProjectShares::LastUsedAt))
                    .col(big_integer_null(ProjectShares::CreatedBy))
                    .col(timestamp_with_time_zone(ProjectShares::CreatedAt))
                    .col(timestamp_with_time_zone(ProjectShares::UpdatedAt))
                    .foreign_key(&mut cascade(ProjectShares::ProjectId, Projects::Table))
                    .foreign_key(&mut restrict(ProjectShares::UserId, Users::Table))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_project_shares_project", ProjectShares::ProjectId),
            ("idx_project_shares_user", ProjectShares::UserId),
        ] {
            index(manager, name, ProjectShares::Table, [col]).await?;
        }
        // One live share per partner account and project, whatever the
        // service does: a partial unique index, same syntax on both backends.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_project_shares_one_live_per_account \
                 ON project_shares (project_id, user_id) \
                 WHERE user_id IS NOT NULL AND revoked_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [ProjectShares::Table]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::OrganisationId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    OrganisationId,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
}

#[derive(DeriveIden)]
enum ProjectShares {
    Table,
    Id,
    ProjectId,
    UserId,
    TokenDigest,
    Label,
    ExpiresOn,
    RevokedAt,
    ShowMilestones,
    ShowNotes,
    ShowFunding,
    ShowPartners,
    UseCount,
    LastUsedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
