//! Accounts and territories as the UI sees them.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Email, Role, check_password};
use crate::error::FieldErrors;

/// The signed-in user, as the UI knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// The account-creation form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub password: String,
}

/// A [`NewUserForm`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub display_name: String,
    pub email: Email,
    pub role: Role,
    pub password: String,
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
        }
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add("email", e.to_string()))
            .ok();
        let role = self
            .role
            .parse::<Role>()
            .map_err(|e| errors.add("role", e.to_string()))
            .ok();
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
    fn every_bad_field_is_reported_at_once() {
        let bad = NewUserForm {
            display_name: "  ".into(),
            email: "claire".into(),
            role: "chef".into(),
            password: "court".into(),
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
