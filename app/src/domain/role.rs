use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::domain::stored::stored_enum;

stored_enum! {
    /// What a user account is for. Stored as its `as_str()` code.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        /// Manages accounts, reference lists, sharing policy.
        Admin,
        /// Responsable de pôle: reviews the whole portfolio.
        Head,
        /// Chargé·e de mission: creates and follows projects.
        Officer,
        /// Partner (elected official, association, funder…): read-only, shared pages only.
        Partner,
    }
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Head, Role::Officer, Role::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Head => "head",
            Role::Officer => "officer",
            Role::Partner => "partner",
        }
    }

    /// The role's name as shown to users (French).
    pub fn label(self) -> String {
        rust_i18n::t!(format!("role.{}", self.as_str())).into_owned()
    }

    /// Staff are the structure's own people (everyone but partners).
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Partner)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", rust_i18n::t!("role.unknown", value = self.0))
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "head" => Ok(Role::Head),
            "officer" => Ok(Role::Officer),
            "partner" => Ok(Role::Partner),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn parsing_is_case_and_space_tolerant() {
        assert_eq!(" Officer ".parse::<Role>(), Ok(Role::Officer));
    }

    #[test]
    fn unknown_code_is_refused_with_a_french_message() {
        let err = "chef".parse::<Role>().unwrap_err();
        assert_eq!(err.0, "chef");
        assert!(err.to_string().contains("Rôle inconnu"), "{err}");
    }

    #[test]
    fn french_labels() {
        assert_eq!(Role::Officer.label(), "Chargé·e de mission");
        assert_eq!(Role::Head.label(), "Responsable de pôle");
        assert_eq!(Role::Partner.label(), "Partenaire");
        assert_eq!(Role::Admin.label(), "Administrateur·rice");
    }

    #[test]
    fn only_partners_are_not_staff() {
        assert!(Role::Admin.is_staff() && Role::Head.is_staff() && Role::Officer.is_staff());
        assert!(!Role::Partner.is_staff());
    }
}
