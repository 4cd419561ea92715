//! `Live`: the one island of every page. The pages are server-rendered
//! HTML whose forms post to their server function and work without any
//! script (the server answers with a redirect back, its errors in the
//! URL). Once the browser is idle this island takes the forms over:
//!
//! - a `<form method="post" action="/api/…">` is sent with `fetch`, its
//!   submit buttons disabled meanwhile (no double entries);
//! - a refusal (`AppError` in JSON) is shown where the server would have
//!   shown it: a field's message in its `#<id>-erreur` (or in the
//!   `[data-error-for=<field>]` element), the rest in the form's
//!   `.form-error`; focus goes to the first field at fault;
//! - a success reloads the page where it was (the browser keeps the scroll
//!   position), then the form's `data-done` message is shown and focused in
//!   the section `data-anchor` names (`role=status`); `data-then="open"`
//!   opens `data-open` instead (`{}` replaced by the answer: a new record's
//!   id, a path), `data-then="show"` fills the `[data-result]` inputs of the
//!   form's `data-result-box` with the answer's fields and reveals it (a
//!   share link's address, shown once);
//! - `data-confirm` asks before a destructive action;
//! - `data-busy-text` is shown on the button while a long write is sent
//!   (an import's confirmation, its undo);
//! - a form the browser sends itself (the spreadsheet upload) with a
//!   `data-busy-label` shows that label on its button while it is sent,
//!   and is not sent twice;
//! - a `<textarea data-counter>` keeps its `#<id>-compteur` up to date;
//! - a link `data-opens="<id>"` (« Ajouter un jalon ») opens that
//!   `<details>` and puts the cursor in its first field (without a script
//!   it jumps to it, closed).
//!
//! It also marks `<main data-hydrated="true">`, which the browser tests
//! wait for.
use leptos::prelude::*;

