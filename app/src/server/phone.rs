//! Phone numbers of the directory: checked against libphonenumber's
//! metadata (France by default, overseas and foreign numbers with their
//! prefix) and stored in one canonical form.
use phonenumber::{Mode, country};

/// The French message for a number that is not a valid one.
pub fn invalid_message() -> String {
    rust_i18n::t!("directory.phone_invalid").into_owned()
}

/// A number as typed ("06.12.34.56.78", "+33 6 12 34 56 78",
/// "0033612345678") → its canonical form: French numbers (metropolitan and
/// overseas) in the national format "06 12 34 56 78", others in the
/// international format. `Ok(None)` for an empty field.
pub fn normalise(input: &str) -> Result<Option<String>, String> {
    let typed = input.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    // "0033…" is how a French handset dials abroad: the same as "+33…".
    let typed = match typed.strip_prefix("00") {
        Some(rest) if !typed.starts_with("000") => format!("+{rest}"),
        _ => typed.to_owned(),
    };
    let number =
        phonenumber::parse(Some(country::Id::FR), &typed).map_err(|_| invalid_message())?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid_message());
    }
    let french = matches!(
        number.country().id(),
        Some(
            country::Id::FR
                | country::Id::GP
                | country::Id::MQ
                | country::Id::GF
                | country::Id::RE
                | country::Id::YT
                | country::Id::PM
                | country::Id::BL
                | country::Id::MF
        )
    );
    let mode = if french {
        Mode::National
    } else {
        Mode::International
    };
    Ok(Some(number.format().mode(mode).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers_in_any_spelling_become_one_form() {
        for typed in [
            "0612345678",
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033612345678",
        ] {
            assert_eq!(
                normalise(typed).unwrap().as_deref(),
                Some("06 12 34 56 78"),
                "{typed}"
            );
        }
        assert_eq!(
            normalise("04 71 60 22 50").unwrap().as_deref(),
            Some("04 71 60 22 50")
        );
    }

    #[test]
    fn overseas_and_foreign_numbers_keep_their_form() {
        // La Réunion, dialled from anywhere.
        assert_eq!(
            normalise("+262 692 12 34 56").unwrap().as_deref(),
            Some("0692 12 34 56")
        );
        // A Swiss partner keeps the international form.
        assert_eq!(
            normalise("+41 22 767 61 11").unwrap().as_deref(),
            Some("+41 22 767 61 11")
        );
    }

    #[test]
    fn wrong_numbers_are_refused_and_empty_is_none() {
        assert_eq!(normalise("  "), Ok(None));
        for typed in ["06 12 34", "06123456789012", "bonjour", "+33 0 00 00 00 00"] {
            assert!(normalise(typed).is_err(), "{typed}");
        }
    }
}
