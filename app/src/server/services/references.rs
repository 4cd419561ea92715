//! Reference lists (themes, programmes): one table shape per list
//! (`code`, `label`, `active`, `position`), read and written here only.
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::error::AppError;
use crate::models::{Labelled, ReferenceEntry, ReferenceList};

#[derive(FromQueryResult)]
struct Row {
    code: String,
    label: String,
    active: bool,
}

/// The rows' codes and labels.
fn labelled(rows: Vec<Row>) -> Vec<Labelled> {
    rows.into_iter()
        .map(|r| Labelled {
            code: r.code,
            label: r.label,
        })
        .collect()
}

async fn rows(
    db: &impl ConnectionTrait,
    list: ReferenceList,
    only_active: bool,
    codes: Option<&[String]>,
) -> Result<Vec<Row>, AppError> {
    let mut query = Query::select();
    query
        .columns([
            Alias::new("code"),
            Alias::new("label"),
            Alias::new("active"),
        ])
        .from(Alias::new(list.table()))
        .order_by(Alias::new("position"), sea_orm::Order::Asc)
        .order_by(Alias::new("code"), sea_orm::Order::Asc);
    if only_active {
        query.and_where(Expr::col(Alias::new("active")).eq(true));
    }
    if let Some(codes) = codes {
        query.and_where(Expr::col(Alias::new("code")).is_in(codes.iter().cloned()));
    }
    let stmt = db.get_database_backend().build(&query);
    Ok(Row::find_by_statement(stmt).all(db).await?)
}

/// The active entries, in display order (what forms and filters offer).
pub async fn offered(
    db: &impl ConnectionTrait,
    list: ReferenceList,
) -> Result<Vec<Labelled>, AppError> {
    Ok(labelled(rows(db, list, true, None).await?))
}

/// The labels of the given codes, in display order (inactive ones included:
/// a project keeps what it was given).
pub async fn labels(
    db: &impl ConnectionTrait,
    list: ReferenceList,
    codes: &[String],
) -> Result<Vec<Labelled>, AppError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(labelled(rows(db, list, false, Some(codes)).await?))
}

/// Every entry, active or not, for the admin screen.
pub async fn all(
    db: &impl ConnectionTrait,
    list: ReferenceList,
) -> Result<Vec<ReferenceEntry>, AppError> {
    Ok(rows(db, list, false, None)
        .await?
        .into_iter()
        .map(|r| ReferenceEntry {
            code: r.code,
            label: r.label,
            active: r.active,
        })
        .collect())
}

/// Adds an entry at the end of the list, or renames / (de)activates an
/// existing one.
pub async fn save(
    db: &impl ConnectionTrait,
    list: ReferenceList,
    entry: ReferenceEntry,
) -> Result<(), AppError> {
    let table = Alias::new(list.table());
    let count = Query::select()
        .expr_as(Func::count(Expr::col(Alias::new("code"))), Alias::new("n"))
        .from(table.clone())
        .to_owned();
    let position = db
        .query_one(&count)
        .await?
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .unwrap_or(0);
    let insert = Query::insert()
        .into_table(table)
        .columns([
            Alias::new("code"),
            Alias::new("label"),
            Alias::new("active"),
            Alias::new("position"),
        ])
        .values([
            entry.code.into(),
            entry.label.into(),
            entry.active.into(),
            i32::try_from(position).unwrap_or(i32::MAX).into(),
        ])
        .map_err(AppError::internal)?
        .on_conflict(
            OnConflict::column(Alias::new("code"))
                .update_columns([Alias::new("label"), Alias::new("active")])
                .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}
