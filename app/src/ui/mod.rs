//! The user interface: the app shell and routes, pages, reusable components.
pub mod actions;
pub mod app;
pub mod components;
pub mod format;
pub mod islands;
pub mod pages;
pub mod session;
#[cfg(feature = "ssr")]
pub mod shared_page;
