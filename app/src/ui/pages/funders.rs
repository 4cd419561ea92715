use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::api::funding::{SaveFunder, SaveFunderDocuments, get_asked_documents, list_funders};
use crate::domain::funding::FunderCategory;
use crate::models::{AskedDocuments, FunderView};
use crate::ui::actions::{field_error, general_error};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::Field;

/// `/admin/financeurs`: the funder catalogue of the funding plans.
#[component]
pub fn FundersPage() -> impl IntoView {
    let save = ServerAction::<SaveFunder>::new();
    let funders = Resource::new(move || save.version().get(), |_| list_funders());
    view! {
        <PageTitle text=t!("funders.title").into_owned() />
        <h1>{t!("funders.title")}</h1>
        <p>{t!("funders.intro")}</p>
        <p class="form-error" role="alert">{general_error(save)}</p>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match funders.await {
                    Ok(items) => view! { <FunderTable items save /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card" aria-labelledby="add-funder">
            <h2 id="add-funder">{t!("funders.add")}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate="true" attr:data-anchor="contenu" attr:data-done=t!("funders.saved").into_owned()>
                <Field name="form[code]" id="funder-code" label=t!("funders.code").into_owned() required=true error=field_error(save, "code") />
                <Field max=120 name="form[name]" id="funder-name" label=t!("funders.name").into_owned() required=true error=field_error(save, "name") />
                <div class="field">
                    <label for="funder-category">{t!("funders.category")}</label>
                    <select id="funder-category" name="form[category]">
                        {FunderCategory::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                    </select>
                </div>
                <input type="hidden" name="form[active]" value="on" />
                <button type="submit" class="button primary">{t!("funders.add")}</button>
            </ActionForm>
        </section>
        <AskedSection refresh=save.version() />
    }
}

/// « Pièces demandées par défaut »: for each funder, the document types
/// it asks for with an application, as checkboxes.
#[component]
fn AskedSection(refresh: RwSignal<usize>) -> impl IntoView {
    let save = ServerAction::<SaveFunderDocuments>::new();
    let asked = Resource::new(
        move || (refresh.get(), save.version().get()),
        |_| get_asked_documents(),
    );
    view! {
        <section class="card" id="pieces" aria-labelledby="asked-title">
            <h2 id="asked-title">{t!("documents.asked_funders")}</h2>
            <p>{t!("documents.asked_funders_intro")}</p>
            <p class="form-error" role="alert">{general_error(save)}</p>
            <p class="field-error" role="alert">{field_error(save, "types")}</p>
            <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
                {move || Suspend::new(async move {
                    match asked.await {
                        Ok(asked) => view! { <AskedList asked save /> }.into_any(),
                        Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AskedList(asked: AskedDocuments, save: ServerAction<SaveFunderDocuments>) -> impl IntoView {
    let types = asked.types;
    view! {
        <ul class="plain-list asked-list">
            {asked.by_funder.into_iter().map(|f| {
                let labels: Vec<String> = types
                    .iter()
                    .filter(|t| f.types.contains(&t.code))
                    .map(|t| t.label.clone())
                    .collect();
                let summary = if labels.is_empty() { "—".to_owned() } else { labels.join(", ") };
                let types = types.clone();
                let code = f.code.clone();
                let asked = f.types.clone();
                view! {
                    <li data-testid="funder-asks" data-funder=f.code.clone()>
                        <details>
                            <summary><strong>{f.name.clone()}</strong>" : "<span class="muted">{summary}</span></summary>
                            <ActionForm action=save attr:class="form" attr:data-anchor="pieces" attr:data-done=t!("documents.asked_saved").into_owned()>
                                <input type="hidden" name="code" value=code.clone() />
                                <fieldset class="checks">
                                    <legend>{t!("documents.asked_of", name = f.name.clone())}</legend>
                                    {types.into_iter().enumerate().map(|(i, ty)| {
                                        let checked = asked.contains(&ty.code);
                                        view! {
                                            <label class="check">
                                                <input type="checkbox" name=format!("form[types][{i}]") value=ty.code checked=checked />
                                                {ty.label}
                                            </label>
                                        }
                                    }).collect_view()}
                                    <p class="field-error" role="alert"></p>
                                </fieldset>
                                <button type="submit" class="button small">{t!("documents.asked_save")}</button>
                            </ActionForm>
                        </details>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn FunderTable(items: Vec<FunderView>, save: ServerAction<SaveFunder>) -> impl IntoView {
    view! {
        <DataTable cols=vec![
            Col::text(t!("funders.code")), Col::text(t!("funders.name")),
            Col::text(t!("funders.category")), Col::text(t!("funders.active")), Col::blank(),
        ]>
            {items.into_iter().map(|f| {
                let form_id = format!("funder-{}", f.code);
                view! {
                    <tr data-testid="funder-row">
                        <td><code>{f.code.clone()}</code></td>
                        <td>
                            <input maxlength=120 form=form_id.clone() name="form[name]" value=f.name.clone()
                                aria-label=format!("{} {}", t!("funders.name"), f.code) />
                        </td>
                        <td>
                            <select form=form_id.clone() name="form[category]"
                                aria-label=format!("{} {}", t!("funders.category"), f.code)>
                                {FunderCategory::ALL.into_iter().map(|c| view! {
                                    <option value=c.as_str() selected=c == f.category>{c.label()}</option>
                                }).collect_view()}
                            </select>
                        </td>
                        <td>
                            <input form=form_id.clone() type="checkbox" name="form[active]" checked=f.active
                                aria-label=format!("{} {}", t!("funders.active"), f.code) />
                        </td>
                        <td>
                            <ActionForm action=save attr:id=form_id.clone() attr:class="inline-form" attr:data-anchor="contenu" attr:data-done=t!("funders.saved").into_owned()>
                                <input type="hidden" name="form[code]" value=f.code.clone() />
                                <button type="submit" class="button small">{t!("funders.save")}</button>
                            </ActionForm>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
