//! The outermost layer: gives each request its id (a proxy's `X-Request-Id`
//! when it is a plain token, else a fresh UUID), makes it current for the
//! whole handling (log span, French error page) and returns it in the
//! answer's `X-Request-Id`.
use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

use app::server::request_id::RequestId;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub async fn request_id(mut req: Request, next: Next) -> Response {
    let incoming = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok());
    let id = RequestId::from_header(incoming, || uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(id.clone());
    let value = HeaderValue::from_str(id.as_str()).ok();
    let mut res = id.scope(next.run(req)).await;
    if let Some(value) = value {
        res.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    res
}
