//! A funding lines file (or the « Financements » sheet of a workbook), row
//! by row: one funder's line of a project already in the portfolio, at the
//! status and with the amounts and dates the row gives, checked by the
//! plan's own form and status rules. A line already in the plan is never
//! overwritten: an equal one is left as it is, a different one noted.
//! Pure, like `analyse`.
use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::funding::FundingStatus;
use crate::domain::import::{ImportField, find_funder, parse_funding_status};
use crate::domain::{format_euros, search_key};
use crate::models::{
    FundingLineForm, FundingLineInput, ImportKey, LineDates, Mapping, RowAction, RowVerdict,
};
use crate::server::import::analyse::{
    Existing, ProjectIndex, Refs, Row, cell_amount, cell_date, cents_text,
};
use crate::server::import::read::{Cell, Grid};

/// A line the confirmation adds.
#[derive(Debug, Clone)]
pub struct PlannedFundingLine {
    pub line: u32,
    pub project_id: i64,
    pub status: FundingStatus,
    pub input: FundingLineInput,
    pub dates: LineDates,
}

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

/// The column behind a line form's field.
fn line_column(field: &str) -> Option<ImportField> {
    Some(match field {
        "funder_id" => ImportField::Funder,
        "programme" => ImportField::LineProgramme,
        "amount_requested" => ImportField::AmountRequested,
        "amount_granted" => ImportField::AmountGranted,
        "amount_paid" => ImportField::AmountPaid,
        "application_deadline" => ImportField::ApplicationDeadline,
        "status" => ImportField::LineStatus,
        _ => return None,
    })
}

/// An amount column's cents (zero when empty), reported when unreadable.
fn amount(row: &mut Row<'_>, field: ImportField) -> Option<i64> {
    let (col, cell) = row.cell(field)?;
    let cell = cell.clone();
    match cell_amount(&cell) {
        Ok(cents) => Some(cents),
        Err(e) => {
            row.problem(col, &cell.text(), e.to_string());
            None
        }
    }
}

/// A date column's date, reported when unreadable.
fn date(row: &mut Row<'_>, field: ImportField) -> Option<NaiveDate> {
    let (col, cell) = row.cell(field)?;
    let cell = cell.clone();
    let d = cell_date(&cell);
    if d.is_none() {
        row.problem(col, &cell.text(), t("import.date_invalid"));
    }
    d
}

/// The project a row names, by the key the mapping chose.
fn project<'r>(row: &mut Row<'_>, refs: &'r Refs, index: &ProjectIndex) -> Option<&'r Existing> {
    let ProjectIndex {
        by_reference,
        by_title,
    } = index;
    let (field, index) = match row.mapping.key {
        ImportKey::Reference => (ImportField::Reference, {
            let r = row.text(ImportField::Reference)?;
            by_reference.get(&r.trim().to_lowercase()).copied()
        }),
        ImportKey::Title => (ImportField::Title, {
            let title = row.text(ImportField::Title)?;
            match by_title.get(&search_key(&title)).map(Vec::as_slice) {
                Some([one]) => Some(*one),
                Some([_, _, ..]) => {
                    let col = row.column(ImportField::Title).unwrap_or(0);
                    row.problem(col, &title, t("import.title_not_unique"));
                    return None;
                }
                _ => None,
            }
        }),
    };
    match index {
        Some(i) => Some(&refs.projects[i]),
        None => {
            let col = row.column(field).unwrap_or(0);
            let value = row.text(field).unwrap_or_default();
            row.problem(col, &value, t("import.project_unknown"));
            None
        }
    }
}

