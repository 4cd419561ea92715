//! What an application asks for: the admin keeps each funder's default
//! list of documents; a funding line may keep its own (or none); the line,
//! the « pièces manquantes » list and the dashboard agree.
use app::domain::{EventKind, Role};
use app::models::{AskedDocuments, Dashboard, FundingPlan, ProjectPage, ProjectSections};

use crate::both_backends;
use crate::documents::{multipart, pdf, send};
use crate::support::api::{
    add_line, create, funder, ok, ok_json, plan, post, post_owned, refused, refused_on, signed_in,
};
use crate::support::{Backend, TestApp, signed_in_as};

/// `(type, present)` for line `line` of plan `p`, and whether it keeps
/// its own list.
fn asked(p: &FundingPlan, line: i64) -> (Vec<(String, bool)>, bool) {
    let l = p.lines.iter().find(|l| l.id == line).expect("line");
    (
        l.required_documents
            .iter()
            .map(|r| (r.type_code.clone(), r.present))
            .collect(),
        l.own_documents,
    )
}

fn types_form(types: &[&str]) -> Vec<(String, String)> {
    types
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("form[types][{i}]"), (*t).to_owned()))
        .collect()
}

async fn save_line(
    http: &reqwest::Client,
    app: &TestApp,
    line: i64,
    version: i32,
    types: &[&str],
) -> reqwest::Response {
    let mut form = vec![
        ("line_id".to_owned(), line.to_string()),
        ("version".to_owned(), version.to_string()),
    ];
    form.extend(types_form(types));
    post_owned(http, app, "funding/lines/documents", &form).await
}

/// The projects the « pièces manquantes » list keeps, checked equal to
/// the dashboard's figure.
pub(crate) async fn incomplete(head: &reqwest::Client, app: &TestApp) -> (Vec<i64>, i64) {
    let listed: ProjectPage = ok_json(
        post(
            head,
            app,
            "projects/list",
            &vec![
                ("filter[missing_documents]", "true".to_owned()),
                ("filter[active]", "true".to_owned()),
            ],
        )
        .await,
    )
    .await;
    let board: Dashboard = ok_json(post(head, app, "dashboard/view", &vec![]).await).await;
    let mut ids: Vec<i64> = listed.items.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    assert_eq!(
        board.missing_documents,
        i64::try_from(ids.len()).expect("count"),
        "the dashboard's figure equals its list"
    );
    (ids, board.missing_documents)
}

fn owned(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(c, p)| ((*c).to_owned(), *p)).collect()
}

