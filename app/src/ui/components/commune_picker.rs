use leptos::prelude::*;
use rust_i18n::t;

use crate::api::projects::search_communes;
use crate::models::CommuneRef;

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
    let hits = Resource::new(
        move || query.get(),
        |q| async move {
            if q.trim().chars().count() < 2 {
                Ok(Vec::new())
            } else {
                search_communes(q).await
            }
        },
    );
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
            <Transition fallback=|| ()>
                <ul class="suggestions" role="listbox" aria-label=t!("projects.suggestions").into_owned()>
                    {move || {
                        hits.get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|hit| {
                                let label = format!("{} ({}, {})", hit.name, hit.insee, hit.departement_code);
                                let pick = CommuneRef { insee: hit.insee.clone(), name: hit.name.clone() };
                                view! {
                                    <li role="option">
                                        <button
                                            type="button"
                                            class="suggestion"
                                            on:click=move |_| {
                                                let pick = pick.clone();
                                                chosen.update(|list| {
                                                    if !list.iter().any(|c| c.insee == pick.insee) {
                                                        list.push(pick);
                                                    }
                                                });
                                                query.set(String::new());
                                            }
                                        >
                                            {label}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Transition>
            <p class="field-error" id="communes-erreur" role="alert">{move || error.get()}</p>
        </div>
    }
}
