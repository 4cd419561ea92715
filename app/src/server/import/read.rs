//! A file's cells, whatever office software wrote it: `.xlsx`, `.xls`,
//! `.ods` through calamine (formulas give their cached values, never
//! evaluated), CSV through `csv` after `encoding_rs` decoded it (UTF-8 with
//! or without BOM, UTF-16 with BOM, else Windows-1252 as French Excel
//! writes it; `;`, `,` or tab separators). Bounded: file size, unzipped
//! size, rows, columns; each refusal is a French sentence.
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xls, Xlsx};
use chrono::NaiveDate;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// The most a workbook may unzip to (a 8 MB zip of a few repeated bytes
/// can unzip to gigabytes).
pub const MAX_UNZIPPED_BYTES: u64 = 200 * 1024 * 1024;
/// Rows with something in them.
pub const MAX_ROWS: usize = 20_000;
/// Columns of one row.
pub const MAX_COLUMNS: usize = 200;

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number cell, as the shortest text giving it back (« 1234.5 »).
    Number(String),
    Date(NaiveDate),
}

impl Cell {
    /// The cell as a person reads it.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) | Cell::Number(t) => t.clone(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// The rows of the file's first sheet that hold something, each with its
/// line number as the spreadsheet shows it (from 1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    pub rows: Vec<(u32, Vec<Cell>)>,
}

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

/// Reads `bytes` as a projects file; the error is a French sentence for
/// the user.
pub fn read(bytes: &[u8]) -> Result<Grid, String> {
    read_sheet(bytes, &["projets"])
}

/// Reads `bytes`, a workbook from the first of its sheets named as in
/// `sheets` (as `search_key` gives them), else its first sheet.
pub fn read_sheet(bytes: &[u8], sheets: &[&str]) -> Result<Grid, String> {
    if bytes.is_empty() {
        return Err(t("import.read_empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(rust_i18n::t!(
            "import.read_too_large",
            max = MAX_FILE_BYTES / (1024 * 1024)
        )
        .into_owned());
    }
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        read_zip(bytes, sheets)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        if is_encrypted_package(bytes) {
            return Err(t("import.read_password"));
        }
        read_xls(bytes, sheets)?
    } else {
        read_csv(bytes)?
    };
    if grid.rows.is_empty() {
        return Err(t("import.read_empty"));
    }
    Ok(grid)
}

/// A password-protected `.xlsx` is an OLE container holding an
/// `EncryptedPackage` stream (its name is stored in UTF-16).
fn is_encrypted_package(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(name.len()).any(|w| w == name.as_slice())
}

fn read_zip(bytes: &[u8], sheets: &[&str]) -> Result<Grid, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| t("import.read_unknown"))?;
    let mut unzipped: u64 = 0;
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| t("import.read_unknown"))?;
        unzipped = unzipped.saturating_add(entry.size());
        names.push(entry.name().to_owned());
    }
    if unzipped > MAX_UNZIPPED_BYTES {
        return Err(t("import.read_bomb"));
    }
    // The sizes an archive declares can lie: count what its entries really
    // inflate to, stopping past the bound.
    let mut inflated: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| t("import.read_unknown"))?;
        let left = MAX_UNZIPPED_BYTES - inflated;
        let n = std::io::copy(&mut (&mut entry).take(left + 1), &mut std::io::sink())
            .map_err(|_| t("import.read_unreadable"))?;
        inflated += n;
        if inflated > MAX_UNZIPPED_BYTES {
            return Err(t("import.read_bomb"));
        }
    }
    if names.iter().any(|n| n == "xl/workbook.xml") {
        read_xlsx(bytes, sheets)
    } else if names.iter().any(|n| n == "content.xml") {
        let mut mimetype = String::new();
        if let Ok(mut entry) = zip.by_name("mimetype") {
            let _ = entry.by_ref().take(200).read_to_string(&mut mimetype);
        }
        if !mimetype.contains("spreadsheet") {
            return Err(t("import.read_unknown"));
        }
        let content = zip
            .by_name("content.xml")
            .map_err(|_| t("import.read_unreadable"))?;
        if ods_cells(std::io::BufReader::new(content))? > MAX_CELLS {
            return Err(t("import.read_bomb"));
        }
        let mut book: calamine::Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e| workbook_error(&calamine::Error::from(e)))?;
        let range = first_sheet(&mut book, sheets)?;
        grid_of_range(&range)
    } else {
        Err(t("import.read_unknown"))
    }
}

