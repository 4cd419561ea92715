//! `maillage demo`: realistic demonstration data, idempotent (running it
//! twice adds nothing). Later features extend it with their own data.
use app::domain::{Email, Health, MilestoneKind, OwnerKind, Role, Stage};
use app::error::AppError;
use app::models::{CurrentUser, MilestoneInput, NewUser, ProjectForm};
use app::server::services::{journal, projects, users};
use chrono::{NaiveDate, Utc};
use sea_orm::DatabaseConnection;

use crate::demo_funding;

/// The password of every demo account (printed by the demo command).
pub const DEMO_PASSWORD: &str = "maillage-demo-2026";

/// (e-mail, name, role) of the demo accounts.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("admin@cc-demo-maillage.fr", "Nadia Admin", Role::Admin),
    (
        "sophie.lambert@cc-demo-maillage.fr",
        "Sophie Lambert",
        Role::Head,
    ),
    (
        "julien.moreau@cc-demo-maillage.fr",
        "Julien Moreau",
        Role::Officer,
    ),
    (
        "amina.benali@cc-demo-maillage.fr",
        "Amina Benali",
        Role::Officer,
    ),
    (
        "thomas.girard@cc-demo-maillage.fr",
        "Thomas Girard",
        Role::Officer,
    ),
    (
        "c.durand@mairie-demo-maillage.fr",
        "Christine Durand",
        Role::Partner,
    ),
    (
        "contact@asso-demo-maillage.org",
        "Les Amis du Bourg",
        Role::Partner,
    ),
];

/// Seeds the demo accounts; returns how many were created.
pub async fn seed(db: &DatabaseConnection) -> Result<usize, AppError> {
    let mut created = 0;
    for (email, name, role) in DEMO_USERS {
        let email = Email::parse(email).map_err(|_| AppError::Internal)?;
        if users::find_by_email(db, &email).await?.is_some() {
            continue;
        }
        users::create(
            db,
            NewUser {
                display_name: (*name).to_owned(),
                email,
                role: *role,
                password: DEMO_PASSWORD.to_owned(),
                organisation_id: None,
            },
        )
        .await?;
        created += 1;
    }
    Ok(created)
}

/// A demo project: title, summary, communes (INSEE, CC de Saint-Flour),
/// target stage, themes, programmes, estimated cost in euros.
pub(crate) type DemoProject = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Stage,
    &'static [&'static str],
    &'static [&'static str],
    i64,
);

