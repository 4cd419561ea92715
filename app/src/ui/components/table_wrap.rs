//! A table that may be wider than a phone: it scrolls sideways inside its
//! own region, which the keyboard can reach (a focusable region: axe's
//! `scrollable-region-focusable`) and a screen reader names.
use leptos::prelude::*;
use rust_i18n::t;

#[component]
pub fn TableWrap(children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap" role="region" tabindex="0" aria-label=t!("app.table_region").into_owned()>
            {children()}
        </div>
    }
}
