//! The portfolio dashboard. Its figures come from the summaries
//! (`summaries`, kept by `rollup`) in `dashboard`; the live aggregate
//! queries below compute the same figures from the projects themselves
//! (`dashboard_live`, which the tests compare with the summaries), with a
//! cost that does not grow with the portfolio's history:
//! - funnel and money: one `GROUP BY stage` over `projects`, summing the
//!   plan figures kept on each row (`plan_figures`);
//! - movements and digest: timeline events since D only (index on
//!   `(kind, at)`), joined to the filtered projects;
//! - funders, programmes, themes, EPCI, officers: one `GROUP BY` each;
//! - attention and deadlines: counts through the project-list condition
//!   (`project_filter`), lists limited to `LIST_LIMIT` by indexed order.
//!
//! Every number carries the project-list filter of the projects behind it.
use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::Stage;
use crate::domain::funding::{FunderCategory, FundingStatus, PlanLine, totals};
use crate::domain::rollup::{self, Measures, tag};
use crate::error::AppError;
use crate::models::{
    AttentionGroup, AttentionItem, AttentionKind, BreakdownRow, DEADLINE_WINDOWS, DIGEST_LIMIT,
    Dashboard, DashboardFilter, DeadlineItem, DeadlineWindow, DigestCount, DigestItem, DigestKind,
    FunnelRow, LIST_LIMIT, MoneyRow, ProjectFilter, ReferenceList,
};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::projects::{event, milestone, project, project_commune};
use crate::server::entities::territory::{commune, epci};
use crate::server::entities::user;
use crate::server::services::project_filter::{self, condition, day_start};
use crate::server::services::references;
use crate::server::services::summaries::{self, Summary};

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// `CAST(SUM(table.column) AS BIGINT)`: PostgreSQL sums bigints as numeric.
fn sum(table: &str, column: &str) -> Expr {
    Func::cast_as(Func::sum(col(table, column)), Alias::new("BIGINT")).into()
}

fn count_distinct(table: &str, column: &str) -> Expr {
    Func::cast_as(
        Func::count_distinct(col(table, column)),
        Alias::new("BIGINT"),
    )
    .into()
}

/// Joins `projects` to a query on one of its satellites and applies the
/// project condition.
fn scoped(q: &mut SelectStatement, table: &str, key: &str, cond: Condition) {
    q.join(
        JoinType::InnerJoin,
        project::Entity,
        col("projects", "id").equals((Alias::new(table), Alias::new(key))),
    )
    .cond_where(cond);
}

fn with(base: &ProjectFilter, f: impl FnOnce(&mut ProjectFilter)) -> ProjectFilter {
    let mut out = base.clone();
    f(&mut out);
    out
}