pub(crate) const DEMO_PROJECTS: &[DemoProject] = &[
    (
        "Maison de santé pluriprofessionnelle",
        "Regrouper médecins, infirmiers et kinés dans l’ancienne gendarmerie.",
        &["15187"],
        Stage::Funding,
        &["sante"],
        &["pvd", "crte"],
        2_400_000,
    ),
    (
        "Requalification de la place d’Armes",
        "Place apaisée, stationnement réorganisé, terrasses.",
        &["15187"],
        Stage::Delivery,
        &["commerce", "mobilite"],
        &["pvd"],
        1_850_000,
    ),
    (
        "Tiers-lieu de la gare",
        "Coworking, fablab et café associatif dans la halle SNCF.",
        &["15187"],
        Stage::Study,
        &["numerique", "economie"],
        &["pvd", "leader"],
        620_000,
    ),
    (
        "Voie verte de la Margeride",
        "Itinéraire cyclable sur l’ancienne voie ferrée.",
        &["15168", "15231", "15259"],
        Stage::Study,
        &["mobilite", "tourisme"],
        &["crte"],
        3_100_000,
    ),
    (
        "Rénovation énergétique de l’école",
        "Isolation, chaudière bois, ventilation.",
        &["15142"],
        Stage::Delivery,
        &["transition_ecologique", "services"],
        &["crte", "villages_avenir"],
        780_000,
    ),
    (
        "Épicerie multiservice",
        "Reprise du dernier commerce du bourg avec point poste.",
        &["15152"],
        Stage::Funding,
        &["commerce", "services"],
        &["villages_avenir", "frr"],
        350_000,
    ),
    (
        "Station thermale : nouveaux soins",
        "Extension de Caleden, nouvelle offre bien-être.",
        &["15045"],
        Stage::Study,
        &["tourisme", "sante"],
        &["leader"],
        4_200_000,
    ),
    (
        "Réseau de chaleur bois",
        "Chaufferie collective pour mairie, école et EHPAD.",
        &["15045"],
        Stage::Emergence,
        &["transition_ecologique"],
        &["crte"],
        1_300_000,
    ),
    (
        "Logements communaux au-dessus de la mairie",
        "Trois logements locatifs sociaux.",
        &["15188"],
        Stage::Completed,
        &["habitat"],
        &["villages_avenir"],
        420_000,
    ),
    (
        "Aire de covoiturage A75",
        "Parking de 40 places avec bornes de recharge.",
        &["15004"],
        Stage::Completed,
        &["mobilite"],
        &["crte"],
        260_000,
    ),
    (
        "Sentiers d’interprétation des gorges de la Truyère",
        "Signalétique et belvédères.",
        &["15108", "15142"],
        Stage::Funding,
        &["tourisme", "culture"],
        &["leader"],
        190_000,
    ),
    (
        "Cantine scolaire en circuit court",
        "Légumerie et approvisionnement local.",
        &["15248"],
        Stage::Delivery,
        &["agriculture", "services"],
        &["crte"],
        240_000,
    ),
    (
        "Maison France Services itinérante",
        "Un bus France Services pour 20 communes.",
        &["15187", "15152", "15216"],
        Stage::Delivery,
        &["services", "numerique"],
        &["frr"],
        180_000,
    ),
    (
        "Reconversion de l’ancienne scierie",
        "Friche industrielle vers ateliers artisanaux.",
        &["15235"],
        Stage::Emergence,
        &["economie"],
        &["territoires_industrie"],
        1_600_000,
    ),
    (
        "Salle polyvalente",
        "Rénovation et mise en accessibilité.",
        &["15164"],
        Stage::Funding,
        &["culture", "jeunesse"],
        &["villages_avenir"],
        540_000,
    ),
    (
        "Assainissement collectif du bourg",
        "Station d’épuration et réseaux séparatifs.",
        &["15262"],
        Stage::Study,
        &["eau"],
        &[],
        1_150_000,
    ),
    (
        "City-stade intercommunal",
        "Équipement sportif de plein air.",
        &["15244"],
        Stage::Completed,
        &["jeunesse"],
        &[],
        95_000,
    ),
    (
        "Atelier de découpe de viande",
        "Outil collectif pour les éleveurs de Margeride.",
        &["15168"],
        Stage::Funding,
        &["agriculture", "economie"],
        &["leader", "territoires_industrie"],
        870_000,
    ),
    (
        "Restauration de l’église Saint-Martin",
        "Toiture et vitraux d’un édifice inscrit.",
        &["15216"],
        Stage::Study,
        &["culture"],
        &[],
        690_000,
    ),
    (
        "Fibre dans les hameaux",
        "Raccordement des 12 derniers hameaux.",
        &["15055", "15148"],
        Stage::Delivery,
        &["numerique"],
        &["frr"],
        410_000,
    ),
    (
        "Gîte d’étape sur le GR 4",
        "Hébergement de 18 lits pour randonneurs.",
        &["15148"],
        Stage::Funding,
        &["tourisme"],
        &["leader"],
        560_000,
    ),
    (
        "Centre de loisirs intercommunal",
        "Accueil périscolaire et mercredis.",
        &["15053"],
        Stage::Emergence,
        &["jeunesse", "services"],
        &[],
        720_000,
    ),
    (
        "Plateforme de compostage",
        "Biodéchets des cantines et des habitants.",
        &["15005"],
        Stage::Abandoned,
        &["transition_ecologique"],
        &["crte"],
        150_000,
    ),
    (
        "Halle de marché couverte",
        "Marché de producteurs toute l’année.",
        &["15187"],
        Stage::Emergence,
        &["commerce", "agriculture"],
        &["pvd"],
        980_000,
    ),
    (
        "Résidence seniors",
        "Douze logements adaptés près du centre-bourg.",
        &["15142"],
        Stage::Study,
        &["habitat", "sante"],
        &["villages_avenir"],
        2_100_000,
    ),
    (
        "Parc photovoltaïque sur l’ancienne décharge",
        "5 MWc en régie communale.",
        &["15231"],
        Stage::Funding,
        &["transition_ecologique"],
        &["crte"],
        4_800_000,
    ),
    (
        "Médiathèque tête de réseau",
        "Extension et numérique.",
        &["15187"],
        Stage::Delivery,
        &["culture", "numerique"],
        &["pvd"],
        1_450_000,
    ),
    (
        "Aménagement du lac de Garabit",
        "Base nautique et accès.",
        &["15259", "15004"],
        Stage::Study,
        &["tourisme"],
        &["leader"],
        1_200_000,
    ),
    (
        "Dépôt de bus à hydrogène",
        "Expérimentation de transport à la demande.",
        &["15187"],
        Stage::Abandoned,
        &["mobilite"],
        &["territoires_industrie"],
        2_900_000,
    ),
    (
        "Boulangerie communale",
        "Local et four pour une reprise d’activité.",
        &["15188"],
        Stage::Delivery,
        &["commerce"],
        &["villages_avenir"],
        310_000,
    ),
    (
        "Pôle enfance",
        "Crèche de 24 berceaux et RAM.",
        &["15187"],
        Stage::Funding,
        &["services", "jeunesse"],
        &["pvd"],
        1_750_000,
    ),
    (
        "Réhabilitation du presbytère en logements",
        "Quatre logements passerelle.",
        &["15152"],
        Stage::Study,
        &["habitat"],
        &["villages_avenir"],
        640_000,
    ),
    (
        "Chemins de randonnée VTT",
        "Balisage de 120 km de circuits.",
        &["15045", "15216"],
        Stage::Completed,
        &["tourisme"],
        &["leader"],
        85_000,
    ),
    (
        "Abattoir : mise aux normes",
        "Travaux sanitaires obligatoires.",
        &["15187"],
        Stage::Delivery,
        &["agriculture"],
        &["territoires_industrie"],
        2_300_000,
    ),
    (
        "Four à pain et fête du village",
        "Restauration du four banal.",
        &["15055"],
        Stage::Completed,
        &["culture"],
        &[],
        40_000,
    ),
    (
        "Éclairage public LED",
        "Remplacement de 600 points lumineux.",
        &["15142", "15231", "15248"],
        Stage::Delivery,
        &["transition_ecologique"],
        &["crte"],
        520_000,
    ),
    (
        "Zone d’activités des Prés",
        "Extension de 6 hectares.",
        &["15004"],
        Stage::Emergence,
        &["economie"],
        &["territoires_industrie"],
        2_600_000,
    ),
    (
        "Maison des associations",
        "Locaux partagés pour 30 associations.",
        &["15187"],
        Stage::Emergence,
        &["culture", "jeunesse"],
        &["pvd"],
        460_000,
    ),
    (
        "Captage d’eau potable",
        "Sécurisation de la ressource.",
        &["15108"],
        Stage::Funding,
        &["eau"],
        &[],
        1_020_000,
    ),
    (
        "Vélos à assistance électrique en location",
        "Flotte de 30 VAE en gare et office de tourisme.",
        &["15187", "15045"],
        Stage::Emergence,
        &["mobilite", "tourisme"],
        &["crte"],
        120_000,
    ),
];

