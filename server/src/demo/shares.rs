//! The demo's sharing: the two demo partner accounts belong to
//! organisations of the directory (the commune of Saint-Flour, an
//! association), each follows projects shared with it, and one project has
//! a share link for its steering committee. Idempotent: nothing is added
//! once a share exists.
use app::domain::{Email, OrganisationKind, Role, ShareSections};
use app::error::AppError;
use app::models::{CurrentUser, ShareSettings, ShareTarget, share_path};
use app::server::entities::directory::organisation;
use app::server::entities::projects::{project, project_commune};
use app::server::entities::{share, user};
use app::server::services::{shares, users};
use chrono::{Duration, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::accounts::DEMO_USERS;

/// The commune whose mayor's office follows its projects.
const PARTNER_COMMUNE: &str = "15187";

async fn account(db: &DatabaseConnection, email: &str) -> Result<user::Model, AppError> {
    let email = Email::parse(email).map_err(AppError::internal)?;
    users::find_by_email(db, &email)
        .await?
        .ok_or_else(AppError::internal_here)
}

async fn attach(
    db: &DatabaseConnection,
    account: &user::Model,
    organisation: Option<organisation::Model>,
) -> Result<(), AppError> {
    if account.organisation_id.is_none()
        && let Some(org) = organisation
    {
        let mut row: user::ActiveModel = account.clone().into();
        row.organisation_id = Set(Some(org.id));
        row.update(db).await?;
    }
    Ok(())
}

/// Seeds the demo shares; returns the share link's path when it was made.
pub async fn seed(db: &DatabaseConnection, today: NaiveDate) -> Result<Option<String>, AppError> {
    let partners: Vec<&str> = DEMO_USERS
        .iter()
        .filter(|(_, _, role)| *role == Role::Partner)
        .map(|(email, _, _)| *email)
        .collect();
    let [mairie, association] = partners[..] else {
        return Err(AppError::internal_here());
    };
    let mairie = account(db, mairie).await?;
    let association = account(db, association).await?;
    let commune_org = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::Commune))
        .filter(organisation::Column::CommuneCode.eq(PARTNER_COMMUNE))
        .one(db)
        .await?;
    let association_org = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::Association))
        .order_by_asc(organisation::Column::Id)
        .one(db)
        .await?;
    attach(db, &mairie, commune_org).await?;
    attach(db, &association, association_org).await?;

    if share::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    let officer = DEMO_USERS
        .iter()
        .find(|(_, _, r)| *r == Role::Officer)
        .ok_or_else(AppError::internal_here)?;
    let officer = account(db, officer.0).await?;
    let actor = CurrentUser {
        id: officer.id,
        email: officer.email,
        display_name: officer.display_name,
        role: Role::Officer,
    };
    let settings =
        |label: &str, expires_on: Option<NaiveDate>, sections: ShareSections| ShareSettings {
            label: label.to_owned(),
            expires_on,
            sections,
        };

    // The mayor's office follows the projects located in its commune.
    let in_commune: Vec<i64> = project_commune::Entity::find()
        .filter(project_commune::Column::Insee.eq(PARTNER_COMMUNE))
        .order_by_asc(project_commune::Column::ProjectId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.project_id)
        .take(3)
        .collect();
    for id in &in_commune {
        shares::create(
            db,
            &actor,
            *id,
            ShareTarget::Account(mairie.id),
            settings(
                "",
                None,
                ShareSections {
                    milestones: true,
                    funding: true,
                    partners: true,
                    notes: false,
                },
            ),
            super::after_last(db, *id, 26).await?,
        )
        .await?;
    }
    // The association follows one project, until the end of next year.
    let projects: Vec<i64> = project::Entity::find()
        .order_by_asc(project::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let Some(first) = projects.iter().find(|id| !in_commune.contains(id)).copied() else {
        return Ok(None);
    };
    let end_of_next_year = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) + 1, 12, 31);
    shares::create(
        db,
        &actor,
        first,
        ShareTarget::Account(association.id),
        settings(
            "",
            end_of_next_year,
            ShareSections {
                milestones: true,
                notes: true,
                ..ShareSections::default()
            },
        ),
        super::after_last(db, first, 26).await?,
    )
    .await?;
    // A link for the steering committee, valid 60 days.
    let link = shares::create(
        db,
        &actor,
        first,
        ShareTarget::Link,
        settings(
            "Comité de pilotage",
            Some(today + Duration::days(60)),
            ShareSections {
                milestones: true,
                funding: true,
                ..ShareSections::default()
            },
        ),
        super::after_last(db, first, 2).await?,
    )
    .await?;
    Ok(link.token.as_deref().map(share_path))
}
