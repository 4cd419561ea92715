//! The calendar feeds beyond one's own (issue 20), on both databases, read
//! back by Python's `icalendar`: a shared project's feed for its partners,
//! under its share link's token and rules (only what the share shows,
//! links to the shared page, 410 once revoked, no use counted), and a
//! head's feed of a dashboard filter (only the projects the filter keeps,
//! one address per filter, revocable, refused without a criterion and to
//! an officer).
use app::domain::Role;
use app::models::{CalendarFeeds, CreatedFeed};
use app::server::entities::share;
use sea_orm::{EntityTrait, Set};

use crate::both_backends;
use crate::calendar::{change_user, day, events, fetch, parsed};
use crate::support::api::{
    Form, add_line, create, created, funder, html, ok, ok_id, ok_json, plan, post, refused,
    refused_on, share, signed_in,
};
use crate::support::{TestApp, client, signed_in_as};

fn uids(ics: &str) -> Vec<String> {
    let mut out: Vec<String> = events(&parsed(ics))
        .iter()
        .map(|e| {
            let uid = e["uid"].as_str().unwrap_or_default();
            uid.split('@').next().unwrap_or_default().to_owned()
        })
        .collect();
    out.sort();
    out
}

async fn milestone(
    http: &reqwest::Client,
    app: &TestApp,
    project: i64,
    title: &str,
    due: String,
    shareable: bool,
) -> i64 {
    let mut form: Form = vec![
        ("project_id", project.to_string()),
        ("form[kind]", "other".to_owned()),
        ("form[title]", title.to_owned()),
        ("form[due_date]", due),
    ];
    if shareable {
        form.push(("form[shareable]", "on".to_owned()));
    }
    ok_id(post(http, app, "milestones/add", &form).await).await
}

async fn use_count(app: &TestApp, share_id: i64) -> i64 {
    share::Entity::find_by_id(share_id)
        .one(&app.db)
        .await
        .expect("share")
        .expect("exists")
        .use_count
}

