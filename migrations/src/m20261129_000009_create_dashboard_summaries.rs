//! The dashboard's summaries, kept in the write transactions
//! (`services::rollup`): each project's last counted facts, the summed
//! figures per (scope, group, stage) and the day counters per (scope,
//! group, day, stage). Filled from the projects by the server at start when
//! they are empty (an existing database).
//!
//! Also the indexes that let the dashboard's lists (the first `LIST_LIMIT`
//! items of each attention reason and deadline source, in date order) walk
//! an index in that order and stop, instead of sorting every match: partial
//! indexes, written in SQL both backends read the same way.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::drop_tables;

/// (name, table, definition after `ON`).
const LIST_INDEXES: [(&str, &str); 4] = [
    (
        "idx_milestones_open_due_id",
        "milestones (due_date, id) WHERE done_date IS NULL",
    ),
    (
        "idx_funding_lines_identified_deadline",
        "funding_lines (application_deadline, id) WHERE status = 'identified'",
    ),
    (
        "idx_projects_health_since",
        "projects (health, health_since, id)",
    ),
    (
        "idx_projects_rule_breach_title",
        "projects (title, id) WHERE rule_breach = TRUE",
    ),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectRollups::Table)
                    .col(big_integer(ProjectRollups::ProjectId).primary_key())
                    // `domain::rollup::ProjectFacts` as JSON.
                    .col(text(ProjectRollups::Facts))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DashboardTotals::Table)
                    .col(string_len(DashboardTotals::Scope, 80))
                    .col(string_len(DashboardTotals::Grp, 80))
                    .col(string_len(DashboardTotals::Stage, 24))
                    .col(big_integer(DashboardTotals::Projects).default(0))
                    .col(big_integer(DashboardTotals::Cost).default(0))
                    .col(big_integer(DashboardTotals::Requested).default(0))
                    .col(big_integer(DashboardTotals::Pending).default(0))
                    .col(big_integer(DashboardTotals::Granted).default(0))
                    .col(big_integer(DashboardTotals::Paid).default(0))
                    .col(big_integer(DashboardTotals::ToFind).default(0))
                    .primary_key(
                        Index::create()
                            .col(DashboardTotals::Scope)
                            .col(DashboardTotals::Grp)
                            .col(DashboardTotals::Stage),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DashboardDays::Table)
                    .col(string_len(DashboardDays::Scope, 80))
                    .col(string_len(DashboardDays::Grp, 80))
                    .col(date(DashboardDays::Day))
                    .col(string_len(DashboardDays::Stage, 24))
                    .col(big_integer(DashboardDays::N).default(0))
                    .primary_key(
                        Index::create()
                            .col(DashboardDays::Scope)
                            .col(DashboardDays::Grp)
                            .col(DashboardDays::Day)
                            .col(DashboardDays::Stage),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (name, definition) in LIST_INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {definition}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in LIST_INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        drop_tables(
            manager,
            [
                DashboardDays::Table.into_iden(),
                DashboardTotals::Table.into_iden(),
                ProjectRollups::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum ProjectRollups {
    Table,
    ProjectId,
    Facts,
}

#[derive(DeriveIden)]
enum DashboardTotals {
    Table,
    Scope,
    Grp,
    Stage,
    Projects,
    Cost,
    Requested,
    Pending,
    Granted,
    Paid,
    ToFind,
}

#[derive(DeriveIden)]
enum DashboardDays {
    Table,
    Scope,
    Grp,
    Day,
    Stage,
    N,
}
