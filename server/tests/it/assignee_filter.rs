//! Who does what, filtered (issue 20), on both databases: the project
//! list and the dashboard keep the projects where a person has work
//! (`attribue`), each dashboard figure equal to the list behind its link;
//! the project page shows the milestones one person answers for
//! (`?jalons_de=`); the officer's home shows a colleague's work (`?pour=`),
//! refusing anyone but active staff on the field.
use std::collections::BTreeSet;

use app::domain::Role;
use app::models::{Dashboard, OfficerHome, ProjectFilter, ProjectPage, ProjectSections};
use sea_orm::Set;

use crate::both_backends;
use crate::calendar::{change_user, day};
use crate::support::api::{
    Form, add_line, add_milestone, create, funder, html, move_status, ok, ok_id, ok_json, plan,
    post, post_owned, refused_on, signed_in,
};
use crate::support::{TestApp, signed_in_as, user_id};

/// A filter as a server function's `filter` argument.
fn filter_fields(filter: &impl serde::Serialize) -> Vec<(String, String)> {
    let value = serde_json::to_value(filter).expect("json");
    value
        .as_object()
        .expect("an object")
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((format!("filter[{k}]"), text))
        })
        .collect()
}

async fn listed(http: &reqwest::Client, app: &TestApp, filter: &ProjectFilter) -> BTreeSet<i64> {
    let page: ProjectPage =
        ok_json(post_owned(http, app, "projects/list", &filter_fields(filter)).await).await;
    assert!(page.total <= page.per_page, "one page is enough here");
    page.items.iter().map(|p| p.id).collect()
}

async fn home_of(http: &reqwest::Client, app: &TestApp, person: Option<i64>) -> OfficerHome {
    let form: Form = person
        .map(|p| vec![("person", p.to_string())])
        .unwrap_or_default();
    ok_json(post(http, app, "projects/home", &form).await).await
}

async fn milestones_of(
    http: &reqwest::Client,
    app: &TestApp,
    project: i64,
    person: i64,
) -> Vec<String> {
    let page: ProjectSections = ok_json(
        post(
            http,
            app,
            "projects/page",
            &vec![
                ("id", project.to_string()),
                ("show_all[milestones_of]", person.to_string()),
            ],
        )
        .await,
    )
    .await;
    page.project
        .milestones
        .into_iter()
        .map(|m| m.title)
        .collect()
}

