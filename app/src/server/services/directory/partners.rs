//! The partners of a project: organisations and people linked with a role
//! (one owner at most), and the funders of its plan with their directory
//! organisation. Every link written or removed is a timeline event.
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use crate::domain::EventKind;
use crate::domain::PartnerRole;
use crate::domain::funding::FunderCategory;
use crate::error::AppError;
use crate::models::{
    CurrentUser, EntryRef, Involvement, PartnerLinkInput, PartnerLinkView, PlanFunderPartner,
    ProjectPartners,
};
use crate::server::entities::directory::{organisation, person, project_partner};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::projects::project;
use crate::server::services::change::Change;
use crate::server::services::change::project_exists;
use crate::server::services::directory::names::{organisation_names, person_names, project_refs};

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

/// The partners section of a project page.
pub async fn project_partners(
    db: &DatabaseConnection,
    project_id: i64,
) -> Result<ProjectPartners, AppError> {
    project_exists(db, project_id).await?;
    partners_of(db, project_id).await
}

/// The partners section of a project known to exist.
pub async fn partners_of(
    db: &impl ConnectionTrait,
    project_id: i64,
) -> Result<ProjectPartners, AppError> {
    let links = project_partner::Entity::find()
        .filter(project_partner::Column::ProjectId.eq(project_id))
        .order_by_asc(project_partner::Column::Id)
        .all(db)
        .await?;
    let orgs = organisation_names(db, links.iter().filter_map(|l| l.organisation_id)).await?;
    let people = person_names(db, links.iter().filter_map(|l| l.person_id)).await?;
    let mut views: Vec<PartnerLinkView> = links
        .into_iter()
        .map(|l| PartnerLinkView {
            id: l.id,
            role: l.role,
            organisation: l.organisation_id.map(|id| EntryRef {
                id,
                name: orgs.get(&id).cloned().unwrap_or_default(),
            }),
            person: l.person_id.map(|id| EntryRef {
                id,
                name: people.get(&id).cloned().unwrap_or_default(),
            }),
            note: l.note,
        })
        .collect();
    // The owner first, then by role, then in the order they were added.
    views.sort_by_key(|v| PartnerRole::ALL.iter().position(|r| *r == v.role));

    let funder_ids: BTreeSet<i64> = funding_line::Entity::find()
        .select_only()
        .column(funding_line::Column::FunderId)
        .distinct()
        .filter(funding_line::Column::ProjectId.eq(project_id))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut plan_funders = Vec::new();
    if !funder_ids.is_empty() {
        let funders = funder::Entity::find()
            .filter(funder::Column::Id.is_in(funder_ids.iter().copied()))
            .filter(funder::Column::Category.ne(FunderCategory::OwnFunds))
            .order_by_asc(funder::Column::Position)
            .all(db)
            .await?;
        let standing = organisation::Entity::find()
            .filter(organisation::Column::FunderId.is_in(funder_ids))
            .all(db)
            .await?;
        for f in funders {
            plan_funders.push(PlanFunderPartner {
                organisation: standing
                    .iter()
                    .find(|o| o.funder_id == Some(f.id))
                    .map(|o| EntryRef {
                        id: o.id,
                        name: o.name.clone(),
                    }),
                funder_name: f.name,
            });
        }
    }
    Ok(ProjectPartners {
        project_id,
        links: views,
        plan_funders,
    })
}

