//! The dashboard as files: Excel (one sheet per section and « Projets », one
//! row per project; amounts as euro numbers and dates as date cells, never
//! text) and CSV for French Excel (the sections' figures in long form:
//! section, row, measure, value).
use chrono::{Datelike, NaiveDate};
use rust_i18n::t;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::domain::funding::PlanFigure;
use crate::domain::input::EXCEL_CELL_MAX;
use crate::models::Dashboard;
use crate::server::services::dashboard::ProjectSheet;

/// One exported table: a title, its headers, its rows.
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// An amount in cents, exported in euros.
    Euros(i64),
    Date(NaiveDate),
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn h(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t!(*k).into_owned()).collect()
}

/// The dashboard as tables, one per sheet.
pub fn tables(d: &Dashboard) -> Vec<Table> {
    let mut summary = Table {
        sheet: t!("dashboard.export_sheet_summary").into_owned(),
        headers: h(&[
            "dashboard.stage",
            "dashboard.projects",
            "dashboard.cost",
            "dashboard.export_entered",
            "dashboard.export_left",
        ]),
        rows: d
            .funnel
            .iter()
            .map(|r| {
                vec![
                    text(r.stage.label()),
                    Cell::Count(r.projects),
                    Cell::Euros(r.cost_cents),
                    Cell::Count(r.entered),
                    Cell::Count(r.left),
                ]
            })
            .collect(),
    };
    summary.rows.push(vec![Cell::Empty]);
    for (label, value) in [
        ("dashboard.active_projects", Cell::Count(d.money.projects)),
        ("dashboard.active_cost", Cell::Euros(d.money.cost_cents)),
        (
            "plan_figure.requested",
            Cell::Euros(d.money.requested_cents),
        ),
        ("plan_figure.pending", Cell::Euros(d.money.pending_cents)),
        ("plan_figure.granted", Cell::Euros(d.money.granted_cents)),
        ("plan_figure.paid", Cell::Euros(d.money.paid_cents)),
        (
            "plan_figure.still_to_find",
            Cell::Euros(d.money.to_find_cents),
        ),
    ] {
        summary.rows.push(vec![text(t!(label)), value]);
    }
    summary.rows.push(vec![Cell::Empty]);
    summary.rows.push(vec![
        text(t!("dashboard.export_as_of")),
        Cell::Date(d.as_of),
    ]);
    summary.rows.push(vec![
        text(t!("dashboard.export_since")),
        Cell::Date(d.since),
    ]);

    let money_headers = h(&[
        "dashboard.name",
        "dashboard.projects",
        "dashboard.cost",
        "plan_figure.requested",
        "plan_figure.pending",
        "plan_figure.granted",
        "plan_figure.paid",
        "plan_figure.still_to_find",
    ]);
    let money_rows = |rows: &[crate::models::MoneyRow]| -> Vec<Vec<Cell>> {
        rows.iter()
            .map(|r| {
                vec![
                    text(r.label.clone()),
                    Cell::Count(r.projects),
                    Cell::Euros(r.cost_cents),
                    Cell::Euros(r.requested_cents),
                    Cell::Euros(r.pending_cents),
                    Cell::Euros(r.granted_cents),
                    Cell::Euros(r.paid_cents),
                    Cell::Euros(r.to_find_cents),
                ]
            })
            .collect()
    };

    let mut attention = Table {
        sheet: t!("dashboard.export_sheet_attention").into_owned(),
        headers: h(&[
            "dashboard.export_reason",
            "dashboard.export_project",
            "dashboard.export_detail",
            "dashboard.export_date",
        ]),
        rows: Vec::new(),
    };
    for g in &d.attention {
        attention.rows.push(vec![
            text(g.kind.label()),
            text(crate::plural::plural("plural.projects", g.projects)),
            Cell::Empty,
            Cell::Empty,
        ]);
        for i in &g.items {
            attention.rows.push(vec![
                text(g.kind.label()),
                text(i.project_title.clone()),
                text(i.detail.clone()),
                i.date.map_or(Cell::Empty, Cell::Date),
            ]);
        }
    }

    let mut deadlines = Table {
        sheet: t!("dashboard.export_sheet_deadlines").into_owned(),
        headers: h(&[
            "dashboard.export_date",
            "dashboard.export_kind",
            "dashboard.export_detail",
            "dashboard.export_project",
        ]),
        rows: d
            .deadline_windows
            .iter()
            .map(|w| {
                vec![
                    text(t!("dashboard.window", days = w.days)),
                    Cell::Count(w.items),
                    text(crate::plural::plural("plural.projects", w.projects)),
                    Cell::Empty,
                ]
            })
            .collect(),
    };
    for i in &d.deadlines {
        deadlines.rows.push(vec![
            Cell::Date(i.date),
            text(t!(format!("dashboard.deadline_{}", i.kind))),
            text(i.label.clone()),
            text(i.project_title.clone()),
        ]);
    }

    let mut breakdowns = Table {
        sheet: t!("dashboard.export_sheet_breakdowns").into_owned(),
        headers: h(&[
            "dashboard.export_dimension",
            "dashboard.name",
            "dashboard.active_projects",
            "dashboard.cost",
        ]),
        rows: Vec::new(),
    };
    for (dimension, rows) in [
        ("dashboard.by_theme", &d.by_theme),
        ("dashboard.by_epci", &d.by_epci),
        ("dashboard.by_commune", &d.by_commune),
        ("dashboard.by_officer", &d.by_officer),
    ] {
        for r in rows {
            breakdowns.rows.push(vec![
                text(t!(dimension)),
                text(r.label.clone()),
                Cell::Count(r.projects),
                Cell::Euros(r.cost_cents),
            ]);
        }
    }

    let mut digest = Table {
        sheet: t!("dashboard.export_sheet_digest").into_owned(),
        headers: h(&[
            "dashboard.export_date",
            "dashboard.export_kind",
            "dashboard.export_project",
            "dashboard.export_detail",
        ]),
        rows: d
            .digest_counts
            .iter()
            .map(|c| {
                vec![
                    Cell::Empty,
                    text(c.kind.label()),
                    text(crate::plural::plural("plural.projects", c.projects)),
                    Cell::Empty,
                ]
            })
            .collect(),
    };
    for i in &d.digest {
        digest.rows.push(vec![
            Cell::Date(crate::server::clock::local_date(i.at)),
            text(i.kind.item_label()),
            text(i.project_title.clone()),
            text(match (&i.from, &i.to) {
                (Some(from), Some(to)) => format!("{from} → {to}"),
                (None, Some(to)) => to.clone(),
                _ => String::new(),
            }),
        ]);
    }

    vec![
        summary,
        Table {
            sheet: t!("dashboard.export_sheet_funders").into_owned(),
            headers: money_headers.clone(),
            rows: money_rows(&d.by_funder),
        },
        Table {
            sheet: t!("dashboard.export_sheet_programmes").into_owned(),
            headers: money_headers,
            rows: money_rows(&d.by_programme),
        },
        attention,
        deadlines,
        breakdowns,
        digest,
    ]
}

