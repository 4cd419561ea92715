//! The demo accounts: an admin, a head, three officers and two partners,
//! all with the same printed password.
use app::domain::{Email, Role};
use app::error::AppError;
use app::models::{CurrentUser, NewUser};
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

/// Seeds the demo accounts; returns how many were created.
pub async fn seed(db: &DatabaseConnection) -> Result<usize, AppError> {
    let mut created = 0;
    for (email, name, role) in DEMO_USERS {
        let email = Email::parse(email).map_err(AppError::internal)?;
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
                organisation_id: None,
            },
        )
        .await?;
        created += 1;
    }
    Ok(created)
}

/// The demo account with this e-mail, as the actor of the demo's writes.
pub(crate) async fn actor(
    db: &DatabaseConnection,
    email: &str,
    role: Role,
) -> Result<Option<CurrentUser>, AppError> {
    let email = Email::parse(email).map_err(AppError::internal)?;
    Ok(users::find_by_email(db, &email)
        .await?
        .map(|u| CurrentUser {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role,
        }))
}
