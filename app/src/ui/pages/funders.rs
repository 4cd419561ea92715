use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::api::funding::{SaveFunder, list_funders};
use crate::domain::funding::FunderCategory;
use crate::models::FunderView;
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