/// The date as an Excel date, or `None` outside the years Excel counts
/// (1900–9999): such a date, stored before the forms checked their range,
/// is written as text rather than failing the whole file.
fn excel_date(date: NaiveDate) -> Option<ExcelDateTime> {
    if !(1900..=9999).contains(&date.year()) {
        return None;
    }
    ExcelDateTime::from_ymd(
        u16::try_from(date.year()).ok()?,
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    )
    .ok()
}

/// A text as one cell holds it: at most Excel's 32 767 characters (the
/// forms' limits are far below; a longer text from before them is cut,
/// ending with « … », rather than failing the whole file).
fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= EXCEL_CELL_MAX {
        return text.into();
    }
    let mut cut: String = text.chars().take(EXCEL_CELL_MAX - 1).collect();
    cut.push('…');
    cut.into()
}

fn write_sheet(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let euros = Format::new().set_num_format("#,##0.00 \"€\"");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet.set_name(&table.sheet)?;
    for (c, header) in table.headers.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, c, header, &bold)?;
        sheet.set_column_width(c, if c == 0 { 40 } else { 18 })?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, cell_text(s))?;
                }
                // Counts are far below 2^53: exact as f64.
                #[allow(clippy::cast_precision_loss)]
                Cell::Count(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                #[allow(clippy::cast_precision_loss)]
                Cell::Euros(cents) => {
                    sheet.write_number_with_format(r, c, *cents as f64 / 100.0, &euros)?;
                }
                Cell::Date(d) => match excel_date(*d) {
                    Some(day) => {
                        sheet.write_datetime_with_format(r, c, day, &date)?;
                    }
                    None => {
                        sheet.write_string(r, c, d.to_string())?;
                    }
                },
                Cell::Empty => {}
            }
        }
    }
    Ok(())
}

