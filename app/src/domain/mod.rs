//! Pure domain rules: no I/O, no clock, no database; compiled for the server
//! and the browser alike, unit-tested beside the code.
pub mod communs;
pub mod directory;
pub mod email;
pub mod event;
pub mod funding;
pub mod health;
pub mod input;
pub mod milestone;
pub mod money;
pub mod owner;
pub mod password;
pub mod redirect;
pub mod role;
pub mod rollup;
pub mod share;
pub mod siret;
pub mod stage;
pub mod territory;

pub use directory::{Office, OrganisationKind, PartnerRole};
pub use email::Email;
pub use event::EventKind;
pub use health::{Health, HealthError};
pub use milestone::{DUE_SOON_DAYS, MilestoneKind, MilestoneStatus, milestone_status};
pub use money::{
    MoneyError, euros_input, format_euros, format_percent, parse_euros, parse_percent,
};
pub use owner::OwnerKind;
pub use password::{PasswordIssue, check_password};
pub use redirect::safe_next;
pub use role::Role;
pub use share::{Section, ShareSections, ShareState, share_state};
pub use siret::{CompanyId, CompanyIdError, format_company_id};
pub use stage::{Stage, StageMove, StageMoveError, check_stage_move};
pub use territory::{InseeCode, search_key};
