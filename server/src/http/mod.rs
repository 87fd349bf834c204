//! The HTTP API: routes, the error shape, who is calling. One file per
//! area; each registers its own routes. Handlers validate input and call the
//! store; they never build SQL and never hold money logic of their own.

pub mod auth;
pub mod error;
pub mod extract;
pub mod health;
pub mod wallet;

use actix_web::http::StatusCode;
use actix_web::web;

use error::ApiError;

/// Every route, plus JSON/query/path error mapping and a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(web::JsonConfig::default().limit(max_body_bytes).error_handler(error::json_error))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .configure(health::routes)
        .configure(auth::routes)
        .configure(wallet::routes)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route"))
}
