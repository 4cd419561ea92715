use chrono::NaiveDate;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::Stage;
#[cfg(feature = "ssr")]
use crate::models::ReferenceList;
use crate::{
    error::AppError,
    models::{
        CommuneHit, HealthForm, Labelled, MilestoneForm, NoteForm, OfficerHome, ProjectDetail,
        ProjectFilter, ProjectForm, ProjectPage, ProjectSections, UserSummary,
    },
};
#[cfg(feature = "ssr")]
use crate::{
    policy::Action,
    server::auth,
    server::services::{journal, projects, references, territories},
};

/// The filtered project list.
#[server(endpoint = "projects/list")]
pub async fn list_projects(
    #[server(default)] filter: ProjectFilter,
) -> Result<ProjectPage, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        let filter = filter.validated()?;
        let txn = cx.snapshot().await?;
        let page = projects::list(&txn, &filter, cx.today()).await?;
        txn.commit().await?;
        Ok(page)
    })
    .await
}

/// The project (its form and its sheet; the page reads it with the rest
/// through `get_project_sections`); the timeline from `since` when given;
/// each list in part unless `show_all` asks for it whole.
#[server(endpoint = "projects/get")]
pub async fn get_project(
    id: i64,
    since: Option<NaiveDate>,
    show_all: Option<crate::models::ShowAll>,
) -> Result<ProjectDetail, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        check_since(since)?;
        let show_all = show_all.unwrap_or_default();
        projects::detail(&cx.db, id, since, show_all, cx.today()).await
    })
    .await
}

/// The whole project page in one call: the project (as `get_project`),
/// its plan, its partners and, when the role may share, its shares, read
/// at once, with one policy check and no existence check per section.
#[server(endpoint = "projects/page")]
pub async fn get_project_sections(
    id: i64,
    since: Option<NaiveDate>,
    show_all: Option<crate::models::ShowAll>,
) -> Result<ProjectSections, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        check_since(since)?;
        let with_shares = crate::policy::allows(cx.actor.role, Action::ShareProjects);
        let show_all = show_all.unwrap_or_default();
        let today = cx.today();
        let state = auth::state()?;
        let txn = cx.snapshot().await?;
        let key = (id, since, show_all, with_shares, today);
        let sections = state
            .reads
            .project_pages
            .get_or_read(&txn, key, || async {
                let mut sections =
                    projects::sections(&txn, id, since, show_all, with_shares, today).await?;
                sections.documents = crate::server::services::documents::of_project(
                    &txn,
                    id,
                    &state.config.documents,
                )
                .await?;
                Ok(sections)
            })
            .await?;
        txn.commit().await?;
        Ok(sections)
    })
    .await
}

/// The timeline's start, when given, is a plausible planning date.
#[cfg(feature = "ssr")]
fn check_since(since: Option<NaiveDate>) -> Result<(), AppError> {
    match since.map(|d| crate::domain::input::DateKind::Planning.check(d)) {
        Some(Err(message)) => Err(AppError::validation("since", message)),
        _ => Ok(()),
    }
}

/// Themes, programmes and staff, for forms and filters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProjectReferences {
    pub themes: Vec<Labelled>,
    pub programmes: Vec<Labelled>,
    pub officers: Vec<UserSummary>,
    /// The EPCIs and départements the projects are in (the list's filters).
    pub epcis: Vec<Labelled>,
    pub departements: Vec<Labelled>,
}

#[server(endpoint = "projects/references")]
pub async fn get_project_references() -> Result<ProjectReferences, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        let txn = cx.snapshot().await?;
        let db = &txn;
        let themes = references::offered(db, ReferenceList::Themes).await?;
        let programmes = references::offered(db, ReferenceList::Programmes).await?;
        let officers = crate::server::services::users::list(db)
            .await?
            .into_iter()
            .filter(|u| u.active && u.role.is_staff())
            .collect();
        let references = ProjectReferences {
            themes,
            programmes,
            officers,
            epcis: territories::territory_epcis(db).await?,
            departements: territories::territory_departements(db).await?,
        };
        txn.commit().await?;
        Ok(references)
    })
    .await
}

#[server(endpoint = "projects/create")]
pub async fn create_project(form: ProjectForm) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let input = form.validate()?;
        projects::create(&cx.db, &cx.actor, input, cx.now).await
    })
    .await
}

#[server(endpoint = "projects/update")]
pub async fn update_project(id: i64, version: i32, form: ProjectForm) -> Result<(), AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let input = form.validate()?;
        projects::update(&cx.db, &cx.actor, id, version, input, cx.now).await
    })
    .await
}

