use app::domain::{Role, Stage};
use app::error::AppError;
use app::models::{
    FundingPlan, OfficerHome, ProjectDetail, ProjectPage, ProjectPartners, ProjectSections,
    ProjectShares,
};
use app::server::entities::projects::{event, project};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::both_backends;
use crate::support::api::{
    Form, add_line, add_milestone, add_note, change_stage, create, create_org, created, funder,
    get, link, new_person, ok, ok_id, ok_json, plan, post, refused, refused_on, share, signed_in,
};
use crate::support::{Backend, PASSWORD, TestApp, TestDb, client, create_user, login};

async fn a_project_lives_through_its_stages(backend: Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    let id = create(
        &http,
        &app,
        "Maison de santé pluriprofessionnelle",
        &["15187", "15004"],
        &[
            ("form[estimated_cost]", "1 250 000,50"),
            ("form[themes][0]", "sante"),
            ("form[programmes][0]", "pvd"),
        ],
    )
    .await;
    let p = get(&http, &app, id, None).await;
    assert_eq!(
        (p.stage, p.version, p.lead_officer_id),
        (Stage::Emergence, 1, Some(officer))
    );
    assert_eq!(p.estimated_cost_cents, Some(125_000_050));
    assert_eq!(
        p.communes
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Andelat", "Saint-Flour"]
    );
    assert_eq!(p.themes[0].label, "Santé");
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.events[0].kind.as_str(), "created");

    // Forward without a reason.
    assert_eq!(
        change_stage(&http, &app, id, 1, "study", None)
            .await
            .status(),
        200
    );
    assert_eq!(
        change_stage(&http, &app, id, 2, "funding", None)
            .await
            .status(),
        200
    );
    // Back without a reason is refused, with the reason field named; nothing is written.
    let res = change_stage(&http, &app, id, 3, "study", None).await;
    let err = refused(res, 422).await;
    assert!(
        err.field("reason")
            .expect("reason")
            .starts_with("Indiquez un motif")
    );
    // With a reason it goes through and is recorded.
    assert_eq!(
        change_stage(&http, &app, id, 3, "study", Some("Étude de sol à refaire"))
            .await
            .status(),
        200
    );
    let res = change_stage(&http, &app, id, 4, "completed", None).await;
    assert_eq!(res.status(), 422);

    // Milestones: add one past due, one due soon; mark the first done.
    let add = |title: &str, due: &str| -> Form {
        vec![
            ("project_id", id.to_string()),
            ("form[kind]", "steering_committee".to_owned()),
            ("form[title]", title.to_owned()),
            ("form[due_date]", due.to_owned()),
            ("form[shareable]", "on".to_owned()),
        ]
    };
    let today = app::server::clock::local_date(chrono::Utc::now());
    let past = (today - chrono::Duration::days(3)).to_string();
    let soon = (today + chrono::Duration::days(10)).to_string();
    let res = post(
        &http,
        &app,
        "milestones/add",
        &add("COPIL de lancement", &past),
    )
    .await;
    let late_id: i64 = ok_json(res).await;
    assert_eq!(
        post(&http, &app, "milestones/add", &add("COPIL n°2", &soon))
            .await
            .status(),
        200
    );
    let res = post(
        &http,
        &app,
        "milestones/add",
        &vec![
            ("project_id", id.to_string()),
            ("form[kind]", "fete".into()),
            ("form[title]", "".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);

    let home: OfficerHome = post(&http, &app, "projects/home", &vec![])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(home.projects.len(), 1);
    assert_eq!(
        home.late
            .iter()
            .map(|m| m.title.as_str())
            .collect::<Vec<_>>(),
        ["COPIL de lancement"]
    );
    assert_eq!(
        home.due_soon
            .iter()
            .map(|m| m.title.as_str())
            .collect::<Vec<_>>(),
        ["COPIL n°2"]
    );

    assert_eq!(
        post(
            &http,
            &app,
            "milestones/done",
            &vec![("milestone_id", late_id.to_string())]
        )
        .await
        .status(),
        200
    );
    let home: OfficerHome = post(&http, &app, "projects/home", &vec![])
        .await
        .json()
        .await
        .expect("json");
    assert!(home.late.is_empty());

    let res = add_note(
        &http,
        &app,
        id,
        "Rencontre avec le maire : accord de principe.",
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = add_note(&http, &app, id, "   ").await;
    assert_eq!(res.status(), 422);

    let health: Form = vec![
        ("id", id.to_string()),
        ("version", "4".into()),
        ("form[status]", "blocked".into()),
        ("form[reason]", "".into()),
    ];
    let res = post(&http, &app, "projects/health", &health).await;
    refused_on(res, 422, "reason").await;
    let mut health = health;
    health[3].1 = "Recours contre le permis".into();
    assert_eq!(
        post(&http, &app, "projects/health", &health).await.status(),
        200
    );

    let p = get(&http, &app, id, None).await;
    assert_eq!(p.stage, Stage::Study);
    assert_eq!(p.health.reason(), Some("Recours contre le permis"));
    assert_eq!(p.milestones.len(), 2);
    assert_eq!(p.notes.len(), 1);
    let kinds: Vec<&str> = p.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "health_changed",
            "note_added",
            "milestone_done",
            "milestone_added",
            "milestone_added",
            "stage_changed",
            "stage_changed",
            "stage_changed",
            "created"
        ]
    );
    let back = &p.events[5];
    assert_eq!(back.data["from"], "funding");
    assert_eq!(back.data["to"], "study");
    assert_eq!(back.data["move"], "back");
    assert_eq!(back.data["reason"], "Étude de sol à refaire");
    assert_eq!(back.actor.as_deref(), Some("Test officer"));
    // "Since D" in the future shows nothing; since today shows everything.
    assert!(
        get(&http, &app, id, Some("2099-01-01"))
            .await
            .events
            .is_empty()
    );
    assert_eq!(
        get(&http, &app, id, Some(&today.to_string()))
            .await
            .events
            .len(),
        9
    );

    let stored = project::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(stored.version, 5);
    crate::support::finish(app, test_db).await;
}
both_backends!(a_project_lives_through_its_stages);

