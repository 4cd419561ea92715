//! Territories: INSEE commune codes and accent-insensitive search keys.
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::stored::code_enum;

code_enum!(
    /// The legal form of an EPCI, as the official list (`epci.json` of
    /// `@etalab/decoupage-administratif`) gives it in its `type`.
    EpciKind, "epci_kind", [
        Cc => "CC",
        Ca => "CA",
        Cu => "CU",
        Metro => "METRO",
        Met69 => "MET69",
    ]
);

/// A commune's INSEE code (COG): five characters, digits except Corsica's
/// `2A`/`2B` département prefix. Never a postal code, never a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InseeCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidInsee;

impl fmt::Display for InvalidInsee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&rust_i18n::t!("territory.invalid_insee"))
    }
}

impl InseeCode {
    pub fn parse(input: &str) -> Result<Self, InvalidInsee> {
        let code = input.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let valid = bytes.len() == 5
            && match &bytes[..2] {
                [b'2', b'A' | b'B'] => true,
                [a, b] => a.is_ascii_digit() && b.is_ascii_digit(),
                _ => false,
            }
            && bytes[2..].iter().all(u8::is_ascii_digit);
        if valid {
            Ok(InseeCode(code))
        } else {
            Err(InvalidInsee)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InseeCode {
    type Error = InvalidInsee;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        InseeCode::parse(&value)
    }
}

impl From<InseeCode> for String {
    fn from(value: InseeCode) -> Self {
        value.0
    }
}

impl fmt::Display for InseeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The form of a text used for accent- and case-insensitive search:
/// transliterated to ASCII, lower-case, punctuation as single spaces.
/// "Saint-Étienne" and "saint etienne" give the same key.
pub fn search_key(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut key = String::with_capacity(ascii.len());
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_codes_keep_corsica_and_leading_zeros() {
        assert_eq!(InseeCode::parse("01001").unwrap().as_str(), "01001");
        assert_eq!(InseeCode::parse("2a004").unwrap().as_str(), "2A004");
        assert_eq!(InseeCode::parse("2B033").unwrap().as_str(), "2B033");
        assert_eq!(InseeCode::parse("97411").unwrap().as_str(), "97411");
    }

    #[test]
    fn insee_codes_refuse_other_shapes() {
        for bad in ["1001", "010011", "2C004", "A1001", "15 100", "", "0100a"] {
            assert_eq!(InseeCode::parse(bad), Err(InvalidInsee), "{bad}");
        }
    }

    #[test]
    fn search_keys_ignore_accents_case_and_punctuation() {
        assert_eq!(search_key("Saint-Étienne"), "saint etienne");
        assert_eq!(search_key("  saint   ETIENNE "), "saint etienne");
        assert_eq!(search_key("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(search_key("Œuvre de Cœur"), "oeuvre de coeur");
    }
}
