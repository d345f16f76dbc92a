//! The whole HTTP surface: service endpoints, the REST API, docs, and the Leptos pages.

pub mod docs;
pub mod finished_cache;
pub mod public;
pub mod service;
pub mod v1;

use std::{sync::Arc, time::Duration};

use app::{
    server::{accounts::sessions::DbSessionStore, state::AppState, web::RequestFlash},
    shell, App,
};
use axum::{
    http::{HeaderValue, Method},
    middleware::{from_fn, from_fn_with_state},
    routing::get,
    Router,
};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::{
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::middleware::{
    action_errors::{self, ActionErrorKey},
    client_addr, db_breaker, embed_framing, metrics, request_ids,
    same_origin::{self, OriginPolicy},
    security_headers,
};

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "aura_session";
/// A session ends after this long without a request.
pub const SESSION_IDLE_DAYS: i64 = 7;
/// A session ends this long after its login, however busy (checked where the session's
/// account is read, `app::server::web::current_account_opt`).
pub use app::server::web::SESSION_ABSOLUTE_DAYS;

#[derive(OpenApi)]
#[openapi(
    info(title = "AuraSecurity partner API", description = "Repository trust scans for exchanges, trading terminals and bots. Authenticate with `Authorization: Bearer aura_pk_…`. A key carries scopes (`scans:read`, `scans:write`, `keys`, `webhooks`, `usage`, `embed`; admin calls need all of them): a call outside them is 403 `insufficient_scope`. A key with `allowed_origins` used with another browser `Origin` is 403 `origin_not_allowed`; requests without `Origin` may use it. CORS admits `AURA_CORS_ORIGINS` and the origins active partners register, never with credentials."),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "service"), (name = "auth"), (name = "scans"), (name = "webhooks"), (name = "embeds"), (name = "admin"))
)]
struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("aura_pk_…")
                    .build(),
            ),
        );
    }
}

/// Every operation may also answer the contract's error body with statuses it does not list
/// one by one (401 without a key, 400/415 for a body that is not JSON, 429 when limited, 503
/// while the database is unreachable…): documented once as each operation's `default`.
struct ErrorResponses;
impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let json = ResponseBuilder::new()
            .description("An error: `{\"error\": {\"code\", \"message\"}}` with the status of the problem (see the contract's error codes).")
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
            .build();
        // Pages, badges and cards answer problems in their own medium (an error page, an
        // "invalid" badge), so their default names no body.
        let own_medium = ResponseBuilder::new()
            .description("An error, in the operation's own media type.")
            .build();
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let not_json = op.responses.responses.values().any(|r| match r {
                    RefOr::T(r) => r.content.keys().any(|ct| ct != "application/json"),
                    RefOr::Ref(_) => false,
                });
                // Operations that take a key (required, or optional like a public report's).
                let keyed = op.security.as_ref().is_some_and(|reqs| !reqs.is_empty());
                if keyed {
                    let forbidden = keyed_forbidden(op);
                    op.responses.responses.insert("403".into(), forbidden.into());
                }
                let default = if not_json { own_medium.clone() } else { json.clone() };
                op.responses
                    .responses
                    .entry("default".into())
                    .or_insert_with(|| default.into());
            }
        }
    }
}

/// What a key-authenticated operation may answer 403 with, merged into the 403 it documents
/// already (if any): the key lacks the route's scope, or the browser `Origin` is not among
/// the key's `allowed_origins`, or the account is suspended.
fn keyed_forbidden(op: &utoipa::openapi::path::Operation) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let mut text = String::from(
        "`insufficient_scope`: the key lacks the scope this call needs (admin calls need every scope); \
         `origin_not_allowed`: the request's `Origin` is not among the key's `allowed_origins`; \
         `forbidden`: the account is suspended",
    );
    if let Some(RefOr::T(existing)) = op.responses.responses.get("403") {
        if !existing.description.is_empty() {
            text = format!("{}; {text}", existing.description);
        }
    }
    ResponseBuilder::new()
        .description(text)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// The API's routers, and the OpenAPI description they were generated from.
