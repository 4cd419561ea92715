//! The scheduler, inside the app (no cron): each tick plans the reminders
//! and digests due at `now` and sends what is due. `now` is a parameter
//! (the tests run a simulated week in one go); the running app ticks every
//! `MAIL_TICK_SECONDS`. Safe with several instances on one database: a
//! mail's unique key makes it planned once, a claim makes it sent once.
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use lettre::message::Mailbox;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::compose::{self, Composed, Digest, Links};
use super::jobs::{self, Delivered, Mailer, NewMail};
use super::settings;
use crate::domain::Stage;
use crate::domain::calendar::FeedScope;
use crate::domain::mail::{
    DIGEST_AHEAD_DAYS, DigestFrequency, MailKind, digest_week, reminder_due,
};
use crate::error::AppError;
use crate::models::unsubscribe_path;
use crate::server::entities::projects::{event, project};
use crate::server::entities::user;
use crate::server::services::calendar;
use crate::server::{clock, share_token};

/// What the scheduler needs: the database, where mail goes, the site's
/// address (links), the host in calendar UIDs, the structure's zone.
#[derive(Clone)]
pub struct Scheduler {
    pub db: DatabaseConnection,
    pub mailer: Arc<Mailer>,
    /// No trailing slash.
    pub base_url: String,
    pub uid_domain: String,
    pub zone: Tz,
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub reminders: usize,
    pub digests: usize,
    pub delivered: Delivered,
}

impl Scheduler {
    /// Plans what is due at `now`, then sends what is due: a planning
    /// failure is logged and does not hold back what is already planned.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<Tick, AppError> {
        let (reminders, digests) = self.plan(now).await.unwrap_or_else(|err| {
            tracing::warn!(error = ?err, "mail planning failed");
            (0, 0)
        });
        let delivered = jobs::deliver(&self.db, &self.mailer, now).await?;
        Ok(Tick {
            reminders,
            digests,
            delivered,
        })
    }

    /// The day `now` falls on in the structure's zone.
    fn local_date(&self, now: DateTime<Utc>) -> chrono::NaiveDate {
        now.with_timezone(&self.zone).date_naive()
    }

    /// Forgets the mails handled more than `jobs::KEPT_DAYS` before `now`
    /// and the calendar entries of days more than `calendar::KEPT_DAYS`
    /// past (neither can be planned or published again: their keys hold
    /// past dates); how many of each. `spawn` runs it once a day.
    pub async fn prune(&self, now: DateTime<Utc>) -> Result<(u64, u64), AppError> {
        let mails = jobs::prune(&self.db, now).await?;
        let entries = calendar::prune(&self.db, self.local_date(now)).await?;
        Ok((mails, entries))
    }

    /// Ticks every `every`, for the life of the process.
    pub fn spawn(self, every: std::time::Duration) {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut pruned_on = None;
            loop {
                interval.tick().await;
                let now = Utc::now();
                let today = self.local_date(now);
                if pruned_on != Some(today) {
                    pruned_on = Some(today);
                    match self.prune(now).await {
                        Ok((0, 0)) => {}
                        Ok((mails, entries)) => {
                            tracing::info!(
                                mails,
                                entries,
                                "old mails and calendar entries forgotten"
                            );
                        }
                        Err(err) => tracing::warn!(error = ?err, "pruning failed"),
                    }
                }
                match self.tick(now).await {
                    Ok(t) if t != Tick::default() => tracing::info!(?t, "mail tick"),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = ?err, "mail tick failed"),
                }
            }
        });
    }

    /// Plans the reminders and digests due at `now` (how many of each),
    /// sending nothing.
    pub async fn plan(&self, now: DateTime<Utc>) -> Result<(usize, usize), AppError> {
        let choices = settings::all(&self.db).await?;
        let staff = user::Entity::find()
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::Role.ne(crate::domain::Role::Partner))
            .all(&self.db)
            .await?;
        let (mut reminders, mut digests) = (0, 0);
        for person in staff {
            // One person's failure is logged; the others still get theirs.
            match self.plan_for(&person, &choices, now).await {
                Ok((r, d)) => {
                    reminders += r;
                    digests += d;
                }
                Err(err) => tracing::warn!(user = person.id, error = ?err, "mail planning failed"),
            }
        }
        Ok((reminders, digests))
    }

    async fn plan_for(
        &self,
        person: &user::Model,
        choices: &std::collections::HashMap<i64, crate::models::MailSettingsView>,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize), AppError> {
        let local = now.with_timezone(&self.zone).naive_local();
        let today = local.date();
        let week = digest_week(local);
        let mut reminders = 0;
        let choice = choices.get(&person.id).copied().unwrap_or_default();
        let digest_key = week
            .as_ref()
            .filter(|_| choice.digest == DigestFrequency::Weekly)
            .map(|w| format!("digest:{w}:{}", person.id));
        let digest_key = match digest_key {
            Some(key) if !jobs::planned(&self.db, &key).await? => Some(key),
            _ => None,
        };
        if !choice.reminders && digest_key.is_none() {
            return Ok((0, 0));
        }
        let Some(recipient) = recipient(person) else {
            tracing::warn!(user = person.id, "no valid address: no mail");
            return Ok((0, 0));
        };
        let deadlines = calendar::deadlines(
            &self.db,
            FeedScope::Mine,
            person.id,
            "",
            &self.uid_domain,
            today,
        )
        .await?;
        if choice.reminders {
            for d in &deadlines {
                let Some(offset) = reminder_due(d.day, today, d.kind.reminder_days()) else {
                    continue;
                };
                // The entry's kind and row, without the host of its UID:
                // a change of `PUBLIC_URL` never sends a reminder again.
                let entry = d.uid.split('@').next().unwrap_or(&d.uid);
                let key = format!("reminder:{entry}:{}:{offset}:{}", d.day, person.id);
                if jobs::planned(&self.db, &key).await? {
                    continue;
                }
                let planned = self
                    .enqueue(person, &recipient, key, MailKind::Reminder, now, |links| {
                        compose::reminder(d, today, links)
                    })
                    .await?;
                reminders += usize::from(planned);
            }
        }
        if let Some(key) = digest_key {
            let since = today - Duration::days(7);
            let content = Digest {
                late: deadlines
                    .iter()
                    .filter(|d| d.day < today)
                    .cloned()
                    .collect(),
                soon: deadlines
                    .iter()
                    .filter(|d| {
                        d.day >= today && d.day <= today + Duration::days(DIGEST_AHEAD_DAYS)
                    })
                    .cloned()
                    .collect(),
                changes: self
                    .changes(person.id, clock::day_start_in(self.zone, since))
                    .await?,
            };
            // Nothing to say: no mail.
            if content.is_empty() {
                return Ok((reminders, 0));
            }
            let planned = self
                .enqueue(person, &recipient, key, MailKind::Digest, now, |links| {
                    compose::digest(&content, today, since, links)
                })
                .await?;
            return Ok((reminders, usize::from(planned)));
        }
        Ok((reminders, 0))
    }

    async fn enqueue(
        &self,
        person: &user::Model,
        recipient: &str,
        dedupe_key: String,
        kind: MailKind,
        now: DateTime<Utc>,
        compose: impl FnOnce(&Links) -> Composed,
    ) -> Result<bool, AppError> {
        plan_mail(
            &self.db,
            &self.base_url,
            person.id,
            recipient,
            (dedupe_key, kind),
            now,
            compose,
        )
        .await
    }

    /// The projects under way that `user_id` leads and that someone else
    /// changed since `since`: id, title, number of changes; by title.
    async fn changes(
        &self,
        user_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<(i64, String, usize)>, AppError> {
        let led: Vec<(i64, String)> = project::Entity::find()
            .select_only()
            .columns([project::Column::Id, project::Column::Title])
            .filter(project::Column::LeadOfficerId.eq(user_id))
            .filter(
                project::Column::Stage
                    .is_not_in([Stage::Completed.as_str(), Stage::Abandoned.as_str()]),
            )
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
        for chunk in led.chunks(1000) {
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
            let touched: Vec<i64> = event::Entity::find()
                .select_only()
                .column(event::Column::ProjectId)
                .filter(event::Column::ProjectId.is_in(ids))
                .filter(event::Column::At.gte(since))
                .filter(
                    Condition::any()
                        .add(event::Column::ActorId.is_null())
                        .add(event::Column::ActorId.ne(user_id)),
                )
                .into_tuple()
                .all(&self.db)
                .await?;
            for id in touched {
                *counts.entry(id).or_default() += 1;
            }
        }
        let mut out: Vec<(i64, String, usize)> = led
            .into_iter()
            .filter_map(|(id, title)| counts.get(&id).map(|n| (id, title, *n)))
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }
}

