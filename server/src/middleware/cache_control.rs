//! Caching for answers that set no policy of their own: the icon is kept a
//! day; everything else (pages, server functions, errors) is `no-cache,
//! private` — a browser asks again before reusing it and no shared cache
//! keeps a signed-in user's page. (`/pkg` sets `immutable` for its hashed
//! files, the shared pages `no-store`.) Pages get their validator from
//! `page_validator`.
use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};

pub async fn cache_control(req: Request, next: Next) -> Response {
    let long_lived = matches!(req.uri().path(), "/favicon.ico" | "/robots.txt");
    let mut res = next.run(req).await;
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        let policy = if long_lived && res.status().is_success() {
            "public, max-age=86400"
        } else {
            "no-cache, private"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}
