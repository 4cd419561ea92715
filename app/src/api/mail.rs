//! Mail: each staff member chooses what they receive (`ChooseMail`); the
//! admin reads the outbox, failures included (`ReadOutbox`). The
//! unsubscribe link of a mail is an axum route (`server/src/unsubscribe.rs`).
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{MailSettingsForm, MailSettingsView, Outbox};
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::mail::settings};

/// What the user chose to receive.
#[server(endpoint = "mail/settings")]
pub async fn get_mail_settings() -> Result<MailSettingsView, AppError> {
    auth::run(Action::ChooseMail, |cx| async move {
        settings::of(&cx.db, cx.actor.id).await
    })
    .await
}

/// Records the user's choices.
#[server(endpoint = "mail/save")]
pub async fn save_mail_settings(form: MailSettingsForm) -> Result<(), AppError> {
    auth::run(Action::ChooseMail, |cx| async move {
        let choice = form.validate()?;
        settings::save(&cx.db, cx.actor.id, choice, cx.now).await
    })
    .await
}

/// The latest mails, newest first.
#[server(endpoint = "mail/outbox")]
pub async fn get_outbox() -> Result<Outbox, AppError> {
    auth::run(Action::ReadOutbox, |cx| async move {
        let state = auth::state()?;
        settings::outbox(&cx.db, state.config.mail.smtp.is_some()).await
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(GetMailSettings, SaveMailSettings, GetOutbox);