async fn a_shared_project_has_its_own_feed(backend: crate::support::Backend) {
    let (test_db, app, julien, _) = signed_in(backend).await;
    let id = create(&julien, &app, "Halle gourmande", &["15187"], &[]).await;
    let public = milestone(&julien, &app, id, "Réunion publique", day(20), true).await;
    let internal = milestone(&julien, &app, id, "Arbitrage interne", day(21), false).await;
    let over = milestone(&julien, &app, id, "Visite faite", day(2), true).await;
    ok(post(
        &julien,
        &app,
        "milestones/done",
        &vec![("milestone_id", over.to_string())],
    )
    .await)
    .await;
    let region = funder(&plan(&julien, &app, id).await, "region");
    let line = add_line(
        &julien,
        &app,
        id,
        &region,
        "30 000",
        &[("form[application_deadline]", day(40).as_str())],
    )
    .await;

    let link = |fields: Vec<(&'static str, &'static str)>| {
        let (julien, app) = (&julien, &app);
        async move {
            let mut all = vec![("form[target]", "link"), ("form[label]", "Comité")];
            all.extend(fields);
            created(share(julien, app, id, &all).await).await
        }
    };
    let milestones_only = link(vec![("form[milestones]", "on")]).await;
    let both = link(vec![("form[milestones]", "on"), ("form[funding]", "on")]).await;
    let notes_only = link(vec![("form[notes]", "on")]).await;
    let feed_of = |s: &app::models::CreatedShare| {
        format!(
            "/partage/{}/agenda.ics",
            s.token.as_deref().expect("a link's token")
        )
    };

    let (status, tag, ics) = fetch(&app, &feed_of(&milestones_only)).await;
    assert_eq!(status, 200, "{ics}");
    assert!(!tag.is_empty());
    let uid = |prefix: &str, row: i64| format!("{prefix}-{row}");
    assert_eq!(
        uids(&ics),
        vec![uid("jalon", public)],
        "only the open milestone marked shareable"
    );
    assert!(!ics.contains("Arbitrage interne") && !ics.contains(&format!("jalon-{internal}@")));
    let token = milestones_only.token.clone().expect("token");
    let feed = parsed(&ics);
    for e in events(&feed) {
        assert_eq!(
            e["url"].as_str().expect("url"),
            app.url(&format!("/partage/{token}")),
            "links go to the shared page, never to the staff's"
        );
    }
    assert!(!ics.contains("/projets/"), "{ics}");
    assert!(
        ics.contains("Halle gourmande"),
        "the feed is named after the project"
    );

    let (_, _, ics) = fetch(&app, &feed_of(&both)).await;
    assert_eq!(
        uids(&ics),
        vec![uid("depot", line), uid("jalon", public)],
        "with the funding, its application date"
    );
    let (status, _, ics) = fetch(&app, &feed_of(&notes_only)).await;
    assert_eq!(status, 200);
    assert!(uids(&ics).is_empty(), "notes have no dates: {ics}");

    // The shared page gives the feed's address when it has dates to give.
    let page = html(&client(), &app, &format!("/partage/{token}")).await;
    assert!(
        page.contains(&app.url(&feed_of(&milestones_only))),
        "{page}"
    );
    let notes_token = notes_only.token.clone().expect("token");
    let page = html(&client(), &app, &format!("/partage/{notes_token}")).await;
    assert!(!page.contains("agenda.ics"));

    // A calendar polling the feed does not count as a use of the link.
    let before = use_count(&app, milestones_only.share_id).await;
    for _ in 0..3 {
        assert_eq!(fetch(&app, &feed_of(&milestones_only)).await.0, 200);
    }
    assert_eq!(use_count(&app, milestones_only.share_id).await, before);

    // Same rules as the link: revoked → 410, unknown or malformed → 404.
    ok(post(
        &julien,
        &app,
        "shares/revoke",
        &vec![("share_id", milestones_only.share_id.to_string())],
    )
    .await)
    .await;
    let (status, _, body) = fetch(&app, &feed_of(&milestones_only)).await;
    assert_eq!(status, 410);
    assert!(!body.contains("Réunion publique"), "{body}");
    assert!(body.contains("révoqué"), "{body}");
    for path in [
        format!("/partage/{}/agenda.ics", "ab".repeat(32)),
        "/partage/%3Cscript%3E/agenda.ics".to_owned(),
        format!("/partage/{}/agenda.ics", "a".repeat(5000)),
        "/partage//agenda.ics".to_owned(),
    ] {
        let (status, _, body) = fetch(&app, &path).await;
        // No token at all is no feed: the login door (303), like any
        // other private path.
        assert!(
            status == 404 || status == 400 || (status == 303 && path.contains("//")),
            "{path}: {status}"
        );
        assert!(!body.contains("<script>"), "{path}");
    }
    crate::support::finish(app, test_db).await;
}
both_backends!(a_shared_project_has_its_own_feed);

