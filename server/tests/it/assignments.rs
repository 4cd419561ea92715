//! Who does what (issue 20), on both databases: a milestone assigned to a
//! member of the staff shows under their name on the project page, in their
//! home and their calendar feed, and leaves the lead officer's; unassigned,
//! it is the lead officer's. The assignee is checked on the server; a change
//! of assignee is on the timeline.
use app::domain::Role;
use app::models::{OfficerHome, ProjectDetail};
use app::server::entities::user;
use sea_orm::{EntityTrait, PaginatorTrait, Set};

use crate::both_backends;
use crate::calendar::{change_user, day, events, fetch, new_feed, parsed};
use crate::support::api::{Form, create, get, ok_id, ok_json, post, refused_on, signed_in};
use crate::support::{TestApp, signed_in_as};

/// `milestones/update` of milestone `id`, with the same fields.
fn update_form(id: i64, title: &str, due: &str, assignee: &str) -> Form<'static> {
    let mut form = milestone_form(0, title, due, assignee);
    form[0] = ("milestone_id", id.to_string());
    form
}

fn milestone_form(project: i64, title: &str, due: &str, assignee: &str) -> Form<'static> {
    vec![
        ("project_id", project.to_string()),
        ("form[kind]", "other".to_owned()),
        ("form[title]", title.to_owned()),
        ("form[due_date]", due.to_owned()),
        ("form[assignee]", assignee.to_owned()),
    ]
}

async fn home(http: &reqwest::Client, app: &TestApp) -> OfficerHome {
    ok_json(post(http, app, "projects/home", &vec![]).await).await
}

fn titles(list: &[app::models::MilestoneDue]) -> Vec<&str> {
    list.iter().map(|m| m.title.as_str()).collect()
}

