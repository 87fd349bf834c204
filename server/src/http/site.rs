//! The web client and operator console (`clients/web/site`), compiled into
//! the binary: `/` is its page, `/web/*` its scripts and styles. Every
//! answer carries a Content-Security-Policy that admits only this origin, so
//! a script injected into a chat line or a name has nowhere to run from.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use croupier_protocol::ErrorCode;
use rust_embed::RustEmbed;

use super::error::ApiError;

#[derive(RustEmbed)]
#[folder = "../clients/web/site"]
struct Site;

const POLICY: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; \
                      script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Registers the routes (outside `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index)).route("/web/{path:.*}", web::get().to(asset));
}

async fn index() -> Result<HttpResponse, ApiError> {
    serve("index.html")
}

async fn asset(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    serve(&path)
}

fn serve(path: &str) -> Result<HttpResponse, ApiError> {
    let missing = || ApiError::new(actix_web::http::StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such file");
    let file = Site::get(path).ok_or_else(missing)?;
    let kind = match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => return Err(missing()),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(match file.data {
            // Embedded files are static: served without a copy.
            std::borrow::Cow::Borrowed(bytes) => actix_web::web::Bytes::from_static(bytes),
            std::borrow::Cow::Owned(bytes) => actix_web::web::Bytes::from(bytes),
        }))
}
