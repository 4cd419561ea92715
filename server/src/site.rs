//! Where the compiled site (wasm, JS, CSS, assets) lives and how Leptos finds it.
use leptos::config::LeptosOptions;

/// Leptos options from the `LEPTOS_*` variables that cargo-leptos sets, with
/// defaults that match `[[workspace.metadata.leptos]]` so the binary also
/// runs when started directly (`target/release/maillage`) or from tests.
pub fn leptos_options() -> LeptosOptions {
    let var = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    let env = match var("LEPTOS_ENV", "PROD").to_ascii_uppercase().as_str() {
        "DEV" | "DEVELOPMENT" => leptos::config::Env::DEV,
        _ => leptos::config::Env::PROD,
    };
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "maillage"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(
            var("LEPTOS_SITE_ADDR", "127.0.0.1:3000")
                .parse()
                .unwrap_or_else(|_| std::net::SocketAddr::from(([127, 0, 0, 1], 3000))),
        )
        .env(env)
        .build()
}
