//! The skeleton every console list shares: a "Loading…" line until the data arrives, the
//! error as an alert when it failed, a muted line when there is nothing, else a table. One
//! place, so every section loads, fails and reads empty the same way.

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use super::forms::error_text;

/// Shows `data` once loaded: `loading` until then, the error as an alert, else `render` of it.
/// (A section whose view must also follow a signal read before the data arrives, such as a
/// key just made, writes its own `Transition` and still uses [`ErrorAlert`] and [`DataTable`].)
#[component]
pub fn Loaded<T, R>(data: Resource<Result<T, ServerFnError>>, loading: &'static str, render: R) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    R: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=move || view! { <p class="muted">{loading}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => render(value),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// A server function's failure, as the page shows it.
#[component]
pub fn ErrorAlert(error: ServerFnError) -> impl IntoView {
    view! { <p class="error" role="alert">{error_text(&error)}</p> }
}

/// A console table: `empty` when there are no rows, else the headings over the rows.
pub fn data_table<V: IntoView + 'static>(
    class: &'static str,
    headings: &[&'static str],
    empty: &'static str,
    rows: Vec<V>,
) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let headings = headings.iter().map(|h| view! { <th>{*h}</th> }).collect_view();
    view! {
        <div class="table-wrap">
            <table class=class>
                <thead><tr>{headings}</tr></thead>
                <tbody>{rows.into_iter().collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}
