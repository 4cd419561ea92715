//! Turning values into French text for the screens.
use chrono::{DateTime, NaiveDate, Utc};
use rust_i18n::t;
use serde_json::Value;

use crate::domain::funding::{DerogationKind, FundingStatus};
use crate::domain::{EventKind, Health, Section, Stage, format_euros};
use crate::models::EventView;

pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Day and time in the structure's zone (pages render on the server).
pub fn datetime(at: DateTime<Utc>) -> String {
    #[cfg(feature = "ssr")]
    return crate::server::clock::datetime(at);
    #[cfg(not(feature = "ssr"))]
    at.format("%d/%m/%Y %H:%M UTC").to_string()
}

fn stage_label(v: &Value) -> String {
    v.as_str()
        .and_then(|s| s.parse::<Stage>().ok())
        .map(Stage::label)
        .unwrap_or_default()
}

fn health_label(v: &Value) -> String {
    v["status"]
        .as_str()
        .map(Health::label_of)
        .unwrap_or_default()
}

fn date_label(v: &Value) -> String {
    v.as_str()
        .and_then(|s| s.parse::<NaiveDate>().ok())
        .map(date)
        .unwrap_or_default()
}

fn money_label(v: &Value) -> String {
    v.as_i64()
        .map(format_euros)
        .unwrap_or_else(|| "—".to_owned())
}

fn funding_status_label(v: &Value) -> String {
    v.as_str()
        .and_then(|s| s.parse::<FundingStatus>().ok())
        .map(FundingStatus::label)
        .unwrap_or_default()
}

