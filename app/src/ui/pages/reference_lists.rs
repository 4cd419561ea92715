use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::api::documents::{SaveRetention, get_retention};
use crate::api::references::{SaveReference, list_reference};
use crate::domain::document::MAX_RETENTION_DAYS;
use crate::models::{ReferenceEntry, ReferenceList};
use crate::ui::actions::{field_error, general_error};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::Field;

/// `/admin/programmes`: the programme list that projects pick from.
#[component]
pub fn ProgrammesPage() -> impl IntoView {
    view! { <ReferenceListPage list=ReferenceList::Programmes /> }
}

/// `/admin/thematiques`: the theme list.
#[component]
pub fn ThemesPage() -> impl IntoView {
    view! { <ReferenceListPage list=ReferenceList::Themes /> }
}

/// `/admin/types-de-documents`: the kinds of documents a project's file
/// holds.
#[component]
pub fn DocumentTypesPage() -> impl IntoView {
    view! {
        <ReferenceListPage list=ReferenceList::DocumentTypes />
        <RetentionSection />
    }
}

/// « Conservation des documents supprimés »: how long a deleted
/// document's contents are kept before the purge erases them.
#[component]
fn RetentionSection() -> impl IntoView {
    let save = ServerAction::<SaveRetention>::new();
    let retention = Resource::new(move || save.version().get(), |_| get_retention());
    view! {
        <section class="card" id="conservation" aria-labelledby="retention-title">
            <h2 id="retention-title">{t!("documents.retention_title")}</h2>
            <p>{t!("documents.retention_intro")}</p>
            <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
                {move || Suspend::new(async move {
                    match retention.await {
                        Ok(r) => view! {
                            <p data-testid="retention-current">{t!("documents.retention_current", days = r.days)}</p>
                            <ActionForm action=save attr:class="form" attr:novalidate="true" attr:data-anchor="conservation" attr:data-done=t!("documents.retention_saved").into_owned()>
                                <Field name="form[days]" id="retention-days" kind="number" label=t!("documents.retention_days").into_owned()
                                    value=if r.set { r.days.to_string() } else { String::new() }
                                    hint=t!("documents.retention_hint", max = MAX_RETENTION_DAYS, default = r.default_days).into_owned()
                                    error=field_error(save, "days") />
                                <p class="form-error" role="alert">{general_error(save)}</p>
                                <button type="submit" class="button">{t!("documents.retention_save")}</button>
                            </ActionForm>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ReferenceListPage(list: ReferenceList) -> impl IntoView {
    let key = list.as_str();
    let save = ServerAction::<SaveReference>::new();
    let entries = Resource::new(
        move || save.version().get(),
        move |_| list_reference(key.to_owned()),
    );
    let value = save.value();
    let field = move |name: &'static str| field_error(save, name);
    let general = move || match value.get() {
        Some(Err(err)) if err.field("code").is_none() && err.field("label").is_none() => {
            Some(err.message())
        }
        _ => None,
    };
    let title = t!(format!("reference.{key}.title")).into_owned();
    view! {
        <PageTitle text=title.clone() />
        <h1>{title}</h1>
        <nav class="tabs" aria-label=t!("reference.lists").into_owned()>
            {ReferenceList::ALL.into_iter().map(|l| view! {
                <a href=l.path() aria-current=(l == list).then_some("page")>{t!(format!("reference.{}.title", l.as_str()))}</a>
            }).collect_view()}
            <a href="/admin/financeurs">{t!("funders.title")}</a>
        </nav>
        <p>{t!(format!("reference.{key}.intro"))}</p>
        <p class="form-error" role="alert">{general}</p>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(items) => view! { <ReferenceTable list items save /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card" aria-labelledby="add-entry">
            <h2 id="add-entry">{t!(format!("reference.{key}.add"))}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate="true" attr:data-anchor="contenu" attr:data-done=t!(format!("reference.{key}.saved")).into_owned()>
                <input type="hidden" name="list" value=key />
                <Field name="form[code]" id="entry-code" label=t!("reference.code").into_owned() required=true error=field("code") />
                <Field max=120 name="form[label]" id="entry-label" label=t!("reference.label").into_owned() required=true error=field("label") />
                <input type="hidden" name="form[active]" value="on" />
                <button type="submit" class="button primary">{t!(format!("reference.{key}.add"))}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReferenceTable(
    list: ReferenceList,
    items: Vec<ReferenceEntry>,
    save: ServerAction<SaveReference>,
) -> impl IntoView {
    view! {
        <DataTable cols=vec![
            Col::text(t!("reference.code")), Col::text(t!("reference.label")),
            Col::text(t!("reference.active")), Col::blank(),
        ]>
            {items.into_iter().map(|p| {
                let form_id = format!("entry-{}", p.code);
                view! {
                    <tr data-testid="reference-row">
                        <td><code>{p.code.clone()}</code></td>
                        <td>
                            <input maxlength=120 form=form_id.clone() name="form[label]" value=p.label.clone()
                                aria-label=format!("{} {}", t!("reference.label"), p.code) />
                        </td>
                        <td>
                            <input form=form_id.clone() type="checkbox" name="form[active]" checked=p.active
                                aria-label=format!("{} {}", t!("reference.active"), p.code) />
                        </td>
                        <td>
                            <ActionForm action=save attr:id=form_id.clone() attr:class="inline-form" attr:data-anchor="contenu" attr:data-done=t!(format!("reference.{}.saved", list.as_str())).into_owned()>
                                <input type="hidden" name="list" value=list.as_str() />
                                <input type="hidden" name="form[code]" value=p.code.clone() />
                                <button type="submit" class="button small">{t!("reference.save")}</button>
                            </ActionForm>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
