//! One criterion of a filter form (the project list, the dashboard): a
//! labelled `<select>` whose first option, empty, means "all".
use leptos::prelude::*;
use rust_i18n::t;

/// `options` are (value, label) pairs; the one equal to `current` is
/// selected. `empty` labels the empty first option (« Tous » by default).
#[component]
pub fn SelectFilter(
    id: &'static str,
    name: &'static str,
    label: String,
    options: Vec<(String, String)>,
    current: Option<String>,
    #[prop(optional, into)] empty: Option<String>,
) -> impl IntoView {
    let empty = empty.unwrap_or_else(|| t!("projects.all").into_owned());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>
                <option value="">{empty}</option>
                {options.into_iter().map(|(value, text)| {
                    let selected = current.as_deref() == Some(value.as_str());
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
