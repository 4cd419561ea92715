//! Reference lists admins edit (themes, programmes).
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{ReferenceEntry, ReferenceForm};
#[cfg(feature = "ssr")]
use crate::{models::ReferenceList, policy::Action, server::auth, server::services::references};

/// Every entry of a reference list, for the admin screen.
#[server(endpoint = "reference/list")]
pub async fn list_reference(list: String) -> Result<Vec<ReferenceEntry>, AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
        let list: ReferenceList = list.parse()?;
        references::all(&cx.db, list).await
    })
    .await
}

/// Adds, renames or (de)activates an entry of a reference list (admins).
#[server(endpoint = "reference/save")]
pub async fn save_reference(list: String, form: ReferenceForm) -> Result<(), AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
            let list: ReferenceList = list.parse()?;
            let entry = form.validate()?;
            tracing::info!(by = cx.actor.id, list = list.as_str(), code = %entry.code, active = entry.active, "reference entry saved");
            references::save(&cx.db, list, entry).await
})
.await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(ListReference, SaveReference);
