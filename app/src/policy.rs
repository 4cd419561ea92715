//! Who may do what: the one place where access is decided.
//!
//! Every server function asks [`authorize`] before touching data; anything not
//! listed here is denied. Later issues add object-level rules (own project,
//! shared project) to the same module.
use crate::domain::Role;
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
}

impl Action {
    pub const ALL: [Action; 10] = [
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
        ];
        assert_eq!(expected.len(), Role::ALL.len() * Action::ALL.len());
        for (role, action, allowed) in expected {
            assert_eq!(allows(role, action), allowed, "{role:?} {action:?}");
        }
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
