//! Who may do what: the one place where access is decided.
//!
//! Every server function asks [`authorize`] before touching data, and every
//! page that shows one project to someone outside the staff asks
//! [`project_access`] which of its sections they may read; anything not
//! listed here is denied.
use crate::domain::{Role, Section, ShareSections};
use crate::error::AppError;

/// Everything a signed-in user can ask the server to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See one's own home page and account.
    ViewOwnHome,
    /// See the list of the structure's accounts (colleagues).
    ViewTeam,
    /// Create, deactivate, re-role accounts.
    ManageUsers,
    /// Read any project of the structure (list, page, timeline, references).
    ViewProjects,
    /// Create and change projects, their milestones and journal.
    EditProjects,
    /// Edit the reference lists (programmes).
    ManageReferenceLists,
    /// Read the portfolio dashboard and export it.
    ViewDashboard,
    /// Read the partner directory (organisations, people, mandates), and
    /// export what it holds about one person (RGPD right of access).
    ViewDirectory,
    /// Create and change directory records.
    EditDirectory,
    /// Erase a person (RGPD right to erasure): irreversible.
    ErasePersonalData,
    /// Share a project with partner accounts or by link, change or revoke a share.
    ShareProjects,
    /// List the projects shared with one's own partner account.
    ViewSharedWithMe,
    /// Import projects from a spreadsheet (upload, mapping, preview, confirm).
    ImportProjects,
    /// Undo a whole import.
    UndoImports,
    /// Have private calendar feeds of one's deadlines (the portfolio's:
    /// heads and admins, `FeedScope::allowed`).
    SubscribeCalendar,
    /// Choose which mails one receives (reminders, digest).
    ChooseMail,
    /// Read the mails the app sent or kept (the outbox), failures included.
    ReadOutbox,
    /// Have the dashboard's « depuis le… » digest mailed to oneself before
    /// the steering committee.
    MailCommitteeDigest,
}

impl Action {
    pub const ALL: [Action; 18] = [
        Action::ViewOwnHome,
        Action::ViewTeam,
        Action::ManageUsers,
        Action::ViewProjects,
        Action::EditProjects,
        Action::ManageReferenceLists,
        Action::ViewDashboard,
        Action::ViewDirectory,
        Action::EditDirectory,
        Action::ErasePersonalData,
        Action::ShareProjects,
        Action::ViewSharedWithMe,
        Action::ImportProjects,
        Action::UndoImports,
        Action::SubscribeCalendar,
        Action::ChooseMail,
        Action::ReadOutbox,
        Action::MailCommitteeDigest,
    ];
}

/// The decision, pure: a function of the role and the action only.
pub fn allows(role: Role, action: Action) -> bool {
    match action {
        Action::ViewOwnHome => true,
        Action::ViewTeam => role.is_staff(),
        Action::ManageUsers => role == Role::Admin,
        // Partners only ever see projects shared with them (a later, object-level rule).
        Action::ViewProjects => role.is_staff(),
        // Heads write too (a committee decision, a note); partners never write.
        Action::EditProjects => role.is_staff(),
        Action::ManageReferenceLists => role == Role::Admin,
        // The dashboard of the whole portfolio, for every staff member: it
        // only adds up what the project list already shows them.
        Action::ViewDashboard => role.is_staff(),
        // The directory is the staff's working tool: contacts are personal
        // data, partners never read it.
        Action::ViewDirectory | Action::EditDirectory => role.is_staff(),
        Action::ErasePersonalData => role == Role::Admin,
        // Whoever may change a project may decide who outside sees it.
        Action::ShareProjects => role.is_staff(),
        // Staff see every project already; the list of shares "with me" is
        // a partner account's home.
        Action::ViewSharedWithMe => role == Role::Partner,
        // An import writes projects as the forms do.
        Action::ImportProjects => role.is_staff(),
        // Undoing deletes the projects a file created: a head's decision.
        Action::UndoImports => matches!(role, Role::Head | Role::Admin),
        // Deadlines of the projects staff follow; partners have none.
        Action::SubscribeCalendar => role.is_staff(),
        // Partners get no mail from the app.
        Action::ChooseMail => role.is_staff(),
        // Mails hold other people's deadlines and unsubscribe links.
        Action::ReadOutbox => role == Role::Admin,
        // The steering committee is the heads' (and the admin's).
        Action::MailCommitteeDigest => matches!(role, Role::Head | Role::Admin),
    }
}