const STEERING: MilestoneKind = MilestoneKind::SteeringCommittee;

/// Seeds about forty projects across the CC de Saint-Flour (needs the
/// territories). Idempotent: does nothing when the demo projects exist.
pub async fn seed_projects(db: &DatabaseConnection, today: NaiveDate) -> Result<usize, AppError> {
    use app::server::entities::projects::project;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    if project::Entity::find()
        .filter(project::Column::Reference.eq("DEMO-001"))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let officers: Vec<CurrentUser> = {
        let mut list = Vec::new();
        for (email, _, role) in DEMO_USERS.iter().filter(|(_, _, r)| *r == Role::Officer) {
            let email = Email::parse(email).map_err(|_| AppError::Internal)?;
            if let Some(u) = users::find_by_email(db, &email).await? {
                list.push(CurrentUser {
                    id: u.id,
                    email: u.email,
                    display_name: u.display_name,
                    role: *role,
                });
            }
        }
        list
    };
    if officers.is_empty() {
        return Err(AppError::Internal);
    }
    let now = Utc::now();
    let days = |n: i64| today + chrono::Duration::days(n);
    for (i, (title, summary, communes, target, themes, programmes, euros)) in
        DEMO_PROJECTS.iter().enumerate()
    {
        let actor = &officers[i % officers.len()];
        let form = ProjectForm {
            title: (*title).to_owned(),
            reference: format!("DEMO-{:03}", i + 1),
            summary: (*summary).to_owned(),
            description: String::new(),
            lead_officer_id: actor.id.to_string(),
            communes: communes.iter().map(|c| (*c).to_owned()).collect(),
            themes: themes.iter().map(|c| (*c).to_owned()).collect(),
            programmes: programmes.iter().map(|c| (*c).to_owned()).collect(),
            estimated_cost: euros.to_string(),
            start_date: days(30 * (i as i64 % 7) - 90).to_string(),
            end_date: days(365 + 30 * (i as i64 % 11)).to_string(),
            owner_name: owner_name(db, i, communes[0]).await?,
            owner_kind: owner_kind(i).as_str().to_owned(),
        };
        let id = projects::create(db, actor, form.validate()?, now).await?;
        let mut version = 1;
        // Walk the stages forward to the target, as an officer would have.
        let path: Vec<Stage> = match target {
            Stage::Abandoned => vec![Stage::Study, Stage::Abandoned],
            target => Stage::PATH
                .into_iter()
                .skip(1)
                .take_while(|s| s <= target)
                .collect(),
        };
        for stage in path {
            let reason = (stage == Stage::Abandoned)
                .then(|| "Plan de financement non bouclé, projet reporté sine die".to_owned());
            projects::change_stage(db, actor, id, version, stage, reason, now).await?;
            version += 1;
        }
        // Milestones: one done, one late or due soon, one later.
        let offset = (i as i64 % 5) * 7;
        let input = |kind: MilestoneKind,
                     title: &str,
                     due: NaiveDate,
                     done: Option<NaiveDate>,
                     shareable: bool| MilestoneInput {
            kind,
            title: title.to_owned(),
            due_date: due,
            done_date: done,
            note: String::new(),
            shareable,
        };
        journal::add_milestone(
            db,
            actor,
            id,
            input(
                STEERING,
                "Comité de pilotage de lancement",
                days(-120 + offset),
                Some(days(-118 + offset)),
                true,
            ),
            now,
        )
        .await?;
        if target.is_active() {
            let (title, due) = if i % 3 == 0 {
                ("Dépôt du dossier DETR", days(-5 - offset))
            } else {
                ("Comité technique", days(5 + offset))
            };
            let kind = if i % 3 == 0 {
                MilestoneKind::ApplicationFiling
            } else {
                MilestoneKind::TechnicalCommittee
            };
            journal::add_milestone(db, actor, id, input(kind, title, due, None, false), now)
                .await?;
            journal::add_milestone(
                db,
                actor,
                id,
                input(
                    MilestoneKind::Decision,
                    "Délibération du conseil communautaire",
                    days(60 + offset),
                    None,
                    true,
                ),
                now,
            )
            .await?;
        }
        journal::add_note(
            db,
            actor,
            id,
            format!("Rencontre avec le porteur de projet : {summary}"),
            days(-100 + offset),
            false,
            now,
        )
        .await?;
        if i % 7 == 3 && target.is_active() {
            let health = Health::Blocked {
                reason: "En attente de l’avis de l’Architecte des Bâtiments de France".to_owned(),
            };
            projects::change_health(db, actor, id, version, health, now).await?;
            version += 1;
        } else if i % 7 == 5 && target.is_active() {
            let health = Health::Paused {
                reason: "Report après les élections municipales".to_owned(),
                since: days(-40),
            };
            projects::change_health(db, actor, id, version, health, now).await?;
            version += 1;
        }
        if matches!(target, Stage::Delivery | Stage::Completed) {
            journal::add_milestone(
                db,
                actor,
                id,
                input(
                    MilestoneKind::WorksStart,
                    "Ordre de service : début des travaux",
                    days(-150),
                    Some(days(-150)),
                    true,
                ),
                now,
            )
            .await?;
        }
        demo_funding::seed_plan(db, actor, id, version, i, *target, euros * 100, today, now)
            .await?;
    }
    Ok(DEMO_PROJECTS.len())
}

