//! Who does what: a funding line may have a member of the staff responsible
//! for its application (its deadlines go to them). No one named means the
//! project's lead officer, as for milestones.
//!
//! On PostgreSQL the column refers to `users` (a deleted account empties
//! it); on SQLite it is plain, as `milestones.assignee_id` is (see
//! m20261207_000012): the service accepts only active staff.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut alter = Table::alter();
        alter
            .table(FundingLines::Table)
            .add_column(big_integer_null(FundingLines::ResponsibleId));
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            alter.add_foreign_key(
                TableForeignKey::new()
                    .name("funding_lines_responsible_id_fkey")
                    .from_tbl(FundingLines::Table)
                    .from_col(FundingLines::ResponsibleId)
                    .to_tbl(Users::Table)
                    .to_col(Users::Id)
                    .on_delete(ForeignKeyAction::SetNull),
            );
        }
        manager.alter_table(alter.to_owned()).await?;
        index(
            manager,
            "idx_funding_lines_responsible",
            FundingLines::Table,
            [FundingLines::ResponsibleId],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_funding_lines_responsible")
                    .table(FundingLines::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(FundingLines::Table)
                    .drop_column(FundingLines::ResponsibleId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum FundingLines {
    Table,
    ResponsibleId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