pub struct Api {
    pub router: Router<AppState>,
    /// The event streams: kept off compression (`v1::streams`).
    pub streams: Router<AppState>,
    pub spec: utoipa::openapi::OpenApi,
}

pub fn api(state: &AppState) -> Api {
    let (router, mut spec) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(service::info))
        .routes(routes!(service::health))
        .merge(v1::router(state))
        .split_for_parts();
    let (streams, stream_spec) = v1::streams(state).split_for_parts();
    spec.merge(stream_spec);
    spec.merge(public::PublicDoc::openapi());
    // After the routes are in: modifiers named in `#[openapi]` run before any path exists.
    utoipa::Modify::modify(&ErrorResponses, &mut spec);
    Api { router, streams, spec }
}

pub fn router(state: AppState) -> Router {
    let Api {
        router: api_router,
        streams,
        spec,
    } = api(&state);
    let spec = Arc::new(spec);
    let cors = cors_layer(&state);
    let security = security_headers::SecurityConfig {
        hsts: state.config.is_production(),
    };
    let leptos_routes = leptos_routes();
    let proxies = Arc::new(state.config.trusted_proxies.clone());

    // The pages and their server functions: the only routes with a session, and the only
    // ones the browser's cross-site guard applies to. `/v1` stays stateless and cookie-free.
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            leptos_routes,
            || leptos::prelude::provide_context(RequestFlash::default()),
            {
                let options = state.leptos.clone();
                move || shell(options.clone())
            },
        )
        .layer(session_layer(&state))
        .layer(from_fn_with_state(
            ActionErrorKey::new(state.config.secret_key.expose()),
            action_errors::sign_and_check,
        ))
        .layer(from_fn_with_state(
            OriginPolicy::new(&state.config.public_url),
            same_origin::guard,
        ));
    // Completed reports are rendered by these same pages, for nobody in particular.
    let front = Arc::new(public::front::Front {
        reports: public::report_cache::Reports::new(state.clone(), security, pages.clone().with_state(state.clone())),
        badges: public::badges::BadgeCache::new(state.clone(), security),
    });

    let docs = Router::new()
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::docs_page))
        .with_state(spec);

    // Everything but the static surfaces: the whole stack.
    let app = Router::new()
        .merge(api_router)
        .route("/metrics", get(service::metrics))
        .merge(public::widget::routes())
        .route("/v1/{*rest}", axum::routing::any(v1_not_found))
        .merge(pages)
        .route_layer(from_fn(metrics::track))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone())
        .merge(docs);
    let streams = streams.route_layer(from_fn(metrics::track)).with_state(state.clone());
    let stack = Stack {
        state: &state,
        security,
        cors: &cors,
        request_ids: request_ids::CountedIds::new(),
    };
    let app = stack
        .around(app, Answers::Whole)
        .merge(stack.around(streams, Answers::Streamed));

    // The static surfaces (badges, cards, oEmbed, completed reports) answer from memory in
    // front of that stack, with only the layers they need (`routes::public`); the rest falls
    // through to it.
    public::router(&state, security, cors, front.badges.clone())
        .with_state(state)
        .fallback_service(app)
        // Everything inside sees the client's address.
        .layer(from_fn_with_state(proxies, client_addr::resolve))
        // Outermost: cached badges and completed reports, from memory (`public::front`).
        .layer(from_fn_with_state(front, public::front::serve))
}

/// What a route answers, for [`Stack::around`].
enum Answers {
    /// A body that ends: compressed, and traced until it has been sent.
    Whole,
    /// An event stream, open for minutes: neither compressed nor traced past its head. Each
    /// wrapper that stays with the body costs every open stream: compression's about 6 KiB,
    /// the request span's registry slot and formatted fields about 0.5 KiB.
    Streamed,
}

