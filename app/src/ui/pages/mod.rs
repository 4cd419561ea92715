//! One module per screen.
pub mod home;
pub mod login;
pub mod not_found;
pub mod programmes;
pub mod project;
pub mod project_form;
pub mod projects;
pub mod team;