async fn count(
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
struct StageRow {
    stage: String,
    projects: i64,
    cost: Option<i64>,
    requested: Option<i64>,
    pending: Option<i64>,
    granted: Option<i64>,
    paid: Option<i64>,
    to_find: Option<i64>,
}

#[derive(FromQueryResult)]
struct CodeCount {
    code: Option<String>,
    n: i64,
}

#[derive(FromQueryResult)]
struct GroupRow {
    code: Option<String>,
    projects: i64,
    cost: Option<i64>,
    requested: Option<i64>,
    pending: Option<i64>,
    granted: Option<i64>,
    paid: Option<i64>,
    to_find: Option<i64>,
}

/// Adds the sums of the plan figures kept on `projects`.
fn money_columns(q: &mut SelectStatement) {
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

fn group_row(code: String, m: Measures) -> GroupRow {
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

fn money_row(key: String, label: String, row: &GroupRow, link: ProjectFilter) -> MoneyRow {
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

/// Funnel (every stage) and the money of active projects.
async fn funnel(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    since: NaiveDate,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<(Vec<FunnelRow>, MoneyRow), AppError> {
    let rows = match summary {
        Some(s) => Stage::ALL
            .into_iter()
            .map(|stage| {
                let m = s.stage(stage.as_str());
                let row = StageRow {
                    stage: stage.as_str().to_owned(),
                    projects: m.projects,
                    cost: Some(m.cost),
                    requested: Some(m.requested),
                    pending: Some(m.pending),
                    granted: Some(m.granted),
                    paid: Some(m.paid),
                    to_find: Some(m.to_find),
                };
                (row.stage.clone(), row)
            })
            .filter(|(_, r)| r.projects > 0)
            .collect(),
        None => stage_rows(db, base, today).await?,
    };
    let (entered, left) = match summary {
        Some(s) => {
            let moves = |dim: &str| -> HashMap<String, i64> {
                Stage::ALL
                    .into_iter()
                    .map(|st| {
                        let code = st.as_str().to_owned();
                        (code.clone(), s.counter(&tag(dim, &code)))
                    })
                    .collect()
            };
            (moves("entered"), moves("left"))
        }
        None => movements(db, base, since, today).await?,
    };
    Ok(funnel_rows(base, since, rows, &entered, &left))
}

/// Projects and figures per stage, by one `GROUP BY` over `projects`.
async fn stage_rows(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    today: NaiveDate,
) -> Result<HashMap<String, StageRow>, AppError> {
    let backend = db.get_database_backend();
    let mut q = Query::select();
    q.column((project::Entity, project::Column::Stage))
        .expr_as(
            Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
            Alias::new("projects"),
        )
        .from(project::Entity)
        .cond_where(condition(base, today))
        .group_by_col((project::Entity, project::Column::Stage));
    money_columns(&mut q);
    Ok(StageRow::find_by_statement(backend.build(&q))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.stage.clone(), r))
        .collect())
}

/// Movements since D by live queries: distinct projects per stage entered
/// and left.
async fn movements(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    since: NaiveDate,
    today: NaiveDate,
) -> Result<(HashMap<String, i64>, HashMap<String, i64>), AppError> {
    let backend = db.get_database_backend();
    let moves = |entered: bool| {
        let state = if entered { "state_to" } else { "state_from" };
        let kinds: &[&str] = if entered {
            &["created", "stage_changed"]
        } else {
            &["stage_changed"]
        };
        let mut q = Query::select();
        q.expr_as(col("project_events", state), Alias::new("code"))
            .expr_as(
                count_distinct("project_events", "project_id"),
                Alias::new("n"),
            )
            .from(event::Entity)
            .and_where(event::Column::Kind.is_in(kinds.iter().copied()))
            .and_where(event::Column::At.gte(day_start(since)))
            .group_by_col((event::Entity, Alias::new(state)));
        scoped(
            &mut q,
            "project_events",
            "project_id",
            condition(base, today),
        );
        q
    };
    let counts = |rows: Vec<CodeCount>| -> HashMap<String, i64> {
        rows.into_iter()
            .filter_map(|r| Some((r.code?, r.n)))
            .collect()
    };
    let entered = counts(
        CodeCount::find_by_statement(backend.build(&moves(true)))
            .all(db)
            .await?,
    );
    let left = counts(
        CodeCount::find_by_statement(backend.build(&moves(false)))
            .all(db)
            .await?,
    );
    Ok((entered, left))
}

/// The funnel from the per-stage figures and the movements since D.
fn funnel_rows(
    base: &ProjectFilter,
    since: NaiveDate,
    rows: HashMap<String, StageRow>,
    entered: &HashMap<String, i64>,
    left: &HashMap<String, i64>,
) -> (Vec<FunnelRow>, MoneyRow) {
    let mut active = GroupRow {
        code: None,
        projects: 0,
        cost: Some(0),
        requested: Some(0),
        pending: Some(0),
        granted: Some(0),
        paid: Some(0),
        to_find: Some(0),
    };
    let add = |a: Option<i64>, b: Option<i64>| Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0)));
    // When the filter fixes a stage, the funnel is that stage's row (a link
    // cannot select "this stage and another").
    let fixed = project_filter::nonempty(&base.stage);
    let funnel = Stage::ALL
        .into_iter()
        .filter(|s| fixed.is_none_or(|f| f == s.as_str()))
        .map(|stage| {
            let row = rows.get(stage.as_str());
            if let Some(r) = row.filter(|_| stage.is_active()) {
                active.projects += r.projects;
                active.cost = add(active.cost, r.cost);
                active.requested = add(active.requested, r.requested);
                active.pending = add(active.pending, r.pending);
                active.granted = add(active.granted, r.granted);
                active.paid = add(active.paid, r.paid);
                active.to_find = add(active.to_find, r.to_find);
            }
            let code = stage.as_str().to_owned();
            FunnelRow {
                stage,
                projects: row.map_or(0, |r| r.projects),
                cost_cents: row.and_then(|r| r.cost).unwrap_or(0),
                entered: entered.get(stage.as_str()).copied().unwrap_or(0),
                left: left.get(stage.as_str()).copied().unwrap_or(0),
                link: with(base, |f| f.stage = Some(code.clone())),
                entered_link: with(base, |f| {
                    f.entered = Some(code.clone());
                    f.since = Some(since);
                }),
                left_link: with(base, |f| {
                    f.left = Some(code.clone());
                    f.since = Some(since);
                }),
            }
        })
        .collect();
    let money = money_row(
        String::new(),
        t("dashboard.active_total"),
        &active,
        with(base, |f| f.active = true),
    );
    (funnel, money)
}

