use leptos::prelude::*;
use leptos_meta::Title;
use rust_i18n::t;

use crate::api::projects::{SaveProgramme, list_programmes};
use crate::models::ReferenceEntry;
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::Field;

/// `/admin/programmes`: the programme list that projects pick from.
#[component]
pub fn ProgrammesPage() -> impl IntoView {
    let save = ServerAction::<SaveProgramme>::new();
    let list = Resource::new(move || save.version().get(), |_| list_programmes());
    let value = save.value();
    let field = move |name: &'static str| {
        Signal::derive(move || {
            value
                .get()
                .and_then(Result::err)
                .and_then(|e| e.field(name))
        })
    };
    let saved =
        move || matches!(value.get(), Some(Ok(()))).then(|| t!("reference.saved").into_owned());
    view! {
        <Title text=t!("reference.title").into_owned() />
        <h1>{t!("reference.title")}</h1>
        <p>{t!("reference.intro")}</p>
        <p class="notice" role="status">{saved}</p>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) => view! { <ProgrammeTable items save /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card" aria-labelledby="add-programme">
            <h2 id="add-programme">{t!("reference.add")}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate="true">
                <Field name="form[code]" id="programme-code" label=t!("reference.code").into_owned() required=true error=field("code") />
                <Field name="form[label]" id="programme-label" label=t!("reference.label").into_owned() required=true error=field("label") />
                <input type="hidden" name="form[active]" value="on" />
                <button type="submit" class="button primary">{t!("reference.add")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ProgrammeTable(items: Vec<ReferenceEntry>, save: ServerAction<SaveProgramme>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">{t!("reference.code")}</th>
                        <th scope="col">{t!("reference.label")}</th>
                        <th scope="col">{t!("reference.active")}</th>
                        <th scope="col"></th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|p| {
                        let form_id = format!("programme-{}", p.code);
                        view! {
                            <tr data-testid="programme-row">
                                <td><code>{p.code.clone()}</code></td>
                                <td>
                                    <input form=form_id.clone() name="form[label]" value=p.label.clone()
                                        aria-label=format!("{} {}", t!("reference.label"), p.code) />
                                </td>
                                <td>
                                    <input form=form_id.clone() type="checkbox" name="form[active]" checked=p.active
                                        aria-label=format!("{} {}", t!("reference.active"), p.code) />
                                </td>
                                <td>
                                    <ActionForm action=save attr:id=form_id.clone() attr:class="inline-form">
                                        <input type="hidden" name="form[code]" value=p.code.clone() />
                                        <button type="submit" class="button small">{t!("reference.save")}</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
