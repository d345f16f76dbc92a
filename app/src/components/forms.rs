//! Form behaviour shared by the dashboard and the admin console.

use leptos::{html, prelude::*, server_fn::ServerFn};

/// A node ref for an `ActionForm` whose fields empty once `action` succeeds, so the next
/// entry starts blank and a submitted value is not sent twice by a second click. A failed
/// call keeps what was typed, to be corrected. (Without JavaScript the form post's redirect
/// renders a fresh form anyway.)
pub fn cleared_on_success<S>(action: ServerAction<S>) -> NodeRef<html::Form>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let form = NodeRef::<html::Form>::new();
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
        }
    });
    form
}

/// A message fit for the page from a server function's error.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        _ => "Something went wrong; please retry.".into(),
    }
}
