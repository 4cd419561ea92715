use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::api::users::{CreateUser, list_users};
use crate::domain::Role;
use crate::models::UserSummary;
use crate::policy::{Action, allows};
use crate::ui::actions::field_error;
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::Field;
use crate::ui::islands::picker::{Picker, PickerKind};
use crate::ui::session::MeResource;

/// The structure's accounts; admins can create new ones.
#[component]
pub fn TeamPage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    let create = ServerAction::<CreateUser>::new();
    let users = Resource::new(move || create.version().get(), |_| list_users());

    view! {
        <PageTitle text=t!("team.title").into_owned() />
        <h1>{t!("team.title")}</h1>
        <p>{t!("team.intro")}</p>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! { <UserTable users=list /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let can_manage = matches!(me.await, Ok(Some(user)) if allows(user.role, Action::ManageUsers));
                can_manage.then(|| view! { <CreateUserForm action=create /> })
            })}
        </Suspense>
    }
}

#[component]
fn UserTable(users: Vec<UserSummary>) -> impl IntoView {
    view! {
        <DataTable cols=vec![
            Col::text(t!("team.col_name")), Col::text(t!("team.col_email")),
            Col::text(t!("team.col_role")), Col::text(t!("team.col_organisation")),
            Col::text(t!("team.col_status")), Col::text(t!("team.col_last_login")),
        ]>
            {users
                .into_iter()
                .map(|u| {
                    view! {
                        <tr>
                            <td>{u.display_name}</td>
                            <td>{u.email}</td>
                            <td>{u.role.label()}</td>
                            <td>{u.organisation.unwrap_or_default()}</td>
                            <td>{if u.active { t!("team.active") } else { t!("team.inactive") }}</td>
                            <td>
                                {u.last_login_at
                                    .map(crate::ui::format::datetime)
                                    .unwrap_or_else(|| t!("team.never").into_owned())}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
}

#[component]
fn CreateUserForm(action: ServerAction<CreateUser>) -> impl IntoView {
    let value = action.value();
    let error = move |name: &'static str| field_error(action, name);
    let general = move || match value.get() {
        Some(Err(err)) => Some(err.message()),
        _ => None,
    };
    view! {
        <section class="card" id="create-user" aria-labelledby="create-user-title">
            <h2 id="create-user-title">{t!("team.create_title")}</h2>
            <ActionForm action attr:class="form" attr:novalidate="true" attr:data-anchor="create-user" attr:data-done=t!("team.created_template").into_owned()>
                <Field max=crate::models::DISPLAY_NAME_MAX name="form[display_name]" id="display_name" label=t!("team.name").into_owned()
                    autocomplete="off" required=true error=error("display_name") />
                <Field max=254 name="form[email]" id="new_email" label=t!("team.email").into_owned() kind="email"
                    autocomplete="off" required=true error=error("email") />
                <div class="field" class:has-error=move || error("role").get().is_some()>
                    <label for="role">{t!("team.role")}" *"</label>
                    <select id="role" name="form[role]" required>
                        {Role::ALL
                            .into_iter()
                            .map(|r| view! { <option value=r.as_str() selected=r == Role::Officer>{r.label()}</option> })
                            .collect_view()}
                    </select>
                    <p class="field-error" role="alert">{move || error("role").get()}</p>
                </div>
                <Picker name="form[organisation_id]".to_owned() id="new-organisation".to_owned() label=t!("team.organisation").into_owned()
                    hint=t!("team.organisation_hint").into_owned() kind=PickerKind::Organisations
                    error=error("organisation_id").get_untracked() />
                <Field name="form[password]" id="new_password" label=t!("team.password").into_owned()
                    kind="password" autocomplete="new-password" hint=t!("team.password_hint").into_owned()
                    required=true error=error("password") />
                <p class="form-error" role="alert">{general}</p>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {t!("team.submit")}
                </button>
            </ActionForm>
        </section>
    }
}
