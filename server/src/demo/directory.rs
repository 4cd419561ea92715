//! The demo's partner directory: the real structure of the demo EPCI
//! (Saint-Flour Communauté: the EPCI and each of its communes from the
//! reference data), the département, the région and State services
//! standing for the plan funders, associations and businesses with valid
//! SIRETs, invented but plausible elected officials whose mandates follow
//! the March 2026 municipal elections (with the previous mayors kept as
//! history), and the partners of each demo project.
use app::domain::{OwnerKind, PartnerRole, Role, search_key};
use app::error::AppError;
use app::models::{CurrentUser, MandateForm, OrganisationForm, PartnerLinkForm, PersonForm};
use app::server::entities::directory::{mandate, organisation};
use app::server::entities::funding::funder;
use app::server::entities::projects::project;
use app::server::entities::territory::commune;
use app::server::services::directory::{organisations, partners, people, ties};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::accounts::{self, DEMO_USERS};
use super::projects::{DEMO_PROJECTS, owner_kind};

/// The demo EPCI.
pub const EPCI_SIREN: &str = "200066660";
pub const EPCI_NAME: &str = "Saint-Flour Communauté";

/// Mayors took office after the second round of 22 March 2026.
const MAYORS_SINCE: &str = "2026-03-28";
/// The previous term's mayors, kept as history.
const PREVIOUS_TERM: (&str, &str) = ("2020-05-23", "2026-03-27");
/// The EPCI's council was installed in April 2026.
const EPCI_SINCE: &str = "2026-04-14";
/// Départemental councillors, elected in June 2021.
const DEPARTEMENT_SINCE: &str = "2021-07-01";

const FIRST_NAMES: &[&str] = &[
    "Hélène",
    "Pierre",
    "Marie",
    "Jean-Luc",
    "Sylvie",
    "Bernard",
    "Céline",
    "Michel",
    "Annie",
    "Christophe",
    "Isabelle",
    "Alain",
    "Nathalie",
    "Gérard",
    "Sandrine",
    "Didier",
    "Monique",
    "Laurent",
    "Véronique",
    "Patrice",
    "Élodie",
    "Serge",
    "Brigitte",
    "Frédéric",
];
const LAST_NAMES: &[&str] = &[
    "Vidal",
    "Delmas",
    "Chabrier",
    "Boudon",
    "Teyssier",
    "Lafon",
    "Malroux",
    "Bonnal",
    "Cayrol",
    "Raynal",
    "Astruc",
    "Bouchy",
    "Vernet",
    "Courbebaisse",
    "Rouchy",
    "Fabre",
    "Mourgues",
    "Pagès",
    "Cabrol",
    "Lavergne",
    "Bastide",
    "Fournier",
    "Roux",
    "Chambon",
    "Laporte",
    "Tournadre",
    "Bardet",
    "Cueille",
    "Falcon",
];

/// A Luhn-valid number: `prefix` followed by its check digit.
fn with_luhn_key(prefix: &str) -> String {
    (0..10)
        .map(|d| format!("{prefix}{d}"))
        .find(|n| app::domain::CompanyId::parse(n).is_ok_and(|id| id.is_some()))
        .unwrap_or_default()
}

/// A valid SIRET for demo organisation `i` (SIREN then NIC).
fn demo_siret(i: usize) -> String {
    let siren = with_luhn_key(&format!("8{:07}", 4_210_000 + i * 137));
    with_luhn_key(&format!("{siren}0001"))
}

fn person_name(i: usize) -> (String, String) {
    (
        FIRST_NAMES[i % FIRST_NAMES.len()].to_owned(),
        LAST_NAMES[(i * 7 + 3) % LAST_NAMES.len()].to_owned(),
    )
}

fn ascii(s: &str) -> String {
    search_key(s).replace(' ', "-")
}

async fn organisation(db: &DatabaseConnection, form: OrganisationForm) -> Result<i64, AppError> {
    organisations::create_organisation(db, form.validate()?, Utc::now()).await
}

fn org_form(name: &str, kind: &str) -> OrganisationForm {
    OrganisationForm {
        name: name.to_owned(),
        kind: kind.to_owned(),
        ..Default::default()
    }
}

async fn funder_id(db: &DatabaseConnection, code: &str) -> Result<Option<i64>, AppError> {
    Ok(funder::Entity::find()
        .filter(funder::Column::Code.eq(code))
        .one(db)
        .await?
        .map(|f| f.id))
}

async fn person(
    db: &DatabaseConnection,
    i: usize,
    job: &str,
    domain: &str,
    org: Option<i64>,
) -> Result<i64, AppError> {
    let (first, last) = person_name(i);
    let form = PersonForm {
        email: format!("{}.{}@{domain}", ascii(&first), ascii(&last)),
        phone: format!(
            "04 71 {:02} {:02} {:02}",
            20 + i % 70,
            (i * 13) % 100,
            (i * 29) % 100
        ),
        first_name: first,
        last_name: last,
        job_title: job.to_owned(),
        notes: String::new(),
        organisation_id: org.map(|o| o.to_string()).unwrap_or_default(),
    };
    people::create_person(db, form.validate()?, Utc::now()).await
}

