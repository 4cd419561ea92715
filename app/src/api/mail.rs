//! Mail: each staff member chooses what they receive (`ChooseMail`); the
//! admin reads the outbox, failures included (`ReadOutbox`). The
//! unsubscribe link of a mail is an axum route (`server/src/unsubscribe.rs`).
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{DashboardFilter, MailSettingsForm, MailSettingsView, Outbox};
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

/// Mails the actor the dashboard's « depuis le… » digest for `filter`,
/// before the steering committee (sent by the scheduler's next tick; the
/// same filter and date asked again the same day plans no second mail).
#[server(endpoint = "mail/committee")]
pub async fn mail_committee_digest(
    #[server(default)] filter: DashboardFilter,
) -> Result<(), AppError> {
    use crate::domain::mail::MailKind;
    use crate::server::entities::user;
    use crate::server::mail::{compose, scheduler};
    use sea_orm::EntityTrait;

    auth::run(Action::MailCommitteeDigest, |cx| async move {
        let filter = filter.validated()?;
        let state = auth::state()?;
        let txn = cx.snapshot().await?;
        let view = crate::server::services::dashboard::dashboard(&txn, &filter, cx.today()).await?;
        let me = user::Entity::find_by_id(cx.actor.id)
            .one(&txn)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        txn.commit().await?;
        let recipient = scheduler::recipient(&me).ok_or_else(|| {
            AppError::validation("filter", rust_i18n::t!("mail.committee.no_address"))
        })?;
        let key = format!(
            "committee:{}:{}:{}:{}",
            me.id,
            view.since,
            filter.query(),
            cx.today()
        );
        scheduler::plan_mail(
            &cx.db,
            &auth::public_base(&state),
            me.id,
            &recipient,
            (key, MailKind::Committee),
            cx.now,
            |links| compose::committee(&view, links),
        )
        .await?;
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(
    GetMailSettings,
    SaveMailSettings,
    GetOutbox,
    MailCommitteeDigest
);