/// Rows whose project (`table.column`) is one `filter` selects, as a
/// correlated `EXISTS`: a list walking an index in date order looks each
/// project up by key and stops after `LIST_LIMIT` rows (SQLite would
/// otherwise materialise every selected project id first).
fn in_scope(table: &str, column: &str, filter: &ProjectFilter, today: NaiveDate) -> Condition {
    Condition::all().add(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(project::Entity)
            .and_where(col("projects", "id").equals((Alias::new(table), Alias::new(column))))
            .cond_where(condition(filter, today))
            .to_owned(),
    ))
}

#[derive(FromQueryResult)]
struct FunderStatusRow {
    funder_id: i64,
    status: String,
    requested: Option<i64>,
    granted: Option<i64>,
    paid: Option<i64>,
}

#[derive(FromQueryResult)]
struct IdCount {
    id: Option<i64>,
    n: i64,
    cost: Option<i64>,
}

/// Money of active projects by funder: the lines' amounts through the plan
/// rules (sums are linear, so one pseudo-line per status adds up like the
/// lines), and the projects with a line from each funder.
async fn by_funder(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<Vec<MoneyRow>, AppError> {
    // Per funder: projects, requested, pending, granted, paid.
    let figures: HashMap<i64, Measures> = match summary {
        Some(s) => s
            .groups("funder")
            .into_iter()
            .filter_map(|(id, m)| Some((id.parse().ok()?, m)))
            .collect(),
        None => funder_figures(db, active, today).await?,
    };
    let funders = funder::Entity::find()
        .order_by_asc(funder::Column::Position)
        .order_by_asc(funder::Column::Id)
        .all(db)
        .await?;
    Ok(funders
        .into_iter()
        .filter_map(|f| {
            let m = figures.get(&f.id)?;
            Some(MoneyRow {
                key: f.id.to_string(),
                label: f.name,
                projects: m.projects,
                cost_cents: 0,
                requested_cents: m.requested,
                pending_cents: m.pending,
                granted_cents: m.granted,
                paid_cents: m.paid,
                to_find_cents: 0,
                link: with(active, |l| l.funder = Some(f.id)),
            })
        })
        .collect())
}

/// The live query behind `by_funder`.
async fn funder_figures(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
) -> Result<HashMap<i64, Measures>, AppError> {
    let backend = db.get_database_backend();
    let mut q = Query::select();
    q.column((funding_line::Entity, funding_line::Column::FunderId))
        .column((funding_line::Entity, funding_line::Column::Status))
        .expr_as(
            sum("funding_lines", "amount_requested_cents"),
            Alias::new("requested"),
        )
        .expr_as(
            sum("funding_lines", "amount_granted_cents"),
            Alias::new("granted"),
        )
        .expr_as(
            sum("funding_lines", "amount_paid_cents"),
            Alias::new("paid"),
        )
        .from(funding_line::Entity)
        .group_by_col((funding_line::Entity, funding_line::Column::FunderId))
        .group_by_col((funding_line::Entity, funding_line::Column::Status));
    scoped(
        &mut q,
        "funding_lines",
        "project_id",
        condition(active, today),
    );
    let mut lines: HashMap<i64, Vec<PlanLine>> = HashMap::new();
    for r in FunderStatusRow::find_by_statement(backend.build(&q))
        .all(db)
        .await?
    {
        lines.entry(r.funder_id).or_default().push(PlanLine {
            category: FunderCategory::Public,
            status: r
                .status
                .parse::<FundingStatus>()
                .map_err(|_| AppError::Internal)?,
            requested: r.requested,
            granted: r.granted,
            paid: r.paid.unwrap_or(0),
        });
    }
    let mut q = Query::select();
    q.expr_as(col("funding_lines", "funder_id"), Alias::new("id"))
        .expr_as(
            count_distinct("funding_lines", "project_id"),
            Alias::new("n"),
        )
        .expr_as(Expr::val(0_i64), Alias::new("cost"))
        .from(funding_line::Entity)
        .group_by_col((funding_line::Entity, funding_line::Column::FunderId));
    scoped(
        &mut q,
        "funding_lines",
        "project_id",
        condition(active, today),
    );
    Ok(IdCount::find_by_statement(backend.build(&q))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| {
            let id = r.id?;
            let tot = totals(None, lines.get(&id).map_or(&[][..], Vec::as_slice));
            Some((
                id,
                Measures {
                    projects: r.n,
                    requested: tot.requested,
                    pending: tot.bar.requested,
                    granted: tot.granted,
                    paid: tot.paid,
                    ..Measures::default()
                },
            ))
        })
        .collect())
}

