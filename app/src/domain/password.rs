use std::fmt;

/// The password policy (after CNIL's 2022 recommendation for a password used
/// alone with throttling: at least 12 characters). Long passphrases welcome;
/// the upper bound only stops abusive inputs to the hash.
pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordIssue {
    TooShort,
    TooLong,
    SingleCharacter,
    ContainsEmail,
}

impl fmt::Display for PasswordIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            PasswordIssue::TooShort => rust_i18n::t!("password.too_short", min = MIN_LEN),
            PasswordIssue::TooLong => rust_i18n::t!("password.too_long", max = MAX_LEN),
            PasswordIssue::SingleCharacter => rust_i18n::t!("password.single_character"),
            PasswordIssue::ContainsEmail => rust_i18n::t!("password.contains_email"),
        };
        f.write_str(&text)
    }
}

/// Checks a new password against the policy. `email_local_part` is the part of
/// the account's e-mail before `@`, which must not appear in the password.
pub fn check_password(password: &str, email_local_part: &str) -> Result<(), PasswordIssue> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(PasswordIssue::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordIssue::TooLong);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(PasswordIssue::SingleCharacter);
    }
    let local = email_local_part.trim().to_lowercase();
    if local.chars().count() >= 4 && password.to_lowercase().contains(&local) {
        return Err(PasswordIssue::ContainsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_at_exactly_the_minimum() {
        assert_eq!(check_password("abcdefghijk1", "claire"), Ok(()));
        assert_eq!(
            check_password("abcdefghijk", "claire"),
            Err(PasswordIssue::TooShort)
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 11 characters, 14 bytes: still too short.
        assert_eq!(
            check_password("éééabcdefgh", "x"),
            Err(PasswordIssue::TooShort)
        );
    }

    #[test]
    fn refuses_overlong_and_repeated() {
        assert_eq!(
            check_password(&"ab".repeat(65), "x"),
            Err(PasswordIssue::TooLong)
        );
        assert_eq!(
            check_password(&"a".repeat(20), "x"),
            Err(PasswordIssue::SingleCharacter)
        );
    }

    #[test]
    fn refuses_the_email_local_part_inside() {
        assert_eq!(
            check_password("Claire.Martin2026!", "claire.martin"),
            Err(PasswordIssue::ContainsEmail)
        );
        // A very short local part is not a meaningful signal.
        assert_eq!(check_password("jo-le-velo-2026", "jo"), Ok(()));
    }

    #[test]
    fn messages_are_french_and_name_the_limit() {
        assert_eq!(
            PasswordIssue::TooShort.to_string(),
            "Le mot de passe doit contenir au moins 12 caractères."
        );
    }
}
