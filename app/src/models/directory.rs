//! The partner directory as the screens see it, and the forms that change it.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::directory::period_is_valid;
use crate::domain::input::{DateKind, max};
use crate::domain::{
    CompanyId, Email, HealthStatus, InseeCode, Office, OrganisationKind, PartnerRole, Stage,
    search_key,
};
use crate::error::{AppError, FieldErrors};
use crate::models::checkbox;
use crate::models::project::optional_date_of;

/// How many rows each table of the directory list shows.
pub const DIRECTORY_LIMIT: u64 = 100;
pub const NAME_MAX: usize = max::TITLE;
pub const PERSON_NAME_MAX: usize = max::PERSON_NAME;
pub const DIRECTORY_NOTE_MAX: usize = max::DIRECTORY_NOTE;
/// Transliteration can lengthen a name (œ → oe, non-Latin scripts): the
/// folded key is cut to fit its column.
pub const SEARCH_KEY_MAX: usize = 800;

/// What an erased person is shown as.
pub fn erased_name() -> String {
    rust_i18n::t!("directory.erased_person").into_owned()
}

/// The directory list's filters, all in the URL (`/annuaire?…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectoryFilter {
    /// Name, accent- and case-insensitive.
    pub q: Option<String>,
    /// An `OrganisationKind` code.
    pub kind: Option<String>,
    /// A commune's INSEE code.
    pub commune: Option<String>,
    /// An EPCI's SIREN (its communes' organisations and people included).
    pub epci: Option<String>,
    /// Only those holding (people) or with someone holding (organisations)
    /// a mandate today.
    pub mandate: bool,
}

impl DirectoryFilter {
    /// Codes refused when too long; the search cut to its maximum length.
    pub fn validated(&self) -> Result<Self, AppError> {
        let mut check = crate::domain::input::FilterCheck::default();
        check.code("kind", &self.kind);
        check.code("commune", &self.commune);
        check.code("epci", &self.epci);
        check.errors.into_result()?;
        Ok(DirectoryFilter {
            q: self.q.as_deref().map(crate::domain::input::search_text),
            ..self.clone()
        })
    }

    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| crate::domain::input::url_value(get(k));
        DirectoryFilter {
            q: text("q"),
            kind: text("type"),
            commune: text("commune"),
            epci: text("epci"),
            mandate: text("mandat").is_some_and(|v| v == "1" || v == "on"),
        }
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("type", &self.kind),
            ("commune", &self.commune),
            ("epci", &self.epci),
        ] {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        if self.mandate {
            pairs.push(("mandat", "1".to_owned()));
        }
        pairs
    }

    pub fn href(&self) -> String {
        let query = crate::models::query_string(&self.params());
        if query.is_empty() {
            "/annuaire".to_owned()
        } else {
            format!("/annuaire?{query}")
        }
    }
}

/// An organisation or person named in another record, with its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationRow {
    pub id: i64,
    pub name: String,
    pub kind: OrganisationKind,
    /// SIREN or SIRET as printed.
    pub company_id: Option<String>,
    pub commune: Option<String>,
    pub epci: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub job_title: String,
    /// Organisations they belong to today.
    pub organisations: Vec<String>,
    /// Offices held today, as "Maire — Commune de Neuvéglise-sur-Truyère".
    pub mandates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryList {
    pub organisations: Vec<OrganisationRow>,
    pub organisation_total: u64,
    pub people: Vec<PersonRow>,
    pub people_total: u64,
    /// The names of the commune and EPCI filtered on, for the filter form.
    pub commune_name: Option<String>,
    pub epci_name: Option<String>,
    /// The EPCIs of the structure's territory, for the filter form.
    pub epci_choices: Vec<crate::models::Labelled>,
}

/// A mandate as listed on a person's or an organisation's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandateView {
    pub id: i64,
    pub person: EntryRef,
    pub office: Office,
    pub organisation: EntryRef,
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
    pub current: bool,
}

/// A person's membership of an organisation, over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub id: i64,
    pub person: EntryRef,
    pub organisation: EntryRef,
    pub job_title: String,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub current: bool,
}

/// A project a partner takes part in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    pub project_id: i64,
    pub project_title: String,
    pub stage: Stage,
    pub health: HealthStatus,
    pub role: PartnerRole,
    pub note: String,
    /// Through whom, when the link names a person of this organisation or
    /// the organisation of this person.
    pub with: Option<String>,
}