/// Active projects (and their money) per code of a link table (programmes,
/// themes); only the filter's own code when the filter fixes one.
async fn by_code(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    list: ReferenceList,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<Vec<(String, String, GroupRow)>, AppError> {
    let backend = db.get_database_backend();
    let (table, code_col, fixed, dim) = match list {
        ReferenceList::Programmes => (
            "project_programmes",
            "programme_code",
            &active.programme,
            "programme",
        ),
        ReferenceList::Themes => ("project_themes", "theme_code", &active.theme, "theme"),
    };
    let rows = match summary {
        Some(s) => s
            .groups(dim)
            .into_iter()
            .map(|(code, m)| group_row(code, m))
            .collect(),
        None => {
            let mut q = Query::select();
            q.expr_as(col(table, code_col), Alias::new("code"))
                .expr_as(
                    Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
                    Alias::new("projects"),
                )
                .from(Alias::new(table))
                .group_by_col((Alias::new(table), Alias::new(code_col)));
            money_columns(&mut q);
            if let Some(code) = project_filter::nonempty(fixed) {
                q.and_where(col(table, code_col).eq(code));
            }
            scoped(&mut q, table, "project_id", condition(active, today));
            GroupRow::find_by_statement(backend.build(&q))
                .all(db)
                .await?
        }
    };
    let codes: Vec<String> = rows.iter().filter_map(|r| r.code.clone()).collect();
    let labels = references::labels(db, list, &codes).await?;
    let mut by_code: HashMap<String, GroupRow> = rows
        .into_iter()
        .filter_map(|r| Some((r.code.clone()?, r)))
        .collect();
    // In the list's display order.
    Ok(labels
        .into_iter()
        .filter_map(|l| {
            let row = by_code.remove(&l.code)?;
            Some((l.code, l.label, row))
        })
        .collect())
}

/// Up to this many EPCI, those with the most projects.
const EPCI_LIMIT: usize = 50;

#[derive(FromQueryResult)]
struct EpciRow {
    code: Option<String>,
    n: i64,
    cost: Option<i64>,
}

async fn by_epci(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<Vec<BreakdownRow>, AppError> {
    let rows = match summary {
        Some(s) => {
            let mut rows: Vec<EpciRow> = s
                .groups("epci")
                .into_iter()
                .map(|(code, m)| EpciRow {
                    code: Some(code),
                    n: m.projects,
                    cost: Some(m.cost),
                })
                .collect();
            rows.sort_by(|a, b| b.n.cmp(&a.n).then(a.code.cmp(&b.code)));
            rows.truncate(EPCI_LIMIT);
            rows
        }
        None => epci_rows(db, active, today).await?,
    };
    let sirens: Vec<String> = rows.iter().filter_map(|r| r.code.clone()).collect();
    let names: HashMap<String, String> = epci::Entity::find()
        .filter(epci::Column::Siren.is_in(sirens))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.siren, e.name))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let code = r.code?;
            Some(BreakdownRow {
                label: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                projects: r.n,
                cost_cents: r.cost.unwrap_or(0),
                link: with(active, |f| f.epci = Some(code.clone())),
                key: code,
            })
        })
        .collect())
}

