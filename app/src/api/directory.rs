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
    server::entities::directory::{mandate, membership},
    server::services::directory::{organisations, partners, people, rgpd, ties},
};

#[server(endpoint = "directory/list")]
pub async fn list_directory(
    #[server(default)] filter: DirectoryFilter,
) -> Result<DirectoryList, AppError> {
    auth::run(Action::ViewDirectory, |cx| async move {
        let filter = filter.validated()?;
        organisations::list(&cx.db, &filter, cx.today()).await
    })
    .await
}

/// Organisations (`people` false) or people whose name contains `q`.
#[server(endpoint = "directory/pick")]
pub async fn pick_directory(q: String, people: bool) -> Result<Vec<PickHit>, AppError> {
    auth::run(Action::ViewDirectory, |cx| async move {
        let q = crate::domain::input::search_text(&q);
        organisations::pick(&cx.db, &q, people).await
    })
    .await
}

#[server(endpoint = "directory/choices")]
pub async fn get_directory_choices() -> Result<DirectoryChoices, AppError> {
    auth::run(Action::ViewDirectory, |cx| async move {
        organisations::choices(&cx.db).await
    })
    .await
}

#[server(endpoint = "directory/organisation")]
pub async fn get_organisation(id: i64) -> Result<OrganisationDetail, AppError> {
    auth::run(Action::ViewDirectory, |cx| async move {
        organisations::organisation_detail(&cx.db, id, cx.today()).await
    })
    .await
}

/// Returns the new organisation's id.
#[server(endpoint = "directory/organisations/create")]
pub async fn create_organisation(form: OrganisationForm) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        organisations::create_organisation(&cx.db, input, cx.now).await
    })
    .await
}

#[server(endpoint = "directory/organisations/update")]
pub async fn update_organisation(
    id: i64,
    version: i32,
    form: OrganisationForm,
) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        organisations::update_organisation(&cx.db, id, version, input, cx.now).await
    })
    .await
}

#[server(endpoint = "directory/person")]
pub async fn get_person(id: i64) -> Result<PersonDetail, AppError> {
    auth::run(Action::ViewDirectory, |cx| async move {
        people::person_detail(&cx.db, id, cx.today()).await
    })
    .await
}

/// Returns the new person's id.
#[server(endpoint = "directory/people/create")]
pub async fn create_person(form: PersonForm) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        people::create_person(&cx.db, input, cx.now).await
    })
    .await
}

#[server(endpoint = "directory/people/update")]
pub async fn update_person(id: i64, version: i32, form: PersonForm) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        people::update_person(&cx.db, id, version, input, cx.now).await
    })
    .await
}

/// Adds a membership; returns the person's id.
#[server(endpoint = "directory/memberships/add")]
pub async fn add_membership(person_id: i64, form: MembershipForm) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        ties::add::<membership::Entity>(&cx.db, person_id, input).await
    })
    .await
}

#[server(endpoint = "directory/memberships/update")]
pub async fn update_membership(membership_id: i64, form: MembershipForm) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        ties::update::<membership::Entity>(&cx.db, membership_id, input).await
    })
    .await
}

#[server(endpoint = "directory/memberships/delete")]
pub async fn delete_membership(membership_id: i64) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        ties::delete::<membership::Entity>(&cx.db, membership_id).await
    })
    .await
}

/// Adds an elected mandate; returns the person's id.
#[server(endpoint = "directory/mandates/add")]
pub async fn add_mandate(person_id: i64, form: MandateForm) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        ties::add::<mandate::Entity>(&cx.db, person_id, input).await
    })
    .await
}

#[server(endpoint = "directory/mandates/update")]
pub async fn update_mandate(mandate_id: i64, form: MandateForm) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        let input = form.validate()?;
        ties::update::<mandate::Entity>(&cx.db, mandate_id, input).await
    })
    .await
}

#[server(endpoint = "directory/mandates/delete")]
pub async fn delete_mandate(mandate_id: i64) -> Result<i64, AppError> {
    auth::run(Action::EditDirectory, |cx| async move {
        ties::delete::<mandate::Entity>(&cx.db, mandate_id).await
    })
    .await
}

/// Erases a person (RGPD); admins only.
#[server(endpoint = "directory/people/erase")]
pub async fn erase_person(person_id: i64) -> Result<(), AppError> {
    auth::run(Action::ErasePersonalData, |cx| async move {
        rgpd::erase(&cx.db, &cx.actor, person_id, cx.now).await?;
        // The contents of the documents that named them, at once.
        let state = auth::state()?;
        // The erasure is done: a failure here leaves the files to the next
        // purge, logged; it is not the user's error.
        if let Err(err) =
            crate::server::services::documents::sweep(&cx.db, &state.documents, chrono::Utc::now())
                .await
        {
            tracing::error!(error = ?err, "the erased documents' files wait for the purge");
        }
        Ok(())
    })
    .await
}

/// The partners section of a project page.
#[server(endpoint = "partners/list")]
pub async fn get_project_partners(project_id: i64) -> Result<ProjectPartners, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        partners::project_partners(&cx.db, project_id).await
    })
    .await
}

/// Links a partner to a project; returns the link's id.
#[server(endpoint = "partners/add")]
pub async fn add_partner(project_id: i64, form: PartnerLinkForm) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let input = form.validate()?;
        partners::add_link(&cx.db, &cx.actor, project_id, input, cx.now).await
    })
    .await
}

/// Removes a partner link; returns the project's id.
#[server(endpoint = "partners/remove")]
pub async fn remove_partner(link_id: i64) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        partners::remove_link(&cx.db, &cx.actor, link_id, cx.now).await
    })
    .await
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
