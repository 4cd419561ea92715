use leptos::prelude::*;

/// A labelled form input with its error message tied to it for screen readers.
#[component]
pub fn Field(
    /// The input's `name` (as the server function expects it).
    name: &'static str,
    /// The element id (also used for the label and the error).
    #[prop(into)]
    id: String,
    label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] required: bool,
    /// Maximum length in characters (`maxlength`; the server checks it too).
    #[prop(optional)]
    max: Option<usize>,
    /// Initial value (edit forms).
    #[prop(optional, into)]
    value: String,
    /// The current error for this field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-erreur");
    let hint_id = format!("{id}-aide");
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}{required.then_some(" *")}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                maxlength=max
                value=value
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            />
            <p class="field-error" id=error_id.clone() role="alert">
                {move || error.get()}
            </p>
        </div>
    }
}

/// A labelled `<textarea>` with its length counter and its error message.
#[component]
pub fn TextAreaField(
    name: &'static str,
    #[prop(into)] id: String,
    label: String,
    #[prop(default = 3)] rows: u32,
    #[prop(optional, into)] value: String,
    /// Maximum length in characters (`maxlength`; the server checks it too).
    max: usize,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let count = RwSignal::new(value.chars().count());
    let error_id = format!("{id}-erreur");
    let count_id = format!("{id}-compteur");
    let described = {
        let (error_id, count_id) = (error_id.clone(), count_id.clone());
        Signal::derive(move || {
            Some(if error.get().is_some() {
                format!("{count_id} {error_id}")
            } else {
                count_id.clone()
            })
        })
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <crate::ui::components::text::TextArea
                id=id
                name=name
                rows=rows
                value=value
                max=max
                described_by=described
                invalid=Signal::derive(move || error.get().is_some())
                on_length=Callback::new(move |n| count.set(n))
            />
            <p class="hint counter" id=count_id>
                {move || rust_i18n::t!("input.counter", count = count.get(), max = max).into_owned()}
            </p>
            <p class="field-error" id=error_id role="alert">
                {move || error.get()}
            </p>
        </div>
    }
}
