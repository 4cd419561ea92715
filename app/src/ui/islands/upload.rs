//! Files sent with a progress bar per file, and dropped onto the form
//! (`form[data-upload]`, the project page's « Ajouter des documents »).
//! Without script the same form posts itself; with it the files go in one
//! request (kept together or not at all, as without), by
//! `XMLHttpRequest` so that its upload reports progress, each file's bar
//! filled as its bytes leave; a refusal is shown on the form, a success
//! reloads the page at the documents with the form's `data-done` message.
#[cfg(feature = "hydrate")]
pub(super) mod browser {
    use leptos::prelude::document;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{
        DragEvent, Element, FormData, HtmlFormElement, HtmlInputElement, ProgressEvent,
        XmlHttpRequest,
    };

    use crate::error::AppError;

    /// The form's file input.
    fn input_of(form: &Element) -> Option<HtmlInputElement> {
        form.query_selector("input[type=file]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    }

    /// The files chosen: (name, size).
    fn chosen(input: &HtmlInputElement) -> Vec<(String, f64)> {
        let Some(files) = input.files() else {
            return Vec::new();
        };
        (0..files.length())
            .filter_map(|i| files.item(i))
            .map(|f| (f.name(), f.size()))
            .collect()
    }

    /// Lists the chosen files, each with an empty bar.
    pub fn list(form: &Element) {
        let (Some(input), Ok(Some(list))) =
            (input_of(form), form.query_selector("[data-upload-list]"))
        else {
            return;
        };
        list.set_inner_html("");
        for (i, (name, size)) in chosen(&input).into_iter().enumerate() {
            let Ok(item) = document().create_element("li") else {
                continue;
            };
            let _ = item.set_attribute("data-testid", "upload-file");
            let Ok(label) = document().create_element("span") else {
                continue;
            };
            label.set_text_content(Some(&name));
            let Ok(bar) = document().create_element("progress") else {
                continue;
            };
            let _ = bar.set_attribute("max", &size.max(1.0).to_string());
            let _ = bar.set_attribute("value", "0");
            let _ = bar.set_attribute("data-file", &i.to_string());
            let _ = bar.set_attribute("aria-label", &name);
            let _ = item.append_child(&label);
            let _ = item.append_child(&bar);
            let _ = list.append_child(&item);
        }
    }

    /// Files dropped on a form's drop zone become its chosen files.
    pub fn on_drag(ev: web_sys::Event) {
        let Some(zone) = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("[data-dropzone]").ok().flatten())
        else {
            return;
        };
        // Without this the browser opens the file instead.
        ev.prevent_default();
        let on = ev.type_() != "dragleave" && ev.type_() != "drop";
        let _ = zone.class_list().toggle_with_force("dragging", on);
        if ev.type_() != "drop" {
            return;
        }
        let Some(files) = ev
            .dyn_into::<DragEvent>()
            .ok()
            .and_then(|d| d.data_transfer())
            .and_then(|t| t.files())
        else {
            return;
        };
        let Some(form) = zone.closest("form").ok().flatten() else {
            return;
        };
        if let Some(input) = input_of(&form) {
            input.set_files(Some(&files));
            list(&form);
        }
    }

    /// Sends the form; `true` when it was taken over.
    pub fn send(form: HtmlFormElement) -> bool {
        let Some(input) = input_of(&form) else {
            return false;
        };
        let files = chosen(&input);
        // Too large: said at once, nothing sent (the server would refuse it
        // after receiving it whole).
        let max = form
            .get_attribute("data-max-bytes")
            .and_then(|m| m.parse::<f64>().ok());
        if let Some((name, _)) = files
            .iter()
            .find(|(_, size)| max.is_some_and(|m| *size > m))
        {
            let message = form
                .get_attribute("data-too-large")
                .unwrap_or_default()
                .replace("{}", name);
            crate::ui::islands::live::browser::refused(
                &form,
                AppError::validation("file", message),
            );
            return true;
        }
        let sizes: Vec<f64> = files.into_iter().map(|(_, s)| s).collect();
        let Ok(data) = FormData::new_with_form(&form) else {
            return false;
        };
        let Ok(xhr) = XmlHttpRequest::new() else {
            return false;
        };
        let action = form.get_attribute("action").unwrap_or_default();
        if xhr.open("POST", &action).is_err() {
            return false;
        }
        let _ = xhr.set_request_header("Accept", "application/json");
        crate::ui::islands::live::browser::busy(&form, true);
        list(&form);
        // Each bar takes its share of the bytes sent, in order.
        let bars = form.clone();
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
            let mut left = ev.loaded();
            for (i, size) in sizes.iter().enumerate() {
                let done = left.min(*size).max(0.0);
                left -= size;
                if let Ok(Some(bar)) = bars.query_selector(&format!("progress[data-file=\"{i}\"]"))
                {
                    let _ = bar.set_attribute("value", &done.to_string());
                }
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        progress.forget();
        let (request, done_form) = (xhr.clone(), form.clone());
        let finished = Closure::<dyn FnMut()>::new(move || {
            crate::ui::islands::live::browser::busy(&done_form, false);
            let status = request.status().unwrap_or(0);
            let text = request.response_text().ok().flatten().unwrap_or_default();
            if (200..300).contains(&status) {
                crate::ui::islands::live::browser::succeeded(&done_form, &serde_json::Value::Null);
            } else {
                let err = serde_json::from_str::<AppError>(&text).unwrap_or(AppError::Transport {
                    detail: format!("{status}"),
                });
                crate::ui::islands::live::browser::refused(&done_form, err);
            }
        });
        xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
        finished.forget();
        if xhr.send_with_opt_form_data(Some(&data)).is_err() {
            crate::ui::islands::live::browser::busy(&form, false);
            return false;
        }
        true
    }
}