/// The verdict on every row after the header, and the lines the rows that
/// pass add.
pub fn analyse_lines(
    grid: &Grid,
    mapping: &Mapping,
    refs: &Refs,
) -> (Vec<RowVerdict>, Vec<PlannedFundingLine>) {
    let index = ProjectIndex::of(&refs.projects);
    // (project, funder, programme) → the line that names it first.
    let mut seen: HashMap<(i64, i64, String), u32> = HashMap::new();
    let mut verdicts = Vec::new();
    let mut planned = Vec::new();
    for (line, cells) in grid.rows.iter().filter(|(l, _)| *l > mapping.header_line) {
        let mut row = Row::new(*line, cells, mapping);
        let mut verdict = RowVerdict::refused(
            *line,
            row.text(ImportField::Title)
                .or_else(|| row.text(ImportField::Reference))
                .unwrap_or_default(),
            row.text(ImportField::Reference),
        );
        if cells
            .iter()
            .any(|c| matches!(c, Cell::Text(t) if crate::domain::import::is_totals_label(t)))
            && row.text(ImportField::Funder).is_none()
        {
            verdict.skip_as_totals();
            verdicts.push(verdict);
            continue;
        }
        let project = project(&mut row, refs, &index);
        if let Some(p) = project {
            verdict.title = p.form.title.clone();
            verdict.project_id = Some(p.id);
        }
        let funder = match row.cell(ImportField::Funder) {
            Some((col, cell)) => {
                let text = cell.text();
                let found = find_funder(&text, &refs.funders);
                if found.is_none() {
                    row.problem(col, &text, t("import.funder_not_found"));
                }
                found
            }
            None => {
                let line = row.line;
                row.problems.push(
                    rust_i18n::t!(
                        "import.problem_field",
                        line = line,
                        field = ImportField::Funder.label(),
                        message = t("funding.funder_required")
                    )
                    .into_owned(),
                );
                None
            }
        };
        let requested = amount(&mut row, ImportField::AmountRequested).filter(|c| *c > 0);
        let granted = amount(&mut row, ImportField::AmountGranted).filter(|c| *c > 0);
        let paid = amount(&mut row, ImportField::AmountPaid).filter(|c| *c > 0);
        let requested_on = date(&mut row, ImportField::RequestedOn);
        let decided_on = date(&mut row, ImportField::DecidedOn);
        let agreement_on = date(&mut row, ImportField::AgreementOn);
        let paid_on = date(&mut row, ImportField::PaidOn);
        let deadline = date(&mut row, ImportField::ApplicationDeadline);
        // The status as written, else as the amounts and dates say.
        let status = match row.cell(ImportField::LineStatus) {
            Some((col, cell)) => {
                let text = cell.text();
                let s = parse_funding_status(&text);
                if s.is_none() {
                    row.problem(col, &text, t("import.line_status_unknown"));
                }
                s
            }
            None => Some(if paid.is_some() {
                FundingStatus::AdvancePaid
            } else if granted.is_some() {
                FundingStatus::Granted
            } else if requested_on.is_some() {
                FundingStatus::Requested
            } else {
                FundingStatus::Identified
            }),
        };
        let (Some(p), Some(funder_id), Some(status)) = (project, funder, status) else {
            verdict.problems = std::mem::take(&mut row.problems);
            verdicts.push(verdict);
            continue;
        };
        // A grant without the amount asked for was asked for in full; a
        // balance paid without its amount is the whole grant.
        let requested = requested.or(granted.filter(|_| status.is_secured()));
        let paid = paid.or(granted.filter(|_| status == FundingStatus::BalancePaid));
        let programme = row.text(ImportField::LineProgramme).unwrap_or_default();
        let form = FundingLineForm {
            funder_id: funder_id.to_string(),
            programme: programme.clone(),
            amount_requested: requested.map(cents_text).unwrap_or_default(),
            amount_granted: granted.map(cents_text).unwrap_or_default(),
            amount_paid: paid.map(cents_text).unwrap_or_default(),
            application_deadline: deadline.map(|d| d.to_string()).unwrap_or_default(),
            ..Default::default()
        };
        let input = match form.validate(status) {
            Ok(input) => Some(input),
            Err(e) => {
                row.report(e, line_column);
                None
            }
        };
        let dates = step_dates(
            &mut row,
            status,
            [requested_on, decided_on, agreement_on, paid_on],
        );
        // The same line twice in the file.
        let key = (p.id, funder_id, search_key(&programme));
        match seen.get(&key) {
            Some(first) => {
                let col = row.column(ImportField::Funder).unwrap_or(0);
                let value = row.text(ImportField::Funder).unwrap_or_default();
                row.problem(
                    col,
                    &value,
                    rust_i18n::t!("import.duplicate_key", first = first),
                );
            }
            None => {
                seen.insert(key, *line);
            }
        }
        verdict.problems = std::mem::take(&mut row.problems);
        let Some(input) = input.filter(|_| verdict.problems.is_empty()) else {
            verdicts.push(verdict);
            continue;
        };
        let name = refs
            .funders
            .iter()
            .find(|f| f.id == funder_id)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        // A line of this funder (and programme) already in the plan.
        let same: Vec<_> = p
            .lines
            .iter()
            .filter(|l| {
                l.funder_id == funder_id
                    && (programme.trim().is_empty()
                        || search_key(&l.programme) == search_key(&programme))
            })
            .collect();
        match same.as_slice() {
            [] => {
                verdict.action = RowAction::Create;
                let shown = input
                    .amount_granted_cents
                    .or(input.amount_requested_cents)
                    .unwrap_or_default();
                verdict.notes.push(
                    rust_i18n::t!(
                        "import.line_added",
                        funder = name,
                        status = status.label(),
                        amount = format_euros(shown)
                    )
                    .into_owned(),
                );
                planned.push(PlannedFundingLine {
                    line: *line,
                    project_id: p.id,
                    status,
                    input,
                    dates,
                });
            }
            [l] if l.status == status
                && l.requested == input.amount_requested_cents
                && l.granted == input.amount_granted_cents
                && l.paid == input.amount_paid_cents =>
            {
                verdict.action = RowAction::Unchanged;
            }
            _ => {
                verdict.action = RowAction::Unchanged;
                verdict.notes.push(
                    rust_i18n::t!("import.line_kept", line = line, funder = name).into_owned(),
                );
            }
        }
        verdicts.push(verdict);
    }
    (verdicts, planned)
}

