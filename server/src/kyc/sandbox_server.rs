//! The sandbox identity provider itself: a separate HTTP endpoint with its
//! own API, run by `croupier sandbox-kyc` (or in-process by tests, on a
//! port of its own). It behaves as a document-check provider does:
//!
//! - `POST /v1/verifications` (bearer key) `{"reference", "return_url"}`
//!   starts a check (one per reference) and answers its hosted page, `GET
//!   /verify/ID`, where the player types a document number; the document
//!   never leaves the sandbox. Sending it takes the player back to
//!   `return_url?verification=REFERENCE&status=submitted`, and the outcome
//!   follows as signed webhooks, after the answer.
//! - Test documents: one starting `PASS` is verified
//!   (`verification.processing`, then `verification.verified`); one
//!   starting `FAIL` is refused (`processing`, then `verification.rejected`
//!   with a reason); one starting `LATE` is verified with its webhooks out
//!   of order and duplicated (`verified`, `processing`, `verified` again
//!   under the same event id).
//! - Webhooks (`Sandbox-Signature: t=UNIX,v1=HMAC`, body `{"id", "type",
//!   "created", "data": {"id", "reference", "reason"}}`) are sent and
//!   retried as the payment sandbox's are (`crate::payments::hooks`); `GET
//!   /v1/deliveries` (bearer key) lists every attempt.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Mutex;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpServer, web};
use serde::Deserialize;
use serde_json::json;

use super::sandbox::SIGNATURE_HEADER;
use crate::payments::hooks::{Hooks, lock, refuse};

/// What the sandbox is started with.
#[derive(Clone)]
pub struct KycSandboxConfig {
    /// The key its API takes.
    pub api_key: String,
    /// The webhook signing secret.
    pub webhook_secret: Vec<u8>,
    /// Where webhooks go.
    pub webhook_url: String,
}

#[derive(Clone)]
struct Check {
    id: String,
    reference: String,
    return_url: String,
    sent: bool,
}

#[derive(Default)]
struct Book {
    checks: HashMap<String, Check>,
    check_of: HashMap<String, String>,
}

struct Sandbox {
    hooks: Hooks,
    book: Mutex<Book>,
}

impl Sandbox {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        lock(&self.book)
    }
}

#[derive(Deserialize)]
struct NewCheck {
    reference: String,
    return_url: String,
}

#[derive(Deserialize)]
struct Document {
    document: String,
}

async fn create(sandbox: web::Data<Sandbox>, req: HttpRequest, body: web::Json<NewCheck>) -> HttpResponse {
    if let Err(no) = sandbox.hooks.authorised(&req) {
        return no;
    }
    let NewCheck { reference, return_url } = body.into_inner();
    if reference.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "reference must be set");
    }
    let info = req.connection_info().clone();
    let mut book = sandbox.book();
    let id = match book.check_of.get(&reference) {
        Some(id) => id.clone(),
        None => {
            let id = sandbox.hooks.id("vs");
            book.check_of.insert(reference.clone(), id.clone());
            book.checks.insert(id.clone(), Check { id: id.clone(), reference, return_url, sent: false });
            id
        }
    };
    let redirect_url = format!("{}://{}/verify/{id}", info.scheme(), info.host());
    HttpResponse::Created().json(json!({ "id": id, "redirect_url": redirect_url }))
}

async fn page(sandbox: web::Data<Sandbox>, id: web::Path<String>) -> HttpResponse {
    if !sandbox.book().checks.contains_key(id.as_str()) {
        return HttpResponse::NotFound().content_type("text/html").body("<p>No such verification.</p>");
    }
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
        "<!doctype html><meta charset=utf-8><title>Sandbox identity check</title><h1>Verify your identity</h1>\
         <form method=post><label>Document number <input name=document></label> <button>Send</button></form>\
         <p>Test documents: one starting PASS is verified; FAIL is refused; LATE is verified, its webhooks \
         out of order and twice.</p>",
    )
}

async fn send(sandbox: web::Data<Sandbox>, id: web::Path<String>, form: web::Form<Document>) -> HttpResponse {
    let document = form.document.trim().to_ascii_uppercase();
    let test = ["PASS", "FAIL", "LATE"].into_iter().find(|t| document.starts_with(t));
    let Some(test) = test else {
        return refuse(StatusCode::BAD_REQUEST, "not a test document: start it with PASS, FAIL or LATE");
    };
    let check = {
        let mut book = sandbox.book();
        let Some(check) = book.checks.get_mut(id.as_str()) else {
            return refuse(StatusCode::NOT_FOUND, "no such verification");
        };
        if check.sent {
            return refuse(StatusCode::CONFLICT, "this verification is done already");
        }
        check.sent = true;
        check.clone()
    };
    let object = |reason: Option<&str>| json!({ "id": check.id, "reference": check.reference, "reason": reason });
    let event = |kind: &str, reason| (sandbox.hooks.id("evt"), kind.to_owned(), object(reason));
    let events = match test {
        "PASS" => vec![event("verification.processing", None), event("verification.verified", None)],
        "FAIL" => vec![
            event("verification.processing", None),
            event("verification.rejected", Some("the document could not be verified")),
        ],
        _ => {
            let verified = event("verification.verified", None);
            vec![verified.clone(), event("verification.processing", None), verified]
        }
    };
    let sender = sandbox.clone();
    actix_web::rt::spawn(async move { sender.hooks.deliver(events).await });
    let separator = if check.return_url.contains('?') { '&' } else { '?' };
    let back = format!("{}{separator}verification={}&status=submitted", check.return_url, check.reference);
    HttpResponse::SeeOther().insert_header(("location", back)).finish()
}

async fn deliveries(sandbox: web::Data<Sandbox>, req: HttpRequest) -> HttpResponse {
    sandbox.hooks.deliveries(&req)
}

/// The sandbox, serving on `listener` (one worker) until stopped.
///
/// # Errors
/// The listener cannot be served or the HTTP client built.
pub fn serve(config: KycSandboxConfig, listener: TcpListener) -> anyhow::Result<Server> {
    let hooks = Hooks::new(config.api_key, config.webhook_secret, config.webhook_url, SIGNATURE_HEADER)?;
    let sandbox = web::Data::new(Sandbox { hooks, book: Mutex::new(Book::default()) });
    let server = HttpServer::new(move || {
        actix_web::App::new()
            .app_data(sandbox.clone())
            .route("/v1/verifications", web::post().to(create))
            .route("/v1/deliveries", web::get().to(deliveries))
            .route("/verify/{id}", web::get().to(page))
            .route("/verify/{id}", web::post().to(send))
    })
    .workers(1)
    .listen(listener)?
    .run();
    Ok(server)
}
