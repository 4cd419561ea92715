use std::fmt;

use serde::{Deserialize, Serialize};

/// An e-mail address that passed validation, normalised (trimmed, lower-cased).
///
/// Parsing is the only way in; the rest of the code never re-checks it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why an address was refused; `Display` gives the French message for the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong,
    Invalid,
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match self {
            EmailError::Empty => "email.empty",
            EmailError::TooLong => "email.too_long",
            EmailError::Invalid => "email.invalid",
        };
        f.write_str(&rust_i18n::t!(key))
    }
}

impl std::error::Error for EmailError {}

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err(EmailError::Empty);
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if !email_address::EmailAddress::is_valid(&value) {
            return Err(EmailError::Invalid);
        }
        // RFC 5322 accepts `a@localhost` or quoted local parts; a professional
        // directory wants a routable domain and a plain local part.
        let (local, domain) = value.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.split('.').all(|label| !label.is_empty());
        if !domain_ok || local.starts_with('"') || value.contains(char::is_whitespace) {
            return Err(EmailError::Invalid);
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, used to keep it out of passwords.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        let email = Email::parse("  Claire.Martin@CC-Exemple.FR ").unwrap();
        assert_eq!(email.as_str(), "claire.martin@cc-exemple.fr");
        assert_eq!(email.local_part(), "claire.martin");
    }

    #[test]
    fn accepts_usual_professional_addresses() {
        for ok in [
            "jean-luc.dupont@mairie-saint-flour.fr",
            "contact+maillage@pnr-volcans.org",
            "e.leroy@loire-atlantique.gouv.fr",
            "élodie@exemple.fr",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_empty_with_its_own_message() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        assert_eq!(
            EmailError::Empty.to_string(),
            "L’adresse e-mail est obligatoire."
        );
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "claire",
            "claire@",
            "@exemple.fr",
            "claire@localhost",
            "claire@exemple.",
            "claire@.fr",
            "claire@exemple..fr",
            "cla ire@exemple.fr",
            "claire@@exemple.fr",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
    }

    #[test]
    fn refuses_overlong_addresses() {
        let long = format!("{}@exemple.fr", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn deserialising_validates() {
        let ok: Result<Email, _> = serde_json::from_str("\"A@B.FR\"");
        assert_eq!(ok.unwrap().as_str(), "a@b.fr");
        let bad: Result<Email, _> = serde_json::from_str("\"nope\"");
        assert!(bad.is_err());
    }
}
