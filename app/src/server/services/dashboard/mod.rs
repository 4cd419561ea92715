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

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::error::AppError;
use crate::models::{AttentionKind, BreakdownRow, Dashboard, DashboardFilter, ReferenceList};
use crate::server::services::project_filter::{self};
use crate::server::services::summaries::{self, Summary};

mod attention;
mod breakdowns;
mod choices;
mod deadlines;
mod digest;
mod funnel;
mod live;
mod projects_sheet;
mod query;

pub use choices::choices;
pub use live::dashboard_live;
pub use projects_sheet::{ProjectSheet, ProjectSheetRow, SHEET_MAX_ROWS, project_sheet};

use attention::attention;
use breakdowns::{by_code, by_commune, by_epci, by_funder, by_officer};
use deadlines::deadlines;
use digest::digest;
use funnel::funnel;
use query::{money_row, with};

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

/// The sections are independent queries, joined (on one connection when
/// `db` is the answer's snapshot, `auth::Call::snapshot`).
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
    // Counted live: the summaries keep no facts about documents.
    let missing_documents_link = with(&active, |f| f.missing_documents = true);
    let missing_documents = crate::server::entities::projects::project::Entity::find()
        .filter(project_filter::condition(&missing_documents_link, today))
        .count(db)
        .await?;
    Ok(Dashboard {
        missing_documents: i64::try_from(missing_documents).unwrap_or(i64::MAX),
        missing_documents_link,
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
