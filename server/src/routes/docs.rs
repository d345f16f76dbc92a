//! `/openapi.json`, generated from the route definitions, and `/docs`, Swagger UI served
//! entirely from our own origin (its assets are copied from the npm package at set-up).

use axum::{
    http::header,
    response::{Html, IntoResponse},
    Json,
};
use utoipa::openapi::OpenApi;

pub async fn openapi_json(spec: axum::extract::State<std::sync::Arc<OpenApi>>) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-cache")], Json(spec.0.as_ref().clone()))
}

pub async fn docs_page() -> Html<&'static str> {
    Html(concat!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>API docs · AuraSecurity</title>",
        "<link rel=\"stylesheet\" href=\"/vendor/swagger-ui/swagger-ui.css\">",
        "<link rel=\"stylesheet\" href=\"/docs.css\">",
        "</head><body><header class=\"docs-header\"><a href=\"/\">AuraSecurity</a> API reference · ",
        "<a href=\"/openapi.json\">openapi.json</a></header>",
        "<div id=\"swagger-ui\"></div>",
        "<script src=\"/vendor/swagger-ui/swagger-ui-bundle.js\"></script>",
        "<script src=\"/docs.js\"></script>",
        "</body></html>"
    ))
}
