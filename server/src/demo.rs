//! `maillage demo`: realistic demonstration data, idempotent (running it
//! twice adds nothing). Later features extend it with their own data.
use app::domain::{Email, Role};
use app::error::AppError;
use app::models::NewUser;
use app::server::services::users;
use sea_orm::DatabaseConnection;

/// The password of every demo account (printed by the demo command).
pub const DEMO_PASSWORD: &str = "maillage-demo-2026";

/// (e-mail, name, role) of the demo accounts.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("admin@cc-demo-maillage.fr", "Nadia Admin", Role::Admin),
    (
        "sophie.lambert@cc-demo-maillage.fr",
        "Sophie Lambert",
        Role::Head,
    ),
    (
        "julien.moreau@cc-demo-maillage.fr",
        "Julien Moreau",
        Role::Officer,
    ),
    (
        "amina.benali@cc-demo-maillage.fr",
        "Amina Benali",
        Role::Officer,
    ),
    (
        "thomas.girard@cc-demo-maillage.fr",
        "Thomas Girard",
        Role::Officer,
    ),
    (
        "c.durand@mairie-demo-maillage.fr",
        "Christine Durand",
        Role::Partner,
    ),
    (
        "contact@asso-demo-maillage.org",
        "Les Amis du Bourg",
        Role::Partner,
    ),
];

/// Seeds the demo data; returns how many accounts were created.
pub async fn seed(db: &DatabaseConnection) -> Result<usize, AppError> {
    let mut created = 0;
    for (email, name, role) in DEMO_USERS {
        let email = Email::parse(email).map_err(|_| AppError::Internal)?;
        if users::find_by_email(db, &email).await?.is_some() {
            continue;
        }
        users::create(
            db,
            NewUser {
                display_name: (*name).to_owned(),
                email,
                role: *role,
                password: DEMO_PASSWORD.to_owned(),
            },
        )
        .await?;
        created += 1;
    }
    Ok(created)
}
