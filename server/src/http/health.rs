//! `GET /healthz` (the process answers), `GET /readyz` (the database and the
//! cache answer within a second; 503 naming what does not) and `GET /metrics` (Prometheus
//! text). None of them needs a token; none changes anything.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// How long `/readyz` waits for the database and the cache.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

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
    // Both asked at once, each given a second: a database that does not
    // answer (a cut network holds a query far longer than its pool's
    // timeouts) is down as far as readiness goes.
    let (database, cache) = tokio::join!(
        within(async { state.store.ping().await.map_err(|e| e.to_string()) }),
        within(async { state.cache.ping().await.map_err(|e| e.to_string()) })
    );
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

/// `what`'s answer, or an error when it takes longer than [`READY_WITHIN`].
async fn within(what: impl Future<Output = Result<(), String>>) -> Result<(), String> {
    match tokio::time::timeout(READY_WITHIN, what).await {
        Ok(answered) => answered,
        Err(_) => Err(format!("no answer within {} ms", READY_WITHIN.as_millis())),
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    state.metrics.observe_pool(state.store.as_ref());
    match state.metrics.render() {
        Ok(text) => HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(text),
        Err(e) => actix_web::ResponseError::error_response(&crate::http::error::ApiError::internal(e)),
    }
}
