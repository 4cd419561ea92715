//! Reusable pieces of UI.
pub mod error;
pub mod field;
pub mod layout;
