//! The one application error type. It crosses the server-function boundary
//! as JSON and always has a French message fit for the user; internal
//! details are logged on the server and never sent.
use std::collections::BTreeMap;
use std::fmt;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Field name → French message, for forms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the first problem found for `field` (later ones are ignored).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else the validation error.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// The input was wrong; each field says why.
    Validation(FieldErrors),
    /// No valid session.
    Unauthenticated,
    /// Refused credentials or a locked account; the message says which.
    LoginRefused(String),
    /// Logged in, but the policy denies this action.
    Forbidden,
    NotFound,
    /// The write would conflict with existing data; the message says how.
    Conflict(String),
    /// The record being created already exists: `href` opens it;
    /// `confirmable` when the user may still create it (a homonym).
    Duplicate {
        message: String,
        href: String,
        confirmable: bool,
    },
    TooManyRequests(String),
    /// It existed but is no more (a revoked or expired share link); the
    /// message says which.
    Gone(String),
    /// Something broke on the server; details are in the server log only.
    /// `reference` is the id of the request in that log, shown to the user
    /// (« Référence à donner au support : … ») so support can find the line.
    Internal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// The request did not reach the server or its answer was unreadable;
    /// the detail stays where it was seen.
    Transport {
        #[serde(skip)]
        detail: String,
    },
    /// The request's arguments could not be decoded: what was wrong, and
    /// the field it is about when it is known (serde's detail is logged).
    BadRequest {
        kind: BadInput,
        field: Option<String>,
    },
    /// The request body is larger than any form of the app sends.
    PayloadTooLarge,
    /// The service cannot answer now (the database is unreachable).
    Unavailable,
}

/// What was wrong with a request the server could not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BadInput {
    /// A field the request must have is absent.
    Missing,
    /// The same field was sent twice.
    Duplicate,
    /// A field the request does not take.
    Unknown,
    /// A value is not of the expected form (a number, a date, a choice).
    Malformed,
    /// Bytes that are not UTF-8 text, or control characters.
    NotText,
    /// More fields than any form has.
    TooManyFields,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Validation(errors)
    }

    /// The message for the user, in French.
    pub fn message(&self) -> String {
        use rust_i18n::t;
        match self {
            AppError::Validation(_) => t!("error.validation").into_owned(),
            AppError::Unauthenticated => t!("error.unauthenticated").into_owned(),
            AppError::Forbidden => t!("error.forbidden").into_owned(),
            AppError::NotFound => t!("error.not_found").into_owned(),
            AppError::Internal { reference: None } => t!("error.internal").into_owned(),
            AppError::Internal {
                reference: Some(reference),
            } => format!(
                "{} {} {reference}",
                t!("error.internal"),
                t!("error_page.reference")
            ),
            AppError::Transport { .. } => t!("error.transport").into_owned(),
            AppError::BadRequest { kind, field } => bad_request_message(*kind, field.as_deref()),
            AppError::PayloadTooLarge => t!("error.payload_too_large").into_owned(),
            AppError::Unavailable => t!("error.unavailable").into_owned(),
            AppError::LoginRefused(message)
            | AppError::Conflict(message)
            | AppError::TooManyRequests(message)
            | AppError::Gone(message)
            | AppError::Duplicate { message, .. } => message.clone(),
        }
    }

    /// A fault of ours: `cause` is logged on the server with the place it
    /// was found (never sent to the browser); the user reads the French
    /// « erreur interne ».
    #[track_caller]
    pub fn internal(cause: impl fmt::Display) -> AppError {
        #[cfg(feature = "ssr")]
        {
            let at = std::panic::Location::caller();
            tracing::error!(%cause, at = %format_args!("{}:{}", at.file(), at.line()), "internal error");
        }
        #[cfg(not(feature = "ssr"))]
        let _ = cause;
        AppError::internal_here()
    }

    /// An internal error referring to the request being answered, when
    /// there is one (on the server, inside a request).
    pub fn internal_here() -> AppError {
        #[cfg(feature = "ssr")]
        let reference =
            crate::server::request_id::RequestId::current().map(|id| id.as_str().to_owned());
        #[cfg(not(feature = "ssr"))]
        let reference = None;
        AppError::Internal { reference }
    }

    /// The same error, given the current request's reference if it is an
    /// internal one without (what the server sends, so that the browser
    /// shows it).
    pub fn with_reference(self) -> AppError {
        match self {
            AppError::Internal { reference: None } => AppError::internal_here(),
            other => other,
        }
    }

    /// The message for one form field, if the error is about it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation(fields) => fields.get(name).map(str::to_owned),
            _ => None,
        }
    }

    /// HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::Unauthenticated | AppError::LoginRefused(_) => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) | AppError::Duplicate { .. } => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::Gone(_) => 410,
            AppError::Internal { .. } => 500,
            AppError::Transport { .. } => 502,
            AppError::BadRequest { .. } => 400,
            AppError::PayloadTooLarge => 413,
            AppError::Unavailable => 503,
        }
    }

    /// The same status, for the server's answers.
    #[cfg(feature = "ssr")]
    pub fn http_status(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// `Retry-After` (seconds) sent with every 503 « service momentanément
/// indisponible ».
pub const RETRY_AFTER_SECONDS: &str = "5";

/// « Requête invalide : le champ « id » manque. », in French, naming the
/// field when it is known.
fn bad_request_message(kind: BadInput, field: Option<&str>) -> String {
    use rust_i18n::t;
    let what = match (kind, field) {
        (BadInput::Missing, Some(f)) => t!("error.bad_input.missing", field = f),
        (BadInput::Duplicate, Some(f)) => t!("error.bad_input.duplicate", field = f),
        (BadInput::Unknown, Some(f)) => t!("error.bad_input.unknown", field = f),
        (BadInput::Malformed, Some(f)) => t!("error.bad_input.malformed", field = f),
        (BadInput::NotText, Some(f)) => t!("error.bad_input.not_text", field = f),
        (BadInput::NotText, None) => t!("error.bad_input.body_not_text"),
        (BadInput::TooManyFields, _) => t!("error.bad_input.too_many_fields"),
        (_, None) => t!("error.bad_input.unknown_field"),
    };
    t!("error.bad_request", what = what).into_owned()
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// As the default, but an internal error carries the reference of the
    /// request it broke (see [`AppError::with_reference`]).
    fn ser(&self) -> leptos::server_fn::Bytes {
        use leptos::server_fn::Encodes;
        let err = self.clone().with_reference();
        Self::Encoder::encode(&err)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(br#"{"Internal":{}}"#))
    }

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                #[cfg(feature = "ssr")]
                tracing::warn!(%detail, "malformed server-function call");
                let _ = detail;
                AppError::BadRequest {
                    kind: BadInput::Malformed,
                    field: None,
                }
            }
            other => AppError::Transport {
                detail: other.to_string(),
            },
        }
    }
}