fn summaries(feed: &str) -> Vec<String> {
    events(&parsed(feed))
        .iter()
        .map(|e| e["summary"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn milestones_go_to_their_assignee(backend: crate::support::Backend) {
    let (test_db, app, julien, _) = signed_in(backend).await;
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let claire_id = user::Entity::find()
        .all(&app.db)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == "claire.petit@cc-exemple.fr")
        .expect("claire")
        .id;
    change_user(&app, claire_id, |u| {
        u.display_name = Set("Claire Petit".to_owned())
    })
    .await;
    let partner = crate::support::create_user(&app.db, "elu@mairie.fr", Role::Partner).await;
    let gone = crate::support::create_user(&app.db, "parti@cc-exemple.fr", Role::Officer).await;
    change_user(&app, gone, |u| u.active = Set(false)).await;

    // Julien leads the project; one milestone goes to Claire, one stays his.
    let id = create(&julien, &app, "Voie verte", &["15187"], &[]).await;
    let detr = ok_id(
        post(
            &julien,
            &app,
            "milestones/add",
            &milestone_form(id, "Dossier DETR", &day(10), &claire_id.to_string()),
        )
        .await,
    )
    .await;
    ok_id(
        post(
            &julien,
            &app,
            "milestones/add",
            &milestone_form(id, "COPIL", &day(5), ""),
        )
        .await,
    )
    .await;

    // Anyone but an active member of the staff is refused, naming the field,
    // and nothing is written.
    for bad in [
        partner.to_string(),
        gone.to_string(),
        "999999".to_owned(),
        "-1".to_owned(),
        "deux".to_owned(),
        "1 OR 1=1".to_owned(),
        "<script>alert(1)</script>".to_owned(),
        "9".repeat(5_000),
    ] {
        let res = post(
            &julien,
            &app,
            "milestones/add",
            &milestone_form(id, "Refusé", &day(3), &bad),
        )
        .await;
        let err = refused_on(res, 422, "assignee").await;
        assert!(err.message().contains("Responsable") || err.field("assignee").is_some());
    }
    let count = app::server::entities::projects::milestone::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(count, 2, "a refused assignee writes nothing");

    // The project page names who answers for each.
    let page: ProjectDetail = get(&julien, &app, id, None).await;
    let by_title = |t: &str| {
        page.milestones
            .iter()
            .find(|m| m.title == t)
            .expect(t)
            .clone()
    };
    assert_eq!(by_title("Dossier DETR").assignee_id, Some(claire_id));
    assert_eq!(
        by_title("Dossier DETR").assignee.as_deref(),
        Some("Claire Petit")
    );
    assert_eq!(by_title("COPIL").assignee_id, None);
    assert_eq!(by_title("COPIL").assignee, page.lead_officer);
    assert!(page.lead_officer.is_some());
    let added = page
        .events
        .iter()
        .find(|e| e.data["title"] == "Dossier DETR")
        .expect("the add event");
    assert_eq!(added.data["assignee"], "Claire Petit");

    // Each home lists what its owner answers for.
    let julien_home = home(&julien, &app).await;
    assert_eq!(titles(&julien_home.due_soon), ["COPIL"]);
    let claire_home = home(&claire, &app).await;
    assert_eq!(titles(&claire_home.due_soon), ["Dossier DETR"]);
    assert_eq!(claire_home.due_soon[0].project_title, "Voie verte");
    assert!(claire_home.projects.is_empty(), "she leads no project");

    // And so does each one's calendar feed.
    let julien_feed = new_feed(&julien, &app, "mine").await;
    let claire_feed = new_feed(&claire, &app, "mine").await;
    let (status, _, body) = fetch(&app, &claire_feed).await;
    assert_eq!(status, 200);
    let claire_events = summaries(&body);
    assert_eq!(claire_events.len(), 1, "{claire_events:?}");
    assert!(
        claire_events[0].contains("Dossier DETR"),
        "{claire_events:?}"
    );
    let (_, _, body) = fetch(&app, &julien_feed).await;
    let julien_events = summaries(&body);
    assert!(
        julien_events.iter().any(|s| s.contains("COPIL")),
        "{julien_events:?}"
    );
    assert!(
        !julien_events.iter().any(|s| s.contains("Dossier DETR")),
        "{julien_events:?}"
    );

    // Given back to the lead officer (no one chosen): on the timeline, and
    // back in his home and feed, gone from hers.
    let back = update_form(detr, "Dossier DETR", &day(10), "lead");
    ok_json::<i64>(post(&julien, &app, "milestones/update", &back).await).await;
    let page: ProjectDetail = get(&julien, &app, id, None).await;
    let updated = page
        .events
        .iter()
        .find(|e| e.kind == app::domain::EventKind::MilestoneUpdated)
        .expect("the update event");
    assert_eq!(
        updated.data["changes"],
        serde_json::json!([{ "field": "assignee", "before": "Claire Petit", "after": null }])
    );
    assert_eq!(
        titles(&home(&julien, &app).await.due_soon),
        ["COPIL", "Dossier DETR"]
    );
    assert!(home(&claire, &app).await.due_soon.is_empty());
    let (_, _, body) = fetch(&app, &claire_feed).await;
    assert!(summaries(&body).is_empty());
    let (_, _, body) = fetch(&app, &julien_feed).await;
    assert!(summaries(&body).iter().any(|s| s.contains("Dossier DETR")));

    // An assignee whose account is later deactivated keeps the milestone
    // through an edit that does not touch the field.
    let again = update_form(detr, "Dossier DETR", &day(10), &claire_id.to_string());
    ok_json::<i64>(post(&julien, &app, "milestones/update", &again).await).await;
    // A client that does not send the field (an older page, a script)
    // leaves the assignee as it is.
    let mut without = update_form(detr, "Dossier DETR", &day(10), "lead");
    without.retain(|(k, _)| *k != "form[assignee]");
    without.push(("form[note]", "Pièces jointes".to_owned()));
    ok_json::<i64>(post(&julien, &app, "milestones/update", &without).await).await;
    let page: ProjectDetail = get(&julien, &app, id, None).await;
    let m = page
        .milestones
        .iter()
        .find(|m| m.id == detr)
        .expect("there");
    assert_eq!(
        (m.assignee_id, m.note.as_str()),
        (Some(claire_id), "Pièces jointes")
    );
    assert_eq!(m.assignee.as_deref(), Some("Claire Petit"));
    change_user(&app, claire_id, |u| u.active = Set(false)).await;
    let keep = update_form(
        detr,
        "Dossier DETR (relu)",
        &day(11),
        &claire_id.to_string(),
    );
    ok_json::<i64>(post(&julien, &app, "milestones/update", &keep).await).await;
    let page: ProjectDetail = get(&julien, &app, id, None).await;
    let kept = page.milestones.iter().find(|m| m.id == detr).expect("kept");
    assert_eq!(kept.assignee_id, Some(claire_id));
    assert_eq!(kept.title, "Dossier DETR (relu)");
    // Meanwhile the lead officer answers for it, rather than no one: on the
    // page, in his home and in his feed.
    assert_eq!(kept.assignee, page.lead_officer);
    assert_eq!(
        titles(&home(&julien, &app).await.due_soon),
        ["COPIL", "Dossier DETR (relu)"]
    );
    let (_, _, body) = fetch(&app, &julien_feed).await;
    assert!(
        summaries(&body)
            .iter()
            .any(|s| s.contains("Dossier DETR (relu)"))
    );

    app.stop().await;
    test_db.drop().await;
}
both_backends!(milestones_go_to_their_assignee);

/// Two people reassign the same milestone at once, many times: every
/// change lands whole, and the timeline tells a story without a gap — each
/// change's « before » is the previous one's « after », and the last
/// « after » is the milestone's assignee.
async fn concurrent_reassignments_keep_the_timeline_true(backend: crate::support::Backend) {
    use app::domain::EventKind;
    use app::server::entities::projects::{event, milestone};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

    let (test_db, app, julien, _) = signed_in(backend).await;
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let ids: Vec<(i64, String)> = user::Entity::find()
        .all(&app.db)
        .await
        .expect("users")
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let id = create(&julien, &app, "Voie verte", &["15187"], &[]).await;
    let m = ok_id(
        post(
            &julien,
            &app,
            "milestones/add",
            &milestone_form(id, "Dossier", &day(10), "lead"),
        )
        .await,
    )
    .await;
    const ROUNDS: usize = 12;
    for round in 0..ROUNDS {
        // Each writer gives it to itself, the other gives it to the other.
        let (a, b) = (&ids[round % ids.len()], &ids[(round + 1) % ids.len()]);
        let form_a = update_form(m, "Dossier", &day(10), &a.0.to_string());
        let form_b = update_form(m, "Dossier", &day(10), &b.0.to_string());
        let (ra, rb) = tokio::join!(
            post(&julien, &app, "milestones/update", &form_a),
            post(&claire, &app, "milestones/update", &form_b),
        );
        for res in [ra, rb] {
            let status = res.status().as_u16();
            // Never a 500: both land, or one is told to try again.
            assert!(matches!(status, 200 | 409 | 503), "{status}");
        }
    }
    let name = |uid: Option<i64>| -> serde_json::Value {
        match uid {
            Some(uid) => serde_json::json!(ids.iter().find(|(i, _)| *i == uid).expect("user").1),
            None => serde_json::Value::Null,
        }
    };
    let events = event::Entity::find()
        .filter(event::Column::ProjectId.eq(id))
        .filter(event::Column::Kind.eq(EventKind::MilestoneUpdated))
        .order_by_asc(event::Column::Id)
        .all(&app.db)
        .await
        .expect("events");
    let mut current = serde_json::Value::Null;
    for e in &events {
        let data: serde_json::Value = serde_json::from_str(&e.data).expect("json");
        let changes = data["changes"].as_array().cloned().unwrap_or_default();
        for c in changes.iter().filter(|c| c["field"] == "assignee") {
            assert_eq!(
                c["before"], current,
                "a change starts where the last one ended: {data}"
            );
            current = c["after"].clone();
        }
    }
    let row = milestone::Entity::find_by_id(m)
        .one(&app.db)
        .await
        .expect("query")
        .expect("milestone");
    assert_eq!(
        current,
        name(row.assignee_id),
        "the last change is the state"
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(concurrent_reassignments_keep_the_timeline_true);
