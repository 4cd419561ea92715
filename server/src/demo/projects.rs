//! The demo projects: about forty projects across the CC de Saint-Flour,
//! walked through their stages, milestones, notes, health and funding plans
//! by the demo officers through the real services.
use app::domain::{Health, MilestoneKind, OwnerKind, Role, Stage};
use app::error::AppError;
use app::models::{CurrentUser, MilestoneInput, ProjectForm};
use app::server::services::{journal, projects};
use chrono::{NaiveDate, Utc};
use sea_orm::DatabaseConnection;

use super::accounts::{self, DEMO_USERS};
use super::funding as demo_funding;

/// A demo project.
pub(crate) struct DemoProject {
    pub title: &'static str,
    pub summary: &'static str,
    /// INSEE codes, in the CC de Saint-Flour; the first gives the owner.
    pub communes: &'static [&'static str],
    /// The stage the demo walks the project to.
    pub target: Stage,
    pub themes: &'static [&'static str],
    pub programmes: &'static [&'static str],
    pub cost_euros: i64,
}

pub(crate) const DEMO_PROJECTS: &[DemoProject] = &[
    DemoProject {
        title: "Maison de santé pluriprofessionnelle",
        summary: "Regrouper médecins, infirmiers et kinés dans l’ancienne gendarmerie.",
        communes: &["15187"],
        target: Stage::Funding,
        themes: &["sante"],
        programmes: &["pvd", "crte"],
        cost_euros: 2_400_000,
    },
    DemoProject {
        title: "Requalification de la place d’Armes",
        summary: "Place apaisée, stationnement réorganisé, terrasses.",
        communes: &["15187"],
        target: Stage::Delivery,
        themes: &["commerce", "mobilite"],
        programmes: &["pvd"],
        cost_euros: 1_850_000,
    },
    DemoProject {
        title: "Tiers-lieu de la gare",
        summary: "Coworking, fablab et café associatif dans la halle SNCF.",
        communes: &["15187"],
        target: Stage::Study,
        themes: &["numerique", "economie"],
        programmes: &["pvd", "leader"],
        cost_euros: 620_000,
    },
    DemoProject {
        title: "Voie verte de la Margeride",
        summary: "Itinéraire cyclable sur l’ancienne voie ferrée.",
        communes: &["15168", "15231", "15259"],
        target: Stage::Study,
        themes: &["mobilite", "tourisme"],
        programmes: &["crte"],
        cost_euros: 3_100_000,
    },
    DemoProject {
        title: "Rénovation énergétique de l’école",
        summary: "Isolation, chaudière bois, ventilation.",
        communes: &["15142"],
        target: Stage::Delivery,
        themes: &["transition_ecologique", "services"],
        programmes: &["crte", "villages_avenir"],
        cost_euros: 780_000,
    },
    DemoProject {
        title: "Épicerie multiservice",
        summary: "Reprise du dernier commerce du bourg avec point poste.",
        communes: &["15152"],
        target: Stage::Funding,
        themes: &["commerce", "services"],
        programmes: &["villages_avenir", "frr"],
        cost_euros: 350_000,
    },
    DemoProject {
        title: "Station thermale : nouveaux soins",
        summary: "Extension de Caleden, nouvelle offre bien-être.",
        communes: &["15045"],
        target: Stage::Study,
        themes: &["tourisme", "sante"],
        programmes: &["leader"],
        cost_euros: 4_200_000,
    },
    DemoProject {
        title: "Réseau de chaleur bois",
        summary: "Chaufferie collective pour mairie, école et EHPAD.",
        communes: &["15045"],
        target: Stage::Emergence,
        themes: &["transition_ecologique"],
        programmes: &["crte"],
        cost_euros: 1_300_000,
    },
    DemoProject {
        title: "Logements communaux au-dessus de la mairie",
        summary: "Trois logements locatifs sociaux.",
        communes: &["15188"],
        target: Stage::Completed,
        themes: &["habitat"],
        programmes: &["villages_avenir"],
        cost_euros: 420_000,
    },
    DemoProject {
        title: "Aire de covoiturage A75",
        summary: "Parking de 40 places avec bornes de recharge.",
        communes: &["15004"],
        target: Stage::Completed,
        themes: &["mobilite"],
        programmes: &["crte"],
        cost_euros: 260_000,
    },
    DemoProject {
        title: "Sentiers d’interprétation des gorges de la Truyère",
        summary: "Signalétique et belvédères.",
        communes: &["15108", "15142"],
        target: Stage::Funding,
        themes: &["tourisme", "culture"],
        programmes: &["leader"],
        cost_euros: 190_000,
    },
    DemoProject {
        title: "Cantine scolaire en circuit court",
        summary: "Légumerie et approvisionnement local.",
        communes: &["15248"],
        target: Stage::Delivery,
        themes: &["agriculture", "services"],
        programmes: &["crte"],
        cost_euros: 240_000,
    },
    DemoProject {
        title: "Maison France Services itinérante",
        summary: "Un bus France Services pour 20 communes.",
        communes: &["15187", "15152", "15216"],
        target: Stage::Delivery,
        themes: &["services", "numerique"],
        programmes: &["frr"],
        cost_euros: 180_000,
    },
    DemoProject {
        title: "Reconversion de l’ancienne scierie",
        summary: "Friche industrielle vers ateliers artisanaux.",
        communes: &["15235"],
        target: Stage::Emergence,
        themes: &["economie"],
        programmes: &["territoires_industrie"],
        cost_euros: 1_600_000,
    },
    DemoProject {
        title: "Salle polyvalente",
        summary: "Rénovation et mise en accessibilité.",
        communes: &["15164"],
        target: Stage::Funding,
        themes: &["culture", "jeunesse"],
        programmes: &["villages_avenir"],
        cost_euros: 540_000,
    },
    DemoProject {
        title: "Assainissement collectif du bourg",
        summary: "Station d’épuration et réseaux séparatifs.",
        communes: &["15262"],
        target: Stage::Study,
        themes: &["eau"],
        programmes: &[],
        cost_euros: 1_150_000,
    },
    DemoProject {
        title: "City-stade intercommunal",
        summary: "Équipement sportif de plein air.",
        communes: &["15244"],
        target: Stage::Completed,
        themes: &["jeunesse"],
        programmes: &[],
        cost_euros: 95_000,
    },
    DemoProject {
        title: "Atelier de découpe de viande",
        summary: "Outil collectif pour les éleveurs de Margeride.",
        communes: &["15168"],
        target: Stage::Funding,
        themes: &["agriculture", "economie"],
        programmes: &["leader", "territoires_industrie"],
        cost_euros: 870_000,
    },
    DemoProject {
        title: "Restauration de l’église Saint-Martin",
        summary: "Toiture et vitraux d’un édifice inscrit.",
        communes: &["15216"],
        target: Stage::Study,
        themes: &["culture"],
        programmes: &[],
        cost_euros: 690_000,
    },
    DemoProject {
        title: "Fibre dans les hameaux",
        summary: "Raccordement des 12 derniers hameaux.",
        communes: &["15055", "15148"],
        target: Stage::Delivery,
        themes: &["numerique"],
        programmes: &["frr"],
        cost_euros: 410_000,
    },
    DemoProject {
        title: "Gîte d’étape sur le GR 4",
        summary: "Hébergement de 18 lits pour randonneurs.",
        communes: &["15148"],
        target: Stage::Funding,
        themes: &["tourisme"],
        programmes: &["leader"],
        cost_euros: 560_000,
    },
    DemoProject {
        title: "Centre de loisirs intercommunal",
        summary: "Accueil périscolaire et mercredis.",
        communes: &["15053"],
        target: Stage::Emergence,
        themes: &["jeunesse", "services"],
        programmes: &[],
        cost_euros: 720_000,
    },
    DemoProject {
        title: "Plateforme de compostage",
        summary: "Biodéchets des cantines et des habitants.",
        communes: &["15005"],
        target: Stage::Abandoned,
        themes: &["transition_ecologique"],
        programmes: &["crte"],
        cost_euros: 150_000,
    },
    DemoProject {
        title: "Halle de marché couverte",
        summary: "Marché de producteurs toute l’année.",
        communes: &["15187"],
        target: Stage::Emergence,
        themes: &["commerce", "agriculture"],
        programmes: &["pvd"],
        cost_euros: 980_000,
    },
    DemoProject {
        title: "Résidence seniors",
        summary: "Douze logements adaptés près du centre-bourg.",
        communes: &["15142"],
        target: Stage::Study,
        themes: &["habitat", "sante"],
        programmes: &["villages_avenir"],
        cost_euros: 2_100_000,
    },
    DemoProject {
        title: "Parc photovoltaïque sur l’ancienne décharge",
        summary: "5 MWc en régie communale.",
        communes: &["15231"],
        target: Stage::Funding,
        themes: &["transition_ecologique"],
        programmes: &["crte"],
        cost_euros: 4_800_000,
    },
    DemoProject {
        title: "Médiathèque tête de réseau",
        summary: "Extension et numérique.",
        communes: &["15187"],
        target: Stage::Delivery,
        themes: &["culture", "numerique"],
        programmes: &["pvd"],
        cost_euros: 1_450_000,
    },
    DemoProject {
        title: "Aménagement du lac de Garabit",
        summary: "Base nautique et accès.",
        communes: &["15259", "15004"],
        target: Stage::Study,
        themes: &["tourisme"],
        programmes: &["leader"],
        cost_euros: 1_200_000,
    },
    DemoProject {
        title: "Dépôt de bus à hydrogène",
        summary: "Expérimentation de transport à la demande.",
        communes: &["15187"],
        target: Stage::Abandoned,
        themes: &["mobilite"],
        programmes: &["territoires_industrie"],
        cost_euros: 2_900_000,
    },
    DemoProject {
        title: "Boulangerie communale",
        summary: "Local et four pour une reprise d’activité.",
        communes: &["15188"],
        target: Stage::Delivery,
        themes: &["commerce"],
        programmes: &["villages_avenir"],
        cost_euros: 310_000,
    },
    DemoProject {
        title: "Pôle enfance",
        summary: "Crèche de 24 berceaux et RAM.",
        communes: &["15187"],
        target: Stage::Funding,
        themes: &["services", "jeunesse"],
        programmes: &["pvd"],
        cost_euros: 1_750_000,
    },
    DemoProject {
        title: "Réhabilitation du presbytère en logements",
        summary: "Quatre logements passerelle.",
        communes: &["15152"],
        target: Stage::Study,
        themes: &["habitat"],
        programmes: &["villages_avenir"],
        cost_euros: 640_000,
    },
    DemoProject {
        title: "Chemins de randonnée VTT",
        summary: "Balisage de 120 km de circuits.",
        communes: &["15045", "15216"],
        target: Stage::Completed,
        themes: &["tourisme"],
        programmes: &["leader"],
        cost_euros: 85_000,
    },
    DemoProject {
        title: "Abattoir : mise aux normes",
        summary: "Travaux sanitaires obligatoires.",
        communes: &["15187"],
        target: Stage::Delivery,
        themes: &["agriculture"],
        programmes: &["territoires_industrie"],
        cost_euros: 2_300_000,
    },
    DemoProject {
        title: "Four à pain et fête du village",
        summary: "Restauration du four banal.",
        communes: &["15055"],
        target: Stage::Completed,
        themes: &["culture"],
        programmes: &[],
        cost_euros: 40_000,
    },
    DemoProject {
        title: "Éclairage public LED",
        summary: "Remplacement de 600 points lumineux.",
        communes: &["15142", "15231", "15248"],
        target: Stage::Delivery,
        themes: &["transition_ecologique"],
        programmes: &["crte"],
        cost_euros: 520_000,
    },
    DemoProject {
        title: "Zone d’activités des Prés",
        summary: "Extension de 6 hectares.",
        communes: &["15004"],
        target: Stage::Emergence,
        themes: &["economie"],
        programmes: &["territoires_industrie"],
        cost_euros: 2_600_000,
    },
    DemoProject {
        title: "Maison des associations",
        summary: "Locaux partagés pour 30 associations.",
        communes: &["15187"],
        target: Stage::Emergence,
        themes: &["culture", "jeunesse"],
        programmes: &["pvd"],
        cost_euros: 460_000,
    },
    DemoProject {
        title: "Captage d’eau potable",
        summary: "Sécurisation de la ressource.",
        communes: &["15108"],
        target: Stage::Funding,
        themes: &["eau"],
        programmes: &[],
        cost_euros: 1_020_000,
    },
    DemoProject {
        title: "Vélos à assistance électrique en location",
        summary: "Flotte de 30 VAE en gare et office de tourisme.",
        communes: &["15187", "15045"],
        target: Stage::Emergence,
        themes: &["mobilite", "tourisme"],
        programmes: &["crte"],
        cost_euros: 120_000,
    },
];

