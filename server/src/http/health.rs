//! `GET /healthz` (the process answers), `GET /readyz` (the database and the
//! cache answer; 503 naming what does not) and `GET /metrics` (Prometheus
//! text). None of them needs a token; none changes anything.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::app::AppState;

/// Registers the routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state.store.ping().await.map_err(|e| e.to_string());
    let cache = state.cache.ping().await.map_err(|e| e.to_string());
    let check = |r: &Result<(), String>| match r {
        Ok(()) => json!({ "status": "ok" }),
        Err(e) => json!({ "status": "down", "error": e }),
    };
    let ready = database.is_ok() && cache.is_ok();
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    HttpResponse::build(status).json(json!({
        "status": if ready { "ready" } else { "not_ready" },
        "database": check(&database),
        "cache": check(&cache),
    }))
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    state.metrics.observe_pool(state.store.as_ref());
    match state.metrics.render() {
        Ok(text) => HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(text),
        Err(e) => actix_web::ResponseError::error_response(&crate::http::error::ApiError::internal(e)),
    }
}
