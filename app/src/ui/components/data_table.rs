//! The app's data tables: one place for the markup every list of rows
//! shares — the `data-table` class, the column headings with their `scope`
//! and the right-aligned figures, and the region around the table: wider
//! than a phone, it scrolls sideways inside that region, which the keyboard
//! can reach (a focusable region: axe's `scrollable-region-focusable`) and
//! a screen reader names.
use leptos::children::ViewFnOnce;
use leptos::prelude::*;
use rust_i18n::t;

/// One column heading; figures are right-aligned (`num`), like their cells.
#[derive(Clone, Debug)]
pub struct Col {
    label: String,
    num: bool,
}

impl Col {
    /// A column of text.
    pub fn text(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            num: false,
        }
    }

    /// A column of figures.
    pub fn num(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            num: true,
        }
    }

    /// A column with no heading (a row's buttons).
    pub fn blank() -> Self {
        Self::text(String::new())
    }
}

/// A table of rows under `cols`; `children` are the body's rows.
#[component]
pub fn DataTable(
    cols: Vec<Col>,
    /// Classes after `data-table`: `compact`, `stack-on-phone`…
    #[prop(optional)]
    class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    /// A caption for screen readers (the visible title is the section's).
    #[prop(optional, into)]
    caption: Option<String>,
    /// A `<tfoot>` row or rows (totals).
    #[prop(optional, into)]
    foot: Option<ViewFnOnce>,
    children: Children,
) -> impl IntoView {
    let class = if class.is_empty() {
        "data-table".to_owned()
    } else {
        format!("data-table {class}")
    };
    view! {
        <div class="table-wrap" role="region" tabindex="0" aria-label=t!("app.table_region").into_owned()>
            <table class=class data-testid=testid>
                {caption.map(|c| view! { <caption class="sr-only">{c}</caption> })}
                <thead>
                    <tr>
                        {cols.into_iter().map(|c| view! {
                            <th scope="col" class=c.num.then_some("num")>{c.label}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
                {foot.map(|f| view! { <tfoot>{f.run()}</tfoot> })}
            </table>
        </div>
    }
}