/// The most filled cells a file may spread into.
const MAX_CELLS: u64 = (MAX_ROWS * MAX_COLUMNS) as u64;

/// How many filled cells the sheets of an `.ods` spread into. LibreOffice
/// writes a run of equal cells, or of equal rows, once with a repeat count
/// (`number-columns-repeated`, `number-rows-repeated`), which calamine
/// expands; empty cells and rows do not count. Stops counting past the
/// bound.
fn ods_cells(content: impl std::io::BufRead) -> Result<u64, String> {
    use quick_xml::events::{BytesStart, Event};
    let repeat = |e: &BytesStart, name: &[u8]| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| std::str::from_utf8(&a.value).ok()?.trim().parse().ok())
            .unwrap_or(1)
    };
    let filled = |e: &BytesStart| {
        e.attributes()
            .flatten()
            .any(|a| a.key.as_ref() == b"office:value-type")
    };
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let (mut total, mut row_repeat, mut row_cells) = (0u64, 1u64, 0u64);
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|_| t("import.read_unreadable"))?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"table:table-row" => {
                row_repeat = repeat(&e, b"table:number-rows-repeated");
                row_cells = 0;
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if matches!(
                    e.name().as_ref(),
                    b"table:table-cell" | b"table:covered-table-cell"
                ) && filled(e) =>
            {
                row_cells = row_cells.saturating_add(repeat(e, b"table:number-columns-repeated"));
            }
            Event::End(e) if e.name().as_ref() == b"table:table-row" => {
                total = total.saturating_add(row_cells.saturating_mul(row_repeat));
                row_cells = 0;
                if total > MAX_CELLS {
                    return Ok(total);
                }
            }
            Event::Eof => return Ok(total),
            _ => {}
        }
        buf.clear();
    }
}

/// The first sheet of an `.xlsx`, cell by cell: a file naming a cell far
/// away (`XFD1048576`) is refused before any grid is allocated for it.
fn read_xlsx(bytes: &[u8], sheets: &[&str]) -> Result<Grid, String> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| workbook_error(&calamine::Error::from(e)))?;
    let names = book.sheet_names();
    let name = names
        .get(sheet_index(&names, sheets))
        .cloned()
        .ok_or_else(|| t("import.read_empty"))?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|e| workbook_error(&calamine::Error::Xlsx(e)))?;
    let mut rows: std::collections::BTreeMap<u32, Vec<Cell>> = std::collections::BTreeMap::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| workbook_error(&calamine::Error::Xlsx(e)))?
    {
        let (row, col) = cell.get_position();
        let value = cell_of(&Data::from(cell.get_value().clone()));
        if value.is_empty() {
            continue;
        }
        if col as usize >= MAX_COLUMNS {
            return Err(too_many_columns(row + 1));
        }
        let line = rows.entry(row + 1).or_default();
        if line.len() <= col as usize {
            line.resize(col as usize + 1, Cell::Empty);
        }
        line[col as usize] = value;
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
    }
    Ok(Grid {
        rows: rows.into_iter().collect(),
    })
}

fn read_xls(bytes: &[u8], sheets: &[&str]) -> Result<Grid, String> {
    let mut book: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| workbook_error(&calamine::Error::from(e)))?;
    let range = first_sheet(&mut book, sheets)?;
    grid_of_range(&range)
}

fn first_sheet<'a, R>(book: &mut R, sheets: &[&str]) -> Result<calamine::Range<Data>, String>
where
    R: Reader<Cursor<&'a [u8]>>,
    calamine::Error: From<R::Error>,
{
    let index = sheet_index(&book.sheet_names(), sheets);
    match book.worksheet_range_at(index) {
        Some(Ok(range)) => Ok(range),
        Some(Err(e)) => Err(workbook_error(&calamine::Error::from(e))),
        None => Err(t("import.read_empty")),
    }
}

/// The sheet read: the first named as in `wanted` (« Projets », as
/// Maillage's own export puts its summary first; « Financements » for
/// funding lines), else the first.
fn sheet_index(names: &[String], wanted: &[&str]) -> usize {
    wanted
        .iter()
        .find_map(|w| {
            names
                .iter()
                .position(|n| crate::domain::search_key(n) == *w)
        })
        .unwrap_or(0)
}

