//! Mail choices (account page) and the outbox (admin).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::mail::{DigestFrequency, MailKind, MailStatus};

/// What a person chose to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettingsView {
    pub reminders: bool,
    pub digest: DigestFrequency,
}

impl Default for MailSettingsView {
    fn default() -> Self {
        Self {
            reminders: true,
            digest: DigestFrequency::Weekly,
        }
    }
}

/// One mail as the admin reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub recipient: String,
    pub kind: MailKind,
    pub subject: String,
    pub body_text: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The latest mails, and whether an SMTP server takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    pub smtp: bool,
    pub entries: Vec<OutboxEntry>,
}

/// The unsubscribe link's path on this site.
pub fn unsubscribe_path(token: &str) -> String {
    format!("/desabonnement/{token}")
}

/// The account page's mail form, as posted: `reminders` a checkbox,
/// `digest` a frequency code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettingsForm {
    #[serde(default)]
    pub reminders: Option<String>,
    #[serde(default)]
    pub digest: Option<String>,
}

impl MailSettingsForm {
    pub fn validate(&self) -> Result<MailSettingsView, crate::error::AppError> {
        let digest = self
            .digest
            .as_deref()
            .map(str::trim)
            .and_then(DigestFrequency::parse)
            .ok_or_else(|| {
                crate::error::AppError::validation("digest", rust_i18n::t!("mail.bad_frequency"))
            })?;
        Ok(MailSettingsView {
            reminders: crate::models::checkbox(&self.reminders),
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_frequency_is_refused_naming_the_field() {
        let form = |digest: Option<&str>| MailSettingsForm {
            reminders: Some("on".into()),
            digest: digest.map(str::to_owned),
        };
        assert_eq!(
            form(Some("never")).validate().unwrap(),
            MailSettingsView {
                reminders: true,
                digest: DigestFrequency::Never
            }
        );
        for bad in [
            None,
            Some(""),
            Some("daily"),
            Some("<script>"),
            Some(&"w".repeat(100_000)),
        ] {
            let err = form(bad).validate().unwrap_err();
            assert!(err.field("digest").is_some(), "{bad:?}");
        }
        let off = MailSettingsForm {
            reminders: None,
            digest: Some("weekly".into()),
        };
        assert!(!off.validate().unwrap().reminders);
    }
}
