//! The heaviest pages kept whole (issue 15): a project page and the
//! dashboard cost about 3 ms of rendering each, and the same page is read
//! again and again between two writes (a steering committee's portfolio,
//! the project being worked on). A page a user has read is served again to
//! that user, at that address, that day, for as long as the database is in
//! the same state (`app::server::read_cache::generation`, read before the
//! render: the page shows that state or a later one). Any write anywhere
//! makes the next read render afresh: never stale, no expiry.
//!
//! Kept only when nothing but the database, the user, the address, the
//! host and the day went into the page: a 200 HTML page with no header of
//! its own but its type and policy, and no error reference (the request's
//! id) in it. Each answer carries a fresh CSP nonce, put where the
//! render's stood. Readers of a page not yet kept render it each: none
//! waits for another (a page that is not to be kept would otherwise be
//! rendered by one reader after the other).
use std::sync::Arc;

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::models::CurrentUser;
use app::server::AppState;
use app::server::headers::page_policy;
use app::server::read_cache::{KeptPage, PageKey, find, generation};
use app::server::request_id::RequestId;

pub async fn kept_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = key_of(&req, state.config.trust_proxy) else {
        return next.run(req).await;
    };
    let generation = match generation(&state.db).await {
        Ok(generation) => generation,
        // The render meets the same fault and answers it in French.
        Err(_) => return next.run(req).await,
    };
    let pages = &state.reads.pages;
    if let Some(page) = pages.get(&generation, &key) {
        return answer(&page);
    }
    let id = req.extensions().get::<RequestId>().map(ToString::to_string);
    match render(req, next, id).await {
        Ok(page) => {
            let page = Arc::new(page);
            let res = answer(&page);
            pages.keep(generation, key, page);
            res
        }
        Err(passed) => passed,
    }
}

/// The longest address kept: longer ones (no link of the app makes them)
/// are rendered each time rather than crowd out the others.
const MAX_ADDRESS: usize = 2048;

/// The key of a GET of a kept page by a signed-in user, else `None`.
fn key_of(req: &Request, trust_proxy: bool) -> Option<PageKey> {
    if req.method() != Method::GET || !is_kept(req.uri().path()) {
        return None;
    }
    let user = req.extensions().get::<CurrentUser>()?;
    let address = req.uri().path_and_query()?.as_str();
    if address.len() > MAX_ADDRESS {
        return None;
    }
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    // The site's address as `auth::public_base` would see it.
    let mut host = vec![header("host")];
    if trust_proxy {
        host.extend([header("x-forwarded-host"), header("x-forwarded-proto")]);
    }
    let host = host.join(" ");
    if host.len() > MAX_ADDRESS {
        return None;
    }
    let today = app::server::clock::local_date(chrono::Utc::now());
    Some((user.clone(), address.to_owned(), host, today))
}

/// The project page (`/projets/<id>`) and the dashboard.
fn is_kept(path: &str) -> bool {
    path == "/tableau-de-bord"
        || path
            .strip_prefix("/projets/")
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// Renders the page: kept when nothing but the key went into it, else
/// handed back as it came.
async fn render(req: Request, next: Next, id: Option<String>) -> Result<KeptPage, Response> {
    let res = next.run(req).await;
    let Some((content_type, nonce)) = keepable(&res) else {
        return Err(res);
    };
    let (parts, body) = res.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "page body failed");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    let names_the_request = id.is_some_and(|id| find(&bytes, id.as_bytes()).is_some());
    if names_the_request {
        return Err(Response::from_parts(parts, Body::from(bytes)));
    }
    Ok(KeptPage::new(content_type, &bytes, &nonce))
}

/// A 200 HTML page whose only headers are its type and its policy (with
/// its nonce): its type and nonce.
fn keepable(res: &Response) -> Option<(HeaderValue, String)> {
    if res.status() != StatusCode::OK {
        return None;
    }
    let headers = res.headers();
    let own = |name: &header::HeaderName| {
        [
            header::CONTENT_TYPE,
            header::CONTENT_SECURITY_POLICY,
            header::CONTENT_LENGTH,
        ]
        .contains(name)
    };
    if !headers.keys().all(own) {
        return None;
    }
    let content_type = headers.get(header::CONTENT_TYPE)?;
    if !content_type.to_str().ok()?.starts_with("text/html") {
        return None;
    }
    let nonce = super::page_validator::nonce_of(headers)?;
    (!nonce.is_empty()).then(|| (content_type.clone(), nonce))
}

/// The kept page with a fresh nonce, in its body and its policy.
fn answer(page: &KeptPage) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    let mut res = Response::new(Body::from(page.body(&nonce)));
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, page.content_type.clone());
    if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_project_page_and_the_dashboard_are_kept() {
        for path in ["/projets/1", "/projets/123", "/tableau-de-bord"] {
            assert!(is_kept(path), "{path}");
        }
        for path in [
            "/projets",
            "/projets/",
            "/projets/nouveau",
            "/projets/1/modifier",
            "/projets/1/fiche",
            "/projets/-1",
            "/tableau-de-bord/x",
            "/mon-compte",
            "/",
        ] {
            assert!(!is_kept(path), "{path}");
        }
    }

    #[test]
    fn a_page_with_a_header_of_its_own_is_not_kept() {
        let page = || {
            let mut res = Response::new(Body::empty());
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            res.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("script-src 'self' 'nonce-abc'"),
            );
            res
        };
        assert_eq!(keepable(&page()).map(|(_, n)| n).as_deref(), Some("abc"));
        let mut cookie = page();
        cookie
            .headers_mut()
            .insert(header::SET_COOKIE, HeaderValue::from_static("a=b"));
        assert!(keepable(&cookie).is_none());
        let mut redirect = page();
        *redirect.status_mut() = StatusCode::FOUND;
        assert!(keepable(&redirect).is_none());
        let mut json = page();
        json.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert!(keepable(&json).is_none());
        let mut no_nonce = page();
        no_nonce.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'"),
        );
        assert!(keepable(&no_nonce).is_none());
    }

    #[tokio::test]
    async fn each_answer_carries_a_fresh_nonce_where_the_render_had_its_own() {
        let page = KeptPage::new(
            HeaderValue::from_static("text/html"),
            b"<script nonce=\"N0\">a</script><p>x</p><script nonce=\"N0\">b</script>",
            "N0",
        );
        let mut seen = Vec::new();
        for _ in 0..2 {
            let res = answer(&page);
            let nonce = super::super::page_validator::nonce_of(res.headers()).expect("a nonce");
            let body = to_bytes(res.into_body(), usize::MAX).await.expect("body");
            assert_eq!(
                String::from_utf8(body.to_vec()).expect("text"),
                format!(
                    "<script nonce=\"{nonce}\">a</script><p>x</p><script nonce=\"{nonce}\">b</script>"
                ),
                "the body carries its policy's nonce"
            );
            seen.push(nonce);
        }
        assert_ne!(seen[0], seen[1], "each answer has its own");
        assert!(!seen.contains(&"N0".to_owned()), "never the render's");
    }
}
