//! The « Projets » sheet of the dashboard's Excel export: one row per
//! project behind the dashboard's filter, what a head pastes into the
//! steering committee's deck.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::funding::FundingStatus;
use crate::domain::{HealthStatus, Stage};
use crate::error::AppError;
use crate::models::{DashboardFilter, ReferenceList};
use crate::server::entities::funding::funding_line;
use crate::server::entities::projects::{
    milestone, project, project_commune, project_programme, project_theme,
};
use crate::server::entities::territory::{commune, epci};
use crate::server::services::projects::{project_communes, user_names};
use crate::server::services::{project_filter, references};

/// At most this many rows: a structure's portfolio is far below it; a
/// filter that selects more says so in the sheet instead of building a file
/// no one can open.
pub const SHEET_MAX_ROWS: u64 = 20_000;

/// One project as the sheet shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSheetRow {
    pub reference: String,
    pub title: String,
    pub communes: String,
    pub epcis: String,
    pub stage: Stage,
    pub health: HealthStatus,
    pub officer: String,
    pub owner: String,
    pub cost_cents: Option<i64>,
    pub requested_cents: i64,
    pub granted_cents: i64,
    pub paid_cents: i64,
    pub to_find_cents: i64,
    pub programmes: String,
    pub themes: String,
    /// The next date ahead: an open milestone, a DETR date, the filing
    /// deadline of an aid still to file.
    pub next_deadline: Option<NaiveDate>,
    pub last_change: DateTime<Utc>,
}

/// The rows (sorted by title) and how many projects the filter selects.
pub struct ProjectSheet {
    pub rows: Vec<ProjectSheetRow>,
    pub total: u64,
}

/// Ids are read in chunks: far below both databases' bound on parameters.
const CHUNK: usize = 1_000;

pub async fn project_sheet(
    db: &impl ConnectionTrait,
    filter: &DashboardFilter,
    today: NaiveDate,
) -> Result<ProjectSheet, AppError> {
    let condition = project_filter::condition(&filter.projects(), today);
    let total = project::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let projects = project::Entity::find()
        .filter(condition)
        .order_by_asc(project::Column::Title)
        .order_by_asc(project::Column::Id)
        .limit(SHEET_MAX_ROWS)
        .all(db)
        .await?;
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let officers = user_names(
        db,
        projects.iter().filter_map(|p| p.lead_officer_id).collect(),
    )
    .await?;
    let programme_labels = labels(db, ReferenceList::Programmes).await?;
    let theme_labels = labels(db, ReferenceList::Themes).await?;

    let mut communes: HashMap<i64, Vec<String>> = HashMap::new();
    let mut epcis: HashMap<i64, BTreeMap<String, ()>> = HashMap::new();
    let mut programmes: HashMap<i64, Vec<String>> = HashMap::new();
    let mut themes: HashMap<i64, Vec<String>> = HashMap::new();
    let mut next: HashMap<i64, NaiveDate> = HashMap::new();
    let mut sooner = |id: i64, day: NaiveDate| {
        if day >= today {
            next.entry(id)
                .and_modify(|d| *d = (*d).min(day))
                .or_insert(day);
        }
    };
    for p in &projects {
        if let Some(day) = p.detr_due {
            sooner(p.id, day);
        }
    }
    for chunk in ids.chunks(CHUNK) {
        communes.extend(project_communes(db, chunk.to_vec()).await?);
        for (id, name) in epci_names(db, chunk).await? {
            epcis.entry(id).or_default().insert(name, ());
        }
        for link in project_programme::Entity::find()
            .filter(project_programme::Column::ProjectId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let label = programme_labels.get(&link.programme_code).cloned();
            programmes
                .entry(link.project_id)
                .or_default()
                .push(label.unwrap_or(link.programme_code));
        }
        for link in project_theme::Entity::find()
            .filter(project_theme::Column::ProjectId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let label = theme_labels.get(&link.theme_code).cloned();
            themes
                .entry(link.project_id)
                .or_default()
                .push(label.unwrap_or(link.theme_code));
        }
        let milestones: Vec<(i64, Option<NaiveDate>)> = milestone::Entity::find()
            .select_only()
            .column(milestone::Column::ProjectId)
            .column_as(milestone::Column::DueDate.min(), "due")
            .filter(milestone::Column::ProjectId.is_in(chunk.to_vec()))
            .filter(milestone::Column::DoneDate.is_null())
            .filter(milestone::Column::DueDate.gte(today))
            .group_by(milestone::Column::ProjectId)
            .into_tuple()
            .all(db)
            .await?;
        let filings: Vec<(i64, Option<NaiveDate>)> = funding_line::Entity::find()
            .select_only()
            .column(funding_line::Column::ProjectId)
            .column_as(funding_line::Column::ApplicationDeadline.min(), "due")
            .filter(funding_line::Column::ProjectId.is_in(chunk.to_vec()))
            .filter(funding_line::Column::Status.eq(FundingStatus::Identified))
            .filter(funding_line::Column::ApplicationDeadline.gte(today))
            .group_by(funding_line::Column::ProjectId)
            .into_tuple()
            .all(db)
            .await?;
        for (id, day) in milestones.into_iter().chain(filings) {
            if let Some(day) = day {
                sooner(id, day);
            }
        }
    }

    let join = |v: Option<Vec<String>>| v.unwrap_or_default().join(", ");
    let rows = projects
        .into_iter()
        .map(|p| ProjectSheetRow {
            reference: p.reference.clone().unwrap_or_default(),
            communes: join(communes.remove(&p.id)),
            epcis: epcis
                .remove(&p.id)
                .map(|names| names.into_keys().collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            stage: p.stage,
            health: p.health,
            officer: p
                .lead_officer_id
                .and_then(|id| officers.get(&id).cloned())
                .unwrap_or_default(),
            owner: p.owner_name.clone(),
            cost_cents: p.estimated_cost_cents,
            requested_cents: p.plan_requested_cents,
            granted_cents: p.plan_granted_cents,
            paid_cents: p.plan_paid_cents,
            to_find_cents: p.plan_to_find_cents,
            programmes: join(programmes.remove(&p.id)),
            themes: join(themes.remove(&p.id)),
            next_deadline: next.get(&p.id).copied(),
            last_change: p.last_event_at,
            title: p.title,
        })
        .collect();
    Ok(ProjectSheet { rows, total })
}

/// Labels of a reference list by code (inactive entries included: a
/// project keeps what it was given).
async fn labels(
    db: &impl ConnectionTrait,
    list: ReferenceList,
) -> Result<HashMap<String, String>, AppError> {
    Ok(references::all(db, list)
        .await?
        .into_iter()
        .map(|e| (e.code, e.label))
        .collect())
}

/// The EPCI of each commune of the projects, by project.
async fn epci_names(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, AppError> {
    let links = project_commune::Entity::find()
        .filter(project_commune::Column::ProjectId.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let sirens: HashMap<String, String> = commune::Entity::find()
        .filter(
            commune::Column::Insee.is_in(links.iter().map(|l| l.insee.clone()).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.insee, c.epci_siren?)))
        .collect();
    let names: HashMap<String, String> = epci::Entity::find()
        .filter(epci::Column::Siren.is_in(sirens.values().cloned().collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.siren, e.name))
        .collect();
    Ok(links
        .into_iter()
        .filter_map(|l| {
            let name = names.get(sirens.get(&l.insee)?)?.clone();
            Some((l.project_id, name))
        })
        .collect())
}
