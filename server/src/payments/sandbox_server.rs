//! The sandbox payment provider itself: a separate HTTP endpoint with its
//! own API, run by `croupier sandbox-pay` (or in-process by tests, on a
//! port of its own). It behaves as a card provider does:
//!
//! - `POST /v1/intents` (bearer key) `{"reference", "amount", "currency",
//!   "return_url"}` starts a payment (one per reference) and answers its
//!   hosted page, `GET /pay/ID`, where the player types a card number; the
//!   card never leaves the sandbox. Paying sends the player back to
//!   `return_url?payment=REFERENCE&status=…` and the outcome follows as
//!   signed webhooks, after the answer.
//! - Test cards: `4242424242424242` succeeds (`payment.pending`, then
//!   `payment.succeeded`); `4000000000000002` is declined (`pending`, then
//!   `payment.failed`); `4000000000000259` succeeds with its webhooks out of
//!   order and duplicated (`succeeded`, `pending`, `succeeded` again under
//!   the same event id).
//! - `POST /v1/payouts` (bearer key) `{"reference", "amount", "currency",
//!   "destination"}` pays out once per reference: `payout.paid`, or
//!   `payout.failed` for a destination starting `fail`.
//! - Webhooks go to the configured URL signed `Sandbox-Signature:
//!   t=UNIX,v1=HMAC` and are retried (5 tries, backing off) until answered
//!   2xx. `GET /v1/deliveries` (bearer key) lists every attempt with its exact
//!   header and body, as a provider's dashboard does.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Mutex;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpServer, web};
use serde::Deserialize;
use serde_json::json;

use super::hooks::{Hooks, lock, refuse};
use super::sandbox::SIGNATURE_HEADER;

/// What the sandbox is started with.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The key its API takes.
    pub api_key: String,
    /// The webhook signing secret.
    pub webhook_secret: Vec<u8>,
    /// Where webhooks go.
    pub webhook_url: String,
}

#[derive(Clone)]
struct Payment {
    id: String,
    reference: String,
    amount: i64,
    currency: String,
    return_url: String,
    paid: bool,
}

#[derive(Default)]
struct Book {
    intents: HashMap<String, Payment>,
    intent_of: HashMap<String, String>,
    payouts: HashMap<String, String>,
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
struct NewIntent {
    reference: String,
    amount: i64,
    currency: String,
    return_url: String,
}

#[derive(Deserialize)]
struct NewPayout {
    reference: String,
    amount: i64,
    currency: String,
    destination: String,
}

#[derive(Deserialize)]
struct Card {
    card: String,
}

async fn create_intent(sandbox: web::Data<Sandbox>, req: HttpRequest, body: web::Json<NewIntent>) -> HttpResponse {
    if let Err(no) = sandbox.hooks.authorised(&req) {
        return no;
    }
    let NewIntent { reference, amount, currency, return_url } = body.into_inner();
    if amount <= 0 || reference.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "amount must be positive and reference set");
    }
    let info = req.connection_info().clone();
    let mut book = sandbox.book();
    let id = match book.intent_of.get(&reference) {
        Some(id) => id.clone(),
        None => {
            let id = sandbox.hooks.id("pi");
            book.intent_of.insert(reference.clone(), id.clone());
            let payment = Payment { id: id.clone(), reference, amount, currency, return_url, paid: false };
            book.intents.insert(id.clone(), payment);
            id
        }
    };
    let redirect_url = format!("{}://{}/pay/{id}", info.scheme(), info.host());
    HttpResponse::Created().json(json!({ "id": id, "redirect_url": redirect_url }))
}

async fn page(sandbox: web::Data<Sandbox>, id: web::Path<String>) -> HttpResponse {
    let Some(p) = sandbox.book().intents.get(id.as_str()).cloned() else {
        return HttpResponse::NotFound().content_type("text/html").body("<p>No such payment.</p>");
    };
    let amount = format!("{}.{:02}", p.amount / 100, p.amount % 100);
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><meta charset=utf-8><title>Sandbox pay</title><h1>Pay {amount} {}</h1>\
         <form method=post><label>Card number <input name=card autocomplete=cc-number></label> \
         <button>Pay</button></form><p>Test cards: 4242424242424242 pays; 4000000000000002 is declined; \
         4000000000000259 pays, its webhooks out of order and twice.</p>",
        p.currency
    ))
}

