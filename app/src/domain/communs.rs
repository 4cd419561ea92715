//! A project's place in the shared « Les Communs » project schema
//! (docs/DOMAIN.md, "A project's life"): a `phase` (Idée, Étude, Opération)
//! and a `phaseStatut`. Maillage's stages are finer than the phases; the
//! health gives the status of the phase. An abandoned project keeps the
//! phase it was abandoned in and takes the status « Abandonné ».
use super::{health::Health, stage::Stage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommunsPhase {
    pub phase: &'static str,
    pub statut: &'static str,
}

/// The phase of an active or completed stage (abandoned has none of its own).
fn phase_of(stage: Stage) -> Option<&'static str> {
    match stage {
        Stage::Emergence => Some("Idée"),
        Stage::Study | Stage::Funding => Some("Étude"),
        Stage::Delivery | Stage::Completed => Some("Opération"),
        Stage::Abandoned => None,
    }
}

/// `abandoned_from` is the stage the project left when it was abandoned
/// (the last stage move on its timeline); unknown, the phase is « Idée ».
pub fn communs_phase(stage: Stage, abandoned_from: Option<Stage>, health: &Health) -> CommunsPhase {
    let statut = match (stage, health) {
        (Stage::Abandoned, _) => "Abandonné",
        (Stage::Completed, _) => "Terminé",
        (_, Health::OnTrack) => "En cours",
        (_, Health::Late) => "En retard",
        (_, Health::Paused { .. }) => "En pause",
        (_, Health::Blocked { .. }) => "Bloqué",
    };
    let phase = phase_of(stage)
        .or_else(|| abandoned_from.and_then(phase_of))
        .unwrap_or("Idée");
    CommunsPhase { phase, statut }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    fn of(stage: Stage, from: Option<Stage>, health: &Health) -> (&'static str, &'static str) {
        let c = communs_phase(stage, from, health);
        (c.phase, c.statut)
    }

    #[test]
    fn stages_map_to_phases_and_health_to_their_status() {
        assert_eq!(of(Emergence, None, &Health::OnTrack), ("Idée", "En cours"));
        assert_eq!(of(Study, None, &Health::Late), ("Étude", "En retard"));
        let paused = Health::Paused {
            reason: "Élections".into(),
            since: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        };
        assert_eq!(of(Funding, None, &paused), ("Étude", "En pause"));
        let blocked = Health::Blocked {
            reason: "Foncier".into(),
        };
        assert_eq!(of(Delivery, None, &blocked), ("Opération", "Bloqué"));
        assert_eq!(of(Completed, None, &Health::Late), ("Opération", "Terminé"));
    }

    #[test]
    fn an_abandoned_project_keeps_its_phase_with_the_status_abandonne() {
        assert_eq!(
            of(Abandoned, Some(Emergence), &Health::OnTrack),
            ("Idée", "Abandonné")
        );
        assert_eq!(
            of(Abandoned, Some(Funding), &Health::Late),
            ("Étude", "Abandonné")
        );
        assert_eq!(
            of(Abandoned, Some(Delivery), &Health::OnTrack),
            ("Opération", "Abandonné")
        );
        assert_eq!(of(Abandoned, None, &Health::OnTrack), ("Idée", "Abandonné"));
    }
}