fn workbook_error(e: &calamine::Error) -> String {
    let text = e.to_string().to_lowercase();
    if text.contains("password") || text.contains("encrypt") {
        t("import.read_password")
    } else {
        t("import.read_unreadable")
    }
}

fn too_many_rows() -> String {
    rust_i18n::t!("import.read_too_many_rows", max = MAX_ROWS).into_owned()
}

fn too_many_columns(line: u32) -> String {
    rust_i18n::t!(
        "import.read_too_many_columns",
        line = line,
        max = MAX_COLUMNS
    )
    .into_owned()
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let s = s.trim();
            if s.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s.to_owned())
            }
        }
        Data::Int(i) => Cell::Number(i.to_string()),
        Data::Float(f) => Cell::Number(f.to_string()),
        Data::Bool(b) => Cell::Text(if *b { "VRAI" } else { "FAUX" }.to_owned()),
        Data::DateTime(d) => match d.as_datetime() {
            Some(at) if d.is_datetime() => Cell::Date(at.date()),
            _ => Cell::Number(d.as_f64().to_string()),
        },
    }
}

/// Keeps a row that holds something, its trailing empty cells dropped,
/// within the bounds on columns and rows.
fn push_row(
    rows: &mut Vec<(u32, Vec<Cell>)>,
    line: u32,
    mut cells: Vec<Cell>,
) -> Result<(), String> {
    while cells.last().is_some_and(Cell::is_empty) {
        cells.pop();
    }
    if cells.is_empty() {
        return Ok(());
    }
    if cells.len() > MAX_COLUMNS {
        return Err(too_many_columns(line));
    }
    rows.push((line, cells));
    if rows.len() > MAX_ROWS {
        return Err(too_many_rows());
    }
    Ok(())
}

fn grid_of_range(range: &calamine::Range<Data>) -> Result<Grid, String> {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<Cell> = vec![Cell::Empty; first_col as usize];
        cells.extend(row.iter().map(cell_of));
        push_row(&mut rows, first_row + i as u32 + 1, cells)?;
    }
    Ok(Grid { rows })
}

/// The text of a CSV file: UTF-8 (a BOM dropped), UTF-16 with its BOM,
/// else Windows-1252. A file with NUL bytes and no UTF-16 BOM is no text.
fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(t("import.read_unknown"));
        }
        return Ok(text.into_owned());
    }
    if bytes.contains(&0) {
        return Err(t("import.read_unknown"));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()),
    }
}

/// The separator the first lines use most: `;` (French Excel), `,` or tab.
fn separator(text: &str) -> u8 {
    let head: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .collect();
    let count = |c: char| head.iter().map(|l| l.matches(c).count()).sum::<usize>();
    let (semicolons, commas, tabs) = (count(';'), count(','), count('\t'));
    if tabs > semicolons && tabs > commas {
        b'\t'
    } else if commas > semicolons {
        b','
    } else {
        b';'
    }
}

