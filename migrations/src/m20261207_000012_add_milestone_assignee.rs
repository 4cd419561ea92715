//! Who does what: a milestone may be assigned to a member of the staff.
//! No one assigned means the project's lead officer (the default), so a
//! change of officer carries the unassigned milestones along.
//!
//! On PostgreSQL the column refers to `users` (a deleted account empties
//! it). SQLite cannot add a column with a foreign key and drop it again, so
//! there the column is plain, as `users.organisation_id` is: accounts are
//! deactivated, never deleted, and the service accepts only active staff.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut alter = Table::alter();
        alter
            .table(Milestones::Table)
            .add_column(big_integer_null(Milestones::AssigneeId));
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            alter.add_foreign_key(
                TableForeignKey::new()
                    .name("milestones_assignee_id_fkey")
                    .from_tbl(Milestones::Table)
                    .from_col(Milestones::AssigneeId)
                    .to_tbl(Users::Table)
                    .to_col(Users::Id)
                    .on_delete(ForeignKeyAction::SetNull),
            );
        }
        manager.alter_table(alter.to_owned()).await?;
        index(
            manager,
            "idx_milestones_assignee",
            Milestones::Table,
            [Milestones::AssigneeId],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_milestones_assignee")
                    .table(Milestones::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Milestones::Table)
                    .drop_column(Milestones::AssigneeId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Milestones {
    Table,
    AssigneeId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
