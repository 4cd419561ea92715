//! The French page of an error answered outside the Leptos pages (a
//! library's refusal, a panic, a timeout): no script, the app's stylesheet,
//! the status in words, the message and a way home.
use crate::error::AppError;
use crate::server::request_id::RequestId;
use crate::ui::components::text::raw_text_escaped;

/// A small page with no script: the status in words, the message, a way home.
pub fn render(status: u16, err: &AppError) -> String {
    let title = match status {
        404 | 405 => rust_i18n::t!("error_page.not_found"),
        413 => rust_i18n::t!("error_page.too_large"),
        408 | 503 | 504 => rust_i18n::t!("error_page.unavailable"),
        400..=499 => rust_i18n::t!("error_page.bad_request"),
        _ => rust_i18n::t!("error_page.internal"),
    };
    // Only the app's own messages go in, never request text; the
    // reference is said once, below.
    let message = match err {
        AppError::Internal { .. } => AppError::Internal { reference: None }.message(),
        // A form sent without script (an upload) lands here: say what to
        // correct, field by field.
        AppError::Validation(fields) => std::iter::once(err.message())
            .chain(fields.0.values().cloned())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.message(),
    };
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Maillage</title><link rel=\"stylesheet\" href=\"/pkg/maillage.css\">\
         </head><body><main class=\"error-page\"><h1>{title}</h1><p>{message}</p>\
         {reference}<p><a href=\"/\">{home}</a></p></main></body></html>",
        title = raw_text_escaped(&title),
        message = raw_text_escaped(&message),
        reference = reference(),
        home = rust_i18n::t!("error_page.home"),
    )
}

/// « Référence : … », the id of the request in the server's log, for
/// the user to give support.
fn reference() -> String {
    match RequestId::current() {
        Some(id) => format!(
            "<p class=\"error-reference\">{} <code>{}</code></p>",
            rust_i18n::t!("error_page.reference"),
            raw_text_escaped(id.as_str())
        ),
        None => String::new(),
    }
}