#[server(endpoint = "projects/stage")]
pub async fn change_stage(
    id: i64,
    version: i32,
    stage: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let to: Stage = stage
            .parse()
            .map_err(|e: String| AppError::validation("stage", e))?;
        if let Some(reason) = &reason {
            crate::domain::input::check_length(reason.trim(), crate::domain::input::max::REASON)
                .map_err(|message| AppError::validation("reason", message))?;
        }
        projects::change_stage(&cx.db, &cx.actor, id, version, to, reason, cx.now).await
    })
    .await
}

#[server(endpoint = "projects/health")]
pub async fn change_health(id: i64, version: i32, form: HealthForm) -> Result<(), AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let health = form.validate()?;
        projects::change_health(&cx.db, &cx.actor, id, version, health, cx.now).await
    })
    .await
}

#[server(endpoint = "milestones/add")]
pub async fn add_milestone(project_id: i64, form: MilestoneForm) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let input = form.validate()?;
        journal::add_milestone(&cx.db, &cx.actor, project_id, input, cx.now).await
    })
    .await
}

/// Marks a milestone done today, or on `done_date` (JJ/MM/AAAA or ISO);
/// `undo` reopens it.
#[server(endpoint = "milestones/done")]
pub async fn set_milestone_done(
    milestone_id: i64,
    done_date: Option<String>,
    undo: Option<bool>,
) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let done = if undo.unwrap_or(false) {
            None
        } else {
            match done_date
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                None => Some(cx.today()),
                Some(text) => Some(
                    crate::domain::input::parse_date(
                        text,
                        crate::domain::input::DateKind::Planning,
                    )
                    .map_err(|message| AppError::validation("done_date", message))?,
                ),
            }
        };
        journal::set_milestone_done(&cx.db, &cx.actor, milestone_id, done, cx.now).await
    })
    .await
}

/// Rewrites a milestone; returns its project's id.
#[server(endpoint = "milestones/update")]
pub async fn update_milestone(milestone_id: i64, form: MilestoneForm) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let input = form.validate()?;
        journal::update_milestone(&cx.db, &cx.actor, milestone_id, input, cx.now).await
    })
    .await
}

/// Deletes a milestone (the timeline keeps what it was); returns its
/// project's id.
#[server(endpoint = "milestones/delete")]
pub async fn delete_milestone(milestone_id: i64) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        journal::delete_milestone(&cx.db, &cx.actor, milestone_id, cx.now).await
    })
    .await
}

#[server(endpoint = "notes/add")]
pub async fn add_note(project_id: i64, form: NoteForm) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let body = form.body.trim().to_owned();
        if body.is_empty() {
            return Err(AppError::validation(
                "body",
                rust_i18n::t!("project.note_required"),
            ));
        }
        if body.chars().count() > crate::models::NOTE_MAX {
            return Err(AppError::validation(
                "body",
                rust_i18n::t!("project.note_too_long", max = crate::models::NOTE_MAX),
            ));
        }
        let date = match form.note_date.trim() {
            "" => cx.today(),
            text => {
                crate::domain::input::parse_date(text, crate::domain::input::DateKind::Planning)
                    .map_err(|message| AppError::validation("note_date", message))?
            }
        };
        let shareable = crate::models::checkbox(&form.shareable);
        journal::add_note(&cx.db, &cx.actor, project_id, body, date, shareable, cx.now).await
    })
    .await
}

/// The signed-in officer's home.
#[server(endpoint = "projects/home")]
pub async fn get_officer_home(person: Option<i64>) -> Result<OfficerHome, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        let txn = cx.snapshot().await?;
        // Another member of the staff's work (covering for an absent
        // colleague); anyone else is refused on the field.
        let other = person.filter(|id| *id != cx.actor.id);
        let name =
            crate::server::services::assignments::check_person(&txn, other, "person").await?;
        let mut home =
            projects::officer_home(&txn, other.unwrap_or(cx.actor.id), cx.today()).await?;
        home.person = other.zip(name);
        home.team = crate::server::services::assignments::assignable(&txn).await?;
        txn.commit().await?;
        Ok(home)
    })
    .await
}

/// Commune type-ahead.
#[server(endpoint = "territories/communes")]
pub async fn search_communes(q: String) -> Result<Vec<CommuneHit>, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        let q = crate::domain::input::search_text(&q);
        territories::search_communes(&cx.db, &q, 12).await
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(
    ListProjects,
    GetProject,
    GetProjectSections,
    GetProjectReferences,
    CreateProject,
    UpdateProject,
    ChangeStage,
    ChangeHealth,
    AddMilestone,
    SetMilestoneDone,
    UpdateMilestone,
    DeleteMilestone,
    AddNote,
    GetOfficerHome,
    SearchCommunes
);
