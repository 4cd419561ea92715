//! The one way user text reaches a raw-text element.
//!
//! During server rendering Leptos writes the children of `<textarea>` and
//! the text of `leptos_meta`'s `<Title>` into the page as they are (they
//! are raw-text elements, whose children it does not escape): a title
//! `</title><script>…` would run in a colleague's browser. These
//! components escape on the server and hand the browser the plain text.
//! The tests below check that no other module writes a `<textarea>` or a
//! text `<Title>`; `server/tests/it/pages.rs` renders stored markup through
//! every page that shows it.
use leptos::prelude::*;
use leptos_meta::Title;

/// Text as it may stand between `<title>` and `</title>`, or between
/// `<textarea>` and `</textarea>`, in the server's HTML: `&` and `<`
/// escaped (the parser decodes them back), so no closing tag can appear.
pub fn raw_text_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's title (the browser tab, bookmarks, history).
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    // The server writes the text into the HTML: escaped. The browser sets
    // `document.title`, which is text: as is.
    #[cfg(feature = "ssr")]
    let text = raw_text_escaped(&text);
    view! { <Title text=text /> }
}

/// A `<textarea>` holding `value`, escaped in the server's HTML and set as
/// the element's value in the browser. A line break is written before the
/// text, as HTML drops the first one after `<textarea>`: a note that
/// starts with an empty line keeps it.
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    name: &'static str,
    #[prop(default = 3)] rows: u32,
    /// The text shown (edit forms); empty for a new entry.
    #[prop(optional, into)]
    value: String,
    /// Maximum length in characters (`maxlength`, also checked on the server).
    max: usize,
    #[prop(optional, into)] described_by: MaybeProp<String>,
    #[prop(optional, into)] invalid: MaybeProp<bool>,
    /// Fires with the current length on each keystroke (the counter).
    #[prop(optional)]
    on_length: Option<Callback<usize>>,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let html = Some(format!("\n{}", raw_text_escaped(&value)));
    #[cfg(not(feature = "ssr"))]
    let html: Option<String> = None;
    view! {
        <textarea
            id=id
            name=name
            rows=rows
            maxlength=max
            aria-describedby=move || described_by.get()
            aria-invalid=move || invalid.get().unwrap_or(false).then_some("true")
            inner_html=html
            prop:value=value
            data-counter="true"
            on:input=move |ev| {
                if let Some(cb) = on_length {
                    cb.run(event_target_value(&ev).chars().count());
                }
            }
        ></textarea>
    }
}

#[cfg(test)]
mod tests {
    use super::raw_text_escaped;
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                out.push((path.display().to_string(), text));
            }
        }
    }

    /// A new page that wrote `<textarea>{text}</textarea>` or
    /// `<Title text=…>` itself would put user text in the HTML unescaped.
    #[test]
    fn only_this_module_writes_raw_text_elements() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 50);
        for (path, text) in files {
            if path.ends_with("components/text.rs") {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                assert!(
                    !code.contains("<textarea"),
                    "{path}:{}: use components::text::TextArea",
                    n + 1
                );
                // The shell's `<Title formatter=…>` sets no text.
                let title_import = code.contains("leptos_meta") && code.contains("Title");
                assert!(
                    !code.contains("<Title text") && (!title_import || path.ends_with("ui/app.rs")),
                    "{path}:{}: use components::text::PageTitle",
                    n + 1
                );
            }
        }
    }

    #[test]
    fn no_closing_tag_survives() {
        let escaped = raw_text_escaped("</title></textarea><script>x & y</script>");
        assert!(!escaped.contains('<'));
        assert_eq!(
            escaped,
            "&lt;/title&gt;&lt;/textarea&gt;&lt;script&gt;x &amp; y&lt;/script&gt;"
        );
    }
}
