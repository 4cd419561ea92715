//! A contacts file, row by row: an organisation and, often, one of its
//! people per row, checked by the directory's own forms and its duplicate
//! detection (the same SIRET, or the same name in the same commune). An
//! organisation already in the directory, or met on an earlier line, is
//! never created twice: the row's person joins it. Pure, like `analyse`.
use std::collections::HashMap;

use crate::domain::import::{ImportField, parse_organisation_kind};
use crate::domain::{CompanyId, OrganisationKind};
use crate::models::{
    Mapping, OrganisationForm, OrganisationInput, PersonForm, PersonInput, RowAction, RowVerdict,
};
use crate::server::import::analyse::{ExistingPerson, Refs, Row, commune_of};
use crate::server::import::read::Grid;

/// The organisation a row's person joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationRef {
    Existing(i64),
    /// The one created by the row of this line.
    Created(u32),
}

/// What the confirmation writes for one row.
#[derive(Debug, Clone)]
pub struct PlannedContact {
    pub line: u32,
    /// An organisation to create (the first row that names it).
    pub organisation: Option<OrganisationInput>,
    /// Where the row's person belongs.
    pub belongs_to: Option<OrganisationRef>,
    /// A person to create.
    pub person: Option<PersonInput>,
    /// A person of the directory who joins the row's organisation, with
    /// the row's job title.
    pub joins: Option<(i64, String)>,
}

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

/// The column behind an organisation form's field.
fn organisation_column(field: &str) -> Option<ImportField> {
    Some(match field {
        "name" => ImportField::Organisation,
        "kind" | "epci" => ImportField::OrganisationKind,
        "company_id" => ImportField::Siret,
        "commune" => ImportField::Communes,
        "address" => ImportField::Address,
        "website" => ImportField::Website,
        _ => return None,
    })
}

/// The column behind a person form's field.
fn person_column(field: &str) -> Option<ImportField> {
    Some(match field {
        "first_name" => ImportField::FirstName,
        "last_name" => ImportField::LastName,
        "job_title" => ImportField::JobTitle,
        "email" => ImportField::Email,
        "phone" => ImportField::Phone,
        _ => return None,
    })
}

/// The organisation a row describes, as its form checks it.
fn organisation_of(row: &mut Row<'_>, refs: &Refs, name: String) -> Option<OrganisationInput> {
    let mut form = OrganisationForm {
        name,
        kind: OrganisationKind::Other.as_str().to_owned(),
        ..Default::default()
    };
    if let Some((col, cell)) = row.cell(ImportField::OrganisationKind) {
        let text = cell.text();
        match parse_organisation_kind(&text) {
            Some(kind) => form.kind = kind.as_str().to_owned(),
            None => row.problem(col, &text, t("import.organisation_kind_unknown")),
        }
    }
    if let Some(text) = row.text(ImportField::Siret) {
        form.company_id = text;
    }
    if let Some((col, cell)) = row.cell(ImportField::Communes) {
        let text = cell.text();
        match commune_of(refs, &text, None, &[]) {
            Ok(code) => form.commune = code,
            Err(message) => row.problem(col, &text, message),
        }
    }
    // An EPCI is known by its own SIREN, in the SIRET column.
    if form.kind == OrganisationKind::Epci.as_str()
        && let Ok(Some(id)) = CompanyId::parse(&form.company_id)
    {
        form.epci = id.siren().to_owned();
        if !refs.epcis.contains(id.siren())
            && let Some(col) = row.column(ImportField::Siret)
        {
            let value = form.company_id.clone();
            row.problem(col, &value, t("import.epci_unknown"));
        }
    }
    if let Some(v) = row.text(ImportField::Address) {
        form.address = v;
    }
    if let Some(v) = row.text(ImportField::Website) {
        form.website = v;
    }
    match form.validate() {
        Ok(input) => Some(input),
        Err(e) => {
            row.report(e, organisation_column);
            None
        }
    }
}

/// The person a row describes, as its form checks it (the phone number
/// as the server normalises it).
fn person_of(row: &mut Row<'_>) -> Option<PersonInput> {
    let form = PersonForm {
        first_name: row.text(ImportField::FirstName).unwrap_or_default(),
        last_name: row.text(ImportField::LastName).unwrap_or_default(),
        job_title: row.text(ImportField::JobTitle).unwrap_or_default(),
        email: row.text(ImportField::Email).unwrap_or_default(),
        phone: row.text(ImportField::Phone).unwrap_or_default(),
        ..Default::default()
    };
    let input = match form.validate() {
        Ok(input) => input,
        Err(e) => {
            row.report(e, person_column);
            return None;
        }
    };
    if let Err(message) = crate::server::phone::normalise(&input.phone) {
        let col = row.column(ImportField::Phone).unwrap_or(0);
        row.problem(col, &input.phone, message);
        return None;
    }
    Some(input)
}

