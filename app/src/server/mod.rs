//! Server-only code (feature `ssr`): database entities, services, sessions.
//! Nothing here is compiled into the wasm; the UI only sees `crate::models`.
pub mod auth;
pub mod backup;
pub mod clock;
pub mod config;
pub mod db;
pub mod documents;
pub mod entities;
pub mod error_page;
pub mod export;
pub mod headers;
pub mod ical;
pub mod import;
pub mod mail;
pub mod page_slots;
pub mod passwords;
pub mod phone;
pub mod read_cache;
pub mod request_id;
pub mod services;
pub mod session_store;
pub mod share_token;
pub mod state;

pub use state::AppState;