/// Whether a database error means the database cannot be reached now (no
/// connection, a broken one, the pool timed out), as opposed to a query
/// that failed.
#[cfg(feature = "ssr")]
pub fn database_unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, SqlxError};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                SqlxError::Io(_)
                | SqlxError::PoolTimedOut
                | SqlxError::PoolClosed
                | SqlxError::WorkerCrashed => true,
                // The server going away under a query: 57P01–57P03
                // (shut down by an operator, crashed, starting up) and
                // class 08 (connection exceptions).
                SqlxError::Database(db) => db
                    .code()
                    .is_some_and(|code| server_going_away(code.as_ref())),
                _ => false,
            }
        }
        _ => false,
    }
}

/// PostgreSQL's SQLSTATEs for a server that stops, crashed or is not yet
/// ready, and for a lost connection.
#[cfg(feature = "ssr")]
fn server_going_away(sqlstate: &str) -> bool {
    matches!(sqlstate, "57P01" | "57P02" | "57P03") || sqlstate.starts_with("08")
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    /// An unreachable database is a passing outage (503, try again), any
    /// other database error a fault of ours (500); both are logged.
    fn from(err: sea_orm::DbErr) -> Self {
        if database_unreachable(&err) {
            tracing::error!(error = %err, "database unreachable");
            AppError::Unavailable
        } else {
            tracing::error!(error = %err, "database error");
            AppError::internal_here()
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_the_first_message_per_field() {
        let mut errors = FieldErrors::new();
        errors.add("email", "premier");
        errors.add("email", "second");
        let err = errors.into_result().unwrap_err();
        assert_eq!(err.field("email").as_deref(), Some("premier"));
        assert_eq!(err.status(), 422);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_server_going_away_is_an_outage() {
        for code in ["57P01", "57P02", "57P03", "08006", "08001"] {
            assert!(server_going_away(code), "{code}");
        }
        for code in ["23505", "40001", "57014", "42P01"] {
            assert!(!server_going_away(code), "{code}");
        }
    }

    #[test]
    fn no_field_errors_is_ok() {
        assert_eq!(FieldErrors::new().into_result(), Ok(()));
    }

    #[test]
    fn internal_errors_say_nothing_technical() {
        let err = AppError::Internal { reference: None };
        assert_eq!(err.status(), 500);
        assert!(err.message().starts_with("Une erreur interne"));
        assert_eq!(AppError::internal("a cause the user never reads"), err);
    }

    #[test]
    fn internal_errors_carry_the_reference_of_their_request() {
        let err = AppError::Internal {
            reference: Some("4f2a9c".into()),
        };
        assert_eq!(AppError::de(err.ser()), err);
        let message = err.message();
        assert!(message.starts_with("Une erreur interne"), "{message}");
        assert!(
            message.ends_with("Référence à donner au support : 4f2a9c"),
            "{message}"
        );
        // Outside a request there is nothing to refer to.
        assert_eq!(
            AppError::de(AppError::Internal { reference: None }.ser()),
            AppError::Internal { reference: None }
        );
    }

    #[test]
    fn travels_as_json_and_back() {
        let err = AppError::validation("email", "L’adresse e-mail est obligatoire.");
        let bytes = err.ser();
        assert_eq!(AppError::de(bytes), err);
    }

    #[test]
    fn transport_failures_become_app_errors() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Request("timeout".into()));
        assert_eq!(
            err.message(),
            "Le serveur n’a pas pu être joint. Vérifiez votre connexion et réessayez."
        );
    }
}