/// The French names of the fields listed in an event's `changes`.
fn changed_fields(d: &Value) -> String {
    d["changes"]
        .as_array()
        .map(|changes| {
            changes
                .iter()
                .filter_map(|c| Some((c["field"].as_str()?, c)))
                .map(|(f, c)| match f {
                    // Whom a milestone or an application went to, by name
                    // (none: the officer).
                    "assignee" | "responsible" => t!(
                        "event.assignee_now",
                        name = c["after"]
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| t!("projects.assignee_default").into_owned())
                    )
                    .into_owned(),
                    f => t!(format!("field_name.{f}")).into_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// One line describing a timeline event, in French.
pub fn event(e: &EventView) -> String {
    let mut line = event_only(e);
    let origin = &e.data["import"];
    if let Some(file) = origin["file"].as_str() {
        line.push_str(" — ");
        if origin["undo"].as_bool() == Some(true) {
            line.push_str(&t!("import.import_undone", file = file));
        } else {
            line.push_str(&t!(
                "import.imported_from",
                file = file,
                line = origin["line"].as_u64().unwrap_or_default()
            ));
        }
    }
    line
}

fn event_only(e: &EventView) -> String {
    let d = &e.data;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match e.kind {
        EventKind::Created => t!("event.created").into_owned(),
        EventKind::Updated => t!("event.updated", fields = changed_fields(d)).into_owned(),
        EventKind::StageChanged => {
            let mut line = t!(
                "event.stage_changed",
                from = stage_label(&d["from"]),
                to = stage_label(&d["to"])
            )
            .into_owned();
            if let Some(reason) = d["reason"].as_str() {
                line.push_str(" — ");
                line.push_str(&t!("event.stage_reason", reason = reason));
            }
            line
        }
        EventKind::HealthChanged => {
            let mut line = t!(
                "event.health_changed",
                before = health_label(&d["before"]),
                after = health_label(&d["after"])
            )
            .into_owned();
            if let Some(reason) = d["after"]["reason"].as_str() {
                line.push_str(" — ");
                line.push_str(reason);
            }
            line
        }
        EventKind::MilestoneAdded => {
            let mut line = t!(
                "event.milestone_added",
                title = text(&d["title"]),
                due = date_label(&d["due_date"])
            )
            .into_owned();
            if let Some(name) = d["assignee"].as_str() {
                line.push_str(&t!("event.assigned_to", name = name));
            }
            line
        }
        EventKind::MilestoneDone => {
            t!("event.milestone_done", title = text(&d["title"])).into_owned()
        }
        EventKind::MilestoneReopened => {
            t!("event.milestone_reopened", title = text(&d["title"])).into_owned()
        }
        EventKind::MilestoneUpdated => t!(
            "event.milestone_updated",
            title = text(&d["title"]),
            fields = changed_fields(d)
        )
        .into_owned(),
        EventKind::MilestoneDeleted => t!(
            "event.milestone_deleted",
            title = text(&d["title"]),
            due = date_label(&d["due_date"])
        )
        .into_owned(),
        // A line an import brought in at a later status says which.
        EventKind::FundingLineAdded if d["status"].is_string() => t!(
            "event.funding_line_added_at",
            funder = text(&d["funder"]),
            status = funding_status_label(&d["status"]),
            amount = money_label(if d["amount_granted"].is_number() {
                &d["amount_granted"]
            } else {
                &d["amount_requested"]
            })
        )
        .into_owned(),
        EventKind::FundingLineAdded => {
            let mut line = t!(
                "event.funding_line_added",
                funder = text(&d["funder"]),
                amount = money_label(&d["amount_requested"])
            )
            .into_owned();
            if let Some(name) = d["responsible"].as_str() {
                line.push_str(&t!("event.assigned_to", name = name));
            }
            line
        }
        EventKind::FundingLineUpdated => t!(
            "event.funding_line_updated",
            funder = text(&d["funder"]),
            fields = changed_fields(d)
        )
        .into_owned(),
        EventKind::FundingLineDeleted => {
            t!("event.funding_line_deleted", funder = text(&d["funder"])).into_owned()
        }
        EventKind::FundingStatusChanged => {
            let mut line = t!(
                "event.funding_status_changed",
                funder = text(&d["funder"]),
                from = funding_status_label(&d["from"]),
                to = funding_status_label(&d["to"]),
                date = date_label(&d["date"])
            )
            .into_owned();
            if let Some(reason) = d["reason"].as_str() {
                line.push_str(" — ");
                line.push_str(&t!("event.stage_reason", reason = reason));
            }
            line
        }
        EventKind::DerogationSet => t!(
            "event.derogation_set",
            kind = d["kind"]
                .as_str()
                .and_then(|k| k.parse::<DerogationKind>().ok())
                .map(DerogationKind::label)
                .unwrap_or_default(),
            reason = text(&d["reason"])
        )
        .into_owned(),
        EventKind::DerogationCleared => t!("event.derogation_cleared").into_owned(),
        EventKind::NoteAdded => t!("event.note_added", excerpt = text(&d["excerpt"])).into_owned(),
        EventKind::PartnerAdded | EventKind::PartnerRemoved => {
            let who = [text(&d["organisation"]), text(&d["person"])]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let role = d["role"]
                .as_str()
                .and_then(crate::domain::PartnerRole::parse)
                .map(crate::domain::PartnerRole::label)
                .unwrap_or_default();
            t!(format!("event.{}", e.kind), who = who, role = role).into_owned()
        }
        EventKind::ShareCreated | EventKind::ShareChanged => {
            let sections = d["sections"]
                .as_array()
                .map(|codes| {
                    codes
                        .iter()
                        .filter_map(|c| share_section(c.as_str()?))
                        .map(Section::label)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let sections = if sections.is_empty() {
                t!("share.summary_only").into_owned()
            } else {
                sections.join(", ")
            };
            let until = d["expires_on"]
                .as_str()
                .and_then(|v| v.parse::<NaiveDate>().ok())
                .map(|day| t!("event.share_until", date = date(day)).into_owned())
                .unwrap_or_default();
            if e.kind == EventKind::ShareCreated && d["target"].as_str() == Some("link") {
                let label = d["label"]
                    .as_str()
                    .filter(|l| !l.is_empty())
                    .map(|l| format!(" «\u{a0}{l}\u{a0}»"))
                    .unwrap_or_default();
                return t!(
                    "event.share_created_link",
                    label = label,
                    sections = sections,
                    until = until
                )
                .into_owned();
            }
            t!(
                format!("event.{}", e.kind),
                who = text(&d["who"]),
                sections = sections,
                until = until
            )
            .into_owned()
        }
        EventKind::ShareRevoked => t!("event.share_revoked", who = text(&d["who"])).into_owned(),
        EventKind::DocumentAdded | EventKind::DocumentUpdated | EventKind::DocumentDeleted => {
            t!(format!("event.{}", e.kind), name = text(&d["name"])).into_owned()
        }
        EventKind::DocumentVersionAdded => t!(
            "event.document_version_added",
            name = text(&d["name"]),
            number = d["number"].as_i64().unwrap_or_default()
        )
        .into_owned(),
    }
}

fn share_section(code: &str) -> Option<Section> {
    Section::ALL.into_iter().find(|s| s.as_str() == code)
}

/// Every stage as a filter option: (code, French label).
pub fn stage_options() -> Vec<(String, String)> {
    crate::domain::Stage::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(kind: EventKind, data: Value) -> EventView {
        EventView {
            id: 1,
            at: Utc::now(),
            actor: None,
            kind,
            data,
        }
    }

    #[test]
    fn share_events_say_who_what_and_until_when() {
        assert_eq!(
            event(&ev(
                EventKind::ShareCreated,
                json!({"who": "Christine Durand", "sections": ["milestones", "funding"], "expires_on": "2026-12-31"})
            )),
            "Partagé avec Christine Durand : jalons, financements (jusqu’au 31/12/2026)"
        );
        assert_eq!(
            event(&ev(
                EventKind::ShareChanged,
                json!({"who": "lien « COPIL »", "sections": [], "expires_on": null})
            )),
            "Partage modifié, lien « COPIL » : résumé seul"
        );
        assert_eq!(
            event(&ev(
                EventKind::ShareCreated,
                json!({"target": "link", "who": "lien « COPIL »", "label": "COPIL", "sections": ["notes"]})
            )),
            "Lien de partage créé «\u{a0}COPIL\u{a0}» : notes de suivi"
        );
        assert_eq!(
            event(&ev(
                EventKind::ShareCreated,
                json!({"target": "link", "who": "lien", "label": "", "sections": []})
            )),
            "Lien de partage créé : résumé seul"
        );
        assert_eq!(
            event(&ev(
                EventKind::ShareRevoked,
                json!({"who": "Christine Durand"})
            )),
            "Partage révoqué : Christine Durand"
        );
    }

    #[test]
    fn events_read_as_french_sentences() {
        assert_eq!(
            event(&ev(
                EventKind::StageChanged,
                json!({"from": "funding", "to": "study", "reason": "Subvention refusée"})
            )),
            "Étape : Montage financier → Études — Motif : Subvention refusée"
        );
        assert_eq!(
            event(&ev(
                EventKind::Updated,
                json!({"changes": [{"field": "title"}, {"field": "communes"}]})
            )),
            "Modifié : titre, communes"
        );
        assert_eq!(
            event(&ev(
                EventKind::MilestoneAdded,
                json!({"title": "COPIL", "due_date": "2026-12-10"})
            )),
            "Jalon ajouté : COPIL (échéance 10/12/2026)"
        );
        assert_eq!(
            event(&ev(
                EventKind::HealthChanged,
                json!({"before": {"status": "on_track"}, "after": {"status": "blocked", "reason": "Recours"}})
            )),
            "Santé : Dans les temps → Bloqué — Recours"
        );
        assert_eq!(
            event(&ev(
                EventKind::MilestoneUpdated,
                json!({"title": "COPIL", "changes": [{"field": "due_date"}, {"field": "title"}]})
            )),
            "Jalon modifié : COPIL (échéance, titre)"
        );
        assert_eq!(
            event(&ev(
                EventKind::MilestoneDeleted,
                json!({"title": "COPIL", "due_date": "2026-12-10"})
            )),
            "Jalon supprimé : COPIL (échéance 10/12/2026)"
        );
        assert_eq!(
            event(&ev(
                EventKind::FundingStatusChanged,
                json!({"funder": "État – DETR", "from": "requested", "to": "granted", "date": "2027-03-01"})
            )),
            "Financement État – DETR : Dossier déposé → Accordé le 01/03/2027"
        );
        assert_eq!(
            event(&ev(
                EventKind::FundingLineAdded,
                json!({"funder": "Région", "amount_requested": 12_345_678})
            )),
            "Financement ajouté : Région (123\u{202f}456,78\u{a0}€)"
        );
    }
}
