//! One module per screen.
pub mod account;
pub mod dashboard;
pub mod directory;
pub mod funders;
pub mod home;
pub mod imports;
pub mod login;
pub mod not_found;
pub mod organisation;
pub mod outbox;
pub mod person;
pub mod project;
pub mod project_documents;
pub mod project_form;
pub mod project_funding;
pub mod project_partners;
pub mod project_shares;
pub mod project_sheet;
pub mod projects;
pub mod reference_lists;
pub mod team;

/// The `:id` of the record a page shows (`/projets/:id`…), read from the
/// route as it changes; 0 when it is not a number (no record has it).
fn record_id() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    use leptos::prelude::Read;
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_default()
    }
}
