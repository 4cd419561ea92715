//! A validator for pages (`ETag`, `If-None-Match` → 304), so that a
//! browser revalidating a page it holds (`no-cache`) gets it back without
//! its body when nothing on it changed.
//!
//! Each render carries its own CSP nonce, so two renders of the same page
//! are never byte-equal: the tag is computed over the body with the nonce
//! left out. A 304 then sends no `Content-Security-Policy`, and the browser
//! keeps the one stored with its copy (RFC 9111 §4.3.4 updates only the
//! fields the 304 carries), whose nonce is the one in that copy's scripts.
//! The nonce stays private to that browser; the page is `private`.
use std::hash::{DefaultHasher, Hasher};

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn page_validator(req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if !is_page(&res) {
        return res;
    }
    let nonce = nonce_of(res.headers());
    let (mut parts, body) = res.into_parts();
    // Pages render whole before they are sent (`SsrMode::Async`), and
    // their lists are capped: holding the body costs nothing more.
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "page body failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = tag_of(&bytes, nonce.as_deref());
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if if_none_match.is_some_and(|v| matches(&v, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        for name in [
            header::CONTENT_SECURITY_POLICY,
            header::CONTENT_LENGTH,
            header::CONTENT_TYPE,
        ] {
            parts.headers.remove(name);
        }
        parts.headers.insert(header::ETAG, value);
        return Response::from_parts(parts, Body::empty());
    }
    parts.headers.insert(header::ETAG, value);
    Response::from_parts(parts, Body::from(bytes))
}

/// A 200 HTML page that set no caching policy of its own (the shared
/// pages say `no-store`; files under `/pkg` have theirs).
fn is_page(res: &Response) -> bool {
    res.status() == StatusCode::OK
        && !res.headers().contains_key(header::CACHE_CONTROL)
        && !res.headers().contains_key(header::ETAG)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
}

/// The nonce of the page's CSP (`'nonce-…'`), if it has one.
pub(crate) fn nonce_of(headers: &HeaderMap) -> Option<String> {
    let policy = headers
        .get(header::CONTENT_SECURITY_POLICY)?
        .to_str()
        .ok()?;
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(policy[start..start + len].to_owned())
}

/// A weak tag (the same page is also sent compressed) over the body with
/// every occurrence of the nonce left out.
pub(crate) fn tag_of(body: &[u8], nonce: Option<&str>) -> String {
    let mut hasher = DefaultHasher::new();
    match (std::str::from_utf8(body), nonce) {
        (Ok(text), Some(nonce)) if !nonce.is_empty() => {
            for part in text.split(nonce) {
                hasher.write(part.as_bytes());
                hasher.write_u8(0xff);
            }
        }
        _ => hasher.write(body),
    }
    format!("W/\"{:016x}\"", hasher.finish())
}

/// `If-None-Match` holds `tag` (or `*`); weak comparison, as for a GET.
pub(crate) fn matches(header: &HeaderValue, tag: &str) -> bool {
    let Ok(list) = header.to_str() else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    list.split(',')
        .any(|t| t.trim() == "*" || opaque(t) == opaque(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_ignores_the_nonce_and_nothing_else() {
        let a = tag_of(b"<script nonce=\"AAA\">x</script><p>1</p>", Some("AAA"));
        let b = tag_of(b"<script nonce=\"BBB\">x</script><p>1</p>", Some("BBB"));
        let c = tag_of(b"<script nonce=\"CCC\">x</script><p>2</p>", Some("CCC"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with("W/\""));
    }

    #[test]
    fn if_none_match_is_compared_weakly_and_in_lists() {
        let tag = "W/\"00000000000000ab\"";
        for header in [
            "W/\"00000000000000ab\"",
            "\"00000000000000ab\"",
            "\"x\", W/\"00000000000000ab\"",
            "*",
        ] {
            assert!(matches(&HeaderValue::from_static(header), tag), "{header}");
        }
        assert!(!matches(
            &HeaderValue::from_static("W/\"00000000000000ac\""),
            tag
        ));
    }

    #[test]
    fn the_nonce_is_read_from_the_policy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; script-src 'self' 'nonce-Zm9v' 'x'"),
        );
        assert_eq!(nonce_of(&headers).as_deref(), Some("Zm9v"));
        assert_eq!(nonce_of(&HeaderMap::new()), None);
    }
}