/// Who asks to read a project: the object-level half of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// No session, no token.
    Anonymous,
    /// No session, holding a share link's token.
    LinkHolder,
    /// Signed in.
    User(Role),
}

impl Actor {
    pub const ALL: [Actor; 6] = [
        Actor::Anonymous,
        Actor::LinkHolder,
        Actor::User(Role::Partner),
        Actor::User(Role::Officer),
        Actor::User(Role::Head),
        Actor::User(Role::Admin),
    ];
}

/// How a project stands towards the actor asking for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A project the actor leads (staff: its lead officer).
    Own,
    /// Any other project, not shared with the actor.
    Other,
    /// Shared with the actor by a live share (their partner account's share,
    /// or the link they hold) showing these sections. Revoked and expired
    /// shares never make a `Shared` standing.
    Shared(ShareSections),
}

/// What an actor may read of one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAccess {
    /// The staff's project page, internals included.
    Full,
    /// The shared page, with these sections.
    Shared(ShareSections),
    Denied,
}

/// The object-level decision. Staff read every project of the structure,
/// their own or not (the portfolio is the team's); partners and link
/// holders read a project only through a live share, and only the sections
/// it shows; nobody else reads anything. Reading never implies writing:
/// writes go through [`authorize`], which a share never satisfies.
pub fn project_access(actor: Actor, standing: Standing) -> ProjectAccess {
    match (actor, standing) {
        (Actor::User(role), _) if role.is_staff() => ProjectAccess::Full,
        (Actor::User(Role::Partner) | Actor::LinkHolder, Standing::Shared(sections)) => {
            ProjectAccess::Shared(sections)
        }
        _ => ProjectAccess::Denied,
    }
}

/// Whether `access` lets one read `section`.
pub fn may_read(access: ProjectAccess, section: Section) -> bool {
    match access {
        ProjectAccess::Full => true,
        ProjectAccess::Shared(sections) => sections.shows(section),
        ProjectAccess::Denied => false,
    }
}