/// The dates of the steps `status` has reached, in their order; a date of
/// a step not reached, or before the step it follows, is reported.
fn step_dates(
    row: &mut Row<'_>,
    status: FundingStatus,
    given: [Option<NaiveDate>; 4],
) -> LineDates {
    use FundingStatus as S;
    let [requested_on, decided_on, agreement_on, paid_on] = given;
    let reached = |steps: &[S]| steps.contains(&status);
    let filed = [
        S::Requested,
        S::Granted,
        S::Refused,
        S::AgreementSigned,
        S::AdvancePaid,
        S::BalancePaid,
    ];
    let decided = &filed[1..];
    let signed = &filed[3..];
    let paying = &filed[4..];
    let mut last: Option<(NaiveDate, ImportField)> = None;
    let mut dates = LineDates::default();
    for (date, field, steps) in [
        (requested_on, ImportField::RequestedOn, &filed[..]),
        (decided_on, ImportField::DecidedOn, decided),
        (agreement_on, ImportField::AgreementOn, signed),
        (paid_on, ImportField::PaidOn, paying),
    ] {
        let Some(d) = date else { continue };
        let col = row.column(field).unwrap_or(0);
        let value = row.cells.get(col).map(Cell::text).unwrap_or_default();
        if !reached(steps) {
            row.problem(
                col,
                &value,
                rust_i18n::t!("import.step_not_reached", status = status.label()),
            );
            continue;
        }
        if let Some((before, before_field)) = last
            && d < before
        {
            row.problem(
                col,
                &value,
                rust_i18n::t!(
                    "import.date_before",
                    field = before_field.label().to_lowercase()
                ),
            );
        }
        last = Some((d, field));
        match field {
            ImportField::RequestedOn => dates.requested_on = Some(d),
            ImportField::DecidedOn => dates.decided_on = Some(d),
            ImportField::AgreementOn => dates.agreement_on = Some(d),
            _ if status == S::AdvancePaid => dates.advance_on = Some(d),
            _ => dates.balance_on = Some(d),
        }
    }
    dates
}