/// The live query behind `by_epci`.
async fn epci_rows(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
) -> Result<Vec<EpciRow>, AppError> {
    let backend = db.get_database_backend();
    // One row per (project, EPCI), however many of its communes are there.
    let mut pairs = Query::select();
    pairs
        .distinct()
        .column((project_commune::Entity, project_commune::Column::ProjectId))
        .column((commune::Entity, commune::Column::EpciSiren))
        .from(project_commune::Entity)
        .join(
            JoinType::InnerJoin,
            commune::Entity,
            col("communes", "insee")
                .equals((project_commune::Entity, project_commune::Column::Insee)),
        )
        .and_where(commune::Column::EpciSiren.is_not_null());
    if let Some(siren) = project_filter::nonempty(&active.epci) {
        pairs.and_where(commune::Column::EpciSiren.eq(siren.to_ascii_uppercase()));
    }
    let mut q = Query::select();
    q.expr_as(col("pe", "epci_siren"), Alias::new("code"))
        .expr_as(
            Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .expr_as(sum("projects", "estimated_cost_cents"), Alias::new("cost"))
        .from_subquery(pairs.to_owned(), Alias::new("pe"))
        .group_by_col((Alias::new("pe"), Alias::new("epci_siren")))
        .order_by_expr(Func::count(col("projects", "id")).into(), Order::Desc)
        .order_by((Alias::new("pe"), Alias::new("epci_siren")), Order::Asc)
        .limit(EPCI_LIMIT as u64);
    scoped(&mut q, "pe", "project_id", condition(active, today));
    Ok(EpciRow::find_by_statement(backend.build(&q))
        .all(db)
        .await?)
}

/// The communes of the EPCI the filter fixes (none without one: a
/// portfolio spans thousands of communes), those with the most active
/// projects first. A project counts once in each of its communes there.
/// Live in both paths, bounded by that EPCI's communes (`idx_communes_epci`)
/// and their project links.
async fn by_commune(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
) -> Result<Vec<BreakdownRow>, AppError> {
    let Some(siren) = project_filter::nonempty(&active.epci).map(str::to_ascii_uppercase) else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let mut q = Query::select();
    q.expr_as(col("communes", "insee"), Alias::new("code"))
        .expr_as(col("communes", "name"), Alias::new("name"))
        .expr_as(
            Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .expr_as(sum("projects", "estimated_cost_cents"), Alias::new("cost"))
        .from(commune::Entity)
        .join(
            JoinType::InnerJoin,
            project_commune::Entity,
            col("project_communes", "insee").equals((commune::Entity, commune::Column::Insee)),
        )
        .and_where(commune::Column::EpciSiren.eq(siren))
        .group_by_col((commune::Entity, commune::Column::Insee))
        .group_by_col((commune::Entity, commune::Column::Name))
        .order_by_expr(Func::count(col("projects", "id")).into(), Order::Desc)
        .order_by((commune::Entity, commune::Column::Name), Order::Asc)
        .order_by((commune::Entity, commune::Column::Insee), Order::Asc)
        .limit(COMMUNE_LIMIT);
    scoped(
        &mut q,
        "project_communes",
        "project_id",
        condition(active, today),
    );
    #[derive(FromQueryResult)]
    struct CommuneRow {
        code: String,
        name: String,
        n: i64,
        cost: Option<i64>,
    }
    Ok(CommuneRow::find_by_statement(backend.build(&q))
        .all(db)
        .await?
        .into_iter()
        .map(|r| BreakdownRow {
            link: with(active, |f| f.commune = Some(r.code.clone())),
            key: r.code,
            label: r.name,
            projects: r.n,
            cost_cents: r.cost.unwrap_or(0),
        })
        .collect())
}

/// Up to this many communes of one EPCI (the largest have about 150).
const COMMUNE_LIMIT: u64 = 200;

async fn by_officer(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<Vec<BreakdownRow>, AppError> {
    let backend = db.get_database_backend();
    let rows = match summary {
        Some(s) => s
            .groups("officer")
            .into_iter()
            .map(|(id, m)| IdCount {
                id: id.parse().ok(),
                n: m.projects,
                cost: Some(m.cost),
            })
            .collect(),
        None => {
            let mut q = Query::select();
            q.expr_as(col("projects", "lead_officer_id"), Alias::new("id"))
                .expr_as(
                    Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
                    Alias::new("n"),
                )
                .expr_as(sum("projects", "estimated_cost_cents"), Alias::new("cost"))
                .from(project::Entity)
                .and_where(project::Column::LeadOfficerId.is_not_null())
                .cond_where(condition(active, today))
                .group_by_col((project::Entity, project::Column::LeadOfficerId));
            IdCount::find_by_statement(backend.build(&q))
                .all(db)
                .await?
        }
    };
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.id).collect();
    let names: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let mut out: Vec<BreakdownRow> = rows
        .into_iter()
        .filter_map(|r| {
            let id = r.id?;
            Some(BreakdownRow {
                key: id.to_string(),
                label: names.get(&id).cloned().unwrap_or_default(),
                projects: r.n,
                cost_cents: r.cost.unwrap_or(0),
                link: with(active, |f| f.officer = Some(id)),
            })
        })
        .collect();
    out.sort_by(|a, b| b.projects.cmp(&a.projects).then(a.label.cmp(&b.label)));
    Ok(out)
}

async fn attention(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    kind: AttentionKind,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<AttentionGroup, AppError> {
    let link = with(active, |f| f.attention = Some(kind.as_str().to_owned()));
    let projects = match summary {
        Some(s) => match kind {
            AttentionKind::Blocked => s.active(&tag("attention", "blocked")).projects,
            AttentionKind::Paused => s.active(&tag("attention", "paused")).projects,
            AttentionKind::RuleBreach => s.active(&tag("attention", "rule_breach")).projects,
            AttentionKind::LateMilestones => s.counter(rollup::LATE),
            AttentionKind::Stale => s.counter(rollup::STALE),
            AttentionKind::DetrLapse => s.counter(rollup::DETR),
        },
        None => count(db, &link, today).await?,
    };
    let cond = condition(&link, today);
    let find = project::Entity::find()
        .filter(cond.clone())
        .limit(LIST_LIMIT);
    let item = |p: &project::Model, detail: String, date: Option<NaiveDate>| AttentionItem {
        project_id: p.id,
        project_title: p.title.clone(),
        detail,
        date,
    };
    let items = match kind {
        AttentionKind::Blocked | AttentionKind::Paused => find
            .order_by_asc(project::Column::HealthSince)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| {
                item(
                    p,
                    p.health_reason.clone().unwrap_or_default(),
                    p.health_since,
                )
            })
            .collect(),
        AttentionKind::Stale => find
            .order_by_asc(project::Column::LastEventAt)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| {
                item(
                    p,
                    t("dashboard.last_event"),
                    Some(p.last_event_at.date_naive()),
                )
            })
            .collect(),
        AttentionKind::RuleBreach => find
            .order_by_asc(project::Column::Title)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| item(p, t("dashboard.rule_breach_detail"), None))
            .collect(),
        AttentionKind::DetrLapse => find
            .order_by_asc(project::Column::DetrDue)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| {
                let kind = p.detr_due_kind.clone().unwrap_or_default();
                item(p, t(&format!("dashboard.deadline_{kind}")), p.detr_due)
            })
            .collect(),
        AttentionKind::LateMilestones => {
            let rows = milestone::Entity::find()
                .filter(milestone::Column::DoneDate.is_null())
                .filter(milestone::Column::DueDate.lt(today))
                .filter(in_scope("milestones", "project_id", active, today))
                .order_by_asc(milestone::Column::DueDate)
                .order_by_asc(milestone::Column::Id)
                .limit(LIST_LIMIT)
                .all(db)
                .await?;
            let titles = titles(db, rows.iter().map(|m| m.project_id).collect()).await?;
            rows.into_iter()
                .map(|m| AttentionItem {
                    project_title: titles.get(&m.project_id).cloned().unwrap_or_default(),
                    project_id: m.project_id,
                    detail: m.title,
                    date: Some(m.due_date),
                })
                .collect()
        }
    };
    Ok(AttentionGroup {
        kind,
        projects,
        link,
        items,
    })
}