async fn the_admin_and_the_line_say_what_an_application_asks_for(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let head = signed_in_as(&app, "direction@cc-exemple.fr", Role::Head).await;
    let admin = signed_in_as(&app, "admin@cc-exemple.fr", Role::Admin).await;
    let halle = create(&http, &app, "Halle", &["15187"], &[]).await;
    let voie = create(&http, &app, "Voie verte", &["15142"], &[]).await;
    let p = plan(&http, &app, halle).await;
    let (detr, region) = (funder(&p, "detr"), funder(&p, "region"));
    let detr_line = add_line(&http, &app, halle, &detr, "120 000", &[]).await;
    let region_line = add_line(&http, &app, halle, &region, "30 000", &[]).await;
    let voie_line = add_line(&http, &app, voie, &region, "20 000", &[]).await;
    assert_eq!(
        asked(&plan(&http, &app, voie).await, voie_line),
        (vec![], false)
    );
    assert_eq!(
        incomplete(&head, &app).await.0,
        vec![halle],
        "DETR asks, the Région not yet"
    );

    // Only an admin keeps the catalogue's lists.
    for who in [&http, &head] {
        refused(post(who, &app, "funders/documents", &vec![]).await, 403).await;
        let form = [("code".to_owned(), "region".to_owned())];
        refused(
            post_owned(who, &app, "funders/documents/save", &form).await,
            403,
        )
        .await;
    }
    // Unknown or hostile types are refused on their field, and change nothing.
    let long = "devis".repeat(2_000);
    for bad in ["<script>alert(1)</script>", "DEVIS", long.as_str(), ""] {
        let mut form = vec![("code".to_owned(), "region".to_owned())];
        form.extend(types_form(&["devis", bad]));
        let err = refused_on(
            post_owned(&admin, &app, "funders/documents/save", &form).await,
            422,
            "types",
        )
        .await;
        assert!(!err.message().contains('<'), "no markup echoed: {err:?}");
    }
    let mut form = vec![("code".to_owned(), "inconnu".to_owned())];
    form.extend(types_form(&["devis"]));
    refused(
        post_owned(&admin, &app, "funders/documents/save", &form).await,
        404,
    )
    .await;
    let catalogue: AskedDocuments =
        ok_json(post(&admin, &app, "funders/documents", &vec![]).await).await;
    let of = |c: &AskedDocuments, code: &str| {
        c.by_funder
            .iter()
            .find(|f| f.code == code)
            .expect("funder")
            .types
            .clone()
    };
    assert!(of(&catalogue, "region").is_empty());
    assert_eq!(of(&catalogue, "detr").len(), 5);
    // Repeats are kept once, in the admin's order of types.
    let mut form = vec![("code".to_owned(), "region".to_owned())];
    form.extend(types_form(&["devis", "deliberation", "devis"]));
    ok(post_owned(&admin, &app, "funders/documents/save", &form).await).await;
    let catalogue: AskedDocuments =
        ok_json(post(&admin, &app, "funders/documents", &vec![]).await).await;
    assert_eq!(of(&catalogue, "region"), vec!["deliberation", "devis"]);
    assert_eq!(
        asked(&plan(&http, &app, voie).await, voie_line),
        (owned(&[("deliberation", false), ("devis", false)]), false)
    );
    let mut both = vec![halle, voie];
    both.sort_unstable();
    assert_eq!(incomplete(&head, &app).await.0, both);

    // The DETR line of the Halle asks only for a devis.
    ok(save_line(&http, &app, detr_line, 1, &["devis"]).await).await;
    assert_eq!(
        asked(&plan(&http, &app, halle).await, detr_line),
        (owned(&[("devis", false)]), true)
    );
    // A stale page, an unknown type: refused, nothing changed.
    let res = save_line(&http, &app, detr_line, 1, &["deliberation"]).await;
    assert_eq!(res.status(), 409);
    refused_on(
        save_line(&http, &app, detr_line, 2, &["<b>x</b>"]).await,
        422,
        "types",
    )
    .await;
    assert_eq!(
        asked(&plan(&http, &app, halle).await, detr_line),
        (owned(&[("devis", false)]), true)
    );
    // A partner never writes.
    let partner = signed_in_as(&app, "elu@mairie.fr", Role::Partner).await;
    let res = save_line(&partner, &app, detr_line, 2, &[]).await;
    assert_eq!(res.status(), 403);
    // The devis comes, on the line: the DETR application is complete.
    let attachment = format!("ligne:{detr_line}");
    let res = send(
        &http,
        &app,
        &format!("/projets/{halle}/documents"),
        multipart(
            &[("type_code", "devis"), ("attachment", &attachment)],
            &[("devis.pdf", &pdf("devis"))],
        ),
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        asked(&plan(&http, &app, halle).await, detr_line),
        (owned(&[("devis", true)]), true)
    );
    // The Région's line of the Halle asks for nothing (an own, empty list).
    ok(save_line(&http, &app, region_line, 1, &[]).await).await;
    assert_eq!(
        asked(&plan(&http, &app, halle).await, region_line),
        (vec![], true)
    );
    assert_eq!(incomplete(&head, &app).await.0, vec![voie]);

    // Back to DETR's list: the four others are missing again.
    let reset = vec![
        ("line_id".to_owned(), detr_line.to_string()),
        ("version".to_owned(), "2".to_owned()),
        ("form[reset]".to_owned(), "on".to_owned()),
    ];
    ok(post_owned(&http, &app, "funding/lines/documents", &reset).await).await;
    let (list, own) = asked(&plan(&http, &app, halle).await, detr_line);
    assert!(!own);
    assert_eq!(list.len(), 5);
    assert_eq!(list.iter().filter(|(_, present)| *present).count(), 1);
    assert_eq!(incomplete(&head, &app).await.0, both);

    // Each change is on the timeline, by name.
    let sections: ProjectSections = ok_json(
        post(
            &http,
            &app,
            "projects/page",
            &vec![("id", halle.to_string())],
        )
        .await,
    )
    .await;
    let changes = sections
        .project
        .events
        .iter()
        .filter(|e| e.kind == EventKind::FundingLineUpdated)
        .filter(|e| e.data["changes"][0]["field"] == "documents")
        .count();
    assert_eq!(changes, 3);

    // Two officers save the Voie verte's line at once: one wins, the
    // other is told the line changed; the list is the winner's.
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let (a, b) = tokio::join!(
        save_line(&http, &app, voie_line, 1, &["devis"]),
        save_line(&claire, &app, voie_line, 1, &["deliberation", "etude"]),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let winner: Vec<&str> = if a.status() == 200 {
        vec!["devis"]
    } else {
        vec!["deliberation", "etude"]
    };
    let (list, own) = asked(&plan(&http, &app, voie).await, voie_line);
    assert!(own);
    assert_eq!(
        list.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        winner
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(the_admin_and_the_line_say_what_an_application_asks_for);
