use crate::ui::components::text::PageTitle;
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::projects::{
    CreateProject, ProjectReferences, UpdateProject, get_project, get_project_references,
};
use crate::domain::{OwnerKind, euros_input};
use crate::error::AppError;
use crate::models::ProjectDetail;
use crate::ui::actions::{field_of, open_on_success};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::{Field, TextAreaField};
use crate::ui::islands::picker::CommunePicker;

/// `/projets/nouveau`
#[component]
pub fn NewProjectPage() -> impl IntoView {
    let refs = Resource::new(|| (), |_| get_project_references());
    let action = ServerAction::<CreateProject>::new();
    let error = open_on_success(action, |id| format!("/projets/{id}"));
    view! {
        <PageTitle text=t!("projects.new").into_owned() />
        <h1>{t!("projects.new")}</h1>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match refs.await {
                    Ok(refs) => view! {
                        <ActionForm action attr:class="form card" attr:novalidate="true" attr:data-then="open" attr:data-open="/projets/{}">
                            <ProjectFields refs project=None error />
                            <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                {t!("projects.create")}
                            </button>
                        </ActionForm>
                    }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/projets/:id/modifier`
#[component]
pub fn EditProjectPage() -> impl IntoView {
    let id = super::record_id();
    let action = ServerAction::<UpdateProject>::new();
    // A conflict reloads the current values into the form (the message stays).
    let project = Resource::new(
        move || (id(), action.version().get()),
        |(id, _)| get_project(id, None, None),
    );
    let refs = Resource::new(|| (), |_| get_project_references());
    let error = open_on_success(action, move |_| format!("/projets/{}", id()));
    view! {
        <PageTitle text=t!("projects.edit").into_owned() />
        <h1>{t!("projects.edit")}</h1>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match (project.await, refs.await) {
                    (Ok(p), Ok(refs)) => view! {
                        <ActionForm action attr:class="form card" attr:novalidate="true" attr:data-then="open" attr:data-open="/projets/{}">
                            <input type="hidden" name="id" value=p.id.to_string() />
                            <input type="hidden" name="version" value=p.version.to_string() />
                            <ProjectFields refs project=Some(p) error />
                            <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                {t!("projects.save")}
                            </button>
                        </ActionForm>
                    }.into_any(),
                    (Err(err), _) | (_, Err(err)) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectFields(
    refs: ProjectReferences,
    project: Option<ProjectDetail>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let field = move |name: &'static str| field_of(error, name);
    let general = move || match error.get() {
        Some(AppError::Validation(_)) | None => None,
        Some(err) => Some(err.message()),
    };
    let p = project.clone();
    let value = move |f: fn(&ProjectDetail) -> String| p.as_ref().map(f).unwrap_or_default();
    let themes: Vec<String> = project
        .as_ref()
        .map(|p| p.themes.iter().map(|t| t.code.clone()).collect())
        .unwrap_or_default();
    let programmes: Vec<String> = project
        .as_ref()
        .map(|p| p.programmes.iter().map(|t| t.code.clone()).collect())
        .unwrap_or_default();
    let officer = project.as_ref().and_then(|p| p.lead_officer_id);
    let owner_kind = project.as_ref().and_then(|p| p.owner_kind);
    let communes = project
        .as_ref()
        .map(|p| p.communes.clone())
        .unwrap_or_default();
    view! {
        <p class="form-error" role="alert">{general}</p>
        <Field max=crate::domain::input::max::TITLE name="form[title]" id="title" label=t!("projects.field_title").into_owned() required=true
            value=value(|p| p.title.clone()) error=field("title") />
        <Field max=crate::domain::input::max::REFERENCE name="form[reference]" id="reference" label=t!("projects.field_reference").into_owned()
            value=value(|p| p.reference.clone().unwrap_or_default()) error=field("reference") />
        <CommunePicker initial=communes error=field("communes").get_untracked() />
        <TextAreaField name="form[summary]" id="summary" label=t!("projects.field_summary").into_owned() rows=2
            value=value(|p| p.summary.clone()) max=crate::domain::input::max::SUMMARY error=field("summary") />
        <TextAreaField name="form[description]" id="description" label=t!("projects.field_description").into_owned() rows=5
            value=value(|p| p.description.clone()) max=crate::domain::input::max::DESCRIPTION error=field("description") />
        <div class="field" class:has-error=move || field("lead_officer_id").get().is_some()>
            <label for="lead_officer_id">{t!("projects.field_officer")}</label>
            <select id="lead_officer_id" name="form[lead_officer_id]">
                <option value="">{t!("projects.none")}</option>
                {refs.officers.into_iter().map(|u| view! {
                    <option value=u.id.to_string() selected=officer == Some(u.id)>{u.display_name}</option>
                }).collect_view()}
            </select>
            <p class="field-error" role="alert">{move || field("lead_officer_id").get()}</p>
        </div>
        <div class="two-cols">
            <Field max=crate::domain::input::max::TITLE name="form[owner_name]" id="owner_name" label=t!("projects.field_owner_name").into_owned()
                hint=t!("projects.field_owner_hint").into_owned()
                value=value(|p| p.owner_name.clone()) error=field("owner_name") />
            <div class="field" class:has-error=move || field("owner_kind").get().is_some()>
                <label for="owner_kind">{t!("projects.field_owner_kind")}</label>
                <select id="owner_kind" name="form[owner_kind]">
                    <option value="">{t!("projects.none")}</option>
                    {OwnerKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=owner_kind == Some(k)>{k.label()}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" role="alert">{move || field("owner_kind").get()}</p>
            </div>
        </div>
        <Field name="form[estimated_cost]" id="estimated_cost" label=t!("projects.field_cost").into_owned()
            value=value(|p| p.estimated_cost_cents.map(euros_input).unwrap_or_default()) error=field("estimated_cost") />
        <div class="two-cols">
            <Field name="form[start_date]" id="start_date" kind="date" label=t!("projects.field_start").into_owned()
                value=value(|p| p.start_date.map(|d| d.to_string()).unwrap_or_default()) error=field("start_date") />
            <Field name="form[end_date]" id="end_date" kind="date" label=t!("projects.field_end").into_owned()
                value=value(|p| p.end_date.map(|d| d.to_string()).unwrap_or_default()) error=field("end_date") />
        </div>
        <fieldset class="checks">
            <legend>{t!("projects.field_themes")}</legend>
            {refs.themes.into_iter().enumerate().map(|(i, th)| {
                let checked = themes.contains(&th.code);
                view! {
                    <label class="check">
                        <input type="checkbox" name=format!("form[themes][{i}]") value=th.code.clone() checked=checked />
                        {th.label}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" role="alert">{move || field("themes").get()}</p>
        </fieldset>
        <fieldset class="checks">
            <legend>{t!("projects.field_programmes")}</legend>
            {refs.programmes.into_iter().enumerate().map(|(i, pr)| {
                let checked = programmes.contains(&pr.code);
                view! {
                    <label class="check">
                        <input type="checkbox" name=format!("form[programmes][{i}]") value=pr.code.clone() checked=checked />
                        {pr.label}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" role="alert">{move || field("programmes").get()}</p>
        </fieldset>
    }
}
