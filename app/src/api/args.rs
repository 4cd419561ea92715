//! How server-function requests are checked before and explained after
//! Leptos decodes them.
//!
//! Server functions take a URL-encoded POST body (Leptos' `PostUrl`, which
//! `ActionForm` requires). Its decoder reads invalid UTF-8 as "�" and
//! answers every problem with serde's English text and no field name. So
//! the router's `api_requests` layer (in `server`) first refuses, naming
//! the field, a body that is not UTF-8, a value with control characters, a
//! key given twice, too many pairs ([`check_body`]); and when Leptos still
//! refuses the arguments (a field missing or of the wrong form), it asks
//! [`diagnose`] which field, by decoding the body again into the function's
//! own argument struct with the path tracked. Each API module lists its
//! functions with [`server_fn_args!`]; the permission tests check that
//! every registered function is listed.
use std::collections::HashSet;

use serde::de::DeserializeOwned;

use crate::domain::input::is_text;
use crate::error::{AppError, BadInput};

/// Nested keys deeper than this are refused (`form[a][b][c]…`), as Leptos does.
const MAX_DEPTH: usize = 5;
/// More pairs than any form of the app sends (a project with its communes,
/// themes and programmes stays far below).
pub const MAX_PAIRS: usize = 2_000;

/// A server function's path and the decoder of its arguments.
pub type ArgsDecoder = (&'static str, fn(&[u8]) -> Result<(), AppError>);

/// Why the body sent to the server function at `path` could not be
/// decoded, naming the field; `None` when the function is not listed.
pub fn diagnose(path: &str, body: &[u8]) -> Option<AppError> {
    super::ARGS
        .iter()
        .flat_map(|list| list.iter())
        .find(|(p, _)| *p == path)
        .and_then(|(_, decode)| decode(body).err())
}

/// Every listed server function's path (for the tests).
pub fn listed_paths() -> Vec<&'static str> {
    super::ARGS
        .iter()
        .flat_map(|list| list.iter().map(|(p, _)| *p))
        .collect()
}

/// Decodes a URL-encoded body into `T`, or says what is wrong with it.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    check_body(bytes)?;
    // Not strict, like Leptos: browsers send `form%5Btitle%5D`.
    let config = serde_qs::Config::new(MAX_DEPTH, false);
    let de = serde_qs::Deserializer::with_config(&config, bytes)
        .map_err(|err| bad(BadInput::Malformed, None, &err.to_string()))?;
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let detail = err.inner().to_string();
        let (kind, field) = locate(&path, &detail);
        bad(kind, field, &detail)
    })
}

/// The problems found without knowing the arguments' types: not UTF-8, a
/// value with control characters, a key twice, too many pairs.
pub fn check_body(bytes: &[u8]) -> Result<(), AppError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(bad(BadInput::NotText, None, "body is not UTF-8"));
    }
    let mut seen = HashSet::new();
    for (n, pair) in bytes
        .split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        if n >= MAX_PAIRS {
            return Err(bad(BadInput::TooManyFields, None, "too many pairs"));
        }
        let (key, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &pair[pair.len()..]),
        };
        let Some(key) = decode_component(key) else {
            return Err(bad(BadInput::NotText, None, "key is not UTF-8"));
        };
        if !is_text(&key) {
            return Err(bad(BadInput::NotText, None, "key has control characters"));
        }
        let field = field_name(&key);
        match decode_component(value) {
            Some(value) if is_text(&value) => {}
            _ => return Err(bad(BadInput::NotText, Some(field), "value is not text")),
        }
        // `communes[]`-style keys repeat by design; indexed ones must not.
        if !key.ends_with("[]") && !seen.insert(key.clone()) {
            return Err(bad(BadInput::Duplicate, Some(field), "key given twice"));
        }
    }
    Ok(())
}

