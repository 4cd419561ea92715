//! The partner directory: organisations, people with their memberships and
//! mandates, their links to projects, and the RGPD export and erasure.
//! `names` holds the look-ups the others share, so that none of them
//! imports another's page assembly in a circle.
pub mod names;
pub mod organisations;
pub mod partners;
pub mod people;
pub mod rgpd;
pub mod ties;
