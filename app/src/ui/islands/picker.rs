//! Type-aheads: the organisation, person and commune pickers. Islands: the
//! search runs in the browser as the user types (a server function), and
//! the choice goes into the form as hidden inputs.
use leptos::prelude::*;
use leptos::task::spawn_local;
use rust_i18n::t;
use serde::{Deserialize, Serialize};

use crate::api::directory::pick_directory;
use crate::api::projects::search_communes;
use crate::error::AppError;
use crate::models::{CommuneHit, CommuneRef, PickHit};

/// What a [`Picker`] searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PickerKind {
    Organisations,
    People,
    Communes,
}

impl PickerKind {
    async fn search(self, q: String) -> Result<Vec<PickHit>, AppError> {
        match self {
            PickerKind::Organisations => pick_directory(q, false).await,
            PickerKind::People => pick_directory(q, true).await,
            PickerKind::Communes => Ok(search_communes(q)
                .await?
                .into_iter()
                .map(|c| PickHit {
                    label: commune_label(&c),
                    id: c.insee,
                })
                .collect()),
        }
    }
}

pub fn commune_label(c: &CommuneHit) -> String {
    format!("{} ({}, {})", c.name, c.insee, c.departement_code)
}

/// Keeps `hits` to what `search` finds for the text typed (nothing under
/// two characters); an answer to an older text is dropped.
fn typed<T, Fut>(
    query: RwSignal<String>,
    hits: RwSignal<Vec<T>>,
    text: String,
    search: impl FnOnce(String) -> Fut + 'static,
) where
    T: Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<T>, AppError>> + 'static,
{
    query.set(text.clone());
    if text.trim().chars().count() < 2 {
        hits.set(Vec::new());
        return;
    }
    spawn_local(async move {
        if let Ok(found) = search(text.clone()).await
            && query.get_untracked() == text
        {
            hits.set(found);
        }
    });
}

/// The list of hits under a search input, each a button.
#[component]
fn Suggestions<T>(
    #[prop(into)] id: String,
    label: String,
    hits: RwSignal<Vec<T>>,
    text: fn(&T) -> String,
    on_pick: impl Fn(T) + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    view! {
        <ul class="suggestions" id=id role="listbox" aria-label=label>
            {move || {
                hits.get()
                    .into_iter()
                    .map(|hit| {
                        let shown = text(&hit);
                        view! {
                            <li role="option">
                                <button type="button" class="suggestion" on:click=move |_| on_pick(hit.clone())>
                                    {shown}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// Enter in a search box picks the first hit instead of sending the form.
fn enter_picks<T: Clone + Send + Sync + 'static>(
    ev: &leptos::ev::KeyboardEvent,
    hits: RwSignal<Vec<T>>,
    pick: impl Fn(T),
) {
    if ev.key() == "Enter" {
        ev.prevent_default();
        if let Some(first) = hits.get_untracked().into_iter().next() {
            pick(first);
        }
    }
}

/// Type-ahead that fills one hidden input `name` with the chosen hit's id:
/// an organisation, a person, a commune.
#[island]
pub fn Picker(
    name: String,
    /// The search input's id (its label points to it; its error is
    /// `<id>-erreur`).
    id: String,
    label: String,
    #[prop(optional)] hint: Option<String>,
    /// Already chosen (edit forms).
    #[prop(optional_no_strip)]
    initial: Option<PickHit>,
    kind: PickerKind,
    /// The refusal the server rendered the page with, if any.
    error: Option<String>,
) -> impl IntoView {
    let chosen = RwSignal::new(initial);
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<PickHit>::new());
    let error_id = format!("{id}-erreur");
    let hint_id = format!("{id}-aide");
    let listbox = format!("{id}-suggestions");
    let pick = move |hit: PickHit| {
        chosen.set(Some(hit));
        query.set(String::new());
        hits.set(Vec::new());
    };
    let invalid = error.is_some();
    // The field the server names in a refusal: `form[organisation_id]` → `organisation_id`.
    let field = name
        .trim_start_matches("form[")
        .trim_end_matches(']')
        .to_owned();
    view! {
        <div class="field picker" class:has-error=invalid>
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
                aria-invalid=invalid.then_some("true")
                prop:value=move || query.get()
                on:input=move |ev| typed(query, hits, event_target_value(&ev), move |q| kind.search(q))
                on:keydown=move |ev| enter_picks(&ev, hits, pick)
            />
            <Suggestions
                id=listbox
                label=t!("directory.suggestions").into_owned()
                hits=hits
                text=|hit: &PickHit| hit.label.clone()
                on_pick=pick
            />
            <p class="field-error" id=error_id role="alert" data-error-for=field>{error}</p>
        </div>
    }
}

/// Type-ahead over the reference communes (accent-insensitive on the
/// server). Chosen communes become hidden inputs `form[communes][i]`.
#[island]
pub fn CommunePicker(
    /// Communes already on the project.
    initial: Vec<CommuneRef>,
    /// The refusal the server rendered the page with, if any.
    error: Option<String>,
) -> impl IntoView {
    let chosen = RwSignal::new(initial);
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<CommuneHit>::new());
    let pick = move |hit: CommuneHit| {
        chosen.update(|list| {
            if !list.iter().any(|c| c.insee == hit.insee) {
                list.push(CommuneRef {
                    insee: hit.insee,
                    name: hit.name,
                });
            }
        });
        query.set(String::new());
        hits.set(Vec::new());
    };
    let invalid = error.is_some();
    view! {
        <div class="field" class:has-error=invalid>
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
                aria-describedby="commune-search-aide communes-erreur"
                aria-invalid=invalid.then_some("true")
                prop:value=move || query.get()
                on:input=move |ev| typed(query, hits, event_target_value(&ev), search_communes)
                on:keydown=move |ev| enter_picks(&ev, hits, pick)
            />
            <Suggestions
                id="commune-suggestions"
                label=t!("projects.suggestions").into_owned()
                hits=hits
                text=commune_label
                on_pick=pick
            />
            <p class="field-error" id="communes-erreur" role="alert">{error}</p>
        </div>
    }
}
