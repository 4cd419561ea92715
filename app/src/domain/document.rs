//! The project's file (issue 21): which files Maillage keeps, judged on
//! their contents (the media type their first bytes show, not their name),
//! how a file's name is made safe to store and to send back, and which
//! files a browser may show rather than download.

/// The largest file kept, by default (`DOCUMENT_MAX_MB`).
pub const DEFAULT_MAX_FILE_MB: u64 = 50;
/// The most a project's documents may weigh together, by default
/// (`DOCUMENT_PROJECT_MAX_MB`): every version of every document counts.
pub const DEFAULT_MAX_PROJECT_MB: u64 = 2048;
/// How long a deleted document's contents are kept, by default
/// (`DOCUMENT_RETENTION_DAYS`).
pub const DEFAULT_RETENTION_DAYS: i64 = 30;
/// The longest the admin may keep deleted documents (ten years).
pub const MAX_RETENTION_DAYS: i64 = 3650;
/// The longest file name kept, in bytes.
pub const MAX_FILENAME_BYTES: usize = 200;
/// How many first bytes a judgement reads.
pub const HEAD_BYTES: usize = 8192;

/// Why a file is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A program (Windows, Linux, macOS, Android, WebAssembly, a script).
    Executable,
    /// A page or markup a browser would run (HTML, SVG, XML).
    Markup,
    /// Any other kind Maillage does not keep.
    Unknown,
    /// Nothing in it.
    Empty,
}

/// The media types kept when the contents show them: documents, sheets,
/// slides, images, archives.
const KEPT: &[&str] = &[
    "application/pdf",
    "application/rtf",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/bmp",
    "image/heif",
    "image/heic",
    "image/avif",
];

/// What the contents are, as a detector read them from their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected<'a> {
    /// A known kind: its media type, and whether it is a program.
    Kind { media_type: &'a str, program: bool },
    /// No signature (plain text has none).
    Nothing,
}

/// The media type a file is kept under, or why it is refused: a kind the
/// contents show must be one of `KEPT`; contents with no signature are kept
/// only as plain text or CSV (by their name), and only when they are text
/// that is not markup.
pub fn judge(detected: Detected, head: &[u8], filename: &str) -> Result<&'static str, Refusal> {
    if head.is_empty() {
        return Err(Refusal::Empty);
    }
    // Whatever a detector found further in (a PDF signature hidden in a
    // page), a file that opens as markup or a script is refused.
    let start = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii_start();
    if start.starts_with(b"<") {
        return Err(Refusal::Markup);
    }
    if start.starts_with(b"#!") {
        return Err(Refusal::Executable);
    }
    match detected {
        Detected::Kind { program: true, .. } => Err(Refusal::Executable),
        // A PDF starts with its signature (detectors accept it anywhere in
        // the first kilobyte: a polyglot would pass).
        Detected::Kind {
            media_type: "application/pdf",
            ..
        } if !start.starts_with(b"%PDF-") => Err(Refusal::Unknown),
        Detected::Kind { media_type, .. } => {
            if let Some(kept) = KEPT.iter().find(|k| **k == media_type) {
                Ok(kept)
            } else if media_type.contains("html")
                || media_type.contains("xml")
                || media_type.contains("svg")
            {
                Err(Refusal::Markup)
            } else if media_type.contains("script") || media_type.contains("executable") {
                Err(Refusal::Executable)
            } else {
                Err(Refusal::Unknown)
            }
        }
        Detected::Nothing => plain_text(head, filename),
    }
}

fn plain_text(head: &[u8], filename: &str) -> Result<&'static str, Refusal> {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A multi-byte character cut at the end of the head is still text.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).map_err(|_| Refusal::Unknown)?
        }
        Err(_) => return Err(Refusal::Unknown),
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Refusal::Unknown);
    }
    match extension(filename).as_deref() {
        Some("txt") => Ok("text/plain"),
        Some("csv") => Ok("text/csv"),
        _ => Err(Refusal::Unknown),
    }
}

/// The name's extension, in lower case.
pub fn extension(filename: &str) -> Option<String> {
    filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_lowercase())
        .filter(|ext| !ext.is_empty())
}