async fn create_filter_feed(
    http: &reqwest::Client,
    app: &TestApp,
    fields: &[(&'static str, String)],
) -> reqwest::Response {
    let mut form: Form = vec![("scope", "filter".to_owned())];
    form.extend(fields.iter().cloned());
    post(http, app, "calendar/create", &form).await
}

fn path_of(created: &CreatedFeed) -> String {
    created
        .url
        .split_once("/calendrier/")
        .map(|(_, rest)| format!("/calendrier/{rest}"))
        .expect("a feed address")
}

async fn a_head_subscribes_to_a_dashboard_filter(backend: crate::support::Backend) {
    let (test_db, app, julien, julien_id) = signed_in(backend).await;
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let claire_id = crate::support::user_id(&app.db, "claire.petit@cc-exemple.fr").await;
    change_user(&app, claire_id, |u| {
        u.display_name = Set("Claire Petit".to_owned())
    })
    .await;
    let head = signed_in_as(&app, "direction@cc-exemple.fr", Role::Head).await;
    let head_id = crate::support::user_id(&app.db, "direction@cc-exemple.fr").await;
    let his = create(&julien, &app, "Projet de Julien", &["15187"], &[]).await;
    let hers = create(&claire, &app, "Projet de Claire", &["15142"], &[]).await;
    let his_step = milestone(&julien, &app, his, "Étape de Julien", day(9), false).await;
    let her_step = milestone(&claire, &app, hers, "Étape de Claire", day(8), false).await;

    // Refused: without a criterion (that is the portfolio), and to an officer.
    refused_on(create_filter_feed(&head, &app, &[]).await, 422, "filter").await;
    refused_on(
        create_filter_feed(&head, &app, &[("filter[since]", day(-30))]).await,
        422,
        "filter",
    )
    .await;
    let partner = crate::support::create_user(&app.db, "elu@mairie.fr", Role::Partner).await;
    for (field, value) in [
        ("stage", "<script>".to_owned()),
        ("programme", "inexistant".to_owned()),
        ("epci", "999999999".to_owned()),
        ("assignee", partner.to_string()),
        ("officer", "999999".to_owned()),
    ] {
        let name = match field {
            "stage" => "filter[stage]",
            "programme" => "filter[programme]",
            "epci" => "filter[epci]",
            "assignee" => "filter[assignee]",
            _ => "filter[officer]",
        };
        refused_on(
            create_filter_feed(&head, &app, &[(name, value)]).await,
            422,
            field,
        )
        .await;
    }
    refused(
        create_filter_feed(&julien, &app, &[("filter[officer]", julien_id.to_string())]).await,
        403,
    )
    .await;

    let by_officer: CreatedFeed = ok_json(
        create_filter_feed(&head, &app, &[("filter[officer]", julien_id.to_string())]).await,
    )
    .await;
    let by_assignee: CreatedFeed = ok_json(
        create_filter_feed(&head, &app, &[("filter[assignee]", claire_id.to_string())]).await,
    )
    .await;
    let uid = |row: i64| format!("jalon-{row}");
    let (status, _, ics) = fetch(&app, &path_of(&by_officer)).await;
    assert_eq!(status, 200, "{ics}");
    assert_eq!(uids(&ics), vec![uid(his_step)], "Julien's projects only");
    let (_, _, ics) = fetch(&app, &path_of(&by_assignee)).await;
    assert_eq!(uids(&ics), vec![uid(her_step)], "what Claire answers for");
    let named = parsed(&ics);
    assert!(
        named["name"]
            .as_str()
            .is_some_and(|n| n.contains("confié à Claire Petit")),
        "the feed says its criteria: {named}"
    );

    // Both listed on the account page, in words, each revocable.
    let feeds: CalendarFeeds = ok_json(post(&head, &app, "calendar/feeds", &vec![]).await).await;
    assert!(feeds.filters);
    let labels: Vec<String> = feeds
        .feeds
        .iter()
        .filter_map(|f| f.filter.as_ref().map(|f| f.label.clone()))
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(
        labels.iter().any(|l| l.contains("suivi par Test officer")),
        "{labels:?}"
    );
    let page = html(&head, &app, "/mon-compte").await;
    assert!(
        page.contains("confié à Claire Petit"),
        "the account page lists it"
    );

    // Renewing the same filter replaces its address; the other stays.
    let renewed: CreatedFeed = ok_json(
        create_filter_feed(
            &head,
            &app,
            &[
                ("filter[officer]", julien_id.to_string()),
                // The « depuis » date changes no deadline: the same feed.
                ("filter[since]", day(-10)),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(fetch(&app, &path_of(&by_officer)).await.0, 404);
    assert_eq!(fetch(&app, &path_of(&renewed)).await.0, 200);
    assert_eq!(fetch(&app, &path_of(&by_assignee)).await.0, 200);
    ok(post(
        &head,
        &app,
        "calendar/revoke",
        &vec![
            ("scope", "filter".to_owned()),
            ("filter[assignee]", claire_id.to_string()),
        ],
    )
    .await)
    .await;
    assert_eq!(fetch(&app, &path_of(&by_assignee)).await.0, 404);
    assert_eq!(fetch(&app, &path_of(&renewed)).await.0, 200);

    // Back to officer: the filter's feed is closed to them.
    change_user(&app, head_id, |u| u.role = Set(Role::Officer)).await;
    let (status, _, body) = fetch(&app, &path_of(&renewed)).await;
    assert_eq!(status, 404);
    assert!(!body.contains("Étape"), "{body}");
    crate::support::finish(app, test_db).await;
}
both_backends!(a_head_subscribes_to_a_dashboard_filter);
