//! The HTTP API: routes, the error shape, who is calling. One file per
//! area; each registers its own routes. Handlers validate input and call the
//! store; they never build SQL and never hold money logic of their own.

pub mod account;
pub mod aml;
pub mod auth;
pub mod console;
pub mod error;
pub mod extract;
pub mod games;
pub mod gdpr;
pub mod health;
pub mod kyc;
pub mod limit;
pub mod load;
pub mod mfa;
pub mod payments;
pub mod payouts;
pub mod protect;
pub mod site;
pub mod table_admin;
pub mod tables;
pub mod wallet;

use actix_web::http::StatusCode;
use actix_web::web;
use croupier_protocol::ErrorCode;

use actix_governor::governor::clock::QuantaInstant;
use error::ApiError;

/// The `/v1` rate limit, built once per server and shared by its workers.
#[derive(Clone)]
pub struct RateLimit {
    enabled: bool,
    config: actix_governor::GovernorConfig<
        limit::ClientIp,
        actix_governor::governor::middleware::NoOpMiddleware<QuantaInstant>,
    >,
}

impl RateLimit {
    /// The limit the settings ask for.
    ///
    /// # Errors
    /// A zero rate or burst.
    pub fn new(s: &crate::settings::RateLimitSettings, proxies: crate::address::Proxies) -> anyhow::Result<Self> {
        let config = actix_governor::GovernorConfigBuilder::default()
            .key_extractor(limit::ClientIp(proxies))
            .requests_per_second(s.per_second)
            .burst_size(s.burst)
            .finish()
            .ok_or_else(|| anyhow::anyhow!("rate_limit.per_second and rate_limit.burst must be at least 1"))?;
        Ok(Self { enabled: s.enabled, config })
    }
}

/// Every route, plus JSON/query/path error mapping and a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize, limit: &RateLimit) {
    let api = web::scope("/v1")
        .wrap(actix_web::middleware::Condition::new(limit.enabled, actix_governor::Governor::new(&limit.config)))
        .configure(auth::routes)
        .configure(mfa::routes)
        .configure(account::routes)
        .configure(payments::routes)
        .configure(kyc::routes)
        .configure(aml::routes)
        .configure(gdpr::routes)
        .configure(payouts::routes)
        .configure(protect::routes)
        .configure(wallet::routes)
        .configure(tables::routes)
        .configure(games::routes)
        .configure(console::routes)
        .configure(table_admin::routes)
        .configure(load::routes)
        .route("/ws", web::get().to(crate::ws::connect))
        .default_service(web::to(not_found));
    cfg.app_data(web::JsonConfig::default().limit(max_body_bytes).error_handler(error::json_error))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .configure(health::routes)
        .configure(site::routes)
        .service(api)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such route"))
}
