//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB,
//! 2 passes, 1 lane — OWASP's recommended minimum), run off the async
//! executor because a hash takes tens of milliseconds on purpose.
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use crate::error::AppError;

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "hashing task failed");
        AppError::internal_here()
    })?
    .map_err(|e| {
        tracing::error!(error = %e, "argon2 hashing failed");
        AppError::internal_here()
    })
}

/// True when `password` matches `stored`. An unreadable stored hash is an
/// internal error, not a mismatch.
pub async fn verify(password: String, stored: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(|e| {
            tracing::error!(error = %e, "stored password hash is unreadable");
            AppError::internal_here()
        })?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "verify task failed");
        AppError::internal_here()
    })?
}

/// A valid Argon2id hash of a random password, verified against when the
/// e-mail is unknown so that timing does not reveal which accounts exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let random = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(random.as_str().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("un chemin de randonnée".into()).await.unwrap();
        let b = hash("un chemin de randonnée".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(
            verify("un chemin de randonnée".into(), a.clone())
                .await
                .unwrap()
        );
        assert!(!verify("un chemin de randonnee".into(), a).await.unwrap());
    }

    #[tokio::test]
    async fn a_corrupt_hash_is_an_internal_error() {
        assert_eq!(
            verify("x".into(), "pas un hash".into()).await,
            Err(AppError::Internal { reference: None })
        );
    }

    #[test]
    fn the_dummy_hash_is_a_real_hash() {
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }
}