/// Around a commune: its elected officials now, its projects, the
/// organisations working on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneNetwork {
    pub insee: String,
    pub elected_now: Vec<MandateView>,
    pub projects: Vec<ProjectRef>,
    pub partners: Vec<EntryRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRef {
    pub id: i64,
    pub title: String,
    pub stage: Stage,
    pub health: HealthStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationDetail {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub kind: OrganisationKind,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub commune: Option<crate::models::CommuneRef>,
    pub epci: Option<EntryRef>,
    pub epci_siren: Option<String>,
    pub address: String,
    pub website: String,
    pub notes: String,
    pub funder: Option<EntryRef>,
    pub members: Vec<MembershipView>,
    pub mandates: Vec<MandateView>,
    pub projects: Vec<Involvement>,
    pub network: Option<CommuneNetwork>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetail {
    pub id: i64,
    pub version: i32,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: String,
    pub erased_at: Option<DateTime<Utc>>,
    pub memberships: Vec<MembershipView>,
    pub mandates: Vec<MandateView>,
    pub projects: Vec<Involvement>,
}

impl PersonDetail {
    pub fn display_name(&self) -> String {
        if self.erased_at.is_some() {
            erased_name()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }
}

/// A hit of the organisation/person picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickHit {
    /// What the form sends (an id, an INSEE code).
    pub id: String,
    pub label: String,
}

/// What the directory forms offer beyond fixed lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryChoices {
    /// Funders of the catalogue an organisation can stand for.
    pub funders: Vec<EntryRef>,
}

/// A partner of a project, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerLinkView {
    pub id: i64,
    pub role: PartnerRole,
    pub organisation: Option<EntryRef>,
    /// `name` is "personne supprimée" once the person was erased.
    pub person: Option<EntryRef>,
    pub note: String,
}

/// A funder of the plan, with its directory organisation where known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFunderPartner {
    pub funder_name: String,
    pub organisation: Option<EntryRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPartners {
    pub project_id: i64,
    pub links: Vec<PartnerLinkView>,
    pub plan_funders: Vec<PlanFunderPartner>,
}

/// The organisation form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganisationForm {
    pub name: String,
    pub kind: String,
    /// SIREN or SIRET.
    pub company_id: String,
    /// INSEE code of the commune (commune organisations, or where it sits).
    pub commune: String,
    /// SIREN of the EPCI (EPCI organisations).
    pub epci: String,
    pub address: String,
    pub website: String,
    pub notes: String,
    pub funder_id: String,
    /// "Create it anyway": the officer checked the near-identical record
    /// and it is another organisation.
    pub confirm_duplicate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationInput {
    pub name: String,
    pub search_key: String,
    pub kind: OrganisationKind,
    pub company_id: Option<CompanyId>,
    pub commune: Option<String>,
    pub epci: Option<String>,
    pub address: String,
    pub website: String,
    pub notes: String,
    pub funder_id: Option<i64>,
    pub confirm_duplicate: bool,
}

fn required_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, rust_i18n::t!("directory.required"));
    } else if value.chars().count() > max {
        errors.add(field, rust_i18n::t!("directory.too_long", max = max));
    }
    value.to_owned()
}

fn optional_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(field, rust_i18n::t!("directory.too_long", max = max));
    }
    value.to_owned()
}

fn optional_id(errors: &mut FieldErrors, field: &str, value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.add(field, rust_i18n::t!("directory.unknown_choice"));
            None
        }
    }
}

impl OrganisationForm {
    pub fn validate(&self) -> Result<OrganisationInput, AppError> {
        let mut errors = FieldErrors::new();
        let name = required_text(&mut errors, "name", &self.name, NAME_MAX);
        let kind = OrganisationKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", rust_i18n::t!("directory.kind_required"));
        }
        let company_id = match CompanyId::parse(&self.company_id) {
            Ok(id) => id,
            Err(err) => {
                errors.add("company_id", err.to_string());
                None
            }
        };
        let commune = match self.commune.trim() {
            "" => None,
            code => match InseeCode::parse(code) {
                Ok(code) => Some(code.as_str().to_owned()),
                Err(_) => {
                    errors.add("commune", rust_i18n::t!("directory.commune_invalid"));
                    None
                }
            },
        };
        let epci = match self.epci.trim() {
            "" => None,
            siren => match CompanyId::parse(siren) {
                Ok(Some(CompanyId::Siren(s))) => Some(s),
                _ => {
                    errors.add("epci", rust_i18n::t!("directory.epci_invalid"));
                    None
                }
            },
        };
        if let Some(kind) = kind {
            if kind.needs_commune() && commune.is_none() && !errors.0.contains_key("commune") {
                errors.add("commune", rust_i18n::t!("directory.commune_required"));
            }
            if kind.needs_epci() && epci.is_none() && !errors.0.contains_key("epci") {
                errors.add("epci", rust_i18n::t!("directory.epci_required"));
            }
        }
        let website = optional_text(&mut errors, "website", &self.website, max::WEBSITE);
        let web_address = website.starts_with("https://") || website.starts_with("http://");
        if !website.is_empty() && (!web_address || website.contains(char::is_whitespace)) {
            errors.add("website", rust_i18n::t!("directory.website_invalid"));
        }
        let address = optional_text(&mut errors, "address", &self.address, max::ADDRESS);
        let notes = optional_text(&mut errors, "notes", &self.notes, DIRECTORY_NOTE_MAX);
        let funder_id = optional_id(&mut errors, "funder_id", &self.funder_id);
        errors.into_result()?;
        Ok(OrganisationInput {
            search_key: search_key(&name).chars().take(SEARCH_KEY_MAX).collect(),
            name,
            kind: kind.unwrap_or(OrganisationKind::Other),
            company_id,
            commune,
            epci,
            address,
            website,
            notes,
            funder_id,
            confirm_duplicate: checkbox(&self.confirm_duplicate),
        })
    }
}