/// Where a row's organisation stands, and the note that says so.
struct Found {
    target: OrganisationRef,
    note: String,
    /// The directory's organisation of the same name in the same commune.
    namesake: Option<String>,
}

/// Finds a row's organisation in the directory (the same SIRET, or the
/// same name in the same commune, as the directory's forms check), then
/// among the organisations of earlier lines; else the row creates it.
/// Also gives the key later lines find it by.
fn resolve(
    input: &mut OrganisationInput,
    refs: &Refs,
    met: &HashMap<String, (String, OrganisationRef)>,
    line: u32,
    distinct: bool,
) -> (String, Found) {
    let key = match &input.company_id {
        Some(id) => format!("id:{}", id.siret().unwrap_or(id.siren())),
        None => format!(
            "name:{}|{}",
            input.search_key,
            input.commune.clone().unwrap_or_default()
        ),
    };
    let same_number = input.company_id.as_ref().and_then(|id| {
        refs.organisations.iter().find(|o| match id.siret() {
            Some(siret) => o.siret.as_deref() == Some(siret),
            None => o.siret.is_none() && o.siren.as_deref() == Some(id.siren()),
        })
    });
    let same_name = || {
        refs.organisations
            .iter()
            .find(|o| o.search_key == input.search_key && o.commune == input.commune)
    };
    let namesake = same_name().map(|o| o.name.clone());
    let found = if let Some(o) = same_number {
        Found {
            target: OrganisationRef::Existing(o.id),
            note: rust_i18n::t!("import.organisation_same_number", name = o.name).into_owned(),
            namesake: None,
        }
    } else if let Some(o) = same_name().filter(|_| !distinct) {
        Found {
            target: OrganisationRef::Existing(o.id),
            note: rust_i18n::t!("import.organisation_same_name", name = o.name).into_owned(),
            namesake: Some(o.name.clone()),
        }
    } else if let Some(name) = namesake.filter(|_| distinct) {
        // The user said it is another organisation: created (once, by the
        // first such line), as the directory's form does once « créer
        // quand même » is ticked.
        input.confirm_duplicate = true;
        let target = match met.get(&key) {
            Some((_, OrganisationRef::Created(first))) => OrganisationRef::Created(*first),
            _ => OrganisationRef::Created(line),
        };
        Found {
            target,
            note: rust_i18n::t!("import.organisation_distinct", name = name).into_owned(),
            namesake: Some(name),
        }
    } else if let Some((name, first)) = met.get(&key) {
        let note = match first {
            OrganisationRef::Created(first_line) => rust_i18n::t!(
                "import.organisation_earlier",
                name = name,
                line = first_line
            ),
            OrganisationRef::Existing(_) => {
                rust_i18n::t!("import.organisation_same_name", name = name)
            }
        };
        Found {
            target: *first,
            note: note.into_owned(),
            namesake: None,
        }
    } else {
        Found {
            target: OrganisationRef::Created(line),
            note: rust_i18n::t!("import.organisation_added", name = input.name).into_owned(),
            namesake: None,
        }
    };
    (key, found)
}

