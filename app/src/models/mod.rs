//! Data transfer objects: what the server sends the UI and the UI sends back.
//! Database entities never leave `server/`; these are plain serde types.
pub mod calendar;
pub mod dashboard;
pub mod directory;
pub mod document;
pub mod funding;
pub mod import;
pub mod mail;
pub mod project;
pub mod reference;
pub mod share;
pub mod user;

pub use calendar::*;
pub use dashboard::*;
pub use directory::*;
pub use document::*;
/// A « Responsable » choice as posted (a milestone's assignee, a funding
/// line's responsible): a staff member's id → `Some(Some(id))`; `lead`
/// (`ASSIGNEE_LEAD`), the project's lead officer → `Some(None)`; absent or
/// empty (the form decoder reads an empty value as absent) → `None`, kept
/// on an edit. Anything else is an error on `field`.
pub fn person_choice(
    errors: &mut crate::error::FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<Option<i64>> {
    match value.map(str::trim) {
        None | Some("") => None,
        Some(ASSIGNEE_LEAD) => Some(None),
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| errors.add(field, rust_i18n::t!("milestone.unknown_assignee")))
                .ok(),
        ),
    }
}

/// Whether an HTML checkbox was ticked: browsers send "on", other clients
/// may send "true" or "1"; an unticked box sends nothing.
pub fn checkbox(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| matches!(v, "on" | "true" | "1"))
}

/// `k=v&k=v`, percent-encoded, in the given order.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub use funding::*;
pub use import::*;
pub use mail::*;
pub use project::*;
pub use reference::*;
pub use share::*;
pub use user::*;