/// The person form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
    /// On creation: the organisation they belong to (optional).
    pub organisation_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInput {
    pub first_name: String,
    pub last_name: String,
    pub search_key: String,
    pub job_title: String,
    pub email: Option<String>,
    /// As typed: the server checks and normalises it (`server::phone`).
    pub phone: String,
    pub notes: String,
    pub organisation_id: Option<i64>,
}

impl PersonForm {
    pub fn validate(&self) -> Result<PersonInput, AppError> {
        let mut errors = FieldErrors::new();
        let first_name =
            required_text(&mut errors, "first_name", &self.first_name, PERSON_NAME_MAX);
        let last_name = required_text(&mut errors, "last_name", &self.last_name, PERSON_NAME_MAX);
        let job_title = optional_text(&mut errors, "job_title", &self.job_title, NAME_MAX);
        let email = match self.email.trim() {
            "" => None,
            typed => match Email::parse(typed) {
                Ok(email) => Some(email.as_str().to_owned()),
                Err(err) => {
                    errors.add("email", err.to_string());
                    None
                }
            },
        };
        let phone = optional_text(&mut errors, "phone", &self.phone, max::PHONE);
        let notes = optional_text(&mut errors, "notes", &self.notes, DIRECTORY_NOTE_MAX);
        let organisation_id = optional_id(&mut errors, "organisation_id", &self.organisation_id);
        errors.into_result()?;
        Ok(PersonInput {
            search_key: search_key(&format!("{first_name} {last_name}"))
                .chars()
                .take(SEARCH_KEY_MAX)
                .collect(),
            first_name,
            last_name,
            job_title,
            email,
            phone,
            notes,
            organisation_id,
        })
    }
}

/// A membership (person ↔ organisation over a period), as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MembershipForm {
    pub organisation_id: String,
    pub job_title: String,
    pub start_on: String,
    pub end_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipInput {
    pub organisation_id: i64,
    pub job_title: String,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}

impl MembershipForm {
    pub fn validate(&self) -> Result<MembershipInput, AppError> {
        let mut errors = FieldErrors::new();
        let organisation_id = optional_id(&mut errors, "organisation_id", &self.organisation_id);
        if organisation_id.is_none() && !errors.0.contains_key("organisation_id") {
            errors.add(
                "organisation_id",
                rust_i18n::t!("directory.organisation_required"),
            );
        }
        let job_title = optional_text(&mut errors, "job_title", &self.job_title, NAME_MAX);
        let start_on = optional_date_of(&mut errors, "start_on", &self.start_on, DateKind::History);
        let end_on = optional_date_of(&mut errors, "end_on", &self.end_on, DateKind::History);
        if !period_is_valid(start_on, end_on) {
            errors.add("end_on", rust_i18n::t!("directory.end_before_start"));
        }
        errors.into_result()?;
        Ok(MembershipInput {
            organisation_id: organisation_id.unwrap_or_default(),
            job_title,
            start_on,
            end_on,
        })
    }
}

/// An elected mandate, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MandateForm {
    pub office: String,
    pub organisation_id: String,
    pub start_on: String,
    pub end_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateInput {
    pub office: Office,
    pub organisation_id: i64,
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
}

impl MandateForm {
    pub fn validate(&self) -> Result<MandateInput, AppError> {
        let mut errors = FieldErrors::new();
        let office = Office::parse(self.office.trim());
        if office.is_none() {
            errors.add("office", rust_i18n::t!("directory.office_required"));
        }
        let organisation_id = optional_id(&mut errors, "organisation_id", &self.organisation_id);
        if organisation_id.is_none() && !errors.0.contains_key("organisation_id") {
            errors.add(
                "organisation_id",
                rust_i18n::t!("directory.territory_required"),
            );
        }
        let start_on = optional_date_of(&mut errors, "start_on", &self.start_on, DateKind::History);
        if start_on.is_none() && !errors.0.contains_key("start_on") {
            errors.add("start_on", rust_i18n::t!("directory.start_required"));
        }
        let end_on = optional_date_of(&mut errors, "end_on", &self.end_on, DateKind::History);
        if !period_is_valid(start_on, end_on) {
            errors.add("end_on", rust_i18n::t!("directory.end_before_start"));
        }
        errors.into_result()?;
        Ok(MandateInput {
            office: office.unwrap_or(Office::Maire),
            organisation_id: organisation_id.unwrap_or_default(),
            start_on: start_on.unwrap_or_default(),
            end_on,
        })
    }
}

