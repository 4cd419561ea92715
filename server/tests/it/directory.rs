//! The partner directory over HTTP, on both databases: organisations with
//! SIREN/SIRET checks and duplicate detection, people with normalised
//! phones, mandates now and in history, the partners of projects (one
//! owner), the pages that list a partner's projects, RGPD export and
//! erasure, and who may do what.
use app::domain::{AuditAction, OrganisationKind, PartnerRole, Role};
use app::error::AppError;
use app::models::{DirectoryList, OrganisationDetail, PersonDetail, PersonExport, ProjectPartners};
use app::server::entities::directory::audit;
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::both_backends;
use crate::support::api::{
    Form, create, form_of, get, link, new_person, ok_id, ok_json, post, refused, signed_in,
};
use crate::support::builders::OrgBuilder;
use crate::support::{Backend, PASSWORD, TestApp, client, create_user, login};

fn today() -> NaiveDate {
    app::server::clock::local_date(Utc::now())
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

async fn organisation(http: &reqwest::Client, app: &TestApp, id: i64) -> OrganisationDetail {
    ok_json(
        post(
            http,
            app,
            "directory/organisation",
            &vec![("id", id.to_string())],
        )
        .await,
    )
    .await
}

async fn person(http: &reqwest::Client, app: &TestApp, id: i64) -> PersonDetail {
    ok_json(post(http, app, "directory/person", &vec![("id", id.to_string())]).await).await
}

async fn directory(
    http: &reqwest::Client,
    app: &TestApp,
    filter: &[(&'static str, &str)],
) -> DirectoryList {
    let res = post(http, app, "directory/list", &form_of(filter)).await;
    ok_json(res).await
}

async fn partners(http: &reqwest::Client, app: &TestApp, project: i64) -> ProjectPartners {
    let res = post(
        http,
        app,
        "partners/list",
        &vec![("project_id", project.to_string())],
    )
    .await;
    ok_json(res).await
}

async fn add_mandate(
    http: &reqwest::Client,
    app: &TestApp,
    person_id: i64,
    office: &str,
    org: i64,
    start: &str,
    end: &str,
) -> reqwest::Response {
    post(
        http,
        app,
        "directory/mandates/add",
        &vec![
            ("person_id", person_id.to_string()),
            ("form[office]", office.to_owned()),
            ("form[organisation_id]", org.to_string()),
            ("form[start_on]", start.to_owned()),
            ("form[end_on]", end.to_owned()),
        ],
    )
    .await
}

async fn organisations_are_checked_and_duplicates_caught(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;

    // Field errors, in French, on the field at fault.
    let err = refused(
        OrgBuilder::new("Les Amis du Viaduc", OrganisationKind::Association)
            .company_id("120 027 016 00358")
            .website("amis-viaduc.fr")
            .send(&http, &app)
            .await,
        422,
    )
    .await;
    assert!(
        err.field("company_id")
            .expect("expected in this test")
            .contains("SIRET"),
        "{err:?}"
    );
    assert!(
        err.field("company_id")
            .expect("expected in this test")
            .contains("Luhn")
    );
    assert!(err.field("website").is_some());
    let err = refused(
        OrgBuilder::new("Commune", OrganisationKind::Commune)
            .send(&http, &app)
            .await,
        422,
    )
    .await;
    assert!(err.field("commune").is_some());
    let err = refused(
        OrgBuilder::new("Commune de Nulle-Part", OrganisationKind::Commune)
            .commune("99999")
            .send(&http, &app)
            .await,
        422,
    )
    .await;
    assert_eq!(
        err.field("commune").as_deref(),
        Some("Cette commune n’existe pas dans le référentiel.")
    );

    let amis = OrgBuilder::new("Les Amis du Viaduc", OrganisationKind::Association)
        .company_id("120 027 016 00357")
        .commune("15187")
        .website("https://amis-viaduc.fr")
        .create(&http, &app)
        .await;
    let o = organisation(&http, &app, amis).await;
    assert_eq!(
        (o.siren.as_deref(), o.siret.as_deref()),
        (Some("120027016"), Some("12002701600357"))
    );
    assert_eq!(
        o.commune.as_ref().map(|c| c.name.as_str()),
        Some("Saint-Flour")
    );

    // Same SIRET under another name: always refused, with the record to open.
    match refused(
        OrgBuilder::new("Association du Viaduc", OrganisationKind::Association)
            .company_id("12002701600357")
            .confirmed()
            .send(&http, &app)
            .await,
        409,
    )
    .await
    {
        AppError::Duplicate {
            message,
            href,
            confirmable,
        } => {
            assert!(!confirmable, "the same SIRET is never created twice");
            assert_eq!(href, format!("/annuaire/organisations/{amis}"));
            assert!(message.contains("Les Amis du Viaduc"), "{message}");
            assert!(message.contains("120 027 016 00357"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A near-identical name in the same commune prompts; confirmed, it passes.
    let homonym =
        OrgBuilder::new("LES AMIS DU VIADUC !", OrganisationKind::Association).commune("15187");
    match refused(homonym.send(&http, &app).await, 409).await {
        AppError::Duplicate {
            href, confirmable, ..
        } => {
            assert!(confirmable, "a homonym may be created once confirmed");
            assert_eq!(href, format!("/annuaire/organisations/{amis}"))
        }
        other => panic!("{other:?}"),
    }
    homonym.confirmed().create(&http, &app).await;
    // Elsewhere, the same name is another organisation.
    OrgBuilder::new("Les Amis du Viaduc", OrganisationKind::Association)
        .commune("15142")
        .create(&http, &app)
        .await;
    // La Poste: its SIRETs are checked by their digit sum.
    OrgBuilder::new(
        "La Poste – bureau de Saint-Flour",
        OrganisationKind::Business,
    )
    .company_id("356 000 000 43301")
    .create(&http, &app)
    .await;

    // Editing: a stale version is a conflict; keeping one's name is fine.
    let edit = |version: i32| -> Form {
        vec![
            ("id", amis.to_string()),
            ("version", version.to_string()),
            ("form[name]", "Les Amis du Viaduc".into()),
            ("form[kind]", "association".into()),
            ("form[company_id]", "12002701600357".into()),
            ("form[commune]", "15187".into()),
            (
                "form[notes]",
                "Organise la fête du viaduc chaque été.".into(),
            ),
        ]
    };
    assert!(matches!(
        refused(
            post(&http, &app, "directory/organisations/update", &edit(7)).await,
            409
        )
        .await,
        AppError::Conflict(_)
    ));
    ok_id(post(&http, &app, "directory/organisations/update", &edit(1)).await).await;
    let o = organisation(&http, &app, amis).await;
    assert_eq!(
        (o.version, o.notes.as_str()),
        (2, "Organise la fête du viaduc chaque été.")
    );

    // Accent- and case-insensitive search, and filters.
    let list = directory(&http, &app, &[("filter[q]", "amis du VIADÙC")]).await;
    assert_eq!(list.organisation_total, 3);
    let list = directory(
        &http,
        &app,
        &[("filter[q]", "viaduc"), ("filter[commune]", "15187")],
    )
    .await;
    assert_eq!(list.organisation_total, 2);
    let list = directory(&http, &app, &[("filter[kind]", "business")]).await;
    assert_eq!(list.organisation_total, 1);
    assert_eq!(
        list.organisations[0].company_id.as_deref(),
        Some("356 000 000 43301")
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(organisations_are_checked_and_duplicates_caught);

async fn people_hold_mandates_now_and_in_history(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let commune = OrgBuilder::new("Commune de Saint-Flour", OrganisationKind::Commune)
        .commune("15187")
        .create(&http, &app)
        .await;
    let epci = OrgBuilder::new("Saint-Flour Communauté", OrganisationKind::Epci)
        .epci("200066660")
        .create(&http, &app)
        .await;

    // Contact details are checked, the phone is normalised.
    let bad: Form = vec![
        ("form[first_name]", "Pierre".into()),
        ("form[last_name]", "Delmas".into()),
        ("form[email]", "pierre.delmas@mairie".into()),
        ("form[phone]", "06 12 34".into()),
    ];
    let err = refused(
        post(&http, &app, "directory/people/create", &bad).await,
        422,
    )
    .await;
    assert!(err.field("email").is_some());
    // The email is checked in the form; the phone once the form is valid.
    let bad: Form = vec![
        ("form[first_name]", "Pierre".into()),
        ("form[last_name]", "Delmas".into()),
        ("form[phone]", "06 12 34".into()),
    ];
    let err = refused(
        post(&http, &app, "directory/people/create", &bad).await,
        422,
    )
    .await;
    assert!(
        err.field("phone")
            .expect("expected in this test")
            .contains("04 71 60 22 50")
    );
    let former = new_person(
        &http,
        &app,
        "Pierre",
        "Delmas",
        &[
            ("form[phone]", "+33 (0)6.12.34.56.78"),
            ("form[email]", "Pierre.Delmas@Mairie-Saint-Flour.fr"),
            ("form[job_title]", "Maire"),
            ("form[organisation_id]", &commune.to_string()),
        ],
    )
    .await;
    let p = person(&http, &app, former).await;
    assert_eq!(p.phone.as_deref(), Some("06 12 34 56 78"));
    assert_eq!(
        p.email.as_deref(),
        Some("pierre.delmas@mairie-saint-flour.fr")
    );
    assert_eq!(p.memberships.len(), 1);
    assert!(p.memberships[0].current);
    let mayor = new_person(&http, &app, "Hélène", "Vidal", &[]).await;

    // A mandate needs its dates in order.
    let err = refused(
        add_mandate(&http, &app, mayor, "maire", commune, &day(-10), &day(-20)).await,
        422,
    )
    .await;
    assert!(err.field("end_on").is_some());
    let err = refused(
        add_mandate(&http, &app, mayor, "empereur", commune, &day(-10), "").await,
        422,
    )
    .await;
    assert!(err.field("office").is_some());
    // The former mayor until yesterday, the new one since today.
    ok_id(add_mandate(&http, &app, former, "maire", commune, &day(-2000), &day(-1)).await).await;
    ok_id(add_mandate(&http, &app, mayor, "maire", commune, &day(0), "").await).await;
    ok_id(add_mandate(&http, &app, mayor, "president_epci", epci, &day(0), "").await).await;
    // A mandate starting tomorrow is not current yet.
    ok_id(add_mandate(&http, &app, former, "adjoint", commune, &day(1), "").await).await;

    let c = organisation(&http, &app, commune).await;
    let shown: Vec<(&str, bool)> = c
        .mandates
        .iter()
        .map(|m| (m.person.name.as_str(), m.current))
        .collect();
    assert_eq!(
        shown,
        [
            ("Hélène Vidal", true),
            ("Pierre Delmas", false),
            ("Pierre Delmas", false)
        ]
    );
    let network = c.network.expect("a commune has its network");
    assert_eq!(network.elected_now.len(), 1);
    assert_eq!(network.elected_now[0].person.name, "Hélène Vidal");

    // "Has a current mandate": Hélène, not Pierre; the commune and the EPCI.
    let list = directory(&http, &app, &[("filter[mandate]", "true")]).await;
    assert_eq!(
        list.people
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Hélène Vidal"]
    );
    assert_eq!(
        list.people[0].mandates,
        [
            "Maire — Commune de Saint-Flour",
            "Président·e d’EPCI — Saint-Flour Communauté"
        ]
    );
    assert_eq!(list.organisation_total, 2);
    // Territory filters reach people through their organisations.
    let list = directory(&http, &app, &[("filter[epci]", "200066660")]).await;
    assert_eq!(list.people_total, 2);
    assert_eq!(list.organisation_total, 2, "the EPCI and its commune");

    // Ending a mandate moves it to the history.
    let p = person(&http, &app, mayor).await;
    let current = p
        .mandates
        .iter()
        .find(|m| m.office.as_str() == "president_epci")
        .expect("expected in this test");
    ok_id(
        post(
            &http,
            &app,
            "directory/mandates/update",
            &vec![
                ("mandate_id", current.id.to_string()),
                ("form[office]", "president_epci".into()),
                ("form[organisation_id]", epci.to_string()),
                ("form[start_on]", day(0)),
                ("form[end_on]", day(0)),
            ],
        )
        .await,
    )
    .await;
    let ended = organisation(&http, &app, epci).await;
    assert!(ended.mandates[0].current, "ends tonight: still held today");
    assert_eq!(ended.mandates[0].end_on, Some(today()));

    // The former mayor now sits at the département: "a current mandate in
    // Saint-Flour" still means an office held in Saint-Flour today.
    let departement = OrgBuilder::new("Département du Cantal", OrganisationKind::Departement)
        .create(&http, &app)
        .await;
    ok_id(
        add_mandate(
            &http,
            &app,
            former,
            "conseiller_departemental",
            departement,
            &day(-100),
            "",
        )
        .await,
    )
    .await;
    let list = directory(
        &http,
        &app,
        &[("filter[commune]", "15187"), ("filter[mandate]", "true")],
    )
    .await;
    assert_eq!(
        list.people
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Hélène Vidal"]
    );
    let list = directory(&http, &app, &[("filter[mandate]", "true")]).await;
    assert_eq!(list.people_total, 2);
    crate::support::finish(app, test_db).await;
}
both_backends!(people_hold_mandates_now_and_in_history);

/// Two projects, the Commune de Saint-Flour, an association and a mayor,
/// not yet linked.
struct Partners {
    test_db: crate::support::TestDb,
    app: TestApp,
    http: reqwest::Client,
    project: i64,
    other_project: i64,
    commune: i64,
    asso: i64,
    mayor: i64,
}

impl Partners {
    async fn new(backend: Backend) -> Self {
        let (test_db, app, http, _) = signed_in(backend).await;
        let project = create(&http, &app, "Tiers-lieu de la gare", &["15187"], &[]).await;
        let other_project = create(&http, &app, "Voie verte", &["15142"], &[]).await;
        let commune = OrgBuilder::new("Commune de Saint-Flour", OrganisationKind::Commune)
            .commune("15187")
            .create(&http, &app)
            .await;
        let asso = OrgBuilder::new(
            "Association Margeride Initiatives",
            OrganisationKind::Association,
        )
        .company_id("12002701600357")
        .create(&http, &app)
        .await;
        let mayor = new_person(&http, &app, "Hélène", "Vidal", &[]).await;
        Self {
            test_db,
            app,
            http,
            project,
            other_project,
            commune,
            asso,
            mayor,
        }
    }

    /// The links the tests below start from: the commune owns the project,
    /// the association is its technical partner (and owns the other one),
    /// the mayor is its referent elected official.
    async fn linked(self) -> Self {
        let (http, app, project) = (&self.http, &self.app, self.project);
        let links = [
            (project, "owner", Some(self.commune), None, ""),
            (
                project,
                "technical_partner",
                Some(self.asso),
                None,
                "Animation du lieu",
            ),
            (project, "referent_elected", None, Some(self.mayor), ""),
            (self.other_project, "owner", Some(self.asso), None, ""),
        ];
        for (on, role, org, person, note) in links {
            ok_id(link(http, app, on, role, org, person, note).await).await;
        }
        self
    }

    async fn end(self) {
        crate::support::finish(self.app, self.test_db).await;
    }
}

/// The owner link makes the commune the project's porteur; one owner only;
/// a link to nobody, to an unknown organisation or project, or twice in
/// one role is refused on its field.
async fn a_project_has_one_owner_and_checked_links(backend: Backend) {
    let s = Partners::new(backend).await;
    let (http, app) = (&s.http, &s.app);
    let (project, other_project, commune, asso, mayor) =
        (s.project, s.other_project, s.commune, s.asso, s.mayor);
    // The owner link makes the commune the project's porteur (the 20 %
    // rule reads it), with an event; the project's version moves on.
    let before = get(http, app, project, None).await;
    ok_id(link(http, app, project, "owner", Some(commune), None, "").await).await;
    let after = get(http, app, project, None).await;
    assert_eq!(after.owner_name, "Commune de Saint-Flour");
    assert_eq!(after.owner_kind, Some(app::domain::OwnerKind::Commune));
    assert_eq!(after.version, before.version + 1);
    let updated = after
        .events
        .iter()
        .find(|e| e.kind.as_str() == "updated")
        .expect("expected in this test");
    assert_eq!(
        updated.data["changes"][0]["after"],
        "Commune de Saint-Flour"
    );
    let err = refused(
        link(http, app, project, "owner", Some(asso), None, "").await,
        422,
    )
    .await;
    assert!(
        err.field("role")
            .expect("expected in this test")
            .contains("Commune de Saint-Flour"),
        "{err:?}"
    );
    ok_id(
        link(
            http,
            app,
            project,
            "technical_partner",
            Some(asso),
            None,
            "Animation du lieu",
        )
        .await,
    )
    .await;
    let err = refused(
        link(
            http,
            app,
            project,
            "technical_partner",
            Some(asso),
            None,
            "",
        )
        .await,
        422,
    )
    .await;
    assert!(err.field("role").is_some());
    let err = refused(link(http, app, project, "other", None, None, "").await, 422).await;
    assert!(err.field("organisation_id").is_some());
    let err = refused(
        link(http, app, project, "other", Some(999_999), None, "").await,
        422,
    )
    .await;
    assert!(err.field("organisation_id").is_some());
    assert_eq!(
        link(http, app, 999_999, "other", Some(asso), None, "")
            .await
            .status(),
        404
    );
    ok_id(
        link(
            http,
            app,
            project,
            "referent_elected",
            None,
            Some(mayor),
            "",
        )
        .await,
    )
    .await;
    ok_id(link(http, app, other_project, "owner", Some(asso), None, "").await).await;

    s.end().await;
}
both_backends!(a_project_has_one_owner_and_checked_links);

/// A funder of the catalogue stands for one directory organisation, which
/// appears on the plans that use it; partner pages list every project they
/// take part in, and a commune shows the network around it.
async fn partners_and_funders_list_their_projects(backend: Backend) {
    let s = Partners::new(backend).await.linked().await;
    let (http, app) = (&s.http, &s.app);
    let (project, commune, asso, mayor) = (s.project, s.commune, s.asso, s.mayor);
    // The plan's funders appear with their directory organisation.
    let region_funder: i64 = {
        use app::server::entities::funding::funder;
        funder::Entity::find()
            .filter(funder::Column::Code.eq("region"))
            .one(&app.db)
            .await
            .expect("expected in this test")
            .expect("expected in this test")
            .id
    };
    let region = OrgBuilder::new("Région Auvergne-Rhône-Alpes", OrganisationKind::Region)
        .funder(&region_funder.to_string())
        .create(http, app)
        .await;
    // One funder stands for one organisation only.
    let err = refused(
        OrgBuilder::new("Conseil régional", OrganisationKind::Region)
            .funder(&region_funder.to_string())
            .send(http, app)
            .await,
        422,
    )
    .await;
    assert!(
        err.field("funder_id")
            .expect("expected in this test")
            .contains("Région Auvergne-Rhône-Alpes")
    );
    ok_id(
        post(
            http,
            app,
            "funding/lines/add",
            &vec![
                ("project_id", project.to_string()),
                ("form[funder_id]", region_funder.to_string()),
                ("form[amount_requested]", "50000".into()),
            ],
        )
        .await,
    )
    .await;

    let p = partners(http, app, project).await;
    let roles: Vec<(PartnerRole, Option<&str>, Option<&str>)> = p
        .links
        .iter()
        .map(|l| {
            (
                l.role,
                l.organisation.as_ref().map(|o| o.name.as_str()),
                l.person.as_ref().map(|o| o.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (PartnerRole::Owner, Some("Commune de Saint-Flour"), None),
            (
                PartnerRole::TechnicalPartner,
                Some("Association Margeride Initiatives"),
                None
            ),
            (PartnerRole::ReferentElected, None, Some("Hélène Vidal")),
        ]
    );
    assert_eq!(p.plan_funders.len(), 1);
    assert_eq!(
        p.plan_funders[0].organisation.as_ref().map(|o| o.id),
        Some(region)
    );

    // A partner's page lists every project it takes part in.
    let a = organisation(http, app, asso).await;
    let involved: Vec<(&str, PartnerRole)> = a
        .projects
        .iter()
        .map(|i| (i.project_title.as_str(), i.role))
        .collect();
    assert_eq!(
        involved,
        [
            ("Tiers-lieu de la gare", PartnerRole::TechnicalPartner),
            ("Voie verte", PartnerRole::Owner),
        ]
    );
    assert_eq!(a.projects[0].note, "Animation du lieu");
    assert_eq!(a.projects[0].health, app::domain::HealthStatus::OnTrack);
    let r = organisation(http, app, region).await;
    assert_eq!(r.projects.len(), 1);
    assert_eq!(
        (r.projects[0].project_id, r.projects[0].role),
        (project, PartnerRole::Funder)
    );
    let h = person(http, app, mayor).await;
    assert_eq!(h.projects.len(), 1);
    assert_eq!(h.projects[0].role, PartnerRole::ReferentElected);
    // Around the commune: its projects and the organisations working on them.
    let c = organisation(http, app, commune).await;
    let network = c.network.expect("expected in this test");
    assert_eq!(
        network.projects.iter().map(|p| p.id).collect::<Vec<_>>(),
        [project]
    );
    assert_eq!(
        network.partners.iter().map(|o| o.id).collect::<Vec<_>>(),
        [asso]
    );

    s.end().await;
}
both_backends!(partners_and_funders_list_their_projects);

/// Each change is on the project's timeline; removing works once.
async fn partner_changes_are_on_the_timeline(backend: Backend) {
    let s = Partners::new(backend).await.linked().await;
    let (http, app) = (&s.http, &s.app);
    let (project, asso) = (s.project, s.asso);
    let p = partners(http, app, project).await;
    // Each change is on the project's timeline; removing works once.
    let link_id = p.links[1].id;
    let remove: Form = vec![("link_id", link_id.to_string())];
    for status in [200, 404] {
        let res = post(http, app, "partners/remove", &remove).await;
        assert_eq!(res.status(), status);
    }
    let detail = get(http, app, project, None).await;
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "partner_added").count(), 3);
    let removed = detail
        .events
        .iter()
        .find(|e| e.kind.as_str() == "partner_removed")
        .expect("expected in this test");
    assert_eq!(
        removed.data["organisation"],
        "Association Margeride Initiatives"
    );
    assert_eq!(removed.data["role"], "technical_partner");
    let a = organisation(http, app, asso).await;
    assert_eq!(a.projects.len(), 1);
    s.end().await;
}
both_backends!(partner_changes_are_on_the_timeline);

/// Hélène Vidal, maire of Saint-Flour, a partner of a project, named in a
/// note, a milestone, a funding line, another organisation's link note and
/// her commune's notes; Pierre Delmas beside her.
struct Helene {
    test_db: crate::support::TestDb,
    app: TestApp,
    http: reqwest::Client,
    project: i64,
    org: i64,
    helene: i64,
    other: i64,
    export_url: String,
}

impl Helene {
    async fn new(backend: Backend) -> Self {
        let (test_db, app, http, _) = signed_in(backend).await;
        create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
        create_user(&app.db, "maire@commune.fr", Role::Partner).await;
        let project = create(&http, &app, "Maison de santé", &["15187"], &[]).await;
        let org = OrgBuilder::new("Commune de Saint-Flour", OrganisationKind::Commune)
            .commune("15187")
            .notes("Interlocutrice : Hélène VIDAL, très disponible.")
            .create(&http, &app)
            .await;
        let helene = new_person(
            &http,
            &app,
            "Hélène",
            "Vidal",
            &[
                ("form[email]", "helene.vidal@saint-flour.fr"),
                ("form[phone]", "04 71 60 22 50"),
                ("form[job_title]", "Maire"),
                ("form[notes]", "Préfère être appelée le matin."),
                ("form[organisation_id]", &org.to_string()),
            ],
        )
        .await;
        let other = new_person(&http, &app, "Pierre", "Delmas", &[]).await;
        ok_id(add_mandate(&http, &app, helene, "maire", org, &day(-200), "").await).await;
        ok_id(
            link(
                &http,
                &app,
                project,
                "referent_elected",
                Some(org),
                Some(helene),
                "",
            )
            .await,
        )
        .await;
        let note: Form = vec![
            ("project_id", project.to_string()),
            (
                "form[body]",
                "Réunion avec helene vidal sur le terrain.".into(),
            ),
        ];
        assert_eq!(post(&http, &app, "notes/add", &note).await.status(), 200);
        // Her name in other texts: a milestone, a funding line, another
        // organisation's link, a long note whose timeline excerpt cuts her name.
        let milestone: Form = vec![
            ("project_id", project.to_string()),
            ("form[kind]", "public_meeting".into()),
            (
                "form[title]",
                "Visite de chantier avec Hélène\nVidal".into(),
            ),
            ("form[due_date]", day(10)),
        ];
        assert_eq!(
            post(&http, &app, "milestones/add", &milestone)
                .await
                .status(),
            200
        );
        let line: Form = vec![
            ("project_id", project.to_string()),
            ("form[funder_id]", "1".into()),
            ("form[amount_requested]", "1000".into()),
            ("form[notes]", "Dossier suivi par VIDAL Hélène".into()),
        ];
        assert_eq!(
            post(&http, &app, "funding/lines/add", &line).await.status(),
            200
        );
        let asso = OrgBuilder::new("Association des parents", OrganisationKind::Association)
            .create(&http, &app)
            .await;
        ok_id(
            link(
                &http,
                &app,
                project,
                "other",
                Some(asso),
                None,
                "contact : Hélène  Vidal",
            )
            .await,
        )
        .await;
        let long = format!(
            "{:.<136} Hélène Vidal viendra.",
            "Compte rendu de la réunion de quartier"
        );
        assert!(
            long.chars().count() > 140
                && long.chars().take(140).collect::<String>().ends_with("Hél")
        );
        let note: Form = vec![("project_id", project.to_string()), ("form[body]", long)];
        assert_eq!(post(&http, &app, "notes/add", &note).await.status(), 200);
        let export_url = app.url(&format!("/annuaire/personnes/{helene}/export.json"));
        Self {
            test_db,
            app,
            http,
            project,
            org,
            helene,
            other,
            export_url,
        }
    }

    async fn end(self) {
        crate::support::finish(self.app, self.test_db).await;
    }
}

/// Export: every piece held about her, as JSON; audited.
async fn a_person_export_holds_all_about_them(backend: Backend) {
    let h = Helene::new(backend).await;
    let (http, app, helene) = (&h.http, &h.app, h.helene);
    let res = http
        .get(app.url(&format!("/annuaire/personnes/{helene}/export.json")))
        .send()
        .await
        .expect("expected in this test");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("expected in this test")
            .contains(&format!("personne-{helene}.json"))
    );
    let export: PersonExport = res.json().await.expect("expected in this test");
    assert_eq!(
        export.person.email.as_deref(),
        Some("helene.vidal@saint-flour.fr")
    );
    assert_eq!(export.person.phone.as_deref(), Some("04 71 60 22 50"));
    assert_eq!(export.person.notes, "Préfère être appelée le matin.");
    assert_eq!(export.memberships.len(), 1);
    assert_eq!(export.mandates.len(), 1);
    assert_eq!(export.project_links.len(), 1);
    let sources: Vec<&str> = export
        .notes_naming_them
        .iter()
        .map(|n| n.source.as_str())
        .collect();
    assert_eq!(
        sources,
        [
            "project_note",
            "project_note",
            "milestone",
            "funding_line",
            "project_partner",
            "organisation_notes"
        ]
    );
    let exported = audit::Entity::find()
        .filter(audit::Column::Action.eq(AuditAction::PersonExported))
        .all(&app.db)
        .await
        .expect("expected in this test");
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].person_id, Some(helene));

    h.end().await;
}
both_backends!(a_person_export_holds_all_about_them);

/// Officers cannot erase; partners reach nothing; anonymous goes to login.
async fn only_admins_erase_a_person(backend: Backend) {
    let h = Helene::new(backend).await;
    let (http, app, helene, export_url) = (&h.http, &h.app, h.helene, &h.export_url);
    let erase: Form = vec![("person_id", helene.to_string())];
    assert_eq!(
        post(http, app, "directory/people/erase", &erase)
            .await
            .status(),
        403
    );
    let partner = client();
    login(&partner, app, "maire@commune.fr", PASSWORD).await;
    assert_eq!(
        partner
            .get(export_url)
            .send()
            .await
            .expect("expected in this test")
            .status(),
        403
    );
    assert_eq!(
        post(
            &partner,
            app,
            "directory/person",
            &vec![("id", helene.to_string())]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        client()
            .get(export_url)
            .send()
            .await
            .expect("expected in this test")
            .status(),
        303
    );

    h.end().await;
}
both_backends!(only_admins_erase_a_person);

/// Erased: her record is empty, her links stay as « personne supprimée »,
/// her name is gone from every text and the timeline, she cannot be found
/// or written again, and the audit keeps what was done without her name.
async fn an_erased_person_is_gone_from_every_text(backend: Backend) {
    let h = Helene::new(backend).await;
    let (http, app, helene, export_url) = (&h.http, &h.app, h.helene, &h.export_url);
    let (project, org, other) = (h.project, h.org, h.other);
    let erase: Form = vec![("person_id", helene.to_string())];
    let admin = client();
    login(&admin, app, "admin@cc-exemple.fr", PASSWORD).await;
    assert_eq!(
        post(&admin, app, "directory/people/erase", &erase)
            .await
            .status(),
        200
    );
    assert!(matches!(
        refused(
            post(&admin, app, "directory/people/erase", &erase).await,
            409
        )
        .await,
        AppError::Conflict(_)
    ));

    // Her record is empty, her links stay as "personne supprimée".
    let p = person(http, app, helene).await;
    assert!(p.erased_at.is_some());
    assert_eq!(
        (
            p.first_name.as_str(),
            p.last_name.as_str(),
            p.email.as_deref(),
            p.phone.as_deref(),
            p.notes.as_str()
        ),
        ("", "", None, None, "")
    );
    assert_eq!(p.display_name(), "personne supprimée");
    assert_eq!(p.mandates.len(), 1, "the office held stays in the history");
    let links = partners(http, app, project).await;
    assert_eq!(
        links.links[0]
            .person
            .as_ref()
            .expect("expected in this test")
            .name,
        "personne supprimée"
    );
    assert_eq!(
        links.links[0]
            .organisation
            .as_ref()
            .expect("expected in this test")
            .name,
        "Commune de Saint-Flour"
    );
    let c = organisation(http, app, org).await;
    assert_eq!(c.mandates[0].person.name, "personne supprimée");
    assert_eq!(
        c.notes,
        "Interlocutrice : [personne supprimée], très disponible."
    );
    // Her name is gone from notes and from the timeline.
    let detail = get(http, app, project, None).await;
    assert!(
        detail
            .notes
            .iter()
            .any(|n| n.body == "Réunion avec [personne supprimée] sur le terrain.")
    );
    let added = detail
        .events
        .iter()
        .find(|e| e.kind.as_str() == "partner_added" && e.data["person_id"] == helene)
        .expect("expected in this test");
    assert_eq!(added.data["person"], "personne supprimée");
    let noted = detail
        .events
        .iter()
        .find(|e| e.kind.as_str() == "note_added")
        .expect("expected in this test");
    assert!(!noted.data.to_string().to_lowercase().contains("vidal"));
    let plan = post(
        http,
        app,
        "funding/plan",
        &vec![("project_id", project.to_string())],
    )
    .await
    .text()
    .await
    .expect("expected in this test");
    let whole = format!(
        "{}{}{}",
        serde_json::to_string(&detail).expect("expected in this test"),
        serde_json::to_string(&partners(http, app, project).await).expect("expected in this test"),
        plan
    )
    .to_lowercase();
    assert!(
        !whole.contains("vidal") && !whole.contains("hélène"),
        "{whole}"
    );
    // Not findable any more, and not writable.
    let list = directory(http, app, &[("filter[q]", "vidal")]).await;
    assert_eq!(list.people_total, 0);
    let update: Form = vec![
        ("id", helene.to_string()),
        ("version", p.version.to_string()),
        ("form[first_name]", "Hélène".into()),
        ("form[last_name]", "Vidal".into()),
    ];
    assert_eq!(
        post(http, app, "directory/people/update", &update)
            .await
            .status(),
        409
    );
    assert_eq!(person(http, app, other).await.first_name, "Pierre");
    let erased = audit::Entity::find()
        .filter(audit::Column::Action.eq(AuditAction::PersonErased))
        .one(&app.db)
        .await
        .expect("expected in this test")
        .expect("expected in this test");
    assert_eq!(erased.person_id, Some(helene));
    let details: serde_json::Value =
        serde_json::from_str(&erased.details).expect("expected in this test");
    // Two journal notes, the milestone, the funding line, the link note and
    // the organisation's notes.
    assert_eq!(details["notes_redacted"], 6);
    assert!(!erased.details.to_lowercase().contains("vidal"));
    // The export now holds nothing personal.
    let export: PersonExport = http
        .get(export_url)
        .send()
        .await
        .expect("expected in this test")
        .json()
        .await
        .expect("expected in this test");
    assert_eq!(
        (export.person.last_name.as_str(), export.person.email),
        ("", None)
    );
    h.end().await;
}
both_backends!(an_erased_person_is_gone_from_every_text);