/// The « Projets » sheet: one row per project behind the filter.
pub fn projects_table(sheet: &ProjectSheet) -> Table {
    let label = |f: PlanFigure| f.label();
    let mut rows: Vec<Vec<Cell>> = sheet
        .rows
        .iter()
        .map(|p| {
            vec![
                text(p.reference.clone()),
                text(p.title.clone()),
                text(p.communes.clone()),
                text(p.epcis.clone()),
                text(p.stage.label()),
                text(p.health.label()),
                text(p.officer.clone()),
                text(p.owner.clone()),
                p.cost_cents.map_or(Cell::Empty, Cell::Euros),
                Cell::Euros(p.requested_cents),
                Cell::Euros(p.granted_cents),
                Cell::Euros(p.paid_cents),
                Cell::Euros(p.to_find_cents),
                text(p.programmes.clone()),
                text(p.themes.clone()),
                p.next_deadline.map_or(Cell::Empty, Cell::Date),
                Cell::Date(crate::server::clock::local_date(p.last_change)),
            ]
        })
        .collect();
    let shown = sheet.rows.len() as u64;
    if sheet.total > shown {
        rows.push(vec![text(t!(
            "dashboard.export_projects_cut",
            shown = shown,
            total = sheet.total
        ))]);
    }
    let mut headers = h(&[
        "dashboard.export_reference",
        "dashboard.export_title",
        "dashboard.export_communes",
        "dashboard.export_epci",
        "dashboard.stage",
        "dashboard.export_health",
        "dashboard.export_officer",
        "dashboard.export_owner",
    ]);
    headers.extend([
        label(PlanFigure::Cost),
        label(PlanFigure::Requested),
        label(PlanFigure::Granted),
        label(PlanFigure::Paid),
        label(PlanFigure::StillToFind),
    ]);
    headers.extend(h(&[
        "dashboard.export_programmes",
        "dashboard.export_themes",
        "dashboard.export_next_deadline",
        "dashboard.export_last_change",
    ]));
    Table {
        sheet: t!("dashboard.export_sheet_projects").into_owned(),
        headers,
        rows,
    }
}

/// The workbook's bytes: the summary, then the projects, then the other
/// sections.
pub fn xlsx(d: &Dashboard, projects: &ProjectSheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let mut tables = tables(d).into_iter();
    if let Some(summary) = tables.next() {
        write_sheet(book.add_worksheet(), &summary)?;
    }
    write_sheet(book.add_worksheet(), &projects_table(projects))?;
    for table in tables {
        write_sheet(book.add_worksheet(), &table)?;
    }
    book.save_to_buffer()
}

/// A text a spreadsheet will not read as a formula: titles and names are
/// typed by users, and `=…`, `+…`, `-…` or `@…` would run when the CSV is
/// opened. Such a text gets a leading apostrophe.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A cell as French Excel reads it in a CSV file: amounts with a decimal
/// comma and no grouping (« 80000,00 »), dates « jj/mm/aaaa », texts that
/// cannot start a formula.
fn csv_value(cell: &Cell) -> Option<String> {
    Some(match cell {
        Cell::Text(s) => inert(s),
        Cell::Count(n) => n.to_string(),
        Cell::Euros(c) => {
            let sign = if *c < 0 { "-" } else { "" };
            format!("{sign}{},{:02}", (c / 100).abs(), (c % 100).abs())
        }
        Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        Cell::Empty => return None,
    })
}

/// The figures in long form, one value per line — `section;row;measure;value`
/// — as French Excel opens it: `;` between fields, decimal commas, dates
/// `jj/mm/aaaa`, UTF-8 with a byte-order mark (without it Excel reads the
/// accents as Windows-1252). A row is named by its first cell, whatever it
/// holds (a date for the deadlines and the changes).
pub fn csv(d: &Dashboard) -> Result<Vec<u8>, csv::Error> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(BOM.to_vec());
    out.write_record([
        t!("dashboard.export_section").as_ref(),
        t!("dashboard.export_row").as_ref(),
        t!("dashboard.export_measure").as_ref(),
        t!("dashboard.export_value").as_ref(),
    ])?;
    for table in tables(d) {
        for row in &table.rows {
            // The first cell that holds something names the row.
            let Some((first, label)) = row
                .iter()
                .enumerate()
                .find_map(|(i, c)| csv_value(c).map(|v| (i, v)))
            else {
                continue;
            };
            for (header, cell) in table.headers.iter().zip(row.iter()).skip(first + 1) {
                let Some(value) = csv_value(cell) else {
                    continue;
                };
                out.write_record([table.sheet.as_str(), &label, header, &value])?;
            }
        }
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::{cell_text, excel_date, inert};
    use crate::domain::input::EXCEL_CELL_MAX;
    use chrono::NaiveDate;

    #[test]
    fn any_stored_value_fits_a_cell() {
        // Values stored before the forms had limits must not fail the file.
        let long = "é".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), EXCEL_CELL_MAX);
        assert!(cut.ends_with('…'));
        assert_eq!(cell_text("Halle"), "Halle");
        let year_202 = NaiveDate::from_ymd_opt(202, 1, 1).expect("date");
        assert!(excel_date(year_202).is_none());
        let ok = NaiveDate::from_ymd_opt(2026, 3, 28).expect("date");
        assert!(excel_date(ok).is_some());
    }

    #[test]
    fn user_texts_never_become_formulas() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(inert("+33 4 71"), "'+33 4 71");
        assert_eq!(inert("@cmd"), "'@cmd");
        assert_eq!(inert("Halle – marché"), "Halle – marché");
    }
}
