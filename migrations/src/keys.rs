//! The foreign keys and indexes of the tables the migrations create, and
//! their removal, one line each.
//!
//! A migration that has run must build the same schema for ever: change
//! nothing here that a migration uses, add a function instead. The server's
//! `schema_is_the_recorded_one` test fails when the built schema drifts
//! from `migrations/schema/`.
use sea_orm_migration::prelude::*;

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
