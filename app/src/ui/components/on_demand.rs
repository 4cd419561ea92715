//! Edit forms on demand: a record's edit form is rendered only on the page
//! that asks for it (`?modifier=<key>`, e.g. `jalon-12`), reached by a
//! « Modifier » link to `#<key>`. The page stays light (one list item, not
//! one form per item) and the form works without any script.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The query parameter naming the record being edited.
pub const PARAM: &str = "modifier";

/// Whether the page shows `key`'s edit form.
pub fn editing(key: &str) -> bool {
    use_query_map().with_untracked(|q| q.get(PARAM).as_deref() == Some(key))
}

/// The page's address with `modifier` set to `key` (or removed), its other
/// parameters kept, at `#anchor`.
fn href(key: Option<&str>, anchor: &str) -> String {
    let mut pairs: Vec<(String, String)> = use_query_map().with_untracked(|q| {
        q.clone()
            .into_iter()
            .filter(|(k, _)| k != PARAM)
            .map(|(k, v)| (k.into_owned(), v))
            .collect()
    });
    if let Some(key) = key {
        pairs.push((PARAM.to_owned(), key.to_owned()));
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    if query.is_empty() {
        // An empty query still reloads the page without `modifier`.
        format!("?#{anchor}")
    } else {
        format!("?{query}#{anchor}")
    }
}

/// « Modifier »: the same page with `key`'s form open.
#[component]
pub fn EditLink(#[prop(into)] key: String, label: String) -> impl IntoView {
    view! { <a class="edit-link" href=href(Some(&key), &key)>{label}</a> }
}

/// « Fermer »: the same page without the form, back at `#anchor`.
#[component]
pub fn CloseLink(#[prop(into)] anchor: String, label: String) -> impl IntoView {
    view! { <a class="edit-link" href=href(None, &anchor)>{label}</a> }
}