/// The extensions a file of `media_type` may keep.
fn extensions_of(media_type: &str) -> &'static [&'static str] {
    match media_type {
        "application/pdf" => &["pdf"],
        "application/rtf" => &["rtf"],
        // Office documents are ZIP containers.
        "application/zip" => &["zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"],
        "application/msword" => &["doc", "dot"],
        "application/vnd.ms-excel" => &["xls", "xlt"],
        "application/vnd.ms-powerpoint" => &["ppt", "pps"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => &["pptx"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
        "application/vnd.oasis.opendocument.presentation" => &["odp"],
        "image/jpeg" => &["jpg", "jpeg", "jpe"],
        "image/png" => &["png"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "image/tiff" => &["tif", "tiff"],
        "image/bmp" => &["bmp"],
        "image/heif" | "image/heic" => &["heic", "heif"],
        "image/avif" => &["avif"],
        "text/plain" => &["txt"],
        "text/csv" => &["csv"],
        _ => &[],
    }
}

/// A safe name (`safe_filename`) whose extension says what the contents
/// are: a name that claims another kind (`devis.exe`, `page.html` holding a
/// PDF) gets the right one added (`devis.exe.pdf`), so that no program or
/// page is ever saved to a reader's disk under its own extension.
pub fn kept_filename(raw: &str, media_type: &str) -> String {
    let name = safe_filename(raw);
    let allowed = extensions_of(media_type);
    match extension(&name) {
        Some(ext) if allowed.contains(&ext.as_str()) => name,
        _ => match allowed.first() {
            Some(ext) => {
                let mut base = name;
                while base.len() + ext.len() + 1 > MAX_FILENAME_BYTES {
                    base.pop();
                }
                format!("{base}.{ext}")
            }
            None => name,
        },
    }
}

/// Whether a browser may show the file in place (`?apercu=1`): images and
/// PDF; anything else is always downloaded.
pub fn previewable(media_type: &str) -> bool {
    matches!(
        media_type,
        "application/pdf" | "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    )
}

/// A file name as kept and sent back: its last path part only (no folder,
/// whatever the separator), no control characters nor characters that are
/// special in a file system or a header, no leading dots, at most
/// `MAX_FILENAME_BYTES` (cut on a character), and « document » when
/// nothing is left.
pub fn safe_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        // Characters that reorder or hide what is shown (a name that reads
        // « facture[U+202E]fdp.zip ») go.
        .filter(|c| {
            !matches!(*c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        })
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*' | ';') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let mut out = String::new();
    for c in trimmed.chars() {
        if out.len() + c.len_utf8() > MAX_FILENAME_BYTES {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end().to_owned();
    if out.is_empty() {
        "document".to_owned()
    } else {
        out
    }
}

/// A size in French: « 12 octets », « 3,4 Ko », « 1,2 Mo ».
pub fn size_label(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    // Sizes stay far below 2^52: the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} octets")
    } else if b < KB * KB {
        format!("{:.1} Ko", b / KB).replace('.', ",")
    } else if b < KB * KB * KB {
        format!("{:.1} Mo", b / KB / KB).replace('.', ",")
    } else {
        format!("{:.1} Go", b / KB / KB / KB).replace('.', ",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(media_type: &str) -> Detected<'_> {
        Detected::Kind {
            media_type,
            program: false,
        }
    }

    #[test]
    fn the_contents_decide_not_the_name() {
        assert_eq!(
            judge(kind("application/pdf"), b"%PDF-1.7", "devis.exe"),
            Ok("application/pdf")
        );
        assert_eq!(
            kept_filename("devis.exe", "application/pdf"),
            "devis.exe.pdf"
        );
        assert_eq!(
            kept_filename("page.HTML", "application/pdf"),
            "page.HTML.pdf"
        );
        assert_eq!(kept_filename("Devis.PDF", "application/pdf"), "Devis.PDF");
        assert_eq!(
            kept_filename("rapport.docx", "application/zip"),
            "rapport.docx"
        );
        assert_eq!(kept_filename("photo", "image/jpeg"), "photo.jpg");
        // A page or a script that a detector found a PDF signature in.
        assert_eq!(
            judge(
                kind("application/pdf"),
                b"<!doctype html><script>alert(1)</script><!--%PDF-1.4-->",
                "a.pdf"
            ),
            Err(Refusal::Markup)
        );
        assert_eq!(
            judge(
                kind("application/pdf"),
                b"@echo off\r\n%PDF-1.4",
                "devis.bat"
            ),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            judge(kind("image/jpeg"), b"  #!/bin/sh\xFF\xD8\xFF", "a.jpg"),
            Err(Refusal::Executable)
        );
        assert_eq!(
            judge(
                Detected::Kind {
                    media_type: "application/vnd.microsoft.portable-executable",
                    program: true
                },
                b"MZ",
                "devis.pdf"
            ),
            Err(Refusal::Executable)
        );
        assert_eq!(
            judge(kind("text/html"), b"<!doctype html>", "a.pdf"),
            Err(Refusal::Markup)
        );
        assert_eq!(
            judge(kind("image/svg+xml"), b"<svg", "a.png"),
            Err(Refusal::Markup)
        );
        assert_eq!(
            judge(kind("application/x-shellscript"), b"#!/bin/sh", "a.txt"),
            Err(Refusal::Executable)
        );
        assert_eq!(
            judge(kind("audio/mpeg"), b"ID3", "a.mp3"),
            Err(Refusal::Unknown)
        );
        assert_eq!(judge(Detected::Nothing, b"", "a.txt"), Err(Refusal::Empty));
    }

    #[test]
    fn text_is_kept_as_text_or_csv_only_when_it_is_not_markup() {
        assert_eq!(
            judge(
                Detected::Nothing,
                "Commune;Montant\nAllanche;12".as_bytes(),
                "plan.csv"
            ),
            Ok("text/csv")
        );
        assert_eq!(
            judge(
                Detected::Nothing,
                "Compte rendu de réunion".as_bytes(),
                "cr.TXT"
            ),
            Ok("text/plain")
        );
        for (head, name) in [
            ("  <script>alert(1)</script>", "note.txt"),
            ("\u{feff}<html>", "note.txt"),
            ("<?xml version='1.0'?>", "data.csv"),
        ] {
            assert_eq!(
                judge(Detected::Nothing, head.as_bytes(), name),
                Err(Refusal::Markup),
                "{head}"
            );
        }
        assert_eq!(
            judge(Detected::Nothing, b"#!/bin/sh\nrm -rf /", "a.txt"),
            Err(Refusal::Executable)
        );
        assert_eq!(
            judge(Detected::Nothing, b"texte", "page.html"),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            judge(Detected::Nothing, &[0, 159, 146, 150], "a.txt"),
            Err(Refusal::Unknown)
        );
        // An accent cut at the end of the head is still text.
        let mut cut = "é".repeat(10).into_bytes();
        cut.pop();
        assert_eq!(judge(Detected::Nothing, &cut, "a.txt"), Ok("text/plain"));
    }

    #[test]
    fn names_lose_their_folders_and_their_dangerous_characters() {
        assert_eq!(safe_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            safe_filename("C:\\Users\\x\\Devis été.pdf"),
            "Devis été.pdf"
        );
        assert_eq!(safe_filename("..\\..\\.htaccess"), "htaccess");
        assert_eq!(safe_filename("a\r\nb\"; c.pdf"), "a__b__ c.pdf");
        assert_eq!(safe_filename("  ...  "), "document");
        assert_eq!(safe_filename("facture\u{202e}fdp.zip"), "facturefdp.zip");
        assert_eq!(safe_filename("a\u{200b}b.pdf"), "ab.pdf");
        assert_eq!(safe_filename(""), "document");
        assert_eq!(safe_filename("dossier/"), "document");
        let long = format!("{}.pdf", "é".repeat(300));
        let kept = safe_filename(&long);
        assert!(kept.len() <= MAX_FILENAME_BYTES, "{}", kept.len());
        assert!(kept.starts_with('é'));
    }

    #[test]
    fn only_images_and_pdf_are_shown_in_place() {
        assert!(previewable("application/pdf"));
        assert!(previewable("image/png"));
        assert!(!previewable("image/tiff"));
        assert!(!previewable("text/plain"));
        assert!(!previewable("application/zip"));
    }

    #[test]
    fn sizes_read_in_french() {
        assert_eq!(size_label(12), "12 octets");
        assert_eq!(size_label(3 * 1024 + 400), "3,4 Ko");
        assert_eq!(size_label(50 * 1024 * 1024), "50,0 Mo");
    }
}