async fn pay(sandbox: web::Data<Sandbox>, id: web::Path<String>, form: web::Form<Card>) -> HttpResponse {
    let card: String = form.card.chars().filter(char::is_ascii_digit).collect();
    let p = {
        let mut book = sandbox.book();
        let Some(p) = book.intents.get_mut(id.as_str()) else {
            return refuse(StatusCode::NOT_FOUND, "no such payment");
        };
        if p.paid {
            return refuse(StatusCode::CONFLICT, "this payment is done already");
        }
        p.paid = true;
        p.clone()
    };
    let object = json!({ "id": p.id, "reference": p.reference, "amount": p.amount, "currency": p.currency });
    let event = |kind: &str| (sandbox.hooks.id("evt"), kind.to_owned(), object.clone());
    let (events, status) = match card.as_str() {
        "4242424242424242" => (vec![event("payment.pending"), event("payment.succeeded")], "succeeded"),
        "4000000000000002" => (vec![event("payment.pending"), event("payment.failed")], "failed"),
        "4000000000000259" => {
            let succeeded = event("payment.succeeded");
            (vec![succeeded.clone(), event("payment.pending"), succeeded], "succeeded")
        }
        _ => {
            if let Some(p) = sandbox.book().intents.get_mut(id.as_str()) {
                p.paid = false;
            }
            return refuse(StatusCode::BAD_REQUEST, "not a test card");
        }
    };
    let sender = sandbox.clone();
    actix_web::rt::spawn(async move { sender.hooks.deliver(events).await });
    let separator = if p.return_url.contains('?') { '&' } else { '?' };
    let back = format!("{}{separator}payment={}&status={status}", p.return_url, p.reference);
    HttpResponse::SeeOther().insert_header(("location", back)).finish()
}

async fn payout(sandbox: web::Data<Sandbox>, req: HttpRequest, body: web::Json<NewPayout>) -> HttpResponse {
    if let Err(no) = sandbox.hooks.authorised(&req) {
        return no;
    }
    let NewPayout { reference, amount, currency, destination } = body.into_inner();
    if amount <= 0 || reference.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "amount must be positive and reference set");
    }
    let (id, fresh) = {
        let mut book = sandbox.book();
        match book.payouts.get(&reference) {
            Some(id) => (id.clone(), false),
            None => {
                let id = sandbox.hooks.id("po");
                book.payouts.insert(reference.clone(), id.clone());
                (id, true)
            }
        }
    };
    if fresh {
        let kind = if destination.starts_with("fail") { "payout.failed" } else { "payout.paid" };
        let object = json!({ "id": id, "reference": reference, "amount": amount, "currency": currency });
        let events = vec![(sandbox.hooks.id("evt"), kind.to_owned(), object)];
        let sender = sandbox.clone();
        actix_web::rt::spawn(async move { sender.hooks.deliver(events).await });
    }
    HttpResponse::Created().json(json!({ "id": id, "status": "pending" }))
}

async fn deliveries(sandbox: web::Data<Sandbox>, req: HttpRequest) -> HttpResponse {
    sandbox.hooks.deliveries(&req)
}

/// The sandbox, serving on `listener` (one worker) until stopped.
///
/// # Errors
/// The listener cannot be served or the HTTP client built.
pub fn serve(config: SandboxConfig, listener: TcpListener) -> anyhow::Result<Server> {
    let hooks = Hooks::new(config.api_key, config.webhook_secret, config.webhook_url, SIGNATURE_HEADER)?;
    let sandbox = web::Data::new(Sandbox { hooks, book: Mutex::new(Book::default()) });
    let server = HttpServer::new(move || {
        actix_web::App::new()
            .app_data(sandbox.clone())
            .route("/v1/intents", web::post().to(create_intent))
            .route("/v1/payouts", web::post().to(payout))
            .route("/v1/deliveries", web::get().to(deliveries))
            .route("/pay/{id}", web::get().to(page))
            .route("/pay/{id}", web::post().to(pay))
    })
    .workers(1)
    .listen(listener)?
    .run();
    Ok(server)
}