async fn mandate(
    db: &DatabaseConnection,
    person_id: i64,
    office: &str,
    org: i64,
    start: &str,
    end: Option<&str>,
) -> Result<(), AppError> {
    let form = MandateForm {
        office: office.to_owned(),
        organisation_id: org.to_string(),
        start_on: start.to_owned(),
        end_on: end.unwrap_or_default().to_owned(),
    };
    ties::add::<mandate::Entity>(db, person_id, form.validate()?).await?;
    Ok(())
}

async fn link(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    role: PartnerRole,
    org: Option<i64>,
    person: Option<i64>,
    note: &str,
) -> Result<(), AppError> {
    let form = PartnerLinkForm {
        role: role.as_str().to_owned(),
        organisation_id: org.map(|o| o.to_string()).unwrap_or_default(),
        person_id: person.map(|p| p.to_string()).unwrap_or_default(),
        note: note.to_owned(),
    };
    let at = super::after_last(db, project_id, 3).await?;
    partners::add_link(db, actor, project_id, form.validate()?, at).await?;
    Ok(())
}

/// Seeds the directory and the demo projects' partners; does nothing when
/// the EPCI's organisation exists. Returns how many organisations were made.
async fn seed_as(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    today: NaiveDate,
) -> Result<usize, AppError> {
    let _ = today;
    if organisation::Entity::find()
        .filter(organisation::Column::EpciSiren.eq(EPCI_SIREN))
        .count(db)
        .await?
        > 0
    {
        return Ok(0);
    }
    let mut made = 0;
    let epci = organisation(
        db,
        OrganisationForm {
            company_id: EPCI_SIREN.to_owned(),
            epci: EPCI_SIREN.to_owned(),
            commune: "15187".to_owned(),
            address: "1 place d’Armes\n15100 Saint-Flour".to_owned(),
            website: "https://www.saint-flour-communaute.fr".to_owned(),
            ..org_form(EPCI_NAME, "epci")
        },
    )
    .await?;
    made += 1;

    // Each commune of the EPCI, its mayor (and, for some, the previous one).
    let communes = commune::Entity::find()
        .filter(commune::Column::EpciSiren.eq(EPCI_SIREN))
        .order_by_asc(commune::Column::Name)
        .all(db)
        .await?;
    let mut mayor_of = std::collections::BTreeMap::new();
    let mut commune_org = std::collections::BTreeMap::new();
    let mut n = 0;
    for c in &communes {
        let org = organisation(
            db,
            OrganisationForm {
                commune: c.insee.clone(),
                address: format!("Mairie\n{}", c.name),
                ..org_form(&format!("Commune de {}", c.name), "commune")
            },
        )
        .await?;
        made += 1;
        commune_org.insert(c.insee.clone(), org);
        let domain = format!("mairie-{}.fr", ascii(&c.name));
        let mayor = person(db, n, "Maire", &domain, Some(org)).await?;
        n += 1;
        mandate(db, mayor, "maire", org, MAYORS_SINCE, None).await?;
        mayor_of.insert(c.insee.clone(), mayor);
        if n % 3 == 1 {
            let previous = person(db, n + 500, "Ancien maire", &domain, None).await?;
            mandate(
                db,
                previous,
                "maire",
                org,
                PREVIOUS_TERM.0,
                Some(PREVIOUS_TERM.1),
            )
            .await?;
            // Some mayors were re-elected: the same person, two mandates.
        } else if n % 5 == 0 {
            mandate(
                db,
                mayor,
                "maire",
                org,
                PREVIOUS_TERM.0,
                Some(PREVIOUS_TERM.1),
            )
            .await?;
        }
        if n % 4 == 0 {
            let adjoint = person(db, n + 80, "Première adjointe", &domain, Some(org)).await?;
            mandate(db, adjoint, "adjoint", org, MAYORS_SINCE, None).await?;
        }
    }

    // The EPCI's executive: a president and vice-presidents among mayors.
    let mayors: Vec<i64> = mayor_of.values().copied().collect();
    if let Some(president) = mayors.first() {
        mandate(db, *president, "president_epci", epci, EPCI_SINCE, None).await?;
    }
    for vp in mayors.iter().skip(1).step_by(4).take(4) {
        mandate(db, *vp, "vice_president", epci, EPCI_SINCE, None).await?;
    }
    let dgs = person(
        db,
        200,
        "Directrice générale des services",
        "saint-flour-communaute.fr",
        Some(epci),
    )
    .await?;
    let _ = dgs;

    // Département, région, State, and the funders they stand for.
    let departement = organisation(
        db,
        OrganisationForm {
            funder_id: funder_id(db, "departement")
                .await?
                .map(|f| f.to_string())
                .unwrap_or_default(),
            website: "https://www.cantal.fr".to_owned(),
            address: "28 avenue Gambetta\n15000 Aurillac".to_owned(),
            ..org_form("Département du Cantal", "departement")
        },
    )
    .await?;
    let councillor = person(
        db,
        210,
        "Conseiller départemental",
        "cantal.fr",
        Some(departement),
    )
    .await?;
    mandate(
        db,
        councillor,
        "conseiller_departemental",
        departement,
        DEPARTEMENT_SINCE,
        None,
    )
    .await?;
    let region = organisation(
        db,
        OrganisationForm {
            funder_id: funder_id(db, "region")
                .await?
                .map(|f| f.to_string())
                .unwrap_or_default(),
            website: "https://www.auvergnerhonealpes.fr".to_owned(),
            ..org_form("Région Auvergne-Rhône-Alpes", "region")
        },
    )
    .await?;
    let prefecture = organisation(
        db,
        OrganisationForm {
            funder_id: funder_id(db, "detr")
                .await?
                .map(|f| f.to_string())
                .unwrap_or_default(),
            notes: "Instruit les dossiers DETR et DSIL du département.".to_owned(),
            ..org_form("Préfecture du Cantal", "state_service")
        },
    )
    .await?;
    let gal = organisation(
        db,
        OrganisationForm {
            funder_id: funder_id(db, "leader")
                .await?
                .map(|f| f.to_string())
                .unwrap_or_default(),
            notes: "Groupe d’action locale LEADER 2023-2027.".to_owned(),
            ..org_form("GAL du Pays de Saint-Flour Haute-Auvergne", "funder")
        },
    )
    .await?;
    let detr_contact = person(
        db,
        220,
        "Chargée de mission DETR",
        "cantal.gouv.fr",
        Some(prefecture),
    )
    .await?;
    made += 4;
    let _ = (region, gal, detr_contact);

    // Associations, businesses, chambers: valid SIRETs.
    let mut others = Vec::new();
    for (i, (name, kind, job)) in [
        (
            "Association Margeride Initiatives",
            "association",
            "Présidente",
        ),
        ("Les Amis du Viaduc de Garabit", "association", "Président"),
        (
            "Office de tourisme des Pays de Saint-Flour",
            "association",
            "Directrice",
        ),
        ("CAUE du Cantal", "other", "Architecte conseil"),
        ("Scierie de la Margeride", "business", "Gérant"),
        ("Boulangerie Delmas", "business", "Gérante"),
        ("CCI du Cantal", "chamber", "Chargé de développement"),
        (
            "Chambre d’agriculture du Cantal",
            "chamber",
            "Conseillère territoriale",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let org = organisation(
            db,
            OrganisationForm {
                company_id: demo_siret(i),
                commune: "15187".to_owned(),
                ..org_form(name, kind)
            },
        )
        .await?;
        made += 1;
        let contact = person(db, 300 + i, job, &format!("{}.fr", ascii(name)), Some(org)).await?;
        others.push((org, contact));
    }

    // The demo projects' partners: owner, élu référent, a technical partner.
    let projects = project::Entity::find()
        .filter(project::Column::Reference.like("DEMO-%"))
        .order_by_asc(project::Column::Reference)
        .all(db)
        .await?;
    for (i, p) in projects.iter().enumerate() {
        // The commune the project's owner name was made from (its first).
        let first = DEMO_PROJECTS
            .get(i)
            .and_then(|d| d.communes.first())
            .map(|c| (*c).to_owned());
        let owner = match owner_kind(i) {
            OwnerKind::Association => Some(others[0].0),
            OwnerKind::Epci => Some(epci),
            _ => first.as_ref().and_then(|c| commune_org.get(c).copied()),
        };
        if let Some(owner) = owner {
            link(db, actor, p.id, PartnerRole::Owner, Some(owner), None, "").await?;
        }
        if let Some(mayor) = first.as_ref().and_then(|c| mayor_of.get(c).copied()) {
            link(
                db,
                actor,
                p.id,
                PartnerRole::ReferentElected,
                None,
                Some(mayor),
                "",
            )
            .await?;
        }
        if i % 3 == 0 {
            let (org, contact) = others[3];
            link(
                db,
                actor,
                p.id,
                PartnerRole::TechnicalPartner,
                Some(org),
                Some(contact),
                "Avis architectural et paysager",
            )
            .await?;
        } else if i % 4 == 1 {
            let (org, _) = others[(i / 4) % 3 + 1];
            link(
                db,
                actor,
                p.id,
                PartnerRole::Other,
                Some(org),
                None,
                "Associée à la concertation",
            )
            .await?;
        }
    }
    Ok(made)
}

/// Seeds the partner directory and the demo projects' partners, written
/// as the first demo officer (needs the accounts and projects). Returns how
/// many organisations were created (0 when already there).
pub async fn seed(db: &DatabaseConnection, today: NaiveDate) -> Result<usize, AppError> {
    let (email, _, role) = DEMO_USERS
        .iter()
        .find(|(_, _, r)| *r == Role::Officer)
        .ok_or_else(AppError::internal_here)?;
    let actor = accounts::actor(db, email, *role)
        .await?
        .ok_or_else(AppError::internal_here)?;
    seed_as(db, &actor, today).await
}
