//! The dashboard's per-project funding figures, kept on the project row and
//! rewritten in the transaction of every change that moves them (funding
//! lines, derogation, cost, owner, works start). `figures_version` below the
//! code's version marks rows to recompute: the server does it at start, so
//! rows that existed before this migration are filled by the same rules.
//!
//! Timeline events of a state change (stage, funding status) also get their
//! `from` and `to` codes as columns, so that "entered this stage since D"
//! is an indexed query rather than a parse of every event's JSON.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            big_integer(Projects::PlanRequestedCents)
                .default(0)
                .to_owned(),
            big_integer(Projects::PlanPendingCents)
                .default(0)
                .to_owned(),
            big_integer(Projects::PlanGrantedCents)
                .default(0)
                .to_owned(),
            big_integer(Projects::PlanPaidCents).default(0).to_owned(),
            big_integer(Projects::PlanToFindCents).default(0).to_owned(),
            boolean(Projects::RuleBreach).default(false).to_owned(),
            date_null(Projects::DetrDue),
            string_len_null(Projects::DetrDueKind, 20),
            integer(Projects::FiguresVersion).default(0).to_owned(),
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
        for (name, col) in [
            ("idx_projects_detr_due", Projects::DetrDue),
            ("idx_projects_figures_version", Projects::FiguresVersion),
        ] {
            index(manager, name, Projects::Table, [col]).await?;
        }
        for column in [ProjectEvents::StateFrom, ProjectEvents::StateTo] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ProjectEvents::Table)
                        .add_column(string_len_null(column, 24))
                        .to_owned(),
                )
                .await?;
        }
        let backfill = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE project_events SET state_from = data::jsonb->>'from', \
                 state_to = data::jsonb->>'to' \
                 WHERE kind IN ('stage_changed', 'funding_status_changed')"
            }
            _ => {
                "UPDATE project_events SET state_from = json_extract(data, '$.from'), \
                 state_to = json_extract(data, '$.to') \
                 WHERE kind IN ('stage_changed', 'funding_status_changed')"
            }
        };
        manager
            .get_connection()
            .execute_unprepared(backfill)
            .await?;
        let created = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE project_events SET state_to = data::jsonb->>'stage' WHERE kind = 'created'"
            }
            _ => {
                "UPDATE project_events SET state_to = json_extract(data, '$.stage') WHERE kind = 'created'"
            }
        };
        manager.get_connection().execute_unprepared(created).await?;
        index(
            manager,
            "idx_project_events_kind_at",
            ProjectEvents::Table,
            [ProjectEvents::Kind, ProjectEvents::At],
        )
        .await?;
        index(
            manager,
            "idx_funding_lines_deadline",
            FundingLines::Table,
            [FundingLines::ApplicationDeadline],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_funding_lines_deadline")
                    .table(FundingLines::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_project_events_kind_at")
                    .table(ProjectEvents::Table)
                    .to_owned(),
            )
            .await?;
        for column in [ProjectEvents::StateTo, ProjectEvents::StateFrom] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ProjectEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for name in ["idx_projects_figures_version", "idx_projects_detr_due"] {
            manager
                .drop_index(Index::drop().name(name).table(Projects::Table).to_owned())
                .await?;
        }
        for column in [
            Projects::FiguresVersion,
            Projects::DetrDueKind,
            Projects::DetrDue,
            Projects::RuleBreach,
            Projects::PlanToFindCents,
            Projects::PlanPaidCents,
            Projects::PlanGrantedCents,
            Projects::PlanPendingCents,
            Projects::PlanRequestedCents,
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
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    PlanRequestedCents,
    PlanPendingCents,
    PlanGrantedCents,
    PlanPaidCents,
    PlanToFindCents,
    RuleBreach,
    DetrDue,
    DetrDueKind,
    FiguresVersion,
}

#[derive(DeriveIden)]
enum ProjectEvents {
    Table,
    Kind,
    At,
    StateFrom,
    StateTo,
}

#[derive(DeriveIden)]
enum FundingLines {
    Table,
    ApplicationDeadline,
}