fn decode_component(raw: &[u8]) -> Option<String> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&plus_as_space)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// `form[due_date]` → `due_date`, `filter[page]` → `page`, `id` → `id`:
/// the name the form's own field errors use.
fn field_name(key: &str) -> String {
    let last = key
        .rsplit('[')
        .map(|part| part.trim_end_matches(']'))
        .find(|part| !part.is_empty() && !part.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or(key);
    last.to_owned()
}

/// The field a decoding error is about and what kind of problem it is,
/// from serde's path (`form.due_date`) and message (``missing field `id` ``).
fn locate(path: &str, detail: &str) -> (BadInput, Option<String>) {
    let named = |prefix: &str| {
        detail
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    if let Some(field) = named("missing field `") {
        return (BadInput::Missing, Some(field));
    }
    if let Some(field) = named("duplicate field `") {
        return (BadInput::Duplicate, Some(field));
    }
    if let Some(field) = named("unknown field `") {
        return (BadInput::Unknown, Some(field));
    }
    let field = path
        .rsplit('.')
        .find(|part| !part.is_empty() && *part != "?" && !part.starts_with('['))
        .map(str::to_owned);
    (BadInput::Malformed, field)
}

fn bad(kind: BadInput, field: Option<String>, detail: &str) -> AppError {
    tracing::warn!(?kind, ?field, %detail, "malformed server-function call");
    AppError::BadRequest { kind, field }
}

/// The [`ArgsDecoder`]s of the listed server functions' argument structs.
#[macro_export]
macro_rules! server_fn_args {
    ($($args:ty),* $(,)?) => {
        pub(crate) const ARGS: &[$crate::api::args::ArgsDecoder] = &[$(
            (
                <$args as ::leptos::server_fn::ServerFn>::PATH,
                |body| $crate::api::args::decode::<$args>(body).map(|_| ()),
            ),
        )*];
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Form {
        #[serde(default)]
        title: String,
        #[serde(default)]
        due_date: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Args {
        id: i64,
        form: Form,
    }

    fn refused(body: &str) -> (BadInput, Option<String>) {
        match decode::<Args>(body.as_bytes()) {
            Err(AppError::BadRequest { kind, field }) => (kind, field),
            other => panic!("expected a bad request for {body:?}, got {other:?}"),
        }
    }

    #[test]
    fn decodes_what_the_client_sends() {
        let args: Args = decode(b"id=3&form[title]=Salle+des+f%C3%AAtes").unwrap();
        assert_eq!(args.id, 3);
        assert_eq!(args.form.title, "Salle des fêtes");
    }

    #[test]
    fn names_the_missing_field() {
        assert_eq!(
            refused("form[title]=x"),
            (BadInput::Missing, Some("id".into()))
        );
    }

    #[test]
    fn names_the_malformed_field() {
        assert_eq!(
            refused("id=abc&form[title]=x"),
            (BadInput::Malformed, Some("id".into()))
        );
        assert_eq!(
            refused("id=18446744073709551616"),
            (BadInput::Malformed, Some("id".into()))
        );
    }

    #[test]
    fn names_a_field_given_twice() {
        assert_eq!(
            refused("id=1&form[title]=a&form[title]=b"),
            (BadInput::Duplicate, Some("title".into()))
        );
    }

    #[test]
    fn refuses_what_is_not_text() {
        assert_eq!(
            refused("id=1&form[title]=%FF%FE"),
            (BadInput::NotText, Some("title".into()))
        );
        assert_eq!(
            refused("id=1&form[title]=a%00b"),
            (BadInput::NotText, Some("title".into()))
        );
        assert_eq!(
            decode::<Args>(b"id=1&form[title]=\xff").unwrap_err(),
            AppError::BadRequest {
                kind: BadInput::NotText,
                field: None
            }
        );
        // Line breaks and tabs are text.
        let args: Args = decode(b"id=1&form[title]=a%0D%0Ab%09c").unwrap();
        assert_eq!(args.form.title, "a\r\nb\tc");
    }

    #[test]
    fn refuses_too_many_pairs() {
        let body = (0..=MAX_PAIRS)
            .map(|i| format!("k{i}=1"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(refused(&body).0, BadInput::TooManyFields);
    }
}
