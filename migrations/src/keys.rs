//! The foreign keys and indexes of the tables the migrations create, and
//! their removal, one line each.
//!
//! A migration that has run must build the same schema for ever: change
//! nothing here that a migration uses, add a function instead. The server's
//! `schema_is_the_recorded_one` test fails when the built schema drifts
//! from `migrations/schema/`.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

/// `column` of the table being created refers to `table`'s `id`; deleting
/// the row there deletes this one.
pub fn cascade(column: impl IntoIden, table: impl IntoIden) -> ForeignKeyCreateStatement {
    references(column, table, ForeignKeyAction::Cascade)
}

/// `column` refers to `table`'s `id`, whose row cannot be deleted while
/// this one points at it.
pub fn restrict(column: impl IntoIden, table: impl IntoIden) -> ForeignKeyCreateStatement {
    references(column, table, ForeignKeyAction::Restrict)
}

/// `column` refers to `table`'s `id`; deleting the row there empties it.
pub fn set_null(column: impl IntoIden, table: impl IntoIden) -> ForeignKeyCreateStatement {
    references(column, table, ForeignKeyAction::SetNull)
}

fn references(
    column: impl IntoIden,
    table: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_col(column)
        .to(table, Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

/// Creates the index `name` on `columns` of `table`, in that order.
pub async fn index<C: IntoIndexColumn>(
    manager: &SchemaManager<'_>,
    name: impl Into<String>,
    table: impl IntoTableRef,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    manager.create_index(index.to_owned()).await
}

/// Drops `tables`, in that order (the ones that refer to others first).
pub async fn drop_tables<T: IntoIden>(
    manager: &SchemaManager<'_>,
    tables: impl IntoIterator<Item = T>,
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(table).to_owned())
            .await?;
    }
    Ok(())
}

/// The tables whose writes do not count in `data_generation`: sessions
/// change at every sign-in and at each user's touch, and no cached read
/// depends on them.
pub const UNCOUNTED_TABLES: [&str; 3] = ["data_generation", "seaql_migrations", "sessions"];

/// On SQLite, every insert, update and delete in `table` adds one to
/// `data_generation.n` (migration 20), so a read can tell from one row
/// whether anything changed since an earlier one. A migration that
/// creates a table calls [`count_table_writes`] for it (this one is kept
/// as migration 20 ran it); `it/migrations.rs` checks that every table but
/// `UNCOUNTED_TABLES` counts. On PostgreSQL it does nothing.
pub async fn count_writes(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    on_each_write_trigger(manager, table, |name, event| {
        format!(
            "CREATE TRIGGER {name} AFTER {event} ON {table} \
             BEGIN UPDATE data_generation SET n = n + 1; END"
        )
    })
    .await
}

/// Removes the triggers `count_writes` made on `table`.
pub async fn uncount_writes(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    on_each_write_trigger(manager, table, |name, _| {
        format!("DROP TRIGGER IF EXISTS {name}")
    })
    .await
}

/// Runs `statement(trigger name, event)` for the insert, update and delete
/// triggers of `table`, on SQLite only.
async fn on_each_write_trigger(
    manager: &SchemaManager<'_>,
    table: &str,
    statement: impl Fn(&str, &str) -> String,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(());
    }
    for event in ["INSERT", "UPDATE", "DELETE"] {
        let name = format!("{table}_count_{}", event.to_lowercase());
        manager
            .get_connection()
            .execute_unprepared(&statement(&name, event))
            .await?;
    }
    Ok(())
}

/// Every write in `table` adds one to `data_generation.n`, on both
/// backends: on SQLite by [`count_writes`]; on PostgreSQL by
/// [`count_writes_postgres`]. A migration that creates a table calls this.
pub async fn count_table_writes(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    count_writes(manager, table).await?;
    count_writes_postgres(manager, table).await
}

/// On PostgreSQL (migration 21), a transaction that inserts, updates or
/// deletes rows of `table` adds one to `data_generation.n` when it
/// commits: the trigger is deferred to the commit, so the counter's row is
/// locked at the commit's end only, and always last, after every other row
/// the transaction locked (no deadlock through it). Its condition
/// (`data_generation_first()`) queues one event per transaction, not one
/// per row: a load of 35 000 communes holds the row no longer than one
/// write. A TRUNCATE counts at once. Does nothing on SQLite.
pub async fn count_writes_postgres(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "CREATE CONSTRAINT TRIGGER {table}_count AFTER INSERT OR UPDATE OR DELETE ON {table} \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (data_generation_first()) \
         EXECUTE FUNCTION data_generation_count()"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "CREATE TRIGGER {table}_count_truncate AFTER TRUNCATE ON {table} \
         FOR EACH STATEMENT WHEN (data_generation_first()) \
         EXECUTE FUNCTION data_generation_count()"
    ))
    .await?;
    Ok(())
}

/// Removes the triggers `count_writes_postgres` made on `table`.
pub async fn uncount_writes_postgres(
    manager: &SchemaManager<'_>,
    table: &str,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for name in [format!("{table}_count"), format!("{table}_count_truncate")] {
        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
            .await?;
    }
    Ok(())
}
