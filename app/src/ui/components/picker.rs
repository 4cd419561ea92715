use std::future::Future;

use leptos::prelude::*;
use rust_i18n::t;
use serde::{Serialize, de::DeserializeOwned};

use crate::api::directory::pick_directory;
use crate::api::projects::search_communes;
use crate::error::AppError;
use crate::models::PickHit;

/// Organisation hits for a picker (the directory, on the server).
pub async fn organisations(q: String) -> Result<Vec<PickHit>, AppError> {
    pick_directory(q, false).await
}

/// People hits for a picker.
pub async fn people(q: String) -> Result<Vec<PickHit>, AppError> {
    pick_directory(q, true).await
}

/// Commune hits for a picker: name, INSEE code and département.
pub async fn communes(q: String) -> Result<Vec<PickHit>, AppError> {
    Ok(search_communes(q)
        .await?
        .into_iter()
        .map(|c| PickHit {
            label: format!("{} ({}, {})", c.name, c.insee, c.departement_code),
            id: c.insee,
        })
        .collect())
}

/// Type-ahead that fills one hidden input `name` with the chosen hit's id:
/// an organisation, a person, a commune. `search` runs on the server.
#[component]
pub fn Picker<F, Fut>(
    name: &'static str,
    /// The search input's id (its label points to it).
    #[prop(into)]
    id: String,
    label: String,
    #[prop(optional)] hint: Option<String>,
    /// Already chosen (edit forms).
    #[prop(optional)]
    initial: Option<PickHit>,
    search: F,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView
where
    F: Fn(String) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<PickHit>, AppError>> + Send + 'static,
{
    let chosen = RwSignal::new(initial);
    let query = RwSignal::new(String::new());
    let hits = suggestions(query, search);
    let error_id = format!("{id}-erreur");
    let hint_id = format!("{id}-aide");
    let listbox = format!("{id}-suggestions");
    view! {
        <div class="field picker" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input type="hidden" name=name value=move || chosen.get().map(|c| c.id).unwrap_or_default() />
            <p class="picked" aria-live="polite">
                {move || chosen.get().map(|c| view! {
                    <span data-testid="picked">{t!("directory.chosen", name = c.label)}</span>
                    " "
                    <button type="button" class="button-link" on:click=move |_| chosen.set(None)>
                        {t!("directory.clear")}
                    </button>
                })}
            </p>
            <input
                id=id.clone()
                type="search"
                autocomplete="off"
                aria-describedby=format!("{hint_id} {error_id}")
                aria-controls=listbox.clone()
                aria-invalid=move || error.get().is_some().then_some("true")
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Suggestions
                id=listbox.clone()
                label=t!("directory.suggestions").into_owned()
                hits=hits
                text=|hit: &PickHit| hit.label.clone()
                on_pick=move |hit| {
                    chosen.set(Some(hit));
                    query.set(String::new());
                }
            />
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}

/// What a type-ahead offers for `query`: nothing under two characters,
/// else what `search` finds on the server.
pub fn suggestions<T, F, Fut>(
    query: RwSignal<String>,
    search: F,
) -> Resource<Result<Vec<T>, AppError>>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Fn(String) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<T>, AppError>> + Send + 'static,
{
    Resource::new(
        move || query.get(),
        move |q| async move {
            if q.trim().chars().count() < 2 {
                Ok(Vec::new())
            } else {
                search(q).await
            }
        },
    )
}

/// The list of hits under a type-ahead's search input, each a button that
/// hands its hit to `on_pick`.
#[component]
pub fn Suggestions<T, P>(
    #[prop(optional, into)] id: Option<String>,
    /// The list's accessible name.
    label: String,
    hits: Resource<Result<Vec<T>, AppError>>,
    /// A hit's text.
    text: fn(&T) -> String,
    on_pick: P,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    P: Fn(T) + Copy + Send + Sync + 'static,
{
    view! {
        <Transition fallback=|| ()>
            <ul class="suggestions" id=id.clone() role="listbox" aria-label=label.clone()>
                {move || {
                    hits.get()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|hit| {
                            let shown = text(&hit);
                            view! {
                                <li role="option">
                                    <button
                                        type="button"
                                        class="suggestion"
                                        on:click=move |_| on_pick(hit.clone())
                                    >
                                        {shown}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Transition>
    }
}