async fn a_stale_save_is_refused_and_loses_nothing(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = create(&http, &app, "Tiers-lieu", &["15187"], &[]).await;
    let edit = |version: i32, title: &str| -> Form {
        vec![
            ("id", id.to_string()),
            ("version", version.to_string()),
            ("form[title]", title.to_owned()),
            ("form[communes][0]", "15187".into()),
        ]
    };
    // Two people opened version 1; the first saves.
    assert_eq!(
        post(
            &http,
            &app,
            "projects/update",
            &edit(1, "Tiers-lieu de la gare")
        )
        .await
        .status(),
        200
    );
    // The second's save is refused with a conflict, and the first's title stays.
    let res = post(
        &http,
        &app,
        "projects/update",
        &edit(1, "Tiers-lieu du bourg"),
    )
    .await;
    let err = refused(res, 409).await;
    assert!(err.message().contains("modifié par quelqu’un d’autre"));
    let p = get(&http, &app, id, None).await;
    assert_eq!((p.title.as_str(), p.version), ("Tiers-lieu de la gare", 2));
    let updated = p
        .events
        .iter()
        .find(|e| e.kind.as_str() == "updated")
        .expect("update event");
    assert_eq!(updated.data["changes"][0]["field"], "title");
    assert_eq!(updated.data["changes"][0]["before"], "Tiers-lieu");
    assert_eq!(updated.data["changes"][0]["after"], "Tiers-lieu de la gare");
    // A stale stage change is refused too.
    let res = change_stage(&http, &app, id, 1, "study", None).await;
    assert_eq!(res.status(), 409);
    crate::support::finish(app, test_db).await;
}
both_backends!(a_stale_save_is_refused_and_loses_nothing);