/// A partner link on a project, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartnerLinkForm {
    pub role: String,
    pub organisation_id: String,
    pub person_id: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerLinkInput {
    pub role: PartnerRole,
    pub organisation_id: Option<i64>,
    pub person_id: Option<i64>,
    pub note: String,
}

impl PartnerLinkForm {
    pub fn validate(&self) -> Result<PartnerLinkInput, AppError> {
        let mut errors = FieldErrors::new();
        let role = PartnerRole::parse(self.role.trim());
        if role.is_none() {
            errors.add("role", rust_i18n::t!("directory.role_required"));
        }
        let organisation_id = optional_id(&mut errors, "organisation_id", &self.organisation_id);
        let person_id = optional_id(&mut errors, "person_id", &self.person_id);
        if organisation_id.is_none() && person_id.is_none() && errors.is_empty() {
            errors.add(
                "organisation_id",
                rust_i18n::t!("directory.partner_required"),
            );
        }
        let note = optional_text(&mut errors, "note", &self.note, 1000);
        errors.into_result()?;
        Ok(PartnerLinkInput {
            role: role.unwrap_or(PartnerRole::Other),
            organisation_id,
            person_id,
            note,
        })
    }
}

/// Everything held about one person (RGPD right of access), as downloaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonExport {
    pub exported_at: DateTime<Utc>,
    pub person: PersonExportRecord,
    pub memberships: Vec<MembershipView>,
    pub mandates: Vec<MandateView>,
    pub project_links: Vec<Involvement>,
    /// Journal notes and directory notes whose text names them.
    pub notes_naming_them: Vec<NamingNote>,
    /// Project documents whose title or file name names them (source
    /// `document`).
    pub documents_naming_them: Vec<NamingNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonExportRecord {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamingNote {
    /// `project_note`, `organisation_notes` or `person_notes`.
    pub source: String,
    pub id: i64,
    pub title: String,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(kind: &str) -> OrganisationForm {
        OrganisationForm {
            name: "Les Amis du Viaduc".into(),
            kind: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_organisation_names_its_problems_per_field() {
        let err = OrganisationForm {
            company_id: "12002701600358".into(),
            website: "www.exemple.fr".into(),
            ..org("")
        }
        .validate()
        .unwrap_err();
        assert!(err.field("kind").is_some());
        assert!(err.field("company_id").unwrap().contains("SIRET"));
        assert!(err.field("website").is_some());
        let err = org("commune").validate().unwrap_err();
        assert!(err.field("commune").is_some());
        let input = OrganisationForm {
            company_id: "120 027 016 00357".into(),
            ..org("association")
        }
        .validate()
        .unwrap();
        assert_eq!(input.company_id.unwrap().siren(), "120027016");
        assert_eq!(input.search_key, "les amis du viaduc");
    }

    #[test]
    fn a_mandate_needs_an_office_a_territory_and_a_start() {
        let err = MandateForm::default().validate().unwrap_err();
        for field in ["office", "organisation_id", "start_on"] {
            assert!(err.field(field).is_some(), "{field}");
        }
        let err = MandateForm {
            office: "maire".into(),
            organisation_id: "3".into(),
            start_on: "2026-03-22".into(),
            end_on: "2026-03-01".into(),
        }
        .validate()
        .unwrap_err();
        assert!(err.field("end_on").is_some());
    }

    #[test]
    fn a_partner_link_names_someone() {
        let err = PartnerLinkForm {
            role: "technical_partner".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(err.field("organisation_id").is_some());
        let ok = PartnerLinkForm {
            role: "referent_elected".into(),
            person_id: "4".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.person_id, Some(4));
    }

    #[test]
    fn the_directory_filter_round_trips_through_the_url() {
        let filter = DirectoryFilter {
            q: Some("élus".into()),
            kind: Some("commune".into()),
            epci: Some("200066660".into()),
            mandate: true,
            ..Default::default()
        };
        let params = filter.params();
        let back = DirectoryFilter::from_params(|k| {
            params
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, filter);
        assert!(filter.href().starts_with("/annuaire?q=%C3%A9lus"));
    }
}
