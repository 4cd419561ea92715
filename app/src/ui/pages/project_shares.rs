use leptos::prelude::*;
use rust_i18n::t;

use crate::api::shares::{CreateShare, RevokeShare, UpdateShare};
use crate::domain::{Section, ShareSections, ShareState};
use crate::models::{ProjectShares, ShareView};
use crate::ui::actions::{field_error, general_error};
use crate::ui::components::field::Field;
use crate::ui::components::on_demand::{self, CloseLink, EditLink};
use crate::ui::format;

/// The share writes of a project page.
#[derive(Clone, Copy)]
pub struct ShareActions {
    pub create: ServerAction<CreateShare>,
    pub update: ServerAction<UpdateShare>,
    pub revoke: ServerAction<RevokeShare>,
}

impl ShareActions {
    pub fn new() -> Self {
        Self {
            create: ServerAction::new(),
            update: ServerAction::new(),
            revoke: ServerAction::new(),
        }
    }
}

impl Default for ShareActions {
    fn default() -> Self {
        Self::new()
    }
}

fn sections_text(sections: ShareSections) -> String {
    let shown = sections.shown();
    if shown.is_empty() {
        t!("share.summary_only").into_owned()
    } else {
        shown
            .into_iter()
            .map(Section::label)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The section checkboxes of a share form, ticked as `sections`.
#[component]
fn SectionBoxes(sections: ShareSections, prefix: String) -> impl IntoView {
    view! {
        <fieldset class="checks">
            <legend>{t!("share.sections")}</legend>
            <p class="hint">{format!("{} ✓", Section::Summary.label())}</p>
            {Section::OPTIONAL.into_iter().map(|s| {
                let id = format!("{prefix}-{}", s.as_str());
                let label_for = id.clone();
                view! {
                    <label class="check" for=label_for>
                        <input type="checkbox" id=id name=format!("form[{}]", s.as_str()) checked=sections.shows(s) />
                        {s.label()}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The "Partage" section: who sees the project outside the staff, and the
/// form that shares it with a partner account or by link.
#[component]
pub fn SharesSection(
    actions: ShareActions,
    /// Read by the page's one call (`get_project_sections`).
    shares: ProjectShares,
) -> impl IntoView {
    view! {
        <section class="card" id="partages" aria-labelledby="shares-title" data-testid="shares">
            <h2 id="shares-title">{t!("share.title")}</h2>
            <p class="muted">{t!("share.intro")}</p>
            <ShareList s=shares actions />
        </section>
    }
}

#[component]
fn ShareList(s: ProjectShares, actions: ShareActions) -> impl IntoView {
    let ProjectShares {
        project_id,
        shares,
        partner_accounts,
        ..
    } = s;
    let no_accounts = partner_accounts.is_empty();
    view! {
        // A new link's address, shown once (filled by the `Live` island).
        <div class="notice success" role="status" data-testid="new-link" id="new-link" hidden>
            <p>{t!("share.created_link")}</p>
            <label for="new-link-url">{t!("share.link_label")}</label>
            <input id="new-link-url" type="text" readonly data-result="url" class="copy-field" />
            <p><a href=format!("/projets/{project_id}?partages=liste#partages")>{t!("share.link_done")}</a></p>
        </div>
        {if shares.is_empty() {
            view! { <p class="empty">{t!("share.none")}</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list">
                    {shares.into_iter().map(|share| view! { <ShareItem share actions /> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <p class="form-error" role="alert">{general_error(actions.revoke)}</p>
        <details open=move || actions.create.value().with(|v| matches!(v, Some(Err(_))))>
            <summary>{t!("share.new_title")}</summary>
            <ActionForm action=actions.create attr:class="form" attr:novalidate="true" attr:data-anchor="partages" attr:data-done=t!("share.created_account").into_owned() attr:data-then="show" attr:data-result-box="new-link">
                <input type="hidden" name="project_id" value=project_id.to_string() />
                <fieldset class="checks" class:has-error=move || field_error(actions.create, "target").get().is_some()>
                    <legend>{t!("share.target")}" *"</legend>
                    <label class="check">
                        <input type="radio" name="form[target]" value="account" checked=!no_accounts disabled=no_accounts />
                        {t!("share.target_account")}
                    </label>
                    <label class="check">
                        <input type="radio" name="form[target]" value="link" checked=no_accounts />
                        {t!("share.target_link")}
                    </label>
                    <p class="field-error" role="alert">{move || field_error(actions.create, "target").get()}</p>
                </fieldset>
                <div class="field" class:has-error=move || field_error(actions.create, "user_id").get().is_some()>
                    <label for="share-account">{t!("share.account")}</label>
                    {no_accounts.then(|| view! { <p class="hint">{t!("share.no_accounts")}</p> })}
                    <select id="share-account" name="form[user_id]" aria-describedby="share-account-erreur">
                        <option value="">{t!("share.account_choose")}</option>
                        {partner_accounts.into_iter().map(|a| {
                            let text = match &a.organisation {
                                Some(org) => format!("{} — {org} ({})", a.display_name, a.email),
                                None => format!("{} ({})", a.display_name, a.email),
                            };
                            view! { <option value=a.id.to_string()>{text}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="share-account-erreur" role="alert">{move || field_error(actions.create, "user_id").get()}</p>
                </div>
                <Field max=crate::models::SHARE_LABEL_MAX name="form[label]" id="share-label" label=t!("share.label").into_owned()
                    hint=t!("share.label_hint").into_owned() error=field_error(actions.create, "label") />
                <Field name="form[expires_on]" id="share-expires" kind="date" label=t!("share.expires_on").into_owned()
                    error=field_error(actions.create, "expires_on") />
                <SectionBoxes sections=ShareSections { milestones: true, ..ShareSections::default() } prefix="share-new".to_owned() />
                <p class="form-error" role="alert">{general_error(actions.create)}</p>
                <button type="submit" class="button primary">{t!("share.submit")}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ShareItem(share: ShareView, actions: ShareActions) -> impl IntoView {
    let id = share.id;
    let who = match &share.account {
        Some(a) => match &a.organisation {
            Some(org) => format!("{} — {org}", a.display_name),
            None => a.display_name.clone(),
        },
        None if share.label.is_empty() => t!("share.link").into_owned(),
        None => format!("{} «\u{a0}{}\u{a0}»", t!("share.link"), share.label),
    };
    let live = share.state != ShareState::Revoked;
    let uses = match share.last_used_at {
        Some(at) => t!(
            "share.used",
            count = share.use_count,
            date = format::datetime(at)
        )
        .into_owned(),
        None => t!("share.never_used").into_owned(),
    };
    let expiry = share
        .expires_on
        .map(format::date)
        .unwrap_or_else(|| t!("share.no_expiry").into_owned());
    let by = share.created_by.clone().map(|name| {
        t!(
            "share.created_by",
            name = name,
            date = format::date(share.created_at.date_naive())
        )
        .into_owned()
    });
    let prefix = format!("share-{id}");
    let key = format!("partage-{id}");
    let anchor = key.clone();
    let edit = live.then(|| {
        let update = actions.update;
        let error = move |name: &'static str| {
            field_error(update, name)
        };
        let general = general_error(update);
        view! {
            {if on_demand::editing(&key) { view! {
            <div class="share-edit">
                <ActionForm action=update attr:class="form" attr:novalidate="true" attr:data-anchor="partages" attr:data-done=t!("done.share_changed").into_owned()>
                    <input type="hidden" name="share_id" value=id.to_string() />
                    <Field max=crate::models::SHARE_LABEL_MAX name="form[label]" id=format!("{prefix}-label") label=t!("share.label").into_owned()
                        value=share.label.clone() error=error("label") />
                    <Field name="form[expires_on]" id=format!("{prefix}-expires") kind="date" label=t!("share.expires_on").into_owned()
                        value=share.expires_on.map(|d| d.to_string()).unwrap_or_default() error=error("expires_on") />
                    <SectionBoxes sections=share.sections prefix=prefix.clone() />
                    <p class="form-error" role="alert">{general}</p>
                    <button type="submit" class="button">{t!("share.save")}</button>
                </ActionForm>
                <CloseLink anchor=key.clone() label=t!("projects.close_edit").into_owned() />
            </div>
            }.into_any() } else { view! {
                <EditLink key=key.clone() label=t!("share.change").into_owned() />
            }.into_any() }}
            <ActionForm action=actions.revoke attr:class="inline-form" attr:data-anchor="partages" attr:data-done=t!("done.share_revoked").into_owned() attr:data-confirm=t!("confirm.revoke_share").into_owned()>
                <input type="hidden" name="share_id" value=id.to_string() />
                <button type="submit" class="button danger" data-testid="revoke">{t!("share.revoke")}</button>
            </ActionForm>
        }
    });
    view! {
        <li data-testid="share" data-state=share.state.as_str() id=anchor>
            <strong>{who}</strong>" "
            <span class=format!("badge share-{}", share.state.as_str())>{share.state.label()}</span>
            <br />
            <span class="muted">
                {t!("share.col_sections")}" : "{sections_text(share.sections)}
                " · "{t!("share.col_expires")}" : "{expiry}
                " · "{t!("share.col_use")}" : "{uses}
                {by.map(|b| format!(" · {b}"))}
            </span>
            {edit}
        </li>
    }
}
