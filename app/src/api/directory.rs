//! The partner directory and the partners of projects. Staff read and
//! write the directory; only admins erase a person; partners reach none of
//! it (contacts are personal data).
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{
    DirectoryChoices, DirectoryFilter, DirectoryList, MandateForm, MembershipForm,
    OrganisationDetail, OrganisationForm, PartnerLinkForm, PersonDetail, PersonForm, PickHit,
    ProjectPartners,
};
#[cfg(feature = "ssr")]
use crate::{
    policy::Action,
    server::auth,
    server::services::directory::{organisations, partners, people, rgpd},
};

#[cfg(feature = "ssr")]
use super::today;

#[server(endpoint = "directory/list")]
pub async fn list_directory(
    #[server(default)] filter: DirectoryFilter,
) -> Result<DirectoryList, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewDirectory)?;
            let filter = filter.validated()?;
            organisations::list(&auth::state()?.db, &filter, today()).await
        }
        .await,
    )
}

/// Organisations (`people` false) or people whose name contains `q`.
#[server(endpoint = "directory/pick")]
pub async fn pick_directory(q: String, people: bool) -> Result<Vec<PickHit>, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewDirectory)?;
            let q = crate::domain::input::search_text(&q);
            organisations::pick(&auth::state()?.db, &q, people).await
        }
        .await,
    )
}

#[server(endpoint = "directory/choices")]
pub async fn get_directory_choices() -> Result<DirectoryChoices, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewDirectory)?;
            organisations::choices(&auth::state()?.db).await
        }
        .await,
    )
}

#[server(endpoint = "directory/organisation")]
pub async fn get_organisation(id: i64) -> Result<OrganisationDetail, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewDirectory)?;
            organisations::organisation_detail(&auth::state()?.db, id, today()).await
        }
        .await,
    )
}

/// Returns the new organisation's id.
#[server(endpoint = "directory/organisations/create")]
pub async fn create_organisation(form: OrganisationForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            organisations::create_organisation(&auth::state()?.db, input, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "directory/organisations/update")]
pub async fn update_organisation(
    id: i64,
    version: i32,
    form: OrganisationForm,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            organisations::update_organisation(
                &auth::state()?.db,
                id,
                version,
                input,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "directory/person")]
pub async fn get_person(id: i64) -> Result<PersonDetail, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewDirectory)?;
            people::person_detail(&auth::state()?.db, id, today()).await
        }
        .await,
    )
}

/// Returns the new person's id.
#[server(endpoint = "directory/people/create")]
pub async fn create_person(form: PersonForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            people::create_person(&auth::state()?.db, input, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "directory/people/update")]
pub async fn update_person(id: i64, version: i32, form: PersonForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            people::update_person(&auth::state()?.db, id, version, input, chrono::Utc::now()).await
        }
        .await,
    )
}

/// Adds a membership; returns the person's id.
#[server(endpoint = "directory/memberships/add")]
pub async fn add_membership(person_id: i64, form: MembershipForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            people::add_membership(&auth::state()?.db, person_id, input).await
        }
        .await,
    )
}

#[server(endpoint = "directory/memberships/update")]
pub async fn update_membership(membership_id: i64, form: MembershipForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            people::update_membership(&auth::state()?.db, membership_id, input).await
        }
        .await,
    )
}

#[server(endpoint = "directory/memberships/delete")]
pub async fn delete_membership(membership_id: i64) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            people::delete_membership(&auth::state()?.db, membership_id).await
        }
        .await,
    )
}

/// Adds an elected mandate; returns the person's id.
#[server(endpoint = "directory/mandates/add")]
pub async fn add_mandate(person_id: i64, form: MandateForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            people::add_mandate(&auth::state()?.db, person_id, input).await
        }
        .await,
    )
}

#[server(endpoint = "directory/mandates/update")]
pub async fn update_mandate(mandate_id: i64, form: MandateForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            let input = form.validate()?;
            people::update_mandate(&auth::state()?.db, mandate_id, input).await
        }
        .await,
    )
}

#[server(endpoint = "directory/mandates/delete")]
pub async fn delete_mandate(mandate_id: i64) -> Result<i64, AppError> {
    auth::respond(
        async {
            auth::require(Action::EditDirectory)?;
            people::delete_mandate(&auth::state()?.db, mandate_id).await
        }
        .await,
    )
}

/// Erases a person (RGPD); admins only.
#[server(endpoint = "directory/people/erase")]
pub async fn erase_person(person_id: i64) -> Result<(), AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::ErasePersonalData)?;
            rgpd::erase(&auth::state()?.db, &actor, person_id, chrono::Utc::now()).await
        }
        .await,
    )
}

/// The partners section of a project page.
#[server(endpoint = "partners/list")]
pub async fn get_project_partners(project_id: i64) -> Result<ProjectPartners, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewProjects)?;
            partners::project_partners(&auth::state()?.db, project_id).await
        }
        .await,
    )
}

/// Links a partner to a project; returns the link's id.
#[server(endpoint = "partners/add")]
pub async fn add_partner(project_id: i64, form: PartnerLinkForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::EditProjects)?;
            let input = form.validate()?;
            partners::add_link(
                &auth::state()?.db,
                &actor,
                project_id,
                input,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Removes a partner link; returns the project's id.
#[server(endpoint = "partners/remove")]
pub async fn remove_partner(link_id: i64) -> Result<i64, AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::EditProjects)?;
            partners::remove_link(&auth::state()?.db, &actor, link_id, chrono::Utc::now()).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(
    ListDirectory,
    PickDirectory,
    GetDirectoryChoices,
    GetOrganisation,
    CreateOrganisation,
    UpdateOrganisation,
    GetPerson,
    CreatePerson,
    UpdatePerson,
    AddMembership,
    UpdateMembership,
    DeleteMembership,
    AddMandate,
    UpdateMandate,
    DeleteMandate,
    ErasePerson,
    GetProjectPartners,
    AddPartner,
    RemovePartner
);
