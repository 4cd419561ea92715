use leptos::prelude::*;

use crate::{
    error::AppError,
    models::{NewUserForm, UserSummary},
};
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::services::users};

/// The structure's accounts (staff only).
#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    auth::run(
        Action::ViewTeam,
        |cx| async move { users::list(&cx.db).await },
    )
    .await
}

/// Creates an account (admins only).
#[server(endpoint = "users/create")]
pub async fn create_user(form: NewUserForm) -> Result<UserSummary, AppError> {
    auth::run(Action::ManageUsers, |cx| async move {
            let new = form.validate()?;
            let created = users::create(&cx.db, new).await?;
            tracing::info!(by = cx.actor.id, user_id = created.id, role = %created.role, "account created");
            Ok(created)
})
.await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(ListUsers, CreateUser);