/// Who carries demo project `i`: mostly communes, some the EPCI, a few
/// associations (for which the 20 % rule does not apply).
pub(crate) fn owner_kind(i: usize) -> OwnerKind {
    if i % 9 == 4 {
        OwnerKind::Association
    } else if i % 3 == 1 && i != demo_funding::BREAKS_RULE {
        OwnerKind::Epci
    } else {
        OwnerKind::Commune
    }
}

async fn owner_name(db: &DatabaseConnection, i: usize, insee: &str) -> Result<String, AppError> {
    use app::server::entities::territory::commune;
    use sea_orm::EntityTrait;
    Ok(match owner_kind(i) {
        OwnerKind::Association => "Association Margeride Initiatives".to_owned(),
        OwnerKind::Epci => "Saint-Flour Communauté".to_owned(),
        _ => {
            let name = commune::Entity::find_by_id(insee.to_owned())
                .one(db)
                .await?
                .map(|c| c.name)
                .unwrap_or_else(|| insee.to_owned());
            format!("Commune de {name}")
        }
    })
}

/// Seeds the partner directory and the demo projects' partners, written
/// as the first demo officer (needs the accounts and projects). Returns how
/// many organisations were created (0 when already there).
pub async fn seed_directory(db: &DatabaseConnection, today: NaiveDate) -> Result<usize, AppError> {
    let (email, _, role) = DEMO_USERS
        .iter()
        .find(|(_, _, r)| *r == Role::Officer)
        .ok_or(AppError::Internal)?;
    let email = Email::parse(email).map_err(|_| AppError::Internal)?;
    let user = users::find_by_email(db, &email)
        .await?
        .ok_or(AppError::Internal)?;
    let actor = CurrentUser {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: *role,
    };
    crate::demo_directory::seed(db, &actor, today).await
}
