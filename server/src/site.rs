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
        .hash_files(hashes().is_some())
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

/// The content hashes scripts/build.sh wrote next to the binary
/// (`hash.txt`: `js: …`, `wasm: …`, `css: …`), the file Leptos itself reads
/// for the script names. `None` for a build without hashed names (cargo
/// leptos, tests), whose files keep their plain names.
pub fn hashes() -> Option<Vec<(String, String)>> {
    let exe = std::env::current_exe().ok()?;
    let text = std::fs::read_to_string(exe.parent()?.join("hash.txt")).ok()?;
    let pairs: Vec<(String, String)> = text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
        .collect();
    (!pairs.is_empty()).then_some(pairs)
}

/// The stylesheet's URL: `/pkg/maillage.<hash>.css` when the build hashed it.
pub fn stylesheet_href() -> String {
    let hash = hashes().and_then(|pairs| {
        pairs
            .into_iter()
            .find_map(|(kind, hash)| (kind == "css").then_some(hash))
    });
    match hash {
        Some(hash) => format!("/pkg/maillage.{hash}.css"),
        None => "/pkg/maillage.css".to_owned(),
    }
}

/// `/pkg`: the built wasm, script and stylesheet, served in their brotli or
/// gzip copy when the browser accepts it. Hashed names never change
/// content, so browsers keep them a year without asking again; plain names
/// (a cargo-leptos build) are revalidated on every use.
pub fn pkg_service(options: &LeptosOptions) -> axum::Router {
    use axum::http::{HeaderValue, header};
    use tower_http::services::ServeDir;
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let policy = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    axum::Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::map_response(
            move |mut res: axum::response::Response| async move {
                // A missing file is not kept: the next build may bring it.
                let policy = if res.status().is_success() || res.status().is_redirection() {
                    policy
                } else {
                    "no-store"
                };
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
                res
            },
        ))
}
