//! Reusable pieces of UI.
pub mod data_table;
pub mod error;
pub mod field;
pub mod guard;
pub mod layout;
pub mod on_demand;
pub mod select_filter;
pub mod stacked_bar;
pub mod text;
