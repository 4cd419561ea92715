//! Well-formed arguments for every server function, shared by the
//! permission matrix (so the policy, not argument decoding, answers) and
//! the hostile-input corpus (which mutates them).

/// A valid account-creation form with a unique address.
pub fn new_user_form(tag: &str) -> Vec<(String, String)> {
    vec![
        ("form[display_name]".into(), "Léa Fontaine".into()),
        ("form[email]".into(), format!("lea.{tag}@cc-exemple.fr")),
        ("form[role]".into(), "officer".into()),
        ("form[password]".into(), "une longue phrase de passe".into()),
    ]
}

/// Well-formed arguments for each function (so the policy, not argument
/// decoding, is what answers).
pub fn form_for(function: &str, tag: &str) -> Vec<(String, String)> {
    let pairs: &[(&str, &str)] = match function {
        "/api/users/create" => return new_user_form(tag),
        "/api/projects/list" => &[("filter[page]", "1")],
        "/api/dashboard/view" => &[("filter[since]", "2026-01-01")],
        "/api/projects/get" | "/api/projects/page" => &[("id", "1")],
        "/api/calendar/create" | "/api/calendar/revoke" => &[("scope", "mine")],
        "/api/mail/save" => &[("form[reminders]", "on"), ("form[digest]", "weekly")],
        "/api/mail/committee" => &[("filter[since]", "2026-01-01")],
        "/api/imports/get" | "/api/imports/commit" | "/api/imports/undo" => &[("id", "1")],
        "/api/imports/mapping" => &[("id", "1"), ("fields[0]", "title"), ("key", "reference")],
        "/api/imports/distinct" => &[("id", "1"), ("line", "2"), ("distinct", "true")],
        "/api/projects/create" => &[
            ("form[title]", "Projet test"),
            ("form[communes][0]", "15187"),
        ],
        "/api/projects/update" => &[
            ("id", "1"),
            ("version", "1"),
            ("form[title]", "Projet"),
            ("form[communes][0]", "15187"),
        ],
        "/api/projects/stage" => &[("id", "1"), ("version", "1"), ("stage", "study")],
        "/api/projects/health" => &[("id", "1"), ("version", "1"), ("form[status]", "late")],
        "/api/milestones/add" => &[
            ("project_id", "1"),
            ("form[kind]", "decision"),
            ("form[title]", "Délibération"),
            ("form[due_date]", "2026-12-01"),
        ],
        "/api/milestones/done" | "/api/milestones/delete" => &[("milestone_id", "1")],
        "/api/milestones/update" => &[
            ("milestone_id", "1"),
            ("form[kind]", "decision"),
            ("form[title]", "Délibération"),
            ("form[due_date]", "2026-12-01"),
        ],
        "/api/notes/add" => &[("project_id", "1"), ("form[body]", "Note")],
        "/api/documents/delete" => &[("document_id", "1"), ("version", "1")],
        "/api/documents/update" => &[
            ("document_id", "1"),
            ("version", "1"),
            ("form[type_code]", "devis"),
        ],
        "/api/territories/communes" => &[("q", "saint")],
        "/api/reference/list" => &[("list", "programmes")],
        "/api/funding/plan" => &[("project_id", "1")],
        "/api/funding/lines/add" => &[
            ("project_id", "1"),
            ("form[funder_id]", "1"),
            ("form[amount_requested]", "1000"),
        ],
        "/api/funding/lines/update" => &[
            ("line_id", "1"),
            ("version", "1"),
            ("form[funder_id]", "1"),
            ("form[amount_requested]", "1000"),
        ],
        "/api/funding/lines/delete" => &[("line_id", "1"), ("version", "1")],
        "/api/funding/lines/status" => &[
            ("line_id", "1"),
            ("version", "1"),
            ("form[status]", "requested"),
        ],
        "/api/funding/derogation" => &[("project_id", "1"), ("version", "1"), ("form[kind]", "")],
        "/api/documents/retention/save" => &[("form[days]", "30")],
        "/api/funders/documents/save" => &[("code", "detr"), ("form[types][0]", "devis")],
        "/api/funding/lines/documents" => &[
            ("line_id", "1"),
            ("version", "1"),
            ("form[types][0]", "devis"),
        ],
        "/api/funders/save" => &[
            ("form[code]", "region_ara"),
            ("form[name]", "Région Auvergne-Rhône-Alpes"),
            ("form[category]", "public"),
        ],
        "/api/directory/pick" => &[("q", "saint"), ("people", "false")],
        "/api/directory/organisation" | "/api/directory/person" => &[("id", "1")],
        "/api/directory/organisations/create" => &[
            ("form[name]", "Association test"),
            ("form[kind]", "association"),
            ("form[confirm_duplicate]", "on"),
        ],
        "/api/directory/organisations/update" => &[
            ("id", "1"),
            ("version", "1"),
            ("form[name]", "Association test"),
            ("form[kind]", "association"),
        ],
        "/api/directory/people/create" => {
            &[("form[first_name]", "Léa"), ("form[last_name]", "Roux")]
        }
        "/api/directory/people/update" => &[
            ("id", "1"),
            ("version", "1"),
            ("form[first_name]", "Léa"),
            ("form[last_name]", "Roux"),
        ],
        "/api/directory/people/erase" => &[("person_id", "999")],
        "/api/directory/memberships/add" => &[("person_id", "1"), ("form[organisation_id]", "1")],
        "/api/directory/memberships/update" => {
            &[("membership_id", "1"), ("form[organisation_id]", "1")]
        }
        "/api/directory/memberships/delete" => &[("membership_id", "1")],
        "/api/directory/mandates/add" => &[
            ("person_id", "1"),
            ("form[office]", "maire"),
            ("form[organisation_id]", "1"),
            ("form[start_on]", "2026-03-28"),
        ],
        "/api/directory/mandates/update" => &[
            ("mandate_id", "1"),
            ("form[office]", "maire"),
            ("form[organisation_id]", "1"),
            ("form[start_on]", "2026-03-28"),
        ],
        "/api/directory/mandates/delete" => &[("mandate_id", "1")],
        "/api/partners/list" => &[("project_id", "1")],
        "/api/partners/add" => &[
            ("project_id", "1"),
            ("form[role]", "other"),
            ("form[organisation_id]", "1"),
        ],
        "/api/partners/remove" => &[("link_id", "1")],
        "/api/shares/list" => &[("project_id", "1")],
        "/api/shares/create" => &[("project_id", "999"), ("form[target]", "link")],
        "/api/shares/update" => &[("share_id", "999"), ("form[label]", "Comité")],
        "/api/shares/revoke" => &[("share_id", "999")],
        "/api/reference/save" => &[
            ("list", "themes"),
            ("form[code]", "cte"),
            ("form[label]", "Contrat de transition écologique"),
        ],
        _ => &[],
    };
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
