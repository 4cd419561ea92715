//! The browser side: the pages are rendered by the server; only their
//! islands (`#[island]` components of `app`) come alive here.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The islands live in `app`: naming it keeps their entry points linked.
    let () = app::ISLANDS;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
