//! Prometheus metrics: request counts and latency histograms labelled by route *pattern*
//! (`/v1/scan/{id}`), never the raw path, so the number of series stays bounded.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{Method, StatusCode},
    middleware::Next,
    response::Response,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide recorder (metrics has one global recorder; tests build many routers).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .expect("static buckets")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by a test harness); keep ours
            // readable either way.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Installed with `route_layer`, so it only sees matched routes and `MatchedPath` is set.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

/// The series of the static surfaces (badges, cards, oEmbed, cached reports), resolved once
/// when the router is built: counting a hit is then a map lookup by the matched route and an
/// atomic add, with no label built per request. The series are those [`track`] writes (same
/// names, same labels); only unusual answers (neither 200 nor 304, or not a `GET`) build
/// their labels as [`track`] does.
pub struct RouteMetrics(HashMap<&'static str, RouteSeries>);

struct RouteSeries {
    ok: metrics::Counter,
    not_modified: metrics::Counter,
    seconds: metrics::Histogram,
}

impl RouteMetrics {
    pub fn new(routes: &[&'static str]) -> Arc<Self> {
        // The recorder must exist before handles are taken, or they would record nowhere.
        let _ = handle();
        let series = |route: &'static str| RouteSeries {
            ok: metrics::counter!("http_requests_total", "method" => "GET", "route" => route, "status" => "200"),
            not_modified: metrics::counter!("http_requests_total", "method" => "GET", "route" => route, "status" => "304"),
            seconds: metrics::histogram!("http_request_duration_seconds", "method" => "GET", "route" => route),
        };
        Arc::new(Self(routes.iter().map(|r| (*r, series(r))).collect()))
    }

    pub fn record(&self, route: &str, method: &Method, status: StatusCode, elapsed: Duration) {
        let series = self.0.get(route).filter(|_| method == Method::GET);
        match (series, status.as_u16()) {
            (Some(s), 200) => s.ok.increment(1),
            (Some(s), 304) => s.not_modified.increment(1),
            _ => {
                metrics::counter!("http_requests_total", "method" => method.as_str().to_owned(), "route" => route.to_owned(), "status" => status.as_u16().to_string())
                    .increment(1)
            }
        }
        match series {
            Some(s) => s.seconds.record(elapsed.as_secs_f64()),
            None => metrics::histogram!("http_request_duration_seconds", "method" => method.as_str().to_owned(), "route" => route.to_owned())
                .record(elapsed.as_secs_f64()),
        }
    }
}

/// [`track`] for the static surfaces: installed with `route_layer`, like [`track`].
pub async fn track_routes(State(m): State<Arc<RouteMetrics>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let start = Instant::now();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let res = next.run(req).await;
    let route = route.as_ref().map_or("unmatched", |p| p.as_str());
    m.record(route, &method, res.status(), start.elapsed());
    res
}
