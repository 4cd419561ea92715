//! Maillage: the Leptos application (pages, components, server functions),
//! with its server-only part behind the `ssr` feature.
#![recursion_limit = "256"]

rust_i18n::i18n!("locales", fallback = "fr");

pub mod api;
pub mod domain;
pub mod error;
pub mod models;
pub mod plural;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

pub use ui::app::{App, shell};

/// Named by the browser crate so that this crate, and with it the islands'
/// entry points, is linked into the wasm.
pub const ISLANDS: () = ();
