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
    let claire_id = crate::support::user_id(&app.db, "claire.petit@cc-exemple.fr").await;
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

/// A funding line's application has a responsible: its deadlines are
/// theirs (home, « mine » feed, reminders), the lead officer's again when
/// no one, or someone gone, is named; checked on the server; on the
/// timeline.
async fn a_funding_line_goes_to_its_responsible(backend: crate::support::Backend) {
    use crate::support::api::{add_line, funder, plan};
    use app::models::FundingPlan;

    let (test_db, app, julien, julien_id) = signed_in(backend).await;
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let claire_id = crate::support::user_id(&app.db, "claire.petit@cc-exemple.fr").await;
    let partner = crate::support::create_user(&app.db, "elu@mairie.fr", Role::Partner).await;
    let id = create(&julien, &app, "Voie verte", &["15187"], &[]).await;
    let region = funder(&plan(&julien, &app, id).await, "region");
    let deadline = day(20);
    // Anyone but active staff is refused, naming the field; nothing written.
    for bad in [
        partner.to_string(),
        "999999".to_owned(),
        "<b>x</b>".to_owned(),
    ] {
        let res = post(
            &julien,
            &app,
            "funding/lines/add",
            &vec![
                ("project_id", id.to_string()),
                ("form[funder_id]", region.clone()),
                ("form[amount_requested]", "30 000".to_owned()),
                ("form[application_deadline]", deadline.clone()),
                ("form[responsible]", bad.clone()),
            ],
        )
        .await;
        refused_on(res, 422, "responsible").await;
    }
    assert!(plan(&julien, &app, id).await.lines.is_empty());
    let line = add_line(
        &julien,
        &app,
        id,
        &region,
        "30 000",
        &[
            ("form[application_deadline]", deadline.as_str()),
            ("form[responsible]", &claire_id.to_string()),
        ],
    )
    .await;
    let shown: FundingPlan = plan(&julien, &app, id).await;
    assert_eq!(shown.lines[0].responsible_id, Some(claire_id));
    assert!(
        shown
            .assignable
            .iter()
            .any(|c| c.code == claire_id.to_string())
    );
    let lines_of =
        |home: &OfficerHome| -> Vec<i64> { home.deadlines.iter().map(|d| d.line_id).collect() };
    assert_eq!(
        lines_of(&home(&claire, &app).await),
        vec![line],
        "Claire's home"
    );
    assert!(
        lines_of(&home(&julien, &app).await).is_empty(),
        "not Julien's"
    );
    let uid = format!("depot-{line}@");
    let feed_of = |http: reqwest::Client| {
        let app = &app;
        async move {
            let path = new_feed(&http, app, "mine").await;
            fetch(app, &path).await.2
        }
    };
    assert!(
        feed_of(claire.clone()).await.contains(&uid),
        "Claire's feed"
    );
    assert!(
        !feed_of(julien.clone()).await.contains(&uid),
        "not Julien's feed"
    );
    // Her J-30 reminder (the deadline is 20 days away) goes to her.
    let run = app::server::mail::Scheduler {
        db: app.db.clone(),
        mailer: std::sync::Arc::new(app::server::mail::Mailer::outbox()),
        base_url: app.url(""),
        uid_domain: "maillage.test".into(),
        zone: app::server::clock::DEFAULT_ZONE,
    };
    run.tick(chrono::Utc::now()).await.expect("tick");
    let mails = app::server::entities::mail::mail_job::Entity::find()
        .all(&app.db)
        .await
        .expect("jobs");
    let to_claire: Vec<_> = mails.iter().filter(|m| m.user_id == claire_id).collect();
    assert!(
        to_claire
            .iter()
            .any(|m| m.subject.contains("Dépôt du dossier")),
        "{mails:?}"
    );
    assert!(
        !mails
            .iter()
            .any(|m| m.user_id == julien_id && m.subject.contains("Dépôt du dossier"))
    );

    // Given back to the officer: on the timeline, and his again.
    let res = post(
        &julien,
        &app,
        "funding/lines/update",
        &vec![
            ("line_id", line.to_string()),
            ("version", "1".to_owned()),
            ("form[funder_id]", region.clone()),
            ("form[amount_requested]", "30 000".to_owned()),
            ("form[application_deadline]", deadline.clone()),
            ("form[responsible]", "lead".to_owned()),
        ],
    )
    .await;
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert_eq!(lines_of(&home(&julien, &app).await), vec![line]);
    assert!(lines_of(&home(&claire, &app).await).is_empty());
    let page: ProjectDetail = get(&julien, &app, id, None).await;
    let event = page
        .events
        .iter()
        .find(|e| e.kind == app::domain::EventKind::FundingLineUpdated)
        .expect("the change on the timeline");
    assert_eq!(
        event.data["changes"][0]["field"], "responsible",
        "{}",
        event.data
    );
    assert_eq!(
        event.data["changes"][0]["before"], "Test officer",
        "{}",
        event.data
    );
    // Named again, then gone from the team: the officer answers.
    let res = post(
        &julien,
        &app,
        "funding/lines/update",
        &vec![
            ("line_id", line.to_string()),
            ("version", "2".to_owned()),
            ("form[funder_id]", region.clone()),
            ("form[amount_requested]", "30 000".to_owned()),
            ("form[application_deadline]", deadline.clone()),
            ("form[responsible]", claire_id.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    change_user(&app, claire_id, |u| {
        u.active = Set(false);
        u.display_name = Set("Claire Petit".to_owned());
    })
    .await;
    assert_eq!(lines_of(&home(&julien, &app).await), vec![line]);
    // The line names the officer as answering, and the edit form still
    // offers Claire by her own name (marked as gone).
    let shown = &plan(&julien, &app, id).await.lines[0];
    assert_eq!(shown.responsible.as_deref(), Some("Test officer"));
    assert_eq!(shown.responsible_name.as_deref(), Some("Claire Petit"));
    crate::support::finish(app, test_db).await;
}
both_backends!(a_funding_line_goes_to_its_responsible);
