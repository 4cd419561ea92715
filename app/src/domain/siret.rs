//! SIREN (9 digits, a legal entity) and SIRET (14 digits, one of its
//! establishments: SIREN + NIC), checked with their Luhn key.
//!
//! La Poste is the known exception: its establishments share the SIREN
//! 356 000 000 and their SIRETs do not pass Luhn; INSEE validates them by
//! requiring the sum of the 14 digits to be a multiple of 5.
use std::fmt;

use serde::{Deserialize, Serialize};

/// La Poste's SIREN, the one exception to the Luhn key on SIRETs.
pub const LA_POSTE_SIREN: &str = "356000000";

/// A company number that passed its checks: a SIREN alone or a full SIRET.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompanyId {
    Siren(String),
    Siret(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyIdError {
    /// Not 9 or 14 digits once spaces are removed.
    Format,
    /// A 9-digit number whose Luhn key is wrong.
    SirenKey,
    /// A 14-digit number whose Luhn key is wrong (or, for La Poste, whose
    /// digits do not add up to a multiple of 5).
    SiretKey,
    /// A SIREN of nine zeros: it passes Luhn but names no one.
    Zero,
}

impl fmt::Display for CompanyIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match self {
            CompanyIdError::Format => "directory.siret_format",
            CompanyIdError::SirenKey => "directory.siren_key",
            CompanyIdError::SiretKey => "directory.siret_key",
            CompanyIdError::Zero => "directory.siren_zero",
        };
        f.write_str(&rust_i18n::t!(key))
    }
}

impl std::error::Error for CompanyIdError {}

/// The Luhn check on a string of ASCII digits.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl CompanyId {
    /// Reads a SIREN or SIRET as typed ("123 456 789 00012"); `Ok(None)`
    /// when the field is empty (the number is optional).
    pub fn parse(input: &str) -> Result<Option<CompanyId>, CompanyIdError> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .collect();
        if digits.is_empty() {
            return Ok(None);
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CompanyIdError::Format);
        }
        if matches!(digits.len(), 9 | 14) && digits[..9].bytes().all(|b| b == b'0') {
            return Err(CompanyIdError::Zero);
        }
        match digits.len() {
            9 if luhn(&digits) => Ok(Some(CompanyId::Siren(digits))),
            9 => Err(CompanyIdError::SirenKey),
            14 => {
                let siren = &digits[..9];
                let valid = if siren == LA_POSTE_SIREN {
                    let sum: u32 = digits.bytes().map(|b| u32::from(b - b'0')).sum();
                    sum.is_multiple_of(5) || luhn(&digits)
                } else {
                    luhn(siren) && luhn(&digits)
                };
                if valid {
                    Ok(Some(CompanyId::Siret(digits)))
                } else {
                    Err(CompanyIdError::SiretKey)
                }
            }
            _ => Err(CompanyIdError::Format),
        }
    }

    pub fn siren(&self) -> &str {
        match self {
            CompanyId::Siren(s) => s,
            CompanyId::Siret(s) => &s[..9],
        }
    }

    pub fn siret(&self) -> Option<&str> {
        match self {
            CompanyId::Siren(_) => None,
            CompanyId::Siret(s) => Some(s),
        }
    }
}

/// "123 456 789" or "123 456 789 00012", as INSEE prints them.
pub fn format_company_id(siren: &str, siret: Option<&str>) -> String {
    let group = |s: &str| {
        s.as_bytes()
            .chunks(3)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match siret {
        Some(siret) if siret.len() == 14 => format!("{} {}", group(&siret[..9]), &siret[9..]),
        _ => group(siren),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_pass() {
        // INSEE's own SIREN and the SIRET of its head office.
        assert_eq!(
            CompanyId::parse("120 027 016").unwrap(),
            Some(CompanyId::Siren("120027016".into()))
        );
        let siret = CompanyId::parse("12002701600357").unwrap().unwrap();
        assert_eq!(siret.siren(), "120027016");
        assert_eq!(siret.siret(), Some("12002701600357"));
        // Saint-Étienne Métropole's SIREN.
        assert!(CompanyId::parse("244200770").unwrap().is_some());
    }

    #[test]
    fn a_wrong_key_is_refused() {
        assert_eq!(CompanyId::parse("120027017"), Err(CompanyIdError::SirenKey));
        assert_eq!(
            CompanyId::parse("12002701600358"),
            Err(CompanyIdError::SiretKey)
        );
        // A SIRET whose 14-digit key is right but whose SIREN part is not.
        assert!(luhn("12002701700009"));
        assert_eq!(
            CompanyId::parse("12002701700009"),
            Err(CompanyIdError::SiretKey)
        );
    }

    #[test]
    fn formats_are_checked() {
        assert_eq!(CompanyId::parse("  "), Ok(None));
        assert_eq!(CompanyId::parse("12345"), Err(CompanyIdError::Format));
        assert_eq!(CompanyId::parse("12002701A"), Err(CompanyIdError::Format));
        assert_eq!(
            CompanyId::parse("120.027.016").unwrap(),
            Some(CompanyId::Siren("120027016".into()))
        );
    }

    #[test]
    fn la_poste_is_checked_by_its_digit_sum() {
        // 3+5+6 + 4+3+3 = 24 → +1 = 25: a multiple of 5 but not Luhn.
        let siret = "35600000043301";
        assert!(!luhn(siret));
        assert!(CompanyId::parse(siret).unwrap().is_some());
        // Same SIREN, digits adding to 26: refused.
        assert_eq!(
            CompanyId::parse("35600000043302"),
            Err(CompanyIdError::SiretKey)
        );
        // The exception is La Poste's only: the same digit sum elsewhere fails.
        assert_eq!(
            CompanyId::parse("12002701600010"),
            Err(CompanyIdError::SiretKey)
        );
    }

    #[test]
    fn printed_in_groups() {
        assert_eq!(format_company_id("120027016", None), "120 027 016");
        assert_eq!(
            format_company_id("120027016", Some("12002701600357")),
            "120 027 016 00357"
        );
    }

    #[test]
    fn all_zero_numbers_are_refused() {
        // 000000000 and 00000000000000 pass Luhn but name no one.
        assert_eq!(CompanyId::parse("000000000"), Err(CompanyIdError::Zero));
        assert_eq!(
            CompanyId::parse("000 000 000 00000"),
            Err(CompanyIdError::Zero)
        );
        assert_eq!(
            CompanyId::parse("00000000000018"),
            Err(CompanyIdError::Zero)
        );
    }
}