/// Links a partner to a project; returns the link's id.
pub async fn add_link(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    input: PartnerLinkInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    project_exists(txn, project_id).await?;
    let org = match input.organisation_id {
        Some(id) => Some(
            organisation::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(|| {
                    AppError::validation("organisation_id", t("directory.organisation_unknown"))
                })?,
        ),
        None => None,
    };
    let org_name = org.as_ref().map(|o| o.name.clone());
    let person_name = match input.person_id {
        Some(id) => {
            let p = person::Entity::find_by_id(id)
                .one(txn)
                .await?
                .filter(|p| p.erased_at.is_none())
                .ok_or_else(|| AppError::validation("person_id", t("directory.person_unknown")))?;
            Some(format!("{} {}", p.first_name, p.last_name))
        }
        None => None,
    };
    let existing = project_partner::Entity::find()
        .filter(project_partner::Column::ProjectId.eq(project_id))
        .all(txn)
        .await?;
    if input.role == PartnerRole::Owner
        && let Some(owner) = existing.iter().find(|l| l.role == PartnerRole::Owner)
    {
        let names = organisation_names(txn, owner.organisation_id.into_iter()).await?;
        let people = person_names(txn, owner.person_id.into_iter()).await?;
        let name = names
            .into_values()
            .chain(people.into_values())
            .next()
            .unwrap_or_default();
        return Err(AppError::validation(
            "role",
            rust_i18n::t!("directory.owner_taken", name = name),
        ));
    }
    if existing.iter().any(|l| {
        l.role == input.role
            && l.organisation_id == input.organisation_id
            && l.person_id == input.person_id
    }) {
        return Err(AppError::validation("role", t("directory.link_exists")));
    }
    let row = project_partner::ActiveModel {
        project_id: Set(project_id),
        organisation_id: Set(input.organisation_id),
        person_id: Set(input.person_id),
        role: Set(input.role),
        note: Set(input.note),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let data = json!({
        "link_id": row.id,
        "role": input.role.as_str(),
        "organisation_id": input.organisation_id,
        "organisation": org_name,
        "person_id": input.person_id,
        "person": person_name,
    });
    change.record(project_id, EventKind::PartnerAdded, data);
    if input.role == PartnerRole::Owner
        && let Some(org) = &org
    {
        follow_owner(&mut change, project_id, org).await?;
    }
    change.commit().await?;
    Ok(row.id)
}

/// The project's owner (porteur) becomes the organisation linked as its
/// owner: name and kind, so the 20 % rule and the plan read the same
/// owner as the partners section. An "updated" event lists the change;
/// the project's version moves on and its plan figures are recomputed.
async fn follow_owner(
    change: &mut Change,
    project_id: i64,
    org: &organisation::Model,
) -> Result<(), AppError> {
    let txn = change.txn();
    let row = project::Entity::find_by_id(project_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = org.kind.owner_kind();
    let mut changes = Vec::new();
    if row.owner_name != org.name {
        changes.push(json!({ "field": "owner_name", "before": row.owner_name, "after": org.name }));
    }
    if row.owner_kind != Some(kind) {
        changes.push(
            json!({ "field": "owner_kind", "before": row.owner_kind, "after": kind.as_str() }),
        );
    }
    if changes.is_empty() {
        return Ok(());
    }
    change.bump_version(project_id, row.version).await?;
    project::Entity::update_many()
        .col_expr(project::Column::OwnerName, Expr::value(org.name.clone()))
        .col_expr(project::Column::OwnerKind, Expr::value(kind))
        .filter(project::Column::Id.eq(project_id))
        .exec(txn)
        .await?;
    change.record(
        project_id,
        EventKind::Updated,
        json!({ "changes": changes }),
    );
    change.plan_moved(project_id);
    Ok(())
}

/// Removes a partner link; returns the project's id.
pub async fn remove_link(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    link_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let link = project_partner::Entity::find_by_id(link_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let orgs = organisation_names(txn, link.organisation_id.into_iter()).await?;
    let people = person_names(txn, link.person_id.into_iter()).await?;
    project_partner::Entity::delete_by_id(link_id)
        .exec(txn)
        .await?;
    let data = json!({
        "link_id": link.id,
        "role": link.role,
        "organisation_id": link.organisation_id,
        "organisation": link.organisation_id.and_then(|id| orgs.get(&id).cloned()),
        "person_id": link.person_id,
        "person": link.person_id.and_then(|id| people.get(&id).cloned()),
        "note": link.note,
    });
    change.record(link.project_id, EventKind::PartnerRemoved, data);
    change.commit().await?;
    Ok(link.project_id)
}

fn involvement(
    link: &project_partner::Model,
    project: &crate::models::ProjectRef,
    with: Option<String>,
) -> Involvement {
    Involvement {
        project_id: project.id,
        project_title: project.title.clone(),
        stage: project.stage,
        health: project.health,
        role: link.role,
        note: link.note.clone(),
        with,
    }
}

fn by_title(items: &mut [Involvement]) {
    items.sort_by(|a, b| {
        a.project_title
            .cmp(&b.project_title)
            .then(a.project_id.cmp(&b.project_id))
    });
}

/// Every project an organisation takes part in: its links, and the plans
/// with lines of the funder it stands for.
pub async fn involvements_of_organisation(
    db: &DatabaseConnection,
    org: &organisation::Model,
) -> Result<Vec<Involvement>, AppError> {
    let links = project_partner::Entity::find()
        .filter(project_partner::Column::OrganisationId.eq(org.id))
        .all(db)
        .await?;
    let funded: Vec<i64> = match org.funder_id {
        // A funder can stand behind thousands of lines: only the distinct
        // project ids are read.
        Some(fid) => {
            funding_line::Entity::find()
                .select_only()
                .column(funding_line::Column::ProjectId)
                .distinct()
                .filter(funding_line::Column::FunderId.eq(fid))
                .into_tuple::<i64>()
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let projects = project_refs(
        db,
        links
            .iter()
            .map(|l| l.project_id)
            .chain(funded.iter().copied()),
    )
    .await?;
    let people = person_names(db, links.iter().filter_map(|l| l.person_id)).await?;
    let mut items: Vec<Involvement> = links
        .iter()
        .filter_map(|l| {
            let with = l.person_id.and_then(|id| people.get(&id).cloned());
            projects.get(&l.project_id).map(|p| involvement(l, p, with))
        })
        .collect();
    for project_id in funded {
        let already = items
            .iter()
            .any(|i| i.project_id == project_id && i.role == PartnerRole::Funder);
        if let (false, Some(p)) = (already, projects.get(&project_id)) {
            items.push(Involvement {
                project_id,
                project_title: p.title.clone(),
                stage: p.stage,
                health: p.health,
                role: PartnerRole::Funder,
                note: t("directory.from_plan"),
                with: None,
            });
        }
    }
    by_title(&mut items);
    Ok(items)
}

/// Every project a person is linked to.
pub async fn involvements_of_person(
    db: &DatabaseConnection,
    person_id: i64,
) -> Result<Vec<Involvement>, AppError> {
    let links = project_partner::Entity::find()
        .filter(project_partner::Column::PersonId.eq(person_id))
        .all(db)
        .await?;
    let projects = project_refs(db, links.iter().map(|l| l.project_id)).await?;
    let orgs = organisation_names(db, links.iter().filter_map(|l| l.organisation_id)).await?;
    let mut items: Vec<Involvement> = links
        .iter()
        .filter_map(|l| {
            let with = l.organisation_id.and_then(|id| orgs.get(&id).cloned());
            projects.get(&l.project_id).map(|p| involvement(l, p, with))
        })
        .collect();
    by_title(&mut items);
    Ok(items)
}