async fn failing_writes_leave_no_event(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = create(
        &http,
        &app,
        "Voie verte",
        &["15187"],
        &[("form[reference]", "VV-01")],
    )
    .await;
    let events_before = event::Entity::find().count(&app.db).await.expect("count");
    // Unknown commune, unknown theme, taken reference: refused, nothing written.
    let res = post(
        &http,
        &app,
        "projects/create",
        &vec![
            ("form[title]", "X".into()),
            ("form[communes][0]", "99999".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.json::<AppError>()
            .await
            .expect("json")
            .field("communes")
            .expect("communes")
            .contains("99999")
    );
    let res = post(
        &http,
        &app,
        "projects/create",
        &vec![
            ("form[title]", "Y".into()),
            ("form[communes][0]", "15187".into()),
            ("form[reference]", "VV-01".into()),
        ],
    )
    .await;
    assert_eq!(
        refused_on(res, 422, "reference")
            .await
            .field("reference")
            .as_deref(),
        Some("Cette référence est déjà utilisée par un autre projet.")
    );
    let res = add_milestone(&http, &app, 999999, "decision", "x", "2026-12-01").await;
    assert_eq!(res.status(), 404);
    let res = change_stage(&http, &app, id, 1, "emergence", None).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        event::Entity::find().count(&app.db).await.expect("count"),
        events_before
    );
    assert_eq!(
        project::Entity::find().count(&app.db).await.expect("count"),
        1
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(failing_writes_leave_no_event);

async fn filters_and_search_find_exactly_the_right_projects(backend: Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    let other = create_user(&app.db, "amina.benali@cc-exemple.fr", Role::Officer).await;
    let a = create(
        &http,
        &app,
        "Réhabilitation de l’école",
        &["15187"],
        &[
            ("form[themes][0]", "services"),
            ("form[programmes][0]", "pvd"),
        ],
    )
    .await;
    let b = create(
        &http,
        &app,
        "Gîte d'étape",
        &["42218"],
        &[
            ("form[themes][0]", "tourisme"),
            ("form[summary]", "Randonnée GR65"),
        ],
    )
    .await;
    let other_id = other.to_string();
    let c = create(
        &http,
        &app,
        "Centre culturel",
        &["2A004", "15187"],
        &[
            ("form[lead_officer_id]", other_id.as_str()),
            ("form[reference]", "CC-2026-07"),
        ],
    )
    .await;
    change_stage(&http, &app, b, 1, "funding", None).await;

    let find = |pairs: Vec<(&'static str, String)>| {
        let http = http.clone();
        let url = app.url("/api/projects/list");
        async move {
            let mut form = pairs;
            form.push(("filter[sort]", "title".into()));
            let page: ProjectPage = http
                .post(url)
                .form(&form)
                .send()
                .await
                .expect("req")
                .json()
                .await
                .expect("json");
            assert_eq!(page.total as usize, page.items.len());
            page.items.into_iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(find(vec![]).await, [c, b, a]);
    assert_eq!(find(vec![("filter[q]", "ecole".into())]).await, [a]);
    assert_eq!(find(vec![("filter[q]", "GITE D ETAPE".into())]).await, [b]);
    assert_eq!(find(vec![("filter[q]", "randonnee".into())]).await, [b]);
    assert_eq!(find(vec![("filter[q]", "cc-2026".into())]).await, [c]);
    assert_eq!(find(vec![("filter[stage]", "funding".into())]).await, [b]);
    assert_eq!(
        find(vec![("filter[officer]", officer.to_string())]).await,
        [b, a]
    );
    assert_eq!(
        find(vec![("filter[commune]", "15187".into())]).await,
        [c, a]
    );
    assert_eq!(
        find(vec![("filter[epci]", "200066660".into())]).await,
        [c, a]
    );
    assert_eq!(find(vec![("filter[departement]", "2A".into())]).await, [c]);
    assert_eq!(find(vec![("filter[departement]", "42".into())]).await, [b]);
    assert_eq!(find(vec![("filter[programme]", "pvd".into())]).await, [a]);
    assert_eq!(find(vec![("filter[theme]", "tourisme".into())]).await, [b]);
    assert_eq!(
        find(vec![("filter[since]", "2099-01-01".into())]).await,
        Vec::<i64>::new()
    );
    let today = app::server::clock::local_date(chrono::Utc::now()).to_string();
    assert_eq!(find(vec![("filter[since]", today)]).await, [c, b, a]);
    assert_eq!(
        find(vec![
            ("filter[q]", "ecole".into()),
            ("filter[stage]", "funding".into())
        ])
        .await,
        Vec::<i64>::new()
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(filters_and_search_find_exactly_the_right_projects);

async fn admins_edit_the_reference_lists(backend: Backend) {
    use app::api::projects::ProjectReferences;
    use app::models::ReferenceEntry;
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let http = client();
    login(&http, &app, "admin@cc-exemple.fr", PASSWORD).await;

    let save = |list: &str, code: &str, label: &str, active: bool| {
        let mut form: Form = vec![
            ("list", list.to_owned()),
            ("form[code]", code.to_owned()),
            ("form[label]", label.to_owned()),
        ];
        if active {
            form.push(("form[active]", "on".into()));
        }
        form
    };
    let all = |list: &'static str| {
        let http = http.clone();
        let app = &app;
        async move {
            let res = post(&http, app, "reference/list", &vec![("list", list.into())]).await;
            assert_eq!(res.status(), 200);
            res.json::<Vec<ReferenceEntry>>().await.expect("json")
        }
    };
    let seeded_programmes = all("programmes").await.len();
    let seeded_themes = all("themes").await.len();
    for form in [
        save(
            "programmes",
            "cte",
            "Contrat de transition écologique",
            true,
        ),
        save(
            "programmes",
            "frr",
            "France ruralités revitalisation",
            false,
        ),
        save("themes", "energie", "Énergie", true),
        save("themes", "culture", "Culture et patrimoine", false),
    ] {
        let res = post(&http, &app, "reference/save", &form).await;
        assert_eq!(res.status(), 200, "{form:?}");
    }
    let res = post(
        &http,
        &app,
        "reference/save",
        &save("programmes", "Pas un code", "", true),
    )
    .await;
    let err = refused(res, 422).await;
    assert!(err.field("code").is_some() && err.field("label").is_some());
    let res = post(
        &http,
        &app,
        "reference/save",
        &save("utilisateurs", "x", "X", true),
    )
    .await;
    assert_eq!(res.status(), 422, "an unknown list is refused");

    let programmes = all("programmes").await;
    assert_eq!(
        programmes.len(),
        seeded_programmes + 1,
        "cte added, frr renamed/deactivated, none deleted"
    );
    assert!(programmes.iter().any(|p| p.code == "frr" && !p.active));
    let themes = all("themes").await;
    assert_eq!(themes.len(), seeded_themes + 1);
    assert_eq!(
        themes.last().map(|t| t.code.as_str()),
        Some("energie"),
        "added at the end"
    );
    assert!(
        themes
            .iter()
            .any(|t| t.code == "culture" && t.label == "Culture et patrimoine" && !t.active)
    );

    let refs: ProjectReferences = post(&http, &app, "projects/references", &vec![])
        .await
        .json()
        .await
        .expect("json");
    let offered: Vec<&str> = refs.programmes.iter().map(|p| p.code.as_str()).collect();
    assert!(
        offered.contains(&"cte") && !offered.contains(&"frr"),
        "{offered:?}"
    );
    let offered: Vec<&str> = refs.themes.iter().map(|p| p.code.as_str()).collect();
    assert!(
        offered.contains(&"energie") && !offered.contains(&"culture"),
        "{offered:?}"
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(admins_edit_the_reference_lists);

async fn milestones_are_edited_and_deleted_with_their_history(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = create(&http, &app, "Voie verte", &["15187"], &[]).await;
    let add = vec![
        ("project_id", id.to_string()),
        ("form[kind]", "steering_committee".into()),
        ("form[title]", "COPIL n°1".into()),
        ("form[due_date]", "2027-02-10".into()),
    ];
    let res = post(&http, &app, "milestones/add", &add).await;
    let milestone_id: i64 = ok_json(res).await;

    let update = |title: &str, due: &str, done: &str| {
        vec![
            ("milestone_id", milestone_id.to_string()),
            ("form[kind]", "steering_committee".into()),
            ("form[title]", title.to_owned()),
            ("form[due_date]", due.to_owned()),
            ("form[done_date]", done.to_owned()),
            ("form[note]", "Salle du conseil".into()),
            ("form[shareable]", "on".into()),
        ]
    };
    let res = post(
        &http,
        &app,
        "milestones/update",
        &update("", "pas une date", ""),
    )
    .await;
    let err = refused(res, 422).await;
    assert!(err.field("title").is_some() && err.field("due_date").is_some());
    let unchanged = get(&http, &app, id, None).await;
    assert_eq!(
        unchanged.milestones[0].title, "COPIL n°1",
        "a refused edit changes nothing"
    );

    let res = post(
        &http,
        &app,
        "milestones/update",
        &update("COPIL de lancement", "2027-03-03", "2027-03-03"),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<i64>().await.expect("id"), id);
    let p = get(&http, &app, id, None).await;
    let m = &p.milestones[0];
    assert_eq!(m.title, "COPIL de lancement");
    assert_eq!(m.due_date.to_string(), "2027-03-03");
    assert_eq!(
        m.done_date.map(|d| d.to_string()).as_deref(),
        Some("2027-03-03")
    );
    assert_eq!(m.note, "Salle du conseil");
    assert!(m.shareable);
    let edit = p
        .events
        .iter()
        .find(|e| e.kind.as_str() == "milestone_updated")
        .expect("edit event");
    let fields: Vec<&str> = edit.data["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["title", "due_date", "done_date", "note", "shareable"]
    );
    assert_eq!(edit.data["changes"][0]["before"], "COPIL n°1");

    let events_before = p.events.len();
    let res = post(
        &http,
        &app,
        "milestones/update",
        &update("COPIL de lancement", "2027-03-03", "2027-03-03"),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        get(&http, &app, id, None).await.events.len(),
        events_before,
        "saving without a change writes no event"
    );

    let delete = vec![("milestone_id", milestone_id.to_string())];
    assert_eq!(
        post(&http, &app, "milestones/delete", &delete)
            .await
            .status(),
        200
    );
    let p = get(&http, &app, id, None).await;
    assert!(p.milestones.is_empty());
    let gone = p
        .events
        .iter()
        .find(|e| e.kind.as_str() == "milestone_deleted")
        .expect("delete event");
    assert_eq!(gone.data["title"], "COPIL de lancement");
    assert_eq!(gone.data["due_date"], "2027-03-03");
    assert_eq!(
        post(&http, &app, "milestones/delete", &delete)
            .await
            .status(),
        404,
        "deleting twice finds nothing"
    );
    assert_eq!(
        post(
            &http,
            &app,
            "milestones/update",
            &update("X", "2027-01-01", "")
        )
        .await
        .status(),
        404
    );

    // A dated note keeps its date; a bad date is refused on its field.
    let res = post(
        &http,
        &app,
        "notes/add",
        &vec![
            ("project_id", id.to_string()),
            ("form[body]", "Réunion avec l’ABF".into()),
            ("form[note_date]", "2026-10-02".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = post(
        &http,
        &app,
        "notes/add",
        &vec![
            ("project_id", id.to_string()),
            ("form[body]", "Autre".into()),
            ("form[note_date]", "02/13/2026".into()),
        ],
    )
    .await;
    let err = refused(res, 422).await;
    assert!(err.field("note_date").is_some());
    let p = get(&http, &app, id, None).await;
    assert_eq!(p.notes.len(), 1);
    assert_eq!(p.notes[0].note_date.to_string(), "2026-10-02");
    crate::support::finish(app, test_db).await;
}
both_backends!(milestones_are_edited_and_deleted_with_their_history);

/// A long-lived project's page stays small (issue 15): the open milestones
/// by due date up to their limit, the latest done ones, notes and events;
/// each list cut says how many it has in all and « Voir tout » shows it
/// whole, on the page too.
async fn long_lists_are_cut_and_shown_whole_on_demand(backend: Backend) {
    use app::models::list_limits as limits;
    use app::server::entities::projects::{milestone, note};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let (test_db, app, http, officer) = signed_in(backend).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    let now = chrono::Utc::now();
    let day = |n: i64| {
        chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date") + chrono::Days::new(n as u64)
    };
    let open = limits::OPEN_MILESTONES as i64 + 5;
    let done = limits::DONE_MILESTONES as i64 + 5;
    let rows: Vec<milestone::ActiveModel> = (0..open + done)
        .map(|n| milestone::ActiveModel {
            project_id: Set(id),
            kind: Set(app::domain::MilestoneKind::Decision),
            title: Set(format!("Jalon {n:03}")),
            due_date: Set(day(n)),
            done_date: Set((n >= open).then(|| day(n))),
            note: Set(String::new()),
            shareable: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    milestone::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .expect("milestones");
    let notes = limits::NOTES as i64 + 3;
    let rows: Vec<note::ActiveModel> = (0..notes)
        .map(|n| note::ActiveModel {
            project_id: Set(id),
            author_id: Set(Some(officer)),
            note_date: Set(day(n)),
            body: Set(format!("Note {n}")),
            shareable: Set(false),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    note::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .expect("notes");
    let events = limits::EVENTS as i64 + 7;
    let rows: Vec<event::ActiveModel> = (0..events)
        .map(|n| event::ActiveModel {
            project_id: Set(id),
            actor_id: Set(Some(officer)),
            at: Set(now + chrono::Duration::seconds(n)),
            kind: Set(app::domain::EventKind::NoteAdded),
            data: Set("{}".into()),
            ..Default::default()
        })
        .collect();
    event::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .expect("events");
    let all_events = events as u64 + 1; // and the creation

    let p = get(&http, &app, id, None).await;
    assert_eq!(
        p.milestones.len() as u64,
        limits::OPEN_MILESTONES + limits::DONE_MILESTONES
    );
    assert_eq!(p.more.milestones, Some((open + done) as u64));
    // The next deadlines and the latest done ones, in due-date order.
    assert_eq!(p.milestones[0].title, "Jalon 000");
    assert!(
        p.milestones
            .iter()
            .all(|m| m.title != format!("Jalon {:03}", open))
    );
    assert_eq!(
        p.milestones.last().expect("last").title,
        format!("Jalon {:03}", open + done - 1)
    );
    assert!(
        p.milestones
            .windows(2)
            .all(|w| w[0].due_date <= w[1].due_date)
    );
    assert_eq!(p.notes.len() as u64, limits::NOTES);
    assert_eq!(p.notes[0].body, format!("Note {}", notes - 1));
    assert_eq!(p.more.notes, Some(notes as u64));
    assert_eq!(p.events.len() as u64, limits::EVENTS);
    assert_eq!(p.more.events, Some(all_events));

    let whole = post(
        &http,
        &app,
        "projects/get",
        &vec![
            ("id", id.to_string()),
            ("show_all[milestones]", "true".into()),
            ("show_all[notes]", "true".into()),
            ("show_all[events]", "true".into()),
        ],
    )
    .await;
    let whole: ProjectDetail = ok_json(whole).await;
    assert_eq!(whole.milestones.len() as i64, open + done);
    assert_eq!(whole.notes.len() as i64, notes);
    assert_eq!(whole.events.len() as u64, all_events);
    assert_eq!(whole.more, app::models::HiddenRows::default());

    // The page says so and links to the whole list, keeping the others.
    let page = http
        .get(app.url(&format!("/projets/{id}?notes=toutes")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let shown = limits::OPEN_MILESTONES + limits::DONE_MILESTONES;
    assert!(
        page.contains(&format!("{shown} affichés sur {}.", open + done)),
        "{page}"
    );
    assert!(page.contains("href=\"?notes=toutes&amp;jalons=tous#jalons\""));
    assert!(page.contains(&format!("Note {}", 0)), "notes shown whole");
    assert!(!page.contains(&format!("affichés sur {notes}.")));
    assert_eq!(
        page.matches("data-testid=\"event\"").count() as u64,
        limits::EVENTS
    );
    // A hostile parameter is kept in the link, encoded, never as markup.
    let page = http
        .get(app.url(&format!(
            "/projets/{id}?%3Cb%20x%22=%3C%2Fa%3E&notes=toutes"
        )))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("href=\"?%3Cb+x%22=%3C%2Fa%3E&amp;notes=toutes&amp;jalons=tous#jalons\""),
        "{page}"
    );
    assert!(!page.contains("<b x"));
    app.stop().await;
    test_db.drop().await;
}
both_backends!(long_lists_are_cut_and_shown_whole_on_demand);

/// The id the server gave the request (`X-Request-Id`).
fn request_id(res: &reqwest::Response) -> String {
    res.headers()["x-request-id"]
        .to_str()
        .expect("x-request-id")
        .to_owned()
}

/// A stored code no variant knows (a hand-edited or corrupt row) fails the
/// read with the French 500 page, never a default value or a panic; the
/// other projects keep working.
async fn a_corrupt_stored_code_fails_the_read_not_the_others(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let (test_db, app, http, _) = signed_in(backend).await;
    let bad = create(&http, &app, "Projet abîmé", &["15187"], &[]).await;
    let good = create(&http, &app, "Projet sain", &["15187"], &[]).await;
    for (column, value, sound) in [
        ("stage", "etude", "emergence"),
        ("health", "so_so", "on_track"),
        ("owner_kind", "mairie", "commune"),
        ("derogation_kind", "zone_blanche", "overseas"),
        ("detr_due_kind", "detr_fin", "detr_start"),
    ] {
        app.db
            .execute_unprepared(&format!(
                "UPDATE projects SET {column} = '{value}' WHERE id = {bad}"
            ))
            .await
            .expect("corrupt the row");
        let res = post(&http, &app, "projects/get", &vec![("id", bad.to_string())]).await;
        assert_eq!(res.status(), 500, "{column}");
        // The error names the request, as its log line does, for support.
        let id = request_id(&res);
        let err: AppError = res.json().await.expect("an AppError");
        assert_eq!(
            err,
            AppError::Internal {
                reference: Some(id.clone())
            }
        );
        assert!(err.message().ends_with(&id), "{}", err.message());
        let page = http
            .get(app.url(&format!("/projets/{bad}")))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 500, "{column}");
        let id = request_id(&page);
        let html = page.text().await.expect("html");
        assert!(html.contains("lang=\"fr\""), "{html}");
        assert!(html.contains(&format!("support : {id}")), "{id}: {html}");
        assert!(
            !html.contains(value),
            "the stored value is not shown: {html}"
        );
        assert_eq!(get(&http, &app, good, None).await.title, "Projet sain");
        app.db
            .execute_unprepared(&format!(
                "UPDATE projects SET {column} = '{sound}' WHERE id = {bad}"
            ))
            .await
            .expect("repair the row");
    }
    assert_eq!(get(&http, &app, bad, None).await.stage, Stage::Emergence);
    // An organisation's kind read to be shown « Autre » when unknown, a
    // mandate's office read to be shown « Maire »: both fail the read now.
    let fields = [
        ("form[name]", "Les Amis du Viaduc"),
        ("form[kind]", "association"),
    ];
    let org = ok_id(create_org(&http, &app, &fields).await).await;
    let person = new_person(&http, &app, "Hélène", "Vidal", &[]).await;
    let mandate: Form = vec![
        ("person_id", person.to_string()),
        ("form[office]", "adjoint".into()),
        ("form[organisation_id]", org.to_string()),
        ("form[start_on]", "2020-07-04".into()),
    ];
    ok(post(&http, &app, "directory/mandates/add", &mandate).await).await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE mandates SET office = 'chef' WHERE person_id = {person}"
        ))
        .await
        .expect("corrupt the row");
    let res = post(
        &http,
        &app,
        "directory/person",
        &vec![("id", person.to_string())],
    )
    .await;
    assert_eq!(res.status(), 500, "a corrupt office");
    app.db
        .execute_unprepared(&format!(
            "UPDATE organisations SET kind = 'club' WHERE id = {org}"
        ))
        .await
        .expect("corrupt the row");
    let res = post(
        &http,
        &app,
        "directory/organisation",
        &vec![("id", org.to_string())],
    )
    .await;
    assert_eq!(res.status(), 500);
    app.stop().await;
    test_db.drop().await;
}
both_backends!(a_corrupt_stored_code_fails_the_read_not_the_others);

/// The project page's one call (`projects/page`) gives exactly what the
/// four calls that read its sections apart give; a missing project is a
/// 404 and a bad `since` names the field.
async fn the_page_call_equals_its_sections_read_apart(backend: Backend) {
    let (test_db, app, http, _officer) = signed_in(backend).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    assert_eq!(
        add_milestone(&http, &app, id, "decision", "Délibération", "2027-03-01")
            .await
            .status(),
        200
    );
    let empty = plan(&http, &app, id).await;
    add_line(&http, &app, id, funder(&empty, "region"), "300 000", &[]).await;
    let person = new_person(&http, &app, "Anne", "Roux", &[]).await;
    ok_id(link(&http, &app, id, "technical_partner", None, Some(person), "").await).await;
    created(
        share(
            &http,
            &app,
            id,
            &[("form[target]", "link"), ("form[label]", "Comité")],
        )
        .await,
    )
    .await;

    let by_id: Form = vec![("id", id.to_string())];
    let whole: ProjectSections = ok_json(post(&http, &app, "projects/page", &by_id).await).await;
    let of_project: Form = vec![("project_id", id.to_string())];
    let plan_apart: FundingPlan =
        ok_json(post(&http, &app, "funding/plan", &of_project).await).await;
    let partners: ProjectPartners =
        ok_json(post(&http, &app, "partners/list", &of_project).await).await;
    let shares: ProjectShares = ok_json(post(&http, &app, "shares/list", &of_project).await).await;
    assert_eq!(whole.project, get(&http, &app, id, None).await);
    assert_eq!(whole.plan, plan_apart);
    assert_eq!(whole.partners, partners);
    assert_eq!(whole.shares, Some(shares));
    // Not empty sections compared.
    assert_eq!(whole.project.milestones.len(), 1);
    assert_eq!(whole.plan.lines.len(), 1);
    assert_eq!(whole.partners.links.len(), 1);
    assert_eq!(whole.shares.map(|s| s.shares.len()), Some(1));

    let missing: Form = vec![("id", "999999".to_owned())];
    refused(post(&http, &app, "projects/page", &missing).await, 404).await;
    let too_old: Form = vec![("id", id.to_string()), ("since", "1900-01-01".to_owned())];
    refused_on(
        post(&http, &app, "projects/page", &too_old).await,
        422,
        "since",
    )
    .await;
    // Not a date at all: refused before the call, naming the field.
    let not_a_date: Form = vec![("id", id.to_string()), ("since", "pas-une-date".to_owned())];
    refused_on(
        post(&http, &app, "projects/page", &not_a_date).await,
        400,
        "since",
    )
    .await;
    crate::support::finish(app, test_db).await;
}
both_backends!(the_page_call_equals_its_sections_read_apart);
