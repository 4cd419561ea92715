//! Share link tokens: 256 bits from the operating system's CSPRNG, given
//! once to the officer; the database keeps only their SHA-256 digest, and
//! digests are compared in constant time.
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Bytes of randomness in a token (256 bits; the issue asks for ≥ 128).
const TOKEN_BYTES: usize = 32;
/// A token's length in hex characters.
pub const TOKEN_LEN: usize = TOKEN_BYTES * 2;

/// A new token (hex) and its digest (hex).
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let digest = digest(&token);
    (token, digest)
}

/// The digest stored for a token.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `token` looks like one of ours (so garbage never reaches the
/// database).
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a presented token matches a stored digest, in constant time.
pub fn matches(token: &str, stored_digest: &str) -> bool {
    digest(token)
        .as_bytes()
        .ct_eq(stored_digest.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_verifiable() {
        let (a, digest_a) = generate();
        let (b, _) = generate();
        assert_ne!(a, b);
        assert!(well_formed(&a));
        assert_eq!(a.len(), 64);
        assert_eq!(digest_a.len(), 64);
        assert_ne!(a, digest_a, "the token itself is never what is stored");
        assert!(matches(&a, &digest_a));
        assert!(!matches(&b, &digest_a));
    }

    #[test]
    fn the_digest_is_sha256() {
        // Known answer: SHA-256("abc").
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn garbage_is_not_well_formed() {
        assert!(!well_formed(""));
        assert!(!well_formed("abc"));
        assert!(!well_formed(&"g".repeat(64)));
        assert!(!well_formed(&"a".repeat(65)));
        assert!(well_formed(&"aF".repeat(32)));
    }
}
