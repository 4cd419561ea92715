//! One module per screen.
pub mod dashboard;
pub mod directory;
pub mod funders;
pub mod home;
pub mod login;
pub mod not_found;
pub mod organisation;
pub mod person;
pub mod project;
pub mod project_form;
pub mod project_funding;
pub mod project_partners;
pub mod project_shares;
pub mod projects;
pub mod reference_lists;
pub mod team;
