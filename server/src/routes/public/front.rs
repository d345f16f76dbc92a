//! The first layer of the whole router: what READMEs, chat previews and CDNs hit hardest,
//! answered from memory before any other layer or routing runs. A cached score badge
//! ([`BadgeCache::hit`]) and a completed report ([`Reports::serve`]) cost a map lookup and
//! prebuilt bytes and headers here; everything else is handed on unchanged.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use super::{badges::BadgeCache, report_cache::Reports};

pub struct Front {
    pub badges: Arc<BadgeCache>,
    pub reports: Arc<Reports>,
}

pub async fn serve(State(front): State<Arc<Front>>, req: Request, next: Next) -> Response {
    if let Some(res) = front.badges.hit(&req) {
        return res;
    }
    front.reports.serve(req, next).await
}
