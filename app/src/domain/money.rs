//! Money is integer euro cents end to end; these turn it into French text and back.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    Invalid,
    Negative,
    TooLarge,
}

impl std::fmt::Display for MoneyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = match self {
            MoneyError::Invalid => "money.invalid",
            MoneyError::Negative => "money.negative",
            MoneyError::TooLarge => "money.too_large",
        };
        f.write_str(&rust_i18n::t!(key))
    }
}

/// Largest amount accepted: 100 billion euros, far above any local project,
/// far below `i64` overflow when thousands are summed.
pub const MAX_CENTS: i64 = 10_000_000_000_000;

/// Parses an amount typed in French or plain form: "1 234 567,89",
/// "1234567.89", "1 234 €", "12,5". Spaces (also non-breaking) group thousands.
pub fn parse_euros(input: &str) -> Result<i64, MoneyError> {
    let cleaned: String = input
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if cleaned.starts_with('-') {
        return Err(MoneyError::Negative);
    }
    let normalized = cleaned.replace(',', ".");
    let (units, decimals) = match normalized.split_once('.') {
        Some((u, d)) => (u, d),
        None => (normalized.as_str(), ""),
    };
    if units.is_empty() && decimals.is_empty()
        || !units.chars().all(|c| c.is_ascii_digit())
        || !decimals.chars().all(|c| c.is_ascii_digit())
        || decimals.len() > 2
    {
        return Err(MoneyError::Invalid);
    }
    let units: i64 = if units.is_empty() {
        0
    } else {
        units.parse().map_err(|_| MoneyError::TooLarge)?
    };
    let cents: i64 = match decimals.len() {
        0 => 0,
        1 => decimals.parse::<i64>().map_err(|_| MoneyError::Invalid)? * 10,
        _ => decimals.parse().map_err(|_| MoneyError::Invalid)?,
    };
    let total = units
        .checked_mul(100)
        .and_then(|u| u.checked_add(cents))
        .ok_or(MoneyError::TooLarge)?;
    if total > MAX_CENTS {
        return Err(MoneyError::TooLarge);
    }
    Ok(total)
}

/// "1 234 567,89 €" (narrow no-break space between thousands, as French typography).
pub fn format_euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!(
        "{sign}{},{:02}\u{a0}€",
        group_thousands(abs / 100),
        abs % 100
    )
}

/// "2 544 920 €": rounded to the euro, for charts and summaries.
pub fn format_whole_euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let euros = (cents.unsigned_abs() + 50) / 100;
    format!("{sign}{}\u{a0}€", group_thousands(euros))
}

/// "12 345": a count grouped by thousands, as amounts are.
pub fn format_count(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_thousands(n.unsigned_abs()))
}

/// Digits grouped by three with a narrow no-break space.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(ch);
    }
    grouped
}

/// The amount as shown in a form field, the way it is typed: "2 400 000"
/// (plain spaces, which `parse_euros` reads back), "1 234 567,89".
pub fn euros_input(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = group_thousands(abs / 100).replace('\u{202f}', " ");
    match abs % 100 {
        0 => format!("{sign}{units}"),
        rest => format!("{sign}{units},{rest:02}"),
    }
}

/// A rate typed as a percentage ("35", "33,33 %") in hundredths of a
/// percent (basis points), at most 100 %.
pub fn parse_percent(input: &str) -> Result<i32, MoneyError> {
    let hundredths = parse_euros(input.trim().trim_end_matches('%'))?;
    if hundredths > 10_000 {
        return Err(MoneyError::TooLarge);
    }
    i32::try_from(hundredths).map_err(|_| MoneyError::TooLarge)
}

/// "33,33 %" from basis points.
pub fn format_percent(basis_points: i32) -> String {
    let text = euros_input(i64::from(basis_points));
    let text = text.trim_end_matches("00").trim_end_matches(',');
    format!("{text}\u{a0}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_french_and_plain_forms() {
        assert_eq!(parse_euros("1 234 567,89"), Ok(123_456_789));
        assert_eq!(parse_euros("1\u{a0}234\u{202f}567,89 €"), Ok(123_456_789));
        assert_eq!(parse_euros("1234567.89"), Ok(123_456_789));
        assert_eq!(parse_euros("12,5"), Ok(1250));
        assert_eq!(parse_euros("800000"), Ok(80_000_000));
        assert_eq!(parse_euros("0,07"), Ok(7));
    }

    #[test]
    fn refuses_bad_amounts() {
        assert_eq!(parse_euros(""), Err(MoneyError::Invalid));
        assert_eq!(parse_euros("douze"), Err(MoneyError::Invalid));
        assert_eq!(parse_euros("1,234,5"), Err(MoneyError::Invalid));
        assert_eq!(parse_euros("12,345"), Err(MoneyError::Invalid));
        assert_eq!(parse_euros("-5"), Err(MoneyError::Negative));
        assert_eq!(
            parse_euros("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(parse_euros("100000000001"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn formats_the_french_way() {
        assert_eq!(
            format_euros(123_456_789),
            "1\u{202f}234\u{202f}567,89\u{a0}€"
        );
        assert_eq!(format_euros(5), "0,05\u{a0}€");
        assert_eq!(format_euros(100_000), "1\u{202f}000,00\u{a0}€");
        assert_eq!(euros_input(123_456_789), "1 234 567,89");
        assert_eq!(euros_input(240_000_000), "2 400 000");
        assert_eq!(euros_input(1_250), "12,50");
        assert_eq!(
            format_whole_euros(254_492_049),
            "2\u{202f}544\u{202f}920\u{a0}€"
        );
        assert_eq!(format_count(12_345), "12\u{202f}345");
    }

    #[test]
    fn percentages_are_basis_points() {
        assert_eq!(parse_percent("35"), Ok(3500));
        assert_eq!(parse_percent("33,33 %"), Ok(3333));
        assert_eq!(parse_percent("100"), Ok(10_000));
        assert_eq!(parse_percent("100,01"), Err(MoneyError::TooLarge));
        assert_eq!(parse_percent("trente"), Err(MoneyError::Invalid));
        assert_eq!(format_percent(3500), "35\u{a0}%");
        assert_eq!(format_percent(3333), "33,33\u{a0}%");
        assert_eq!(format_percent(2550), "25,50\u{a0}%");
    }

    #[test]
    fn formatting_round_trips() {
        for cents in [0, 1, 99, 100, 123_456_789, MAX_CENTS] {
            assert_eq!(parse_euros(&format_euros(cents)), Ok(cents));
            assert_eq!(parse_euros(&euros_input(cents)), Ok(cents));
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_amount_round_trips_through_its_french_text(cents in 0..=MAX_CENTS) {
            prop_assert_eq!(parse_euros(&format_euros(cents)), Ok(cents));
            prop_assert_eq!(parse_euros(&euros_input(cents)), Ok(cents));
        }

        #[test]
        fn parsing_never_panics_and_never_goes_negative(text in "\\PC{0,24}") {
            if let Ok(cents) = parse_euros(&text) {
                prop_assert!((0..=MAX_CENTS).contains(&cents));
            }
        }
    }
}
