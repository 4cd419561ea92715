//! Pure domain rules: no I/O, no clock, no database; compiled for the server
//! and the browser alike, unit-tested beside the code.
pub mod calendar;
pub mod communs;
pub mod directory;
pub mod document;
pub mod email;
pub mod event;
pub mod funding;
pub mod health;
pub mod import;
pub mod input;
pub mod mail;
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
pub(crate) mod stored;
pub mod territory;

pub use directory::{AuditAction, Office, OrganisationKind, PartnerRole};
pub use email::Email;
pub use event::EventKind;
pub use health::{Health, HealthError, HealthStatus};
pub use milestone::{DUE_SOON_DAYS, MilestoneKind, MilestoneStatus, milestone_status};
pub use money::{
    MoneyError, euros_input, format_count, format_euros, format_percent, format_whole_euros,
    parse_euros, parse_percent,
};
pub use owner::OwnerKind;
pub use password::{PasswordIssue, check_password};
pub use redirect::safe_next;
pub use role::Role;
pub use share::{Section, ShareSections, ShareState, share_state};
pub use siret::{CompanyId, CompanyIdError, format_company_id};
pub use stage::{Stage, StageMove, StageMoveError, check_stage_move};
pub use territory::{EpciKind, InseeCode, search_key};

/// Every enum stored in a column is stored as its `as_str()` code, and
/// every code reads back as its value.
#[cfg(all(test, feature = "ssr"))]
mod stored_codes {
    use sea_orm::ActiveEnum;

    use super::*;

    fn check<E>(values: &[E], code: impl Fn(&E) -> &'static str)
    where
        E: ActiveEnum<Value = String> + PartialEq + std::fmt::Debug,
    {
        for value in values {
            assert_eq!(value.to_value(), code(value), "{value:?}");
            assert_eq!(
                E::try_from_value(&code(value).to_owned()).ok().as_ref(),
                Some(value)
            );
        }
        assert!(E::try_from_value(&"inconnu".to_owned()).is_err());
    }

    #[test]
    fn every_stored_enum_is_stored_as_its_code() {
        check(&Stage::ALL, |v| v.as_str());
        check(&HealthStatus::ALL, |v| v.as_str());
        check(&Role::ALL, |v| v.as_str());
        check(&MilestoneKind::ALL, |v| v.as_str());
        check(&EventKind::ALL, |v| v.as_str());
        check(&funding::FundingStatus::ALL, |v| v.as_str());
        check(&funding::FunderCategory::ALL, |v| v.as_str());
        check(OrganisationKind::ALL, |v| v.as_str());
        check(PartnerRole::ALL, |v| v.as_str());
        check(&OwnerKind::ALL, |v| v.as_str());
        check(&funding::DerogationKind::ALL, |v| v.as_str());
        check(&funding::DetrDue::ALL, |v| v.as_str());
        check(EpciKind::ALL, |v| v.as_str());
        check(Office::ALL, |v| v.as_str());
        check(AuditAction::ALL, |v| v.as_str());
        check(calendar::FeedScope::ALL, |v| v.as_str());
        check(mail::MailKind::ALL, |v| v.as_str());
        check(mail::DigestFrequency::ALL, |v| v.as_str());
        check(mail::MailStatus::ALL, |v| v.as_str());
    }
}
