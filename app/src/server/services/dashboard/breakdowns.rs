//! The money by funder, programme, theme, EPCI, commune and officer.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};

use crate::domain::funding::{FunderCategory, FundingStatus, PlanLine, line_sums};
use crate::domain::rollup::Measures;
use crate::error::AppError;
use crate::models::{BreakdownRow, MoneyRow, ProjectFilter, ReferenceList};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::projects::{project, project_commune};
use crate::server::entities::territory::{commune, epci};
use crate::server::entities::user;
use crate::server::services::project_filter::{self, condition};
use crate::server::services::references;
use crate::server::services::summaries::Summary;

use super::query::*;

#[derive(FromQueryResult)]
pub(super) struct FunderStatusRow {
    pub(super) funder_id: i64,
    pub(super) status: FundingStatus,
    pub(super) requested: Option<i64>,
    pub(super) granted: Option<i64>,
    pub(super) paid: Option<i64>,
}

#[derive(FromQueryResult)]
pub(super) struct IdCount {
    pub(super) id: Option<i64>,
    pub(super) n: i64,
    pub(super) cost: Option<i64>,
}

/// Money of active projects by funder: the lines' amounts through the plan
/// rules (sums are linear, so one pseudo-line per status adds up like the
/// lines), and the projects with a line from each funder.
pub(super) async fn by_funder(
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
pub(super) async fn funder_figures(
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
            status: r.status,
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
            let tot = line_sums(lines.get(&id).map_or(&[][..], Vec::as_slice));
            Some((
                id,
                Measures {
                    projects: r.n,
                    requested: tot.requested,
                    pending: tot.pending,
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
pub(super) async fn by_code(
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
        // Not a dimension of projects.
        ReferenceList::DocumentTypes => return Ok(Vec::new()),
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
pub(super) const EPCI_LIMIT: usize = 50;

#[derive(FromQueryResult)]
pub(super) struct EpciRow {
    pub(super) code: Option<String>,
    pub(super) n: i64,
    pub(super) cost: Option<i64>,
}

pub(super) async fn by_epci(
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
pub(super) async fn epci_rows(
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
pub(super) async fn by_commune(
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
pub(super) const COMMUNE_LIMIT: u64 = 200;

pub(super) async fn by_officer(
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