async fn titles(
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

#[derive(FromQueryResult)]
struct DayCount {
    day: NaiveDate,
    n: i64,
}

/// The dated steps of active projects in the next 90 days: counts per
/// window (steps and projects) and the first `LIST_LIMIT` steps.
async fn deadlines(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<(Vec<DeadlineWindow>, Vec<DeadlineItem>), AppError> {
    let windows = match summary {
        Some(s) => DEADLINE_WINDOWS
            .into_iter()
            .map(|days| DeadlineWindow {
                days,
                items: s.steps_within(days, today),
                projects: s.counter(&rollup::within(days)),
                link: with(active, |f| f.due_within = Some(days)),
            })
            .collect(),
        None => deadline_windows(db, active, today).await?,
    };
    let items = deadline_items(db, active, today).await?;
    Ok((windows, items))
}

/// The live queries behind the deadline windows.
async fn deadline_windows(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
) -> Result<Vec<DeadlineWindow>, AppError> {
    let backend = db.get_database_backend();
    let horizon = DEADLINE_WINDOWS.into_iter().max().unwrap_or(90);
    let end = today + Duration::days(horizon);
    let cond = || condition(active, today);

    // Steps per day, from the three sources.
    let mut ms = Query::select();
    ms.expr_as(col("milestones", "due_date"), Alias::new("day"))
        .expr_as(
            Func::cast_as(Func::count(col("milestones", "id")), Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .from(milestone::Entity)
        .and_where(milestone::Column::DoneDate.is_null())
        .and_where(milestone::Column::DueDate.between(today, end))
        .group_by_col((milestone::Entity, milestone::Column::DueDate));
    scoped(&mut ms, "milestones", "project_id", cond());
    let mut apps = Query::select();
    apps.expr_as(
        col("funding_lines", "application_deadline"),
        Alias::new("day"),
    )
    .expr_as(
        Func::cast_as(
            Func::count(col("funding_lines", "id")),
            Alias::new("BIGINT"),
        ),
        Alias::new("n"),
    )
    .from(funding_line::Entity)
    .and_where(funding_line::Column::Status.eq(FundingStatus::Identified.as_str()))
    .and_where(funding_line::Column::ApplicationDeadline.between(today, end))
    .group_by_col((
        funding_line::Entity,
        funding_line::Column::ApplicationDeadline,
    ));
    scoped(&mut apps, "funding_lines", "project_id", cond());
    let mut detr = Query::select();
    detr.expr_as(col("projects", "detr_due"), Alias::new("day"))
        .expr_as(
            Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .from(project::Entity)
        .and_where(project::Column::DetrDue.between(today, end))
        .cond_where(cond())
        .group_by_col((project::Entity, project::Column::DetrDue));
    let mut per_day: Vec<DayCount> = Vec::new();
    for q in [&ms, &apps, &detr] {
        per_day.extend(
            DayCount::find_by_statement(backend.build(q))
                .all(db)
                .await?,
        );
    }
    let mut windows = Vec::new();
    for days in DEADLINE_WINDOWS {
        let last = today + Duration::days(days);
        let link = with(active, |f| f.due_within = Some(days));
        windows.push(DeadlineWindow {
            days,
            items: per_day.iter().filter(|d| d.day <= last).map(|d| d.n).sum(),
            projects: count(db, &link, today).await?,
            link,
        });
    }
    Ok(windows)
}

/// The first steps of each source, merged by date.
async fn deadline_items(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
) -> Result<Vec<DeadlineItem>, AppError> {
    let horizon = DEADLINE_WINDOWS.into_iter().max().unwrap_or(90);
    let end = today + Duration::days(horizon);
    let cond = || condition(active, today);
    let limit = LIST_LIMIT;
    let mut items: Vec<DeadlineItem> = Vec::new();
    let milestones = milestone::Entity::find()
        .filter(milestone::Column::DoneDate.is_null())
        .filter(milestone::Column::DueDate.between(today, end))
        .filter(in_scope("milestones", "project_id", active, today))
        .order_by_asc(milestone::Column::DueDate)
        .order_by_asc(milestone::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    for m in milestones {
        items.push(DeadlineItem {
            date: m.due_date,
            kind: "milestone".into(),
            label: m.title,
            project_id: m.project_id,
            project_title: String::new(),
        });
    }
    let funders: HashMap<i64, String> = funder::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let lines = funding_line::Entity::find()
        .filter(funding_line::Column::Status.eq(FundingStatus::Identified.as_str()))
        .filter(funding_line::Column::ApplicationDeadline.between(today, end))
        .filter(in_scope("funding_lines", "project_id", active, today))
        .order_by_asc(funding_line::Column::ApplicationDeadline)
        .order_by_asc(funding_line::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    for l in lines {
        if let Some(date) = l.application_deadline {
            items.push(DeadlineItem {
                date,
                kind: "application".into(),
                label: funders.get(&l.funder_id).cloned().unwrap_or_default(),
                project_id: l.project_id,
                project_title: String::new(),
            });
        }
    }
    let detr_rows = project::Entity::find()
        .filter(project::Column::DetrDue.between(today, end))
        .filter(cond())
        .order_by_asc(project::Column::DetrDue)
        .order_by_asc(project::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    for p in detr_rows {
        if let Some(date) = p.detr_due {
            items.push(DeadlineItem {
                date,
                kind: p.detr_due_kind.clone().unwrap_or_default(),
                label: funders
                    .values()
                    .find(|n| n.contains("DETR"))
                    .cloned()
                    .unwrap_or_else(|| "DETR".into()),
                project_id: p.id,
                project_title: p.title,
            });
        }
    }
    items.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(a.project_id.cmp(&b.project_id))
            .then(a.kind.cmp(&b.kind))
    });
    items.truncate(usize::try_from(limit).unwrap_or(20));
    let names = titles(db, items.iter().map(|i| i.project_id).collect()).await?;
    for i in &mut items {
        if let Some(n) = names.get(&i.project_id) {
            i.project_title = n.clone();
        }
    }
    Ok(items)
}

async fn digest(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    since: NaiveDate,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<(Vec<DigestCount>, Vec<DigestItem>), AppError> {
    let mut counts = Vec::new();
    for kind in DigestKind::ALL {
        let link = with(base, |f| {
            f.event = Some(kind.as_str().to_owned());
            f.since = Some(since);
        });
        let projects = match summary {
            Some(s) => s.counter(&tag("event", kind.as_str())),
            None => count(db, &link, today).await?,
        };
        counts.push(DigestCount {
            kind,
            projects,
            link,
        });
    }
    let decisions = [
        FundingStatus::Granted.as_str(),
        FundingStatus::Refused.as_str(),
    ];
    let rows = event::Entity::find()
        .filter(event::Column::At.gte(day_start(since)))
        .filter(
            Condition::any()
                .add(event::Column::Kind.is_in(["created", "stage_changed"]))
                .add(
                    Condition::all()
                        .add(event::Column::Kind.eq("funding_status_changed"))
                        .add(event::Column::StateTo.is_in(decisions)),
                ),
        )
        .filter(in_scope("project_events", "project_id", base, today))
        .order_by_desc(event::Column::At)
        .order_by_desc(event::Column::Id)
        .limit(DIGEST_LIMIT)
        .all(db)
        .await?;
    let names = titles(db, rows.iter().map(|e| e.project_id).collect()).await?;
    let actor_ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
    let actors: HashMap<i64, String> = if actor_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let items = rows
        .into_iter()
        .map(|e| {
            let kind = match (e.kind.as_str(), e.state_to.as_deref()) {
                ("created", _) => DigestKind::Created,
                ("stage_changed", Some("abandoned")) => DigestKind::Abandoned,
                ("stage_changed", _) => DigestKind::StageChanged,
                (_, Some("granted")) => DigestKind::Granted,
                _ => DigestKind::Refused,
            };
            DigestItem {
                at: e.at,
                kind,
                project_title: names.get(&e.project_id).cloned().unwrap_or_default(),
                project_id: e.project_id,
                from: e.state_from,
                to: e.state_to,
                actor: e.actor_id.and_then(|id| actors.get(&id).cloned()),
            }
        })
        .collect();
    Ok((counts, items))
}

/// The whole dashboard for `filter` on `today`: the figures (funnel,
/// movements, money, breakdowns, counts) from the summaries — the stored
/// scope when the filter fixes at most one dimension, added up from the
/// kept projects' facts when it fixes more; the lists always live (each
/// bounded by `LIST_LIMIT` or `DIGEST_LIMIT`, walking an index in order).
pub async fn dashboard(
    db: &impl ConnectionTrait,
    filter: &DashboardFilter,
    today: NaiveDate,
) -> Result<Dashboard, AppError> {
    let summary = match summaries::scope_of(filter) {
        Some(scope) => {
            let stage = project_filter::nonempty(&filter.stage);
            let since = filter.since_or_default(today);
            summaries::load(db, &scope, stage, since, today).await?
        }
        None => summaries::combined(db, filter, today).await?,
    };
    assemble(db, filter, today, Some(&summary)).await
}

/// The whole dashboard by live queries only (the tests check that the
/// summaries give the same figures).
pub async fn dashboard_live(
    db: &impl ConnectionTrait,
    filter: &DashboardFilter,
    today: NaiveDate,
) -> Result<Dashboard, AppError> {
    assemble(db, filter, today, None).await
}

/// The sections are independent queries, run concurrently (each on its own
/// pooled connection).
async fn assemble(
    db: &impl ConnectionTrait,
    filter: &DashboardFilter,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<Dashboard, AppError> {
    let since = filter.since_or_default(today);
    let base = filter.projects();
    let active = with(&base, |f| f.active = true);
    let attention_groups = async {
        let (a, b, c, d, e, f) = tokio::try_join!(
            attention(db, &active, AttentionKind::Blocked, today, summary),
            attention(db, &active, AttentionKind::Paused, today, summary),
            attention(db, &active, AttentionKind::LateMilestones, today, summary),
            attention(db, &active, AttentionKind::Stale, today, summary),
            attention(db, &active, AttentionKind::RuleBreach, today, summary),
            attention(db, &active, AttentionKind::DetrLapse, today, summary),
        )?;
        Ok::<_, AppError>(vec![a, b, c, d, e, f])
    };
    let (
        (funnel, money),
        by_funder,
        programmes,
        themes,
        by_epci,
        by_commune,
        by_officer,
        groups,
        (deadline_windows, deadlines),
        (digest_counts, digest),
    ) = tokio::try_join!(
        funnel(db, &base, since, today, summary),
        by_funder(db, &active, today, summary),
        by_code(db, &active, ReferenceList::Programmes, today, summary),
        by_code(db, &active, ReferenceList::Themes, today, summary),
        by_epci(db, &active, today, summary),
        by_commune(db, &active, today),
        by_officer(db, &active, today, summary),
        attention_groups,
        deadlines(db, &active, today, summary),
        digest(db, &base, since, today, summary),
    )?;
    let by_programme = programmes
        .into_iter()
        .map(|(code, label, row)| {
            let link = with(&active, |f| f.programme = Some(code.clone()));
            money_row(code, label, &row, link)
        })
        .collect();
    let by_theme = themes
        .into_iter()
        .map(|(code, label, row)| BreakdownRow {
            link: with(&active, |f| f.theme = Some(code.clone())),
            key: code,
            label,
            projects: row.projects,
            cost_cents: row.cost.unwrap_or(0),
        })
        .collect();
    Ok(Dashboard {
        filter: filter.clone(),
        as_of: today,
        since,
        funnel,
        money,
        by_funder,
        by_programme,
        attention: groups,
        deadline_windows,
        deadlines,
        by_theme,
        by_epci,
        by_commune,
        by_officer,
        digest_counts,
        digest,
    })
}

/// The choices of the dashboard's filter form.
pub async fn choices(
    db: &impl ConnectionTrait,
) -> Result<crate::models::DashboardChoices, AppError> {
    let programmes = references::offered(db, ReferenceList::Programmes).await?;
    let themes = references::offered(db, ReferenceList::Themes).await?;
    let officers = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.ne("partner"))
        .order_by_asc(user::Column::DisplayName)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    // The EPCI where projects are, by name.
    let sirens = Query::select()
        .distinct()
        .column(commune::Column::EpciSiren)
        .from(commune::Entity)
        .and_where(
            commune::Column::Insee.in_subquery(
                Query::select()
                    .column(project_commune::Column::Insee)
                    .from(project_commune::Entity)
                    .to_owned(),
            ),
        )
        .to_owned();
    let epcis = epci::Entity::find()
        .filter(epci::Column::Siren.in_subquery(sirens))
        .order_by_asc(epci::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|e| crate::models::Labelled {
            code: e.siren,
            label: e.name,
        })
        .collect();
    Ok(crate::models::DashboardChoices {
        programmes,
        themes,
        officers,
        epcis,
    })
}
