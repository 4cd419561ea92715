//! The security headers of the app's pages.
//!
//! Every page is rendered with a fresh nonce (Leptos' `nonce` feature puts
//! it on the hydration script and on the inline scripts that carry resource
//! data); the policy allows scripts from the site and with that nonce only,
//! the wasm to compile, styles and images from the site, and no framing.
//! The script-free shared pages send a stricter policy of their own; other
//! answers get [`DEFAULT_POLICY`] from the router's header layer.
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// For answers that are not pages (JSON, files, errors): nothing may run.
pub const DEFAULT_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The policy of a page rendered with `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page policy on the answer being rendered (called by the shell).
pub fn send_page_policy() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_allow_only_their_nonce_inline() {
        let policy = page_policy("abc");
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(DEFAULT_POLICY.starts_with("default-src 'none'"));
    }
}
