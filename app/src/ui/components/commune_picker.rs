use leptos::prelude::*;
use rust_i18n::t;

use crate::api::projects::search_communes;
use crate::models::{CommuneHit, CommuneRef};
use crate::ui::components::picker::{Suggestions, suggestions};

/// Type-ahead over the reference communes (accent-insensitive on the
/// server). Chosen communes become hidden inputs `form[communes][i]`.
#[component]
pub fn CommunePicker(
    /// Communes already on the project.
    initial: Vec<CommuneRef>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let chosen = RwSignal::new(initial);
    let query = RwSignal::new(String::new());
    let hits = suggestions(query, search_communes);
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for="commune-search">{t!("projects.communes")}" *"</label>
            <p class="hint" id="commune-search-aide">{t!("projects.communes_hint")}</p>
            <ul class="chips" aria-live="polite">
                {move || {
                    chosen
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let insee = c.insee.clone();
                            view! {
                                <li class="chip">
                                    <input type="hidden" name=format!("form[communes][{i}]") value=c.insee.clone() />
                                    {c.name.clone()}" ("{c.insee.clone()}")"
                                    <button
                                        type="button"
                                        class="chip-remove"
                                        aria-label=format!("{} {}", t!("projects.remove"), c.name)
                                        on:click=move |_| chosen.update(|list| list.retain(|x| x.insee != insee))
                                    >
                                        "×"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <input
                id="commune-search"
                type="search"
                autocomplete="off"
                aria-describedby="commune-search-aide"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Suggestions
                label=t!("projects.suggestions").into_owned()
                hits=hits
                text=|hit: &CommuneHit| format!("{} ({}, {})", hit.name, hit.insee, hit.departement_code)
                on_pick=move |hit: CommuneHit| {
                    chosen.update(|list| {
                        if !list.iter().any(|c| c.insee == hit.insee) {
                            list.push(CommuneRef { insee: hit.insee, name: hit.name });
                        }
                    });
                    query.set(String::new());
                }
            />
            <p class="field-error" id="communes-erreur" role="alert">{move || error.get()}</p>
        </div>
    }
}
