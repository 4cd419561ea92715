//! The id of the request being answered: in its log lines (the `request`
//! span) and on the French error page shown for it, so support can find
//! the log line a user reports. Set by the server's outermost middleware
//! for the whole handling of one request.
use std::fmt;

tokio::task_local! {
    static CURRENT: RequestId;
}

/// A request id: the client's or proxy's `X-Request-Id` when it is a
/// plain token, else a fresh UUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// Keeps `incoming` (a proxy's id) when it is 1–64 letters, digits,
    /// `-`, `_` or `.`; anything else is replaced by `fresh()`.
    pub fn from_header(incoming: Option<&str>, fresh: impl FnOnce() -> String) -> Self {
        match incoming {
            Some(id) if is_token(id) => Self(id.to_owned()),
            _ => Self(fresh()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Runs `fut` with `self` as the current request's id.
    pub async fn scope<F: Future>(self, fut: F) -> F::Output {
        CURRENT.scope(self, fut).await
    }

    /// The id of the request being answered, if any: this task's, or,
    /// inside a Leptos render or server function (whose futures may run on
    /// other tasks), the one in the request's parts that leptos_axum puts
    /// in the reactive context.
    pub fn current() -> Option<RequestId> {
        CURRENT.try_with(Clone::clone).ok().or_else(|| {
            leptos::prelude::use_context::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<RequestId>().cloned())
        })
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_token(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_token_is_kept_anything_else_replaced() {
        let fresh = || "fresh".to_owned();
        assert_eq!(
            RequestId::from_header(Some("abc-123_x.y"), fresh).as_str(),
            "abc-123_x.y"
        );
        for bad in ["", "a b", "<script>", "é", &"a".repeat(65), "a\nb"] {
            assert_eq!(
                RequestId::from_header(Some(bad), fresh).as_str(),
                "fresh",
                "{bad:?}"
            );
        }
        assert_eq!(RequestId::from_header(None, fresh).as_str(), "fresh");
    }

    #[tokio::test]
    async fn the_id_is_current_inside_its_scope_only() {
        assert_eq!(RequestId::current(), None);
        let id = RequestId("r1".into());
        let seen = id.clone().scope(async { RequestId::current() }).await;
        assert_eq!(seen, Some(id));
        assert_eq!(RequestId::current(), None);
    }
}
