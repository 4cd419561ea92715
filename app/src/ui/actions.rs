//! Helpers for server actions on pages that reload their data after a write.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// Counts the completions of `action` after which the page should reload:
/// a success, or a conflict (so the user sees the current values). A
/// refused form does not reload, so what the user typed stays in place.
pub fn reloads<S>(action: ServerAction<S>) -> Memo<usize>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Memo::new(move |previous: Option<&usize>| {
        let version = action.version().get();
        let reload = action
            .value()
            .with(|value| matches!(value, Some(Ok(_)) | Some(Err(AppError::Conflict(_)))));
        if reload {
            version
        } else {
            previous.copied().unwrap_or(version)
        }
    })
}

/// The message of a field's error, from the action's last result.
pub fn field_error<S>(action: ServerAction<S>, name: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(|e| e.field(name))
        })
    })
}

/// The message of a field's error, from an error signal (forms whose
/// error is derived from the action's value).
pub fn field_of(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field(name)))
}

/// The action's last error when it is not about one field.
pub fn general_error<S>(action: ServerAction<S>) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(AppError::Validation(_))) | None | Some(Ok(_)) => None,
            Some(Err(err)) => Some(err.message()),
        })
    })
}

/// Once `action` succeeds, opens `page(answer)` in a full page load (the
/// record just created or saved); returns the action's last error, for
/// the form.
pub fn open_on_success<S>(
    action: ServerAction<S>,
    page: impl Fn(&S::Output) -> String + 'static,
) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(answer)) = action.value().get() {
            let _ = window().location().set_href(&page(&answer));
        }
    });
    Signal::derive(move || action.value().get().and_then(Result::err))
}