#[island]
pub fn Live() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::start();
    });
}

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use leptos::prelude::{document, window};
    use leptos::task::spawn_local;
    use serde_json::Value;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Element, FormData, HtmlElement, HtmlFormElement, HtmlInputElement, HtmlTextAreaElement,
        RequestInit, Response, SubmitEvent, UrlSearchParams,
    };

    use crate::error::AppError;

    /// Where a message waits for the page that reloads.
    const FLASH_KEY: &str = "maillage-flash";

    pub fn start() {
        if let Some(main) = document().get_element_by_id("contenu") {
            let _ = main.set_attribute("data-hydrated", "true");
        }
        listen("submit", |ev: web_sys::Event| {
            if let Ok(ev) = ev.dyn_into::<SubmitEvent>() {
                on_submit(ev);
            }
        });
        listen("input", |ev: web_sys::Event| {
            if let Some(area) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
                .filter(|a| a.has_attribute("data-counter"))
            {
                count(&area);
            }
        });
        listen("click", |ev: web_sys::Event| {
            let Some(link) = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|e| e.closest("a[data-opens]").ok().flatten())
            else {
                return;
            };
            let id = link.get_attribute("data-opens").unwrap_or_default();
            if let Some(details) = document().get_element_by_id(&id) {
                ev.prevent_default();
                let _ = details.set_attribute("open", "");
                details.scroll_into_view();
                let first = details
                    .query_selector("input:not([type=hidden]), select, textarea")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok());
                if let Some(first) = first {
                    let _ = first.focus();
                }
            }
        });
        for kind in ["dragenter", "dragover", "dragleave", "drop"] {
            listen(kind, crate::ui::islands::upload::browser::on_drag);
        }
        listen("change", |ev: web_sys::Event| {
            if let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .filter(|e| e.matches("input[type=file]").unwrap_or(false))
                .and_then(|e| e.closest("form[data-upload]").ok().flatten())
            {
                crate::ui::islands::upload::browser::list(&form);
            }
        });
        show_flash();
    }

    fn listen(kind: &str, f: impl FnMut(web_sys::Event) + 'static) {
        let handler = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = document().add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
        // Lives as long as the page.
        handler.forget();
    }

    fn on_submit(ev: SubmitEvent) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let path = form.get_attribute("action").unwrap_or_default();
        if form.has_attribute("data-upload") {
            // Files with a progress bar each; sent by the browser itself if
            // that cannot be done.
            if form.get_attribute("aria-busy").as_deref() == Some("true")
                || crate::ui::islands::upload::browser::send(form)
            {
                ev.prevent_default();
            }
            return;
        }
        if let Some(label) = form.get_attribute("data-busy-label") {
            // A form the browser sends itself (a file upload): say it is
            // under way, and keep it from being sent twice.
            if form.get_attribute("aria-busy").as_deref() == Some("true") {
                ev.prevent_default();
                return;
            }
            let _ = form.set_attribute("aria-busy", "true");
            for button in all(&form, "button[type=submit]") {
                button.set_text_content(Some(&label));
            }
            return;
        }
        if form.method().to_lowercase() != "post" || !path.starts_with("/api/") {
            return;
        }
        if let Some(question) = form.get_attribute("data-confirm")
            && !window().confirm_with_message(&question).unwrap_or(false)
        {
            ev.prevent_default();
            return;
        }
        ev.prevent_default();
        if form.get_attribute("aria-busy").as_deref() == Some("true") {
            return;
        }
        let submitter = ev.submitter();
        spawn_local(async move {
            busy(&form, true);
            let outcome = send(&form, &path, submitter).await;
            busy(&form, false);
            match outcome {
                Ok(answer) => succeeded(&form, &answer),
                Err(err) => refused(&form, err),
            }
        });
    }

    /// Posts the form as the browser would, asking for JSON.
    async fn send(
        form: &HtmlFormElement,
        path: &str,
        submitter: Option<web_sys::HtmlElement>,
    ) -> Result<Value, AppError> {
        let transport = |detail: &str| AppError::Transport {
            detail: detail.to_owned(),
        };
        let data = FormData::new_with_form(form).map_err(|_| transport("form"))?;
        if let Some(button) = submitter.and_then(|b| b.dyn_into::<HtmlInputElement>().ok())
            && !button.name().is_empty()
        {
            let _ = data.append_with_str(&button.name(), &button.value());
        }
        let body = UrlSearchParams::new_with_str_sequence_sequence(&data)
            .map_err(|_| transport("body"))?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&body);
        let headers = web_sys::Headers::new().map_err(|_| transport("headers"))?;
        let _ = headers.set("Accept", "application/json");
        let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
        init.set_headers(&headers);
        let response: Response = JsFuture::from(window().fetch_with_str_and_init(path, &init))
            .await
            .map_err(|_| transport("fetch"))?
            .dyn_into()
            .map_err(|_| transport("response"))?;
        let text = JsFuture::from(response.text().map_err(|_| transport("text"))?)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        if response.ok() {
            Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
        } else {
            Err(serde_json::from_str::<AppError>(&text).unwrap_or_else(|_| transport(&text)))
        }
    }

    pub(crate) fn busy(form: &HtmlFormElement, on: bool) {
        let _ = form.set_attribute("aria-busy", if on { "true" } else { "false" });
        for button in all(
            form,
            "button[type=submit], button:not([type]), input[type=submit]",
        ) {
            if on {
                let _ = button.set_attribute("disabled", "");
            } else {
                let _ = button.remove_attribute("disabled");
            }
            // A long write (an import's confirmation) says it is under way.
            if let Some(label) = form.get_attribute("data-busy-text") {
                if on {
                    let idle = button.text_content().unwrap_or_default();
                    let _ = button.set_attribute("data-idle-text", &idle);
                    button.set_text_content(Some(&label));
                } else if let Some(idle) = button.get_attribute("data-idle-text") {
                    button.set_text_content(Some(&idle));
                }
            }
        }
    }

    fn all(root: &Element, selector: &str) -> Vec<Element> {
        let Ok(list) = root.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
            .collect()
    }

    pub(crate) fn succeeded(form: &HtmlFormElement, answer: &Value) {
        match form.get_attribute("data-then").as_deref() {
            Some("open") => {
                let target = form
                    .get_attribute("data-open")
                    .unwrap_or_else(|| "{}".into());
                let value = match answer {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let _ = window().location().set_href(&target.replace("{}", &value));
            }
            // A share link: its address is shown once, here.
            Some("show") if answer["url"].is_string() => show_result(form, answer),
            _ => {
                remember(form, form.get_attribute("data-done"));
                back(form);
            }
        }
    }

    /// Reloads the page where it was; a page opened on one record's edit
    /// form (`?modifier=…`) goes back to the page without it, at the
    /// section the form names.
    fn back(form: &HtmlFormElement) {
        let location = window().location();
        let search = location.search().unwrap_or_default();
        let Ok(params) = UrlSearchParams::new_with_str(&search) else {
            let _ = location.reload();
            return;
        };
        if params.get("modifier").is_none() {
            let _ = location.reload();
            return;
        }
        params.delete("modifier");
        let query: String = params.to_string().into();
        let anchor = form.get_attribute("data-anchor").unwrap_or_default();
        let path = location.pathname().unwrap_or_default();
        let _ = location.set_href(&format!("{path}?{query}#{anchor}"));
    }

    /// Keeps the form's message (its `{field}` parts filled from the form)
    /// for the page that reloads.
    fn remember(form: &HtmlFormElement, message: Option<String>) {
        let Some(mut message) = message else { return };
        if let Ok(data) = FormData::new_with_form(form) {
            while let (Some(start), Some(end)) = (message.find('{'), message.find('}')) {
                if end < start {
                    break;
                }
                let field = message[start + 1..end].to_owned();
                let value = data.get(&field).as_string().unwrap_or_default();
                message.replace_range(start..=end, &value);
            }
        }
        let anchor = form.get_attribute("data-anchor").unwrap_or_default();
        let flash = serde_json::json!({ "message": message, "anchor": anchor }).to_string();
        if let Ok(Some(store)) = window().session_storage() {
            let _ = store.set_item(FLASH_KEY, &flash);
        }
    }

    /// The message a form left before the reload: shown in its section,
    /// announced and focused.
    fn show_flash() {
        let Ok(Some(store)) = window().session_storage() else {
            return;
        };
        let Ok(Some(flash)) = store.get_item(FLASH_KEY) else {
            return;
        };
        let _ = store.remove_item(FLASH_KEY);
        let Ok(flash) = serde_json::from_str::<Value>(&flash) else {
            return;
        };
        let message = flash["message"].as_str().unwrap_or_default();
        let anchor = flash["anchor"].as_str().unwrap_or_default();
        let section = document()
            .get_element_by_id(anchor)
            .or_else(|| document().get_element_by_id("contenu"));
        let Some(section) = section else { return };
        let Ok(note) = document().create_element("p") else {
            return;
        };
        let _ = note.set_attribute("role", "status");
        let _ = note.set_attribute("class", "notice success flash");
        let _ = note.set_attribute("tabindex", "-1");
        note.set_text_content(Some(message));
        // After the section's heading when it has one.
        let heading = section.query_selector("h2, h1").ok().flatten();
        let placed = match heading {
            Some(h) => h.after_with_node_1(&note),
            None => section.prepend_with_node_1(&note),
        };
        if placed.is_ok()
            && let Ok(note) = note.dyn_into::<HtmlElement>()
        {
            let _ = note.focus();
        }
    }

    /// Fills the inputs of the result box with the answer's fields.
    fn show_result(form: &HtmlFormElement, answer: &Value) {
        let Some(boxed) = form
            .get_attribute("data-result-box")
            .and_then(|id| document().get_element_by_id(&id))
        else {
            return;
        };
        for field in all(&boxed, "[data-result]") {
            let key = field.get_attribute("data-result").unwrap_or_default();
            let value = answer[key.as_str()].as_str().unwrap_or_default().to_owned();
            if let Ok(input) = field.clone().dyn_into::<HtmlInputElement>() {
                input.set_value(&value);
            } else {
                field.set_text_content(Some(&value));
            }
        }
        let _ = boxed.remove_attribute("hidden");
        if let Ok(input) = boxed
            .query_selector("input")
            .map(|i| i.and_then(|i| i.dyn_into::<HtmlInputElement>().ok()))
            && let Some(input) = input
        {
            let _ = input.focus();
            input.select();
        }
    }

    fn clear(form: &HtmlFormElement) {
        for e in all(form, ".field-error, .form-error") {
            e.set_text_content(None);
        }
        for e in all(form, ".has-error") {
            let _ = e.class_list().remove_1("has-error");
        }
        for e in all(form, "[aria-invalid]") {
            let _ = e.remove_attribute("aria-invalid");
        }
    }

    pub(crate) fn refused(form: &HtmlFormElement, err: AppError) {
        clear(form);
        match &err {
            AppError::Unauthenticated => {
                let here = window().location().pathname().unwrap_or_default();
                let _ = window()
                    .location()
                    .set_href(&format!("/connexion?expiree=1&suivant={here}"));
                return;
            }
            AppError::Conflict(message) => {
                // Someone changed it meanwhile: reload the current values
                // and say why.
                let _ = form.set_attribute("data-done", message);
                remember(form, Some(message.clone()));
                back(form);
                return;
            }
            _ => {}
        }
        let mut first: Option<HtmlElement> = None;
        let mut general: Vec<String> = Vec::new();
        let fields: Vec<(String, String)> = match &err {
            AppError::Validation(errors) => errors
                .0
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            AppError::BadRequest { field: Some(f), .. } => vec![(f.clone(), err.message())],
            _ => Vec::new(),
        };
        for (name, message) in fields {
            match field_error(form, &name) {
                Some((slot, input)) => {
                    slot.set_text_content(Some(&message));
                    if let Some(field) = slot.closest(".field").ok().flatten() {
                        let _ = field.class_list().add_1("has-error");
                    }
                    if let Some(input) = input {
                        let _ = input.set_attribute("aria-invalid", "true");
                        if first.is_none() {
                            first = input.dyn_into::<HtmlElement>().ok();
                        }
                    }
                }
                None => general.push(message),
            }
        }
        for old in all(form, "[data-testid=duplicate]") {
            old.remove();
        }
        if let AppError::Duplicate {
            message,
            href,
            confirmable,
        } = &err
        {
            duplicate(form, message, href);
            if *confirmable {
                for e in all(form, "[data-duplicate-confirm]") {
                    let _ = e.remove_attribute("hidden");
                }
            }
        } else if !matches!(err, AppError::Validation(_)) {
            general.push(err.message());
        }
        // The form's own message slot, or the page's (forms in a table row).
        let slot = form
            .query_selector(".form-error")
            .ok()
            .flatten()
            .or_else(|| {
                document()
                    .query_selector("#contenu .form-error")
                    .ok()
                    .flatten()
            });
        if let Some(slot) = slot {
            slot.set_text_content(Some(&general.join(" ")));
            if first.is_none() && !general.is_empty() {
                let _ = slot.set_attribute("tabindex", "-1");
                first = slot.dyn_into::<HtmlElement>().ok();
            }
        }
        if let Some(first) = first {
            let _ = first.focus();
        }
    }

    /// The record that already exists, with a link to open it, at the top
    /// of the form (as the server renders it).
    fn duplicate(form: &HtmlFormElement, message: &str, href: &str) {
        let Ok(note) = document().create_element("div") else {
            return;
        };
        let _ = note.set_attribute("class", "notice warning");
        let _ = note.set_attribute("role", "alert");
        let _ = note.set_attribute("data-testid", "duplicate");
        let (Ok(text), Ok(line), Ok(link)) = (
            document().create_element("p"),
            document().create_element("p"),
            document().create_element("a"),
        ) else {
            return;
        };
        text.set_text_content(Some(message));
        let _ = link.set_attribute("href", href);
        link.set_text_content(Some(&rust_i18n::t!("directory.open_existing")));
        let _ = line.append_with_node_1(&link);
        let _ = note.append_with_node_2(&text, &line);
        let _ = form.prepend_with_node_1(&note);
    }

    /// Where a field's message goes, and the input it is about.
    fn field_error(form: &HtmlFormElement, name: &str) -> Option<(Element, Option<Element>)> {
        let one = |selector: String| form.query_selector(&selector).ok().flatten();
        if let Some(slot) = one(format!("[data-error-for=\"{name}\"]")) {
            let input = one(format!("[name=\"form[{name}]\"], [name=\"{name}\"]"));
            return Some((slot, input));
        }
        let input = one(format!(
            "[name=\"form[{name}]\"]:not([type=hidden]), [name=\"{name}\"]:not([type=hidden])"
        ))
        .or_else(|| one(format!("[name^=\"form[{name}][\"]:not([type=hidden])")));
        let by_id = input
            .as_ref()
            .map(Element::id)
            .filter(|id| !id.is_empty())
            .and_then(|id| document().get_element_by_id(&format!("{id}-erreur")));
        // The message slot of the field (or fieldset) the input sits in.
        let beside = || {
            input
                .as_ref()?
                .closest(".field, fieldset")
                .ok()
                .flatten()?
                .query_selector(".field-error")
                .ok()
                .flatten()
        };
        let slot = by_id
            .or_else(beside)
            .or_else(|| document().get_element_by_id(&format!("{name}-erreur")))?;
        Some((slot, input))
    }

    fn count(area: &HtmlTextAreaElement) {
        let n = area.value().chars().count();
        let max = area.max_length();
        if let Some(counter) = document().get_element_by_id(&format!("{}-compteur", area.id())) {
            counter.set_text_content(Some(&rust_i18n::t!("input.counter", count = n, max = max)));
        }
    }
}
