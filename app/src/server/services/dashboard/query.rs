//! The pieces the dashboard's queries share: SQL expressions over the
//! project-list filter, the grouped rows and their conversion to the
//! page's rows, the titles of listed projects.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QuerySelect,
};

use crate::domain::rollup::Measures;
use crate::error::AppError;
use crate::models::{MoneyRow, ProjectFilter};
use crate::server::entities::projects::project;
use crate::server::services::project_filter::condition;

pub(super) fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

pub(super) fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// `CAST(SUM(table.column) AS BIGINT)`: PostgreSQL sums bigints as numeric.
pub(super) fn sum(table: &str, column: &str) -> Expr {
    Func::cast_as(Func::sum(col(table, column)), Alias::new("BIGINT")).into()
}

pub(super) fn count_distinct(table: &str, column: &str) -> Expr {
    Func::cast_as(
        Func::count_distinct(col(table, column)),
        Alias::new("BIGINT"),
    )
    .into()
}

/// Joins `projects` to a query on one of its satellites and applies the
/// project condition.
pub(super) fn scoped(q: &mut SelectStatement, table: &str, key: &str, cond: Condition) {
    q.join(
        JoinType::InnerJoin,
        project::Entity,
        col("projects", "id").equals((Alias::new(table), Alias::new(key))),
    )
    .cond_where(cond);
}

pub(super) fn with(base: &ProjectFilter, f: impl FnOnce(&mut ProjectFilter)) -> ProjectFilter {
    let mut out = base.clone();
    f(&mut out);
    out
}

pub(super) async fn count(
    db: &impl ConnectionTrait,
    filter: &ProjectFilter,
    today: NaiveDate,
) -> Result<i64, AppError> {
    let n = project::Entity::find()
        .filter(condition(filter, today))
        .count(db)
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

#[derive(FromQueryResult)]
pub(super) struct StageRow {
    pub(super) stage: String,
    pub(super) projects: i64,
    pub(super) cost: Option<i64>,
    pub(super) requested: Option<i64>,
    pub(super) pending: Option<i64>,
    pub(super) granted: Option<i64>,
    pub(super) paid: Option<i64>,
    pub(super) to_find: Option<i64>,
}

#[derive(FromQueryResult)]
pub(super) struct CodeCount {
    pub(super) code: Option<String>,
    pub(super) n: i64,
}

#[derive(FromQueryResult)]
pub(super) struct GroupRow {
    pub(super) code: Option<String>,
    pub(super) projects: i64,
    pub(super) cost: Option<i64>,
    pub(super) requested: Option<i64>,
    pub(super) pending: Option<i64>,
    pub(super) granted: Option<i64>,
    pub(super) paid: Option<i64>,
    pub(super) to_find: Option<i64>,
}

/// Adds the sums of the plan figures kept on `projects`.
pub(super) fn money_columns(q: &mut SelectStatement) {
    q.expr_as(sum("projects", "estimated_cost_cents"), Alias::new("cost"))
        .expr_as(
            sum("projects", "plan_requested_cents"),
            Alias::new("requested"),
        )
        .expr_as(sum("projects", "plan_pending_cents"), Alias::new("pending"))
        .expr_as(sum("projects", "plan_granted_cents"), Alias::new("granted"))
        .expr_as(sum("projects", "plan_paid_cents"), Alias::new("paid"))
        .expr_as(sum("projects", "plan_to_find_cents"), Alias::new("to_find"));
}

pub(super) fn group_row(code: String, m: Measures) -> GroupRow {
    GroupRow {
        code: Some(code),
        projects: m.projects,
        cost: Some(m.cost),
        requested: Some(m.requested),
        pending: Some(m.pending),
        granted: Some(m.granted),
        paid: Some(m.paid),
        to_find: Some(m.to_find),
    }
}

pub(super) fn money_row(
    key: String,
    label: String,
    row: &GroupRow,
    link: ProjectFilter,
) -> MoneyRow {
    MoneyRow {
        key,
        label,
        projects: row.projects,
        cost_cents: row.cost.unwrap_or(0),
        requested_cents: row.requested.unwrap_or(0),
        pending_cents: row.pending.unwrap_or(0),
        granted_cents: row.granted.unwrap_or(0),
        paid_cents: row.paid.unwrap_or(0),
        to_find_cents: row.to_find.unwrap_or(0),
        link,
    }
}

/// Rows whose project (`table.column`) is one `filter` selects, as a
/// correlated `EXISTS`: a list walking an index in date order looks each
/// project up by key and stops after `LIST_LIMIT` rows (SQLite would
/// otherwise materialise every selected project id first).
pub(super) fn in_scope(
    table: &str,
    column: &str,
    filter: &ProjectFilter,
    today: NaiveDate,
) -> Condition {
    Condition::all().add(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(project::Entity)
            .and_where(col("projects", "id").equals((Alias::new(table), Alias::new(column))))
            .cond_where(condition(filter, today))
            .to_owned(),
    ))
}

pub(super) async fn titles(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(project::Column::Title)
        .filter(project::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