/// [`allows`] as a `Result`, for server functions: `None` (not signed in)
/// is `Unauthenticated`, a denial is `Forbidden`.
pub fn authorize(role: Option<Role>, action: Action) -> Result<(), AppError> {
    match role {
        None => Err(AppError::Unauthenticated),
        Some(role) if allows(role, action) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, written out: a change to the policy must change this table.
    #[test]
    fn role_action_matrix() {
        use Action::*;
        use Role::*;
        let expected = [
            (Admin, ViewOwnHome, true),
            (Admin, ViewTeam, true),
            (Admin, ManageUsers, true),
            (Admin, ViewProjects, true),
            (Admin, EditProjects, true),
            (Head, ViewProjects, true),
            (Head, EditProjects, true),
            (Officer, ViewProjects, true),
            (Officer, EditProjects, true),
            (Partner, ViewProjects, false),
            (Partner, EditProjects, false),
            (Admin, ManageReferenceLists, true),
            (Head, ManageReferenceLists, false),
            (Officer, ManageReferenceLists, false),
            (Partner, ManageReferenceLists, false),
            (Head, ViewOwnHome, true),
            (Head, ViewTeam, true),
            (Head, ManageUsers, false),
            (Officer, ViewOwnHome, true),
            (Officer, ViewTeam, true),
            (Officer, ManageUsers, false),
            (Partner, ViewOwnHome, true),
            (Partner, ViewTeam, false),
            (Partner, ManageUsers, false),
            (Admin, ViewDashboard, true),
            (Head, ViewDashboard, true),
            (Officer, ViewDashboard, true),
            (Partner, ViewDashboard, false),
            (Admin, ViewDirectory, true),
            (Head, ViewDirectory, true),
            (Officer, ViewDirectory, true),
            (Partner, ViewDirectory, false),
            (Admin, EditDirectory, true),
            (Head, EditDirectory, true),
            (Officer, EditDirectory, true),
            (Partner, EditDirectory, false),
            (Admin, ErasePersonalData, true),
            (Head, ErasePersonalData, false),
            (Officer, ErasePersonalData, false),
            (Partner, ErasePersonalData, false),
            (Admin, ShareProjects, true),
            (Head, ShareProjects, true),
            (Officer, ShareProjects, true),
            (Partner, ShareProjects, false),
            (Admin, ImportProjects, true),
            (Head, ImportProjects, true),
            (Officer, ImportProjects, true),
            (Partner, ImportProjects, false),
            (Admin, UndoImports, true),
            (Head, UndoImports, true),
            (Officer, UndoImports, false),
            (Partner, UndoImports, false),
            (Admin, ViewSharedWithMe, false),
            (Head, ViewSharedWithMe, false),
            (Officer, ViewSharedWithMe, false),
            (Partner, ViewSharedWithMe, true),
            (Admin, SubscribeCalendar, true),
            (Head, SubscribeCalendar, true),
            (Officer, SubscribeCalendar, true),
            (Partner, SubscribeCalendar, false),
            (Admin, ChooseMail, true),
            (Head, ChooseMail, true),
            (Officer, ChooseMail, true),
            (Partner, ChooseMail, false),
            (Admin, ReadOutbox, true),
            (Head, ReadOutbox, false),
            (Officer, ReadOutbox, false),
            (Partner, ReadOutbox, false),
            (Admin, MailCommitteeDigest, true),
            (Head, MailCommitteeDigest, true),
            (Officer, MailCommitteeDigest, false),
            (Partner, MailCommitteeDigest, false),
        ];
        assert_eq!(expected.len(), Role::ALL.len() * Action::ALL.len());
        for (role, action, allowed) in expected {
            assert_eq!(allows(role, action), allowed, "{role:?} {action:?}");
        }
    }

    /// Actor × object × section, written out as the expected readers of
    /// each section: a change to [`project_access`] must change this test.
    #[test]
    fn actor_object_section_matrix() {
        let only_funding = ShareSections {
            funding: true,
            ..ShareSections::default()
        };
        let everything = ShareSections {
            milestones: true,
            notes: true,
            funding: true,
            partners: true,
        };
        let objects = [
            Standing::Own,
            Standing::Other,
            Standing::Shared(ShareSections::default()),
            Standing::Shared(only_funding),
            Standing::Shared(everything),
        ];
        for actor in Actor::ALL {
            for standing in objects {
                let access = project_access(actor, standing);
                for section in Section::ALL {
                    let expected = match actor {
                        Actor::User(role) if role.is_staff() => true,
                        Actor::Anonymous => false,
                        Actor::LinkHolder | Actor::User(_) => match standing {
                            Standing::Own | Standing::Other => false,
                            Standing::Shared(s) => match section {
                                Section::Summary => true,
                                Section::Internal => false,
                                Section::Funding => s.funding,
                                Section::Milestones => s.milestones,
                                Section::Notes => s.notes,
                                Section::Partners => s.partners,
                            },
                        },
                    };
                    assert_eq!(
                        may_read(access, section),
                        expected,
                        "{actor:?} {standing:?} {section:?}"
                    );
                }
            }
        }
        // Spot checks in words.
        assert_eq!(
            project_access(Actor::LinkHolder, Standing::Other),
            ProjectAccess::Denied
        );
        assert_eq!(
            project_access(Actor::User(Role::Partner), Standing::Own),
            ProjectAccess::Denied
        );
        assert!(!may_read(
            project_access(Actor::User(Role::Partner), Standing::Shared(only_funding)),
            Section::Notes
        ));
        assert_eq!(
            project_access(Actor::User(Role::Officer), Standing::Other),
            ProjectAccess::Full
        );
    }

    #[test]
    fn anonymous_is_unauthenticated_and_denied_is_forbidden() {
        assert_eq!(
            authorize(None, Action::ViewOwnHome),
            Err(AppError::Unauthenticated)
        );
        assert_eq!(
            authorize(Some(Role::Partner), Action::ViewTeam),
            Err(AppError::Forbidden)
        );
        assert_eq!(authorize(Some(Role::Officer), Action::ViewTeam), Ok(()));
    }
}
