//! Accounts and territories as the UI sees them.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Email, Role, check_password};
use crate::error::FieldErrors;

/// The signed-in user, as the UI knows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

/// One account in the team list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    /// A partner account's organisation (directory).
    pub organisation: Option<String>,
}

/// The account-creation form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub password: String,
    /// A partner account's organisation (directory id); required for partners.
    pub organisation_id: String,
}

/// A [`NewUserForm`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub display_name: String,
    pub email: Email,
    pub role: Role,
    pub password: String,
    /// Partners only: the organisation they belong to.
    pub organisation_id: Option<i64>,
}

pub const DISPLAY_NAME_MAX: usize = 120;

impl NewUserForm {
    /// Checks every field and reports all problems at once, per field.
    /// Shared by the browser (before the round trip) and the server (before the write).
    pub fn validate(&self) -> Result<NewUser, crate::error::AppError> {
        let mut errors = FieldErrors::new();
        let display_name = self.display_name.trim().to_owned();
        if display_name.is_empty() {
            errors.add("display_name", rust_i18n::t!("name.empty"));
        } else if display_name.chars().count() > DISPLAY_NAME_MAX {
            errors.add("display_name", rust_i18n::t!("name.too_long"));
        } else if display_name.chars().any(char::is_control) {
            errors.add("display_name", rust_i18n::t!("name.one_line"));
        }
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add("email", e.to_string()))
            .ok();
        let role = self
            .role
            .parse::<Role>()
            .map_err(|e| errors.add("role", e.to_string()))
            .ok();
        let organisation_id = match self.organisation_id.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add(
                        "organisation_id",
                        rust_i18n::t!("team.organisation_unknown"),
                    );
                    None
                }
            },
        };
        // A partner speaks for an organisation of the directory; staff belong
        // to the structure itself.
        let organisation_id = match role {
            Some(Role::Partner) => {
                if organisation_id.is_none() && errors.get("organisation_id").is_none() {
                    errors.add(
                        "organisation_id",
                        rust_i18n::t!("team.organisation_required"),
                    );
                }
                organisation_id
            }
            _ => None,
        };
        let local = email.as_ref().map(Email::local_part).unwrap_or_default();
        if let Err(issue) = check_password(&self.password, local) {
            errors.add("password", issue.to_string());
        }
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => Ok(NewUser {
                display_name,
                email,
                role,
                password: self.password.clone(),
                organisation_id,
            }),
            _ => Err(crate::error::AppError::Validation(errors)),
        }
    }
}

/// A commune proposed by the type-ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneHit {
    pub insee: String,
    pub name: String,
    pub departement_code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> NewUserForm {
        NewUserForm {
            display_name: " Claire Martin ".into(),
            email: "Claire.Martin@cc-exemple.fr".into(),
            role: "officer".into(),
            password: "un chemin de randonnée".into(),
            organisation_id: String::new(),
        }
    }

    #[test]
    fn a_good_form_is_normalised() {
        let user = form().validate().unwrap();
        assert_eq!(user.display_name, "Claire Martin");
        assert_eq!(user.email.as_str(), "claire.martin@cc-exemple.fr");
        assert_eq!(user.role, Role::Officer);
    }

    #[test]
    fn a_name_holds_on_one_line() {
        for name in ["Claire\nBcc: x@y.fr", "Claire\r\nMartin", "Claire\u{0}"] {
            let mut f = form();
            f.display_name = name.into();
            let err = f.validate().unwrap_err();
            assert!(err.field("display_name").is_some(), "{name:?}");
        }
    }

    #[test]
    fn a_partner_account_belongs_to_an_organisation() {
        let mut partner = form();
        partner.role = "partner".into();
        let err = partner.validate().unwrap_err();
        assert!(
            err.field("organisation_id")
                .unwrap()
                .contains("organisation de l’annuaire")
        );
        partner.organisation_id = "abc".into();
        assert!(
            partner
                .validate()
                .unwrap_err()
                .field("organisation_id")
                .is_some()
        );
        partner.organisation_id = "12".into();
        assert_eq!(partner.validate().unwrap().organisation_id, Some(12));
        // Staff belong to the structure: an organisation sent along is ignored.
        let mut officer = form();
        officer.organisation_id = "12".into();
        assert_eq!(officer.validate().unwrap().organisation_id, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = NewUserForm {
            display_name: "  ".into(),
            email: "claire".into(),
            role: "chef".into(),
            password: "court".into(),
            organisation_id: String::new(),
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(
            err.field("display_name").as_deref(),
            Some("Le nom est obligatoire.")
        );
        assert!(err.field("email").unwrap().contains("n’est pas valide"));
        assert!(err.field("role").unwrap().contains("Rôle inconnu"));
        assert!(err.field("password").unwrap().contains("au moins 12"));
    }
}

/// Why a login failed, as a code in `/connexion?erreur=…` (the page after
/// a form posted without JavaScript). The login page shows the message of
/// a known code only, never text taken from the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginErrorCode {
    Credentials,
    Locked,
    Disabled,
    TooMany,
    Input,
    Other,
}

impl LoginErrorCode {
    pub const ALL: [LoginErrorCode; 6] = [
        LoginErrorCode::Credentials,
        LoginErrorCode::Locked,
        LoginErrorCode::Disabled,
        LoginErrorCode::TooMany,
        LoginErrorCode::Input,
        LoginErrorCode::Other,
    ];

    pub fn of(err: &crate::error::AppError) -> Self {
        use crate::error::AppError;
        match err {
            AppError::LoginRefused(m) if *m == rust_i18n::t!("login.disabled") => {
                LoginErrorCode::Disabled
            }
            AppError::LoginRefused(m) if *m == rust_i18n::t!("login.bad_credentials") => {
                LoginErrorCode::Credentials
            }
            AppError::LoginRefused(_) => LoginErrorCode::Locked,
            AppError::TooManyRequests(_) => LoginErrorCode::TooMany,
            AppError::Validation(_) | AppError::BadRequest { .. } => LoginErrorCode::Input,
            _ => LoginErrorCode::Other,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            LoginErrorCode::Credentials => "identifiants",
            LoginErrorCode::Locked => "verrouille",
            LoginErrorCode::Disabled => "desactive",
            LoginErrorCode::TooMany => "trop",
            LoginErrorCode::Input => "saisie",
            LoginErrorCode::Other => "erreur",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn message(self) -> String {
        match self {
            LoginErrorCode::Credentials => rust_i18n::t!("login.bad_credentials"),
            LoginErrorCode::Locked => rust_i18n::t!("login.locked_later"),
            LoginErrorCode::Disabled => rust_i18n::t!("login.disabled"),
            LoginErrorCode::TooMany => rust_i18n::t!("login.too_many_from_ip"),
            LoginErrorCode::Input => rust_i18n::t!("login.input"),
            LoginErrorCode::Other => rust_i18n::t!("error.internal"),
        }
        .into_owned()
    }
}

#[cfg(test)]
mod login_error_tests {
    use super::LoginErrorCode;
    use crate::error::AppError;

    #[test]
    fn only_known_codes_have_a_message() {
        for code in LoginErrorCode::ALL {
            assert_eq!(LoginErrorCode::parse(code.code()), Some(code));
        }
        assert_eq!(
            LoginErrorCode::parse("Votre compte est piraté, appelez le 08…"),
            None
        );
        let refused = AppError::LoginRefused(rust_i18n::t!("login.bad_credentials").into_owned());
        assert_eq!(LoginErrorCode::of(&refused), LoginErrorCode::Credentials);
    }
}
