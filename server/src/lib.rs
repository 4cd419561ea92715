//! The HTTP side of Maillage: the axum router around the Leptos app, its
//! middleware, and the command-line operations of the `maillage` binary.
pub mod calendar_feed;
pub mod dashboard_export;
pub mod demo;
pub mod documents;
pub mod health;
pub mod import_upload;
pub mod listener;
pub mod metrics;
pub mod middleware;
pub mod person_export;
pub mod router;
pub mod shared_page;
pub mod site;
pub mod unsubscribe;

pub use router::router;