async fn work_is_filtered_by_whom_it_is_confided_to(backend: crate::support::Backend) {
    let (test_db, app, julien, julien_id) = signed_in(backend).await;
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let claire_id = user_id(&app.db, "claire.petit@cc-exemple.fr").await;
    change_user(&app, claire_id, |u| {
        u.display_name = Set("Claire Petit".to_owned())
    })
    .await;
    let partner = crate::support::create_user(&app.db, "elu@mairie.fr", Role::Partner).await;
    let head = signed_in_as(&app, "direction@cc-exemple.fr", Role::Head).await;

    // Julien leads A and B; Claire leads C, D and E.
    let a = create(&julien, &app, "A — Halle", &["15187"], &[]).await;
    let b = create(&julien, &app, "B — Voie verte", &["15187"], &[]).await;
    let c = create(&claire, &app, "C — Maison de santé", &["15142"], &[]).await;
    let d = create(&claire, &app, "D — Tiers-lieu", &["15142"], &[]).await;
    let e = create(&claire, &app, "E — Gîte", &["15142"], &[]).await;
    // A: one milestone confided to Claire, one to no one (Julien's).
    let assign = |project: i64, title: &'static str, person: String| {
        let (julien, app) = (&julien, &app);
        async move {
            ok_id(
                post(
                    julien,
                    app,
                    "milestones/add",
                    &vec![
                        ("project_id", project.to_string()),
                        ("form[kind]", "other".to_owned()),
                        ("form[title]", title.to_owned()),
                        ("form[due_date]", day(10)),
                        ("form[assignee]", person),
                    ],
                )
                .await,
            )
            .await
        }
    };
    assign(a, "Jalon de Claire sur A", claire_id.to_string()).await;
    ok_id(add_milestone(&julien, &app, a, "other", "Jalon de Julien sur A", &day(12)).await).await;
    // B: an unassigned milestone, Julien's as lead officer.
    ok_id(add_milestone(&julien, &app, b, "other", "Jalon de B", &day(5)).await).await;
    // C: a funding line naming Julien responsible, in progress.
    let region = funder(&plan(&claire, &app, c).await, "region");
    add_line(
        &claire,
        &app,
        c,
        &region,
        "30 000",
        &[("form[responsible]", &julien_id.to_string())],
    )
    .await;
    // D: a funding line naming Julien, refused: no work left.
    let region_d = funder(&plan(&claire, &app, d).await, "region");
    let refused = add_line(
        &claire,
        &app,
        d,
        &region_d,
        "20 000",
        &[("form[responsible]", &julien_id.to_string())],
    )
    .await;
    let today = day(0);
    for (version, to) in [(1, "requested"), (2, "refused")] {
        ok(move_status(
            &claire,
            &app,
            refused,
            version,
            to,
            &[("form[date]", &today)],
        )
        .await)
        .await;
    }
    // E: a milestone confided to Julien, done.
    let done = assign(e, "Jalon fait de Julien", julien_id.to_string()).await;
    ok(post(
        &julien,
        &app,
        "milestones/done",
        &vec![("milestone_id", done.to_string())],
    )
    .await)
    .await;

    let of = |person: i64| ProjectFilter {
        assignee: Some(person),
        ..ProjectFilter::default()
    };
    assert_eq!(
        listed(&head, &app, &of(julien_id)).await,
        BTreeSet::from([a, b, c]),
        "Julien: his unassigned milestones on A and B, his line on C"
    );
    assert_eq!(
        listed(&head, &app, &of(claire_id)).await,
        BTreeSet::from([a]),
        "Claire: her milestone on A only (C's line names Julien)"
    );
    assert!(listed(&head, &app, &of(partner)).await.is_empty());
    // With another criterion: both apply.
    assert_eq!(
        listed(
            &head,
            &app,
            &ProjectFilter {
                officer: Some(claire_id),
                ..of(julien_id)
            }
        )
        .await,
        BTreeSet::from([c])
    );

    // Gone from the team: what was confided to Claire on A is Julien's
    // again, as his home and feed count it.
    change_user(&app, claire_id, |u| u.active = Set(false)).await;
    assert_eq!(
        listed(&head, &app, &of(julien_id)).await,
        BTreeSet::from([a, b, c])
    );
    change_user(&app, claire_id, |u| u.active = Set(true)).await;

    // The dashboard with the same criterion: every figure equal to the list
    // behind its link, and the funnel's projects are exactly the list's.
    for person in [julien_id, claire_id] {
        let fields = vec![("filter[assignee]".to_owned(), person.to_string())];
        let board: Dashboard =
            ok_json(post_owned(&head, &app, "dashboard/view", &fields).await).await;
        let mut in_funnel = 0;
        for row in &board.funnel {
            let behind = listed(&head, &app, &row.link).await;
            assert_eq!(
                i64::try_from(behind.len()).expect("count"),
                row.projects,
                "{:?}",
                row.stage
            );
            assert_eq!(row.link.assignee, Some(person));
            in_funnel += row.projects;
        }
        assert_eq!(
            in_funnel,
            i64::try_from(listed(&head, &app, &of(person)).await.len()).expect("count")
        );
        for group in &board.attention {
            let behind = listed(&head, &app, &group.link).await;
            assert_eq!(
                i64::try_from(behind.len()).expect("count"),
                group.projects,
                "{:?}",
                group.kind
            );
        }
        // The page shows the criterion chosen, and the list's form too.
        let page = html(&head, &app, &format!("/tableau-de-bord?attribue={person}")).await;
        assert!(
            page.contains(&format!(r#"<option value="{person}" selected"#)),
            "the dashboard's « Confié à » keeps the choice"
        );
        let page = html(&head, &app, &format!("/projets?attribue={person}")).await;
        assert!(page.contains(&format!(r#"<option value="{person}" selected"#)));
    }

    // The project page: the milestones one person answers for.
    assert_eq!(
        milestones_of(&julien, &app, a, claire_id).await,
        vec!["Jalon de Claire sur A"]
    );
    assert_eq!(
        milestones_of(&julien, &app, a, julien_id).await,
        vec!["Jalon de Julien sur A"],
        "the lead officer answers for the unassigned one"
    );
    assert!(milestones_of(&julien, &app, a, partner).await.is_empty());
    // The milestones' section of the page (the « prochaines échéances »
    // box above it lists them all).
    let section = |page: String| -> String {
        let start = page.find(r#"id="jalons""#).expect("the milestones");
        let end = page[start..].find(r#"id="journal""#).expect("the journal") + start;
        page[start..end].to_owned()
    };
    let page = section(
        html(
            &julien,
            &app,
            &format!("/projets/{a}?jalons_de={claire_id}"),
        )
        .await,
    );
    assert!(page.contains("Jalon de Claire sur A"));
    assert!(!page.contains("Jalon de Julien sur A"), "filtered out");
    assert!(
        page.contains(&format!(r#"<option value="{claire_id}" selected"#)),
        "the filter shows its choice"
    );
    let page = section(html(&julien, &app, &format!("/projets/{a}")).await);
    assert!(page.contains("Jalon de Claire sur A") && page.contains("Jalon de Julien sur A"));

    // The officer's home: a colleague's work, on request.
    let mine = home_of(&julien, &app, None).await;
    assert!(mine.person.is_none());
    let titles = |h: &OfficerHome| -> BTreeSet<String> {
        h.late
            .iter()
            .chain(&h.due_soon)
            .map(|m| m.title.clone())
            .collect()
    };
    assert_eq!(
        titles(&mine),
        BTreeSet::from(["Jalon de B".to_owned(), "Jalon de Julien sur A".to_owned()])
    );
    let hers = home_of(&julien, &app, Some(claire_id)).await;
    assert_eq!(hers.person, Some((claire_id, "Claire Petit".to_owned())));
    assert_eq!(
        titles(&hers),
        BTreeSet::from(["Jalon de Claire sur A".to_owned()])
    );
    assert_eq!(
        hers.projects.iter().map(|p| p.id).collect::<BTreeSet<_>>(),
        BTreeSet::from([c, d, e]),
        "the projects she leads"
    );
    assert!(hers.team.iter().any(|t| t.code == julien_id.to_string()));
    assert_eq!(
        home_of(&julien, &app, Some(julien_id)).await.person,
        None,
        "one's own id is one's own home"
    );
    let page = html(&julien, &app, &format!("/?pour={claire_id}")).await;
    assert!(page.contains("Projets en cours de Claire Petit"), "{page}");
    for bad in [partner.to_string(), "999999".to_owned(), "-1".to_owned()] {
        refused_on(
            post(&julien, &app, "projects/home", &vec![("person", bad)]).await,
            422,
            "person",
        )
        .await;
    }
    // Hand-edited addresses: ignored or refused in French, never a 500,
    // never echoed as markup.
    for path in [
        "/projets?attribue=%3Cscript%3E".to_owned(),
        format!("/projets/{a}?jalons_de=%3Cscript%3Ealert(1)%3C/script%3E"),
        "/tableau-de-bord?attribue=99999999999999999999999".to_owned(),
        "/?pour=abc".to_owned(),
    ] {
        let page = html(&head, &app, &path).await;
        assert!(!page.contains("<script>alert(1)"), "{path}");
    }
    crate::support::finish(app, test_db).await;
}
both_backends!(work_is_filtered_by_whom_it_is_confided_to);