const STEERING: MilestoneKind = MilestoneKind::SteeringCommittee;

/// Seeds about forty projects across the CC de Saint-Flour (needs the
/// territories). Idempotent: does nothing when the demo projects exist.
pub async fn seed(db: &DatabaseConnection, today: NaiveDate) -> Result<usize, AppError> {
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
            list.extend(accounts::actor(db, email, *role).await?);
        }
        list
    };
    if officers.is_empty() {
        return Err(AppError::internal_here());
    }
    let now = Utc::now();
    let days = |n: i64| today + chrono::Duration::days(n);
    let count = DEMO_PROJECTS.len() as i64;
    for (i, demo) in DEMO_PROJECTS.iter().enumerate() {
        // The portfolio was built over two years: the first project is 730
        // days old, the last about two months; each moves at its own pace,
        // at office hours.
        let age = 60 + (count - i as i64) * 670 / count;
        // Each write a little after the one before (a project's last
        // activity is its latest write), never after now.
        let cursor = std::cell::Cell::new(chrono::DateTime::<Utc>::MIN_UTC);
        let clock = |day: i64, k: usize| {
            let wanted = super::at_office(
                days(day),
                8 + ((i + 3 * k) % 10) as u32,
                ((i * 17 + k * 23) % 60) as u32,
                now,
            );
            let at = wanted
                .max(cursor.get() + chrono::Duration::minutes(7))
                .min(now);
            cursor.set(at);
            at
        };
        let DemoProject {
            title,
            summary,
            communes,
            target,
            themes,
            programmes,
            cost_euros: euros,
        } = demo;
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
        let id = projects::create(db, actor, form.validate()?, clock(-age, 0)).await?;
        let mut version = 1;
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
            assignee_id: Some(None),
        };
        journal::add_milestone(
            db,
            actor,
            id,
            input(
                STEERING,
                "Comité de pilotage de lancement",
                days(-age + 14 + offset / 7),
                Some(days(-age + 15 + offset / 7)),
                true,
            ),
            clock(-age + 15, 7),
        )
        .await?;
        journal::add_note(
            db,
            actor,
            id,
            format!("Rencontre avec le porteur de projet : {summary}"),
            days(-age + 5),
            false,
            clock(-age + 5, 10),
        )
        .await?;
        // Walk the stages forward to the target, as an officer would have.
        let path: Vec<Stage> = match target {
            Stage::Abandoned => vec![Stage::Study, Stage::Abandoned],
            // A project is created at Emergence (PATH's first stage): the walk
            // starts at the stage after it.
            target => Stage::PATH
                .into_iter()
                .skip(1)
                .take_while(|s| s <= target)
                .collect(),
        };
        // Stages spread over the project's life, the last a month or more ago.
        let gap = (age - 30) / (path.len() as i64 + 1);
        let mut last_move = -age;
        for (k, stage) in path.into_iter().enumerate() {
            let reason = (stage == Stage::Abandoned)
                .then(|| ABANDON_REASONS[i % ABANDON_REASONS.len()].to_owned());
            last_move = -age + gap * (k as i64 + 1) + (i as i64 % 5);
            projects::change_stage(
                db,
                actor,
                id,
                version,
                stage,
                reason,
                clock(last_move, k + 1),
            )
            .await?;
            version += 1;
        }
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
            journal::add_milestone(
                db,
                actor,
                id,
                input(kind, title, due, None, false),
                clock(last_move, 8),
            )
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
                clock(last_move + 1, 9),
            )
            .await?;
        }
        if i % 7 == 3 && target.is_active() {
            let health = Health::Blocked {
                reason: BLOCK_REASONS[(i / 7) % BLOCK_REASONS.len()].to_owned(),
            };
            let when = -(5 + (i as i64 * 13) % 50);
            projects::change_health(db, actor, id, version, health, clock(when, 11)).await?;
            version += 1;
        } else if i % 7 == 5 && target.is_active() {
            let since = -(15 + (i as i64 * 11) % 120);
            let health = Health::Paused {
                reason: PAUSE_REASONS[(i / 7) % PAUSE_REASONS.len()].to_owned(),
                since: days(since),
            };
            projects::change_health(db, actor, id, version, health, clock(since, 12)).await?;
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
                clock(-150, 13),
            )
            .await?;
        }
        demo_funding::seed_plan(
            db,
            actor,
            id,
            version,
            i,
            *target,
            euros * 100,
            today,
            (clock(last_move, 14), now),
        )
        .await?;
    }
    Ok(DEMO_PROJECTS.len())
}

/// Why a demo project was abandoned, blocked or paused: as varied as a
/// real portfolio's.
const ABANDON_REASONS: [&str; 3] = [
    "Plan de financement non bouclé, projet reporté sine die",
    "La commune a retenu un autre site, hors du périmètre du projet",
    "Porteur associatif dissous en assemblée générale",
];
const BLOCK_REASONS: [&str; 4] = [
    "En attente de l’avis de l’Architecte des Bâtiments de France",
    "Foncier non maîtrisé : acquisition de la parcelle en négociation",
    "Recours d’un riverain contre le permis de construire",
    "Étude de sol défavorable : fondations à reprendre",
];
const PAUSE_REASONS: [&str; 4] = [
    "Report après les élections municipales",
    "Attente de l’arbitrage budgétaire du conseil départemental",
    "Changement de maître d’œuvre en cours",
    "Le porteur attend le résultat de l’appel à projets régional",
];

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