/// The layers every route of the application (all but the static surfaces) goes through.
struct Stack<'a> {
    state: &'a AppState,
    security: security_headers::SecurityConfig,
    cors: &'a CorsLayer,
    /// One counter for both stacks, so their ids never collide.
    request_ids: request_ids::CountedIds,
}

impl Stack<'_> {
    fn around(&self, routes: Router, answers: Answers) -> Router {
        let routes = routes
            .layer(from_fn_with_state(self.state.clone(), db_breaker::breaker))
            // Inside the security headers, which turn its verdict into `frame-ancestors`.
            .layer(from_fn_with_state(self.state.clone(), embed_framing::embed_framing))
            .layer(from_fn_with_state(self.security, security_headers::security_headers))
            .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
            .layer(TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(30),
            ));
        let routes = match answers {
            Answers::Whole => routes
                .layer(CompressionLayer::new())
                .layer(TraceLayer::new_for_http().make_span_with(crate::telemetry::http_span)),
            Answers::Streamed => routes.layer(from_fn(crate::telemetry::trace_until_head)),
        };
        routes.layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(self.request_ids.clone()))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(self.cors.clone()),
        )
    }
}

/// The pages' routes, listed once per process. Leptos lists them by rendering the app with
/// resource loading switched off through a process-wide flag, so a page rendering anywhere
/// else in the process meanwhile would wait on its resources forever (leptos-rs/leptos#4773):
/// its response never comes, or stops mid-body. The first router is built before any page
/// can render, so listing only then leaves no such moment; tests start many apps in one
/// process, each building its router while the others serve.
fn leptos_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Browser sessions in our database. The cookie holds only the random session id (the store
/// keys its row by the id's SHA-256); it is HttpOnly (no script reads it), SameSite=Lax (not
/// sent on cross-site POSTs), Secure in production, and every request that uses the session
/// pushes its expiry 7 days out (`always_save`: one row update per logged-in page view or
/// call, a fair price for a sliding expiry; anonymous visitors have no session and cost
/// nothing), up to [`SESSION_ABSOLUTE_DAYS`] after the login.
fn session_layer(state: &AppState) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.is_production())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::days(
            SESSION_IDLE_DAYS,
        )))
        .with_always_save(true)
}

/// CORS applies to the REST API only: browsers may call `/v1` from the origins in
/// `AURA_CORS_ORIGINS` and from those registered by active accounts (their keys'
/// `allowed_origins` and their embed domains; see `accounts::origins` for how fresh that set
/// is). Never with credentials: `/v1` authenticates with a bearer key, not cookies. Requests
/// without an `Origin` (bots) are unaffected.
fn cors_layer(state: &AppState) -> CorsLayer {
    let allowed: Arc<Vec<HeaderValue>> = Arc::new(
        state
            .config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect(),
    );
    let registered = app::server::accounts::origins::RegisteredOrigins::new(state.db.clone());
    CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(
            move |origin: HeaderValue, parts: &axum::http::request::Parts| {
                let on_api = parts.uri.path().starts_with("/v1/");
                let configured = allowed.contains(&origin);
                let registered = registered.clone();
                async move {
                    on_api
                        && (configured
                            || match origin.to_str() {
                                Ok(o) => registered.contains(o).await,
                                Err(_) => false,
                            })
                }
            },
        ))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([
            axum::http::header::LINK,
            axum::http::HeaderName::from_static("x-request-id"),
            axum::http::HeaderName::from_static("x-ratelimit-limit"),
            axum::http::HeaderName::from_static("x-ratelimit-remaining"),
            axum::http::HeaderName::from_static("x-ratelimit-reset"),
            axum::http::HeaderName::from_static("ratelimit"),
            axum::http::HeaderName::from_static("ratelimit-policy"),
            axum::http::HeaderName::from_static("retry-after"),
        ])
        .max_age(Duration::from_secs(600))
}

/// Unknown `/v1` paths answer the contract's JSON error body, not the HTML 404 page.
async fn v1_not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("No such API route; see /docs.")
}
