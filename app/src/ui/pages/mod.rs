//! One module per screen.
pub mod dashboard;
pub mod funders;
pub mod home;
pub mod login;
pub mod not_found;
pub mod project;
pub mod project_form;
pub mod project_funding;
pub mod projects;
pub mod reference_lists;
pub mod team;
