//! The count of writes on PostgreSQL too (issue 15). Migration 20 gave
//! SQLite a `data_generation` row that every write moves; PostgreSQL
//! relied on a read's snapshot (`pg_current_snapshot()`), which moves with
//! every write transaction on the whole server: a session touched, another
//! database of the same cluster. Each such move made every kept page
//! render afresh. Now both backends count the writes of the tables but
//! `keys::UNCOUNTED_TABLES` in the same row, and a kept page lasts until a
//! write that can change it.
//!
//! On PostgreSQL the count moves once per writing transaction, at its
//! commit (`keys::count_writes_postgres`). Does nothing on SQLite.
//!
//! Writes run at READ COMMITTED (the default): under REPEATABLE READ or
//! SERIALIZABLE two concurrent writers would fail on the counter's row.
//! Writing commits take the row one after the other, so they no longer
//! share one flush (fine at a structure's rate of writes).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::keys::{UNCOUNTED_TABLES, count_writes_postgres, uncount_writes_postgres};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn counted_tables(manager: &SchemaManager<'_>) -> Result<Vec<String>, DbErr> {
    let rows = manager
        .get_connection()
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY 1",
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

/// True for a transaction's first write only: the condition (`WHEN`) of
/// the triggers, evaluated as the row is written, so a transaction queues
/// one event, however many rows it writes. The mark (`set_config(…,
/// true)`) ends with the transaction, and with a savepoint rolled back,
/// as does the event queued under it. (No `SET` clause here: one would end
/// the mark with the function.)
const FIRST_FUNCTION: &str = "CREATE FUNCTION data_generation_first() RETURNS boolean \
    LANGUAGE plpgsql VOLATILE AS $$ \
    BEGIN \
      IF current_setting('maillage.write_counted', true) IS NOT DISTINCT FROM 'on' THEN \
        RETURN false; \
      END IF; \
      PERFORM set_config('maillage.write_counted', 'on', true); \
      RETURN true; \
    END $$";

/// Moves the count. `SET search_path FROM CURRENT`: the schema the
/// migration ran in, whatever the writer's (`pg_restore` empties it).
const COUNT_FUNCTION: &str = "CREATE FUNCTION data_generation_count() RETURNS trigger \
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$ \
    BEGIN \
      UPDATE data_generation SET n = n + 1 WHERE id = 1; \
      RETURN NULL; \
    END $$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE data_generation (id integer NOT NULL PRIMARY KEY CHECK (id = 1), \
             n bigint NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO data_generation (id, n) VALUES (1, 0)")
            .await?;
        db.execute_unprepared(FIRST_FUNCTION).await?;
        db.execute_unprepared(COUNT_FUNCTION).await?;
        for table in counted_tables(manager).await? {
            count_writes_postgres(manager, &table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        for table in counted_tables(manager).await? {
            uncount_writes_postgres(manager, &table).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP FUNCTION data_generation_count()")
            .await?;
        db.execute_unprepared("DROP FUNCTION data_generation_first()")
            .await?;
        db.execute_unprepared("DROP TABLE data_generation").await?;
        Ok(())
    }
}