fn read_csv(bytes: &[u8]) -> Result<Grid, String> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(&text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Line numbers counted from the bytes before each record (a quoted
    // field may hold line breaks; the reader's own count lags a record).
    let (mut seen_bytes, mut seen_lines) = (0usize, 1u32);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            rust_i18n::t!("import.read_csv_error", line = line).into_owned()
        })?;
        let bytes = text.as_bytes();
        let mut start = record.position().map_or(seen_bytes, |p| p.byte() as usize);
        // The reader may place a record at the line break before it.
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if let Some(between) = bytes.get(seen_bytes..start) {
            seen_lines += between.iter().filter(|b| **b == b'\n').count() as u32;
            seen_bytes = start;
        }
        let line = seen_lines;
        let cells: Vec<Cell> = record
            .iter()
            .map(|v| {
                let v = v.trim();
                if v.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(v.to_owned())
                }
            })
            .collect();
        push_row(&mut rows, line, cells)?;
    }
    Ok(Grid { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(grid: &Grid) -> Vec<(u32, Vec<String>)> {
        grid.rows
            .iter()
            .map(|(l, cells)| (*l, cells.iter().map(Cell::text).collect()))
            .collect()
    }

    #[test]
    fn french_excel_csv_reads_right() {
        // Windows-1252, `;`, a quoted field with the separator in it.
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"Intitul\xe9;Commune;Co\xfbt\r\n");
        bytes.extend_from_slice(
            b"\"Salle des f\xeates; r\xe9novation\";Murat;\"12 000,50 \x80\"\r\n",
        );
        bytes.extend_from_slice(b";;\r\n");
        let grid = read(&bytes).unwrap();
        assert_eq!(
            texts(&grid),
            [
                (1, vec!["Intitulé".into(), "Commune".into(), "Coût".into()]),
                (
                    2,
                    vec![
                        "Salle des fêtes; rénovation".into(),
                        "Murat".into(),
                        "12 000,50 €".into()
                    ]
                ),
            ]
        );
    }

    #[test]
    fn utf8_with_bom_and_commas() {
        let grid = read("\u{feff}Intitulé,Commune\nÉcole,Allanche\n".as_bytes()).unwrap();
        assert_eq!(texts(&grid)[0].1, ["Intitulé", "Commune"]);
        assert_eq!(texts(&grid)[1].1, ["École", "Allanche"]);
    }

    /// A workbook whose sheet inflates past the bound while its headers
    /// declare a few bytes: the sizes patched in the local and central
    /// headers, the data and its checksum left true.
    fn lying_bomb() -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file("xl/workbook.xml", options).expect("entry");
        out.write_all(b"<workbook/>").expect("write");
        out.start_file("xl/worksheets/sheet1.xml", options)
            .expect("entry");
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..(MAX_UNZIPPED_BYTES / (1024 * 1024) + 1) {
            out.write_all(&chunk).expect("write");
        }
        let mut bytes = out.finish().expect("zip").into_inner();
        let patch = |bytes: &mut Vec<u8>, signature: &[u8], at: usize| {
            let starts: Vec<usize> = bytes
                .windows(4)
                .enumerate()
                .filter(|(_, w)| *w == signature)
                .map(|(i, _)| i)
                .collect();
            for start in starts {
                bytes[start + at..start + at + 4].copy_from_slice(&1000u32.to_le_bytes());
            }
        };
        patch(&mut bytes, b"PK\x03\x04", 22);
        patch(&mut bytes, b"PK\x01\x02", 24);
        bytes
    }

    #[test]
    fn an_archive_lying_about_its_sizes_is_still_a_bomb() {
        let bytes = lying_bomb();
        assert!(bytes.len() < MAX_FILE_BYTES, "{} bytes", bytes.len());
        // The declared sizes pass the first check…
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("zip");
        let declared: u64 = (0..zip.len())
            .map(|i| zip.by_index_raw(i).expect("entry").size())
            .sum();
        assert!(declared < 10_000, "{declared}");
        // …what the entries inflate to does not.
        assert!(read(&bytes).unwrap_err().contains("démesurément grand"));
    }

    /// An `.ods` of one line asking for `repeats` copies of a filled cell.
    fn repeated_ods(repeats: u64) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file("mimetype", stored).expect("entry");
        out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .expect("write");
        out.start_file("META-INF/manifest.xml", stored)
            .expect("entry");
        out.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#)
            .expect("write");
        out.start_file("content.xml", stored).expect("entry");
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Projets"><table:table-row><table:table-cell office:value-type="string"><text:p>Intitulé</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="{repeats}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        out.write_all(xml.as_bytes()).expect("write");
        out.finish().expect("zip").into_inner()
    }

    #[test]
    fn an_ods_asking_for_billions_of_cells_is_refused_before_it_is_expanded() {
        // LibreOffice's own trailing empty rows and cells do not count.
        let small = read(&repeated_ods(3));
        assert!(small.is_ok(), "{:?}", small.err());
        let err = read(&repeated_ods(5_000_000)).unwrap_err();
        assert!(err.contains("démesurément grand"), "{err}");
    }

    #[test]
    fn refusals_are_french_sentences() {
        assert!(read(b"").unwrap_err().contains("vide"));
        assert!(read(b"\x7fELF\x02\x01\x01\0\0\0").is_err());
        assert!(read(b"PK\x03\x04garbage").is_err());
        let wide = format!("{}\n", vec!["x"; 500].join(";"));
        assert!(
            read(wide.as_bytes()).unwrap_err().contains("500")
                || read(wide.as_bytes()).unwrap_err().contains("200")
        );
        let tall = "a;b\n".repeat(MAX_ROWS + 2);
        assert!(read(tall.as_bytes()).is_err());
    }
}