/// Plans one mail to `user_id` (`recipient`: `Name <address>`) under
/// `key` (planned once) of `kind`, written by `compose` with the site's
/// links under `base_url` and a new unsubscribe link; false when a mail of
/// that key was planned already.
pub async fn plan_mail(
    db: &DatabaseConnection,
    base_url: &str,
    user_id: i64,
    recipient: &str,
    (dedupe_key, kind): (String, MailKind),
    now: DateTime<Utc>,
    compose: impl FnOnce(&Links) -> Composed,
) -> Result<bool, AppError> {
    let (token, digest) = share_token::generate();
    let unsubscribe_url = format!("{base_url}{}", unsubscribe_path(&token));
    let composed = compose(&Links {
        base: base_url,
        // A mail asked for gives no unsubscribe link (its token, unused,
        // stays unknown to anyone).
        unsubscribe: if kind.unsubscribable() {
            &unsubscribe_url
        } else {
            ""
        },
    });
    jobs::enqueue(
        db,
        NewMail {
            dedupe_key,
            user_id,
            recipient: recipient.to_owned(),
            kind,
            composed,
            unsubscribe_digest: digest,
            unsubscribe_url,
        },
        now,
    )
    .await
}

/// `Name <address>`, if the address is one a mail can go to.
/// The name is put on one line first: a name with a line break (stored
/// before names were checked for it) cannot be written in a header.
pub fn recipient(person: &user::Model) -> Option<String> {
    let address = person.email.parse().ok()?;
    let name: String = person
        .display_name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Some(Mailbox::new(Some(name), address).to_string())
}
