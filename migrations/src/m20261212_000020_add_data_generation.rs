//! A count of the writes, so that a cached read knows whether the database
//! changed since (issue 15: the dashboard and the project page read once
//! per change, not once per request). On SQLite, one row `data_generation`
//! that triggers on every table but `keys::UNCOUNTED_TABLES` move at each
//! insert, update and delete — whoever writes: this server, another
//! process, a hand-typed statement. SQLite has one writer at a time, so
//! the row adds no waiting. PostgreSQL needs nothing: a read transaction's
//! snapshot (`pg_current_snapshot()`) names what it sees.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::keys::{UNCOUNTED_TABLES, count_writes, uncount_writes};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn counted_tables(manager: &SchemaManager<'_>) -> Result<Vec<String>, DbErr> {
    let rows = manager
        .get_connection()
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ))
        .await?;
    let mut tables = Vec::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        if !UNCOUNTED_TABLES.contains(&name.as_str()) {
            tables.push(name);
        }
    }
    Ok(tables)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE data_generation (id integer NOT NULL PRIMARY KEY CHECK (id = 1), \
             n integer NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO data_generation (id, n) VALUES (1, 0)")
            .await?;
        for table in counted_tables(manager).await? {
            count_writes(manager, &table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        for table in counted_tables(manager).await? {
            uncount_writes(manager, &table).await?;
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE data_generation")
            .await?;
        Ok(())
    }
}
