//! A project's health, orthogonal to its stage (Les Communs `phaseStatut`).
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::stored::stored_enum;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Health {
    OnTrack,
    Late,
    Paused { reason: String, since: NaiveDate },
    Blocked { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthError {
    UnknownStatus,
    ReasonRequired,
    DateRequired,
}

impl fmt::Display for HealthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match self {
            HealthError::UnknownStatus => "health.error_unknown",
            HealthError::ReasonRequired => "health.error_reason_required",
            HealthError::DateRequired => "health.error_date_required",
        };
        f.write_str(&rust_i18n::t!(key))
    }
}

impl Health {
    pub const CODES: [&'static str; 4] = [
        HealthStatus::OnTrack.as_str(),
        HealthStatus::Late.as_str(),
        HealthStatus::Paused.as_str(),
        HealthStatus::Blocked.as_str(),
    ];

    pub fn status(&self) -> HealthStatus {
        match self {
            Health::OnTrack => HealthStatus::OnTrack,
            Health::Late => HealthStatus::Late,
            Health::Paused { .. } => HealthStatus::Paused,
            Health::Blocked { .. } => HealthStatus::Blocked,
        }
    }

    pub fn code(&self) -> &'static str {
        self.status().as_str()
    }

    pub fn label_of(code: &str) -> String {
        rust_i18n::t!(format!("health.{code}")).into_owned()
    }

    pub fn label(&self) -> String {
        Self::label_of(self.code())
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Health::Paused { reason, .. } | Health::Blocked { reason } => Some(reason),
            _ => None,
        }
    }

    pub fn since(&self) -> Option<NaiveDate> {
        match self {
            Health::Paused { since, .. } => Some(*since),
            _ => None,
        }
    }

    /// Builds a health from its typed parts: `paused` needs a reason and a
    /// date, `blocked` a reason; others ignore both.
    pub fn parse(
        code: &str,
        reason: Option<&str>,
        since: Option<NaiveDate>,
    ) -> Result<Self, HealthError> {
        let status = code
            .parse::<HealthStatus>()
            .map_err(|_| HealthError::UnknownStatus)?;
        Self::from_parts(status, reason, since)
    }

    /// Builds a health from its status and the reason and date that go
    /// with it (as stored: `projects.health`, `health_reason`,
    /// `health_since`).
    pub fn from_parts(
        status: HealthStatus,
        reason: Option<&str>,
        since: Option<NaiveDate>,
    ) -> Result<Self, HealthError> {
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        match status {
            HealthStatus::OnTrack => Ok(Health::OnTrack),
            HealthStatus::Late => Ok(Health::Late),
            HealthStatus::Paused => Ok(Health::Paused {
                reason: reason.ok_or(HealthError::ReasonRequired)?,
                since: since.ok_or(HealthError::DateRequired)?,
            }),
            HealthStatus::Blocked => Ok(Health::Blocked {
                reason: reason.ok_or(HealthError::ReasonRequired)?,
            }),
        }
    }
}

stored_enum! {
    /// A health without its reason and date: the value of `projects.health`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    #[serde(rename_all = "snake_case")]
    pub enum HealthStatus {
        #[default]
        OnTrack,
        Late,
        Paused,
        Blocked,
    }
}

impl HealthStatus {
    pub const ALL: [HealthStatus; 4] = [
        HealthStatus::OnTrack,
        HealthStatus::Late,
        HealthStatus::Paused,
        HealthStatus::Blocked,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            HealthStatus::OnTrack => "on_track",
            HealthStatus::Late => "late",
            HealthStatus::Paused => "paused",
            HealthStatus::Blocked => "blocked",
        }
    }
}

impl HealthStatus {
    /// The French label.
    pub fn label(self) -> String {
        Health::label_of(self.as_str())
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for HealthStatus {
    type Err = HealthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HealthStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or(HealthError::UnknownStatus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn paused_needs_reason_and_date() {
        assert_eq!(
            Health::parse("paused", None, Some(d("2026-11-01"))),
            Err(HealthError::ReasonRequired)
        );
        assert_eq!(
            Health::parse("paused", Some(" "), Some(d("2026-11-01"))),
            Err(HealthError::ReasonRequired)
        );
        assert_eq!(
            Health::parse("paused", Some("Élections"), None),
            Err(HealthError::DateRequired)
        );
        let h = Health::parse("paused", Some(" Élections "), Some(d("2026-03-01"))).unwrap();
        assert_eq!(
            (h.reason(), h.since()),
            (Some("Élections"), Some(d("2026-03-01")))
        );
    }

    #[test]
    fn blocked_needs_a_reason_and_others_ignore_it() {
        assert_eq!(
            Health::parse("blocked", None, None),
            Err(HealthError::ReasonRequired)
        );
        assert_eq!(
            Health::parse("blocked", Some("Recours"), None)
                .unwrap()
                .reason(),
            Some("Recours")
        );
        assert_eq!(
            Health::parse("on_track", Some("x"), Some(d("2026-01-01"))),
            Ok(Health::OnTrack)
        );
        assert_eq!(Health::parse("late", None, None), Ok(Health::Late));
        assert_eq!(
            Health::parse("perdu", None, None),
            Err(HealthError::UnknownStatus)
        );
    }

    #[test]
    fn codes_and_labels() {
        for code in Health::CODES {
            assert!(
                !Health::label_of(code).starts_with("health."),
                "{code} has a label"
            );
        }
        assert_eq!(Health::Late.label(), "En retard");
    }
}