/// The verdict on every row after the header, and what the rows that pass
/// write.
pub fn analyse_contacts(
    grid: &Grid,
    mapping: &Mapping,
    refs: &Refs,
) -> (Vec<RowVerdict>, Vec<PlannedContact>) {
    // Organisations met on earlier lines: their key, and what they are.
    let mut met: HashMap<String, (String, OrganisationRef)> = HashMap::new();
    // E-mails of the people created on earlier lines.
    let mut emails: HashMap<String, u32> = HashMap::new();
    let mut verdicts = Vec::new();
    let mut planned = Vec::new();
    for (line, cells) in grid.rows.iter().filter(|(l, _)| *l > mapping.header_line) {
        let mut row = Row::new(*line, cells, mapping);
        let name = row
            .text(ImportField::Organisation)
            .map(|n| n.trim().to_owned());
        let person_named =
            row.text(ImportField::FirstName).is_some() || row.text(ImportField::LastName).is_some();
        let mut notes = Vec::new();
        let person_label = format!(
            "{} {}",
            row.text(ImportField::FirstName).unwrap_or_default().trim(),
            row.text(ImportField::LastName).unwrap_or_default().trim()
        )
        .trim()
        .to_owned();
        let mut verdict = RowVerdict::refused(
            *line,
            name.clone().unwrap_or_else(|| person_label.clone()),
            None,
        );
        verdict.distinct = mapping.distinct.contains(line);
        if name.is_none() && !person_named {
            verdict
                .problems
                .push(rust_i18n::t!("import.contact_missing", line = line).into_owned());
            verdicts.push(verdict);
            continue;
        }
        // The organisation: in the directory, met on an earlier line, or new.
        let mut creates = None;
        let mut belongs_to = None;
        // Remembered once the row passes.
        let mut meets = None;
        let mut email_seen = None;
        if let Some(name) = name
            && let Some(mut input) = organisation_of(&mut row, refs, name)
        {
            let (key, found) = resolve(&mut input, refs, &met, *line, verdict.distinct);
            notes.push(found.note);
            verdict.namesake = found.namesake;
            belongs_to = Some(found.target);
            if found.target == OrganisationRef::Created(*line) {
                creates = Some(input.clone());
            }
            meets = Some((key, input.name.clone(), found.target));
        }
        // The person: new, or already in the directory (by e-mail, or by
        // name within the same organisation).
        let mut person = None;
        let mut joins = None;
        if person_named && let Some(input) = person_of(&mut row) {
            let member_of = |p: &ExistingPerson| match belongs_to {
                Some(OrganisationRef::Existing(id)) => p.organisations.contains(&id),
                _ => false,
            };
            let by_email = input.email.as_ref().map(|e| e.to_lowercase());
            let known = refs.people.iter().find(|p| {
                by_email.is_some() && p.email.as_ref().map(|e| e.to_lowercase()) == by_email
                    || p.search_key == input.search_key && member_of(p)
            });
            match (known, by_email.as_ref().and_then(|e| emails.get(e))) {
                // The e-mail of someone else of the directory.
                (Some(p), _) if p.search_key != input.search_key => {
                    let col = row.column(ImportField::Email).unwrap_or(0);
                    let value = input.email.clone().unwrap_or_default();
                    row.problem(
                        col,
                        &value,
                        rust_i18n::t!("import.email_of_other", name = p.name),
                    );
                }
                // Known, and not yet a member of the row's organisation: joins it.
                (Some(p), _) => match belongs_to {
                    Some(OrganisationRef::Existing(id)) if !p.organisations.contains(&id) => {
                        joins = Some((p.id, input.job_title.clone()));
                        notes
                            .push(rust_i18n::t!("import.person_joins", name = p.name).into_owned());
                    }
                    Some(OrganisationRef::Created(_)) => {
                        joins = Some((p.id, input.job_title.clone()));
                        notes
                            .push(rust_i18n::t!("import.person_joins", name = p.name).into_owned());
                    }
                    _ => {
                        notes.push(rust_i18n::t!("import.person_known", name = p.name).into_owned())
                    }
                },
                (None, Some(first)) => {
                    let col = row.column(ImportField::Email).unwrap_or(0);
                    let value = input.email.clone().unwrap_or_default();
                    row.problem(
                        col,
                        &value,
                        rust_i18n::t!("import.duplicate_key", first = first),
                    );
                }
                (None, None) => {
                    email_seen = by_email;
                    notes.push(
                        rust_i18n::t!("import.person_added", name = person_label).into_owned(),
                    );
                    person = Some(input);
                }
            }
        }
        verdict.problems = std::mem::take(&mut row.problems);
        if !verdict.problems.is_empty() {
            verdicts.push(verdict);
            continue;
        }
        verdict.notes = notes;
        if let Some((key, name, target)) = meets {
            met.entry(key).or_insert((name, target));
        }
        if let Some(e) = email_seen {
            emails.insert(e, *line);
        }
        if creates.is_some() || person.is_some() || joins.is_some() {
            verdict.action = if creates.is_none() && person.is_none() {
                RowAction::Update
            } else {
                RowAction::Create
            };
            planned.push(PlannedContact {
                line: *line,
                organisation: creates,
                belongs_to,
                person,
                joins,
            });
        } else {
            verdict.action = RowAction::Unchanged;
        }
        verdicts.push(verdict);
    }
    (verdicts, planned)
}
