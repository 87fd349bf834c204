//! `/v1/admin/tables/{id}` and `/v1/admin/rounds/{round}/void`: what staff
//! do to a running table from the console — look at it, close it, change
//! its limits, void the round in progress. Staff with `manage_tables` only.
//! Each request is checked here, then written to the audit trail, and only
//! then handed to the table (`crate::play::table::Admin`); a request the
//! table refuses after that gets a second line, `<action>.refused`, so the
//! trail never claims what was not done. A table that does not answer in
//! [`ANSWER_WAIT`] is `503 unavailable`.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::console::audit;
use super::error::ApiError;
use super::extract::{Authenticated, can};
use crate::play::TableRef;
use crate::play::admin::Refusal;
use crate::play::table::{Admin, Answer};
use crate::state::AppState;

/// How long a request waits for the table's answer: longer than a void
/// waits for money in flight and then for its refund.
const ANSWER_WAIT: Duration = Duration::from_secs(15);

/// The longest reason, in characters.
const REASON_MAX: usize = 200;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/tables/{id}", web::get().to(inspect))
        .route("/admin/tables/{id}/close", web::post().to(close))
        .route("/admin/tables/{id}/config", web::patch().to(reconfigure))
        .route("/admin/rounds/{round}/void", web::post().to(void));
}

/// `{"reason": "..."}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Why {
    reason: String,
}

/// `{"config": {...}, "reason": "..."}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    config: serde_json::Map<String, Value>,
    reason: String,
}

/// The reason, trimmed: 1 to [`REASON_MAX`] characters, no control
/// characters.
pub(super) fn reason(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars == 0 || chars > REASON_MAX || text.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidReason,
            format!("a reason is 1 to {REASON_MAX} characters, on one line"),
        ));
    }
    Ok(text.to_owned())
}

/// The running table or session `id`, or `404 unknown_table`.
fn running(state: &AppState, id: &str) -> Result<TableRef, ApiError> {
    state.lobby.table(id).or_else(|| state.lobby.session(id)).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownTable, format!("no table {id:?} is running"))
    })
}

/// A table's refusal as the API answers it.
fn refused(r: Refusal) -> ApiError {
    let status = match r.code {
        ErrorCode::UnknownTable | ErrorCode::UnknownSession => StatusCode::NOT_FOUND,
        ErrorCode::InvalidConfig => StatusCode::BAD_REQUEST,
        ErrorCode::ServerRestarting => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::CONFLICT,
    };
    ApiError::new(status, r.code, r.message)
}

/// Asks `table`, waiting at most [`ANSWER_WAIT`].
async fn ask(table: &TableRef, what: Admin) -> Result<Answer, ApiError> {
    match table.admin.send(what).timeout(ANSWER_WAIT).await {
        Ok(answer) => answer.map_err(refused),
        Err(actix::MailboxError::Closed) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownTable,
            format!("table {:?} has stopped", table.id),
        )),
        Err(actix::MailboxError::Timeout) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            format!("table {:?} did not answer in time; look at it again before retrying", table.id),
        )),
    }
}

/// One staff action, audited: the line first (nothing is done without
/// it), then the table's answer, and a `.refused` line if it says no.
struct Audited<'a> {
    state: &'a AppState,
    caller: &'a Authenticated<can::ManageTables>,
    req: &'a HttpRequest,
    action: &'static str,
    target: String,
}

impl Audited<'_> {
    async fn carry(&self, table: &TableRef, what: Admin, detail: &Value) -> Result<Answer, ApiError> {
        let line = audit(self.state, self.caller, self.req, self.action, self.target.clone(), detail);
        if let Err(e) = self.state.store.audit(&line).await {
            tracing::error!(action = self.action, target = %self.target, %e, "a staff action's audit line was not written");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "the audit trail cannot be written now; nothing was done",
            ));
        }
        let answer = ask(table, what).await;
        if let Err(e) = &answer {
            let detail = json!({ "code": e.code.as_str(), "message": e.message });
            let action = format!("{}.refused", self.action);
            let line = audit(self.state, self.caller, self.req, &action, self.target.clone(), &detail);
            if let Err(e) = self.state.store.audit(&line).await {
                tracing::error!(%action, target = %self.target, %e, "a refusal's audit line was not written");
            }
        }
        answer
    }
}

/// `200` with `body` and `"status": done` when the table has done it,
/// `202` with `"status": later` when it will at its next round boundary.
fn answered(answer: &Answer, (done, later): (&str, &str), mut body: Value) -> HttpResponse {
    let (status, word) = match answer {
        Answer::Done => (StatusCode::OK, done),
        _ => (StatusCode::ACCEPTED, later),
    };
    body["status"] = json!(word);
    HttpResponse::build(status).json(body)
}

async fn inspect(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ManageTables>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let table = running(&state, &id)?;
    match ask(&table, Admin::Inspect).await? {
        Answer::Status(status) => Ok(HttpResponse::Ok().json(status)),
        other => Err(ApiError::internal(format!("a table answered {other:?} to inspect"))),
    }
}

async fn close(
    state: web::Data<AppState>,
    caller: Authenticated<can::ManageTables>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Why>,
) -> Result<HttpResponse, ApiError> {
    let reason = reason(&body.reason)?;
    let table = state.lobby.table(&id).ok_or_else(|| match state.lobby.session(&id) {
        Some(_) => ApiError::new(StatusCode::CONFLICT, ErrorCode::NotATableGame, "sessions are closed by their player"),
        None => ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownTable, format!("no table {:?} is running", *id)),
    })?;
    let audited =
        Audited { state: &state, caller: &caller, req: &req, action: "table.close", target: format!("table:{id}") };
    let answer = audited.carry(&table, Admin::Close { reason: reason.clone() }, &json!({ "reason": reason })).await?;
    Ok(answered(&answer, ("closed", "closing"), json!({ "table": table.id })))
}

async fn reconfigure(
    state: web::Data<AppState>,
    caller: Authenticated<can::ManageTables>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Change>,
) -> Result<HttpResponse, ApiError> {
    let Change { config: changes, reason } = body.into_inner();
    let reason = self::reason(&reason)?;
    let table = state.lobby.table(&id).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownTable, format!("no table {:?} is running", *id))
    })?;
    if changes.is_empty() {
        return Err(ApiError::bad_request(ErrorCode::InvalidConfig, "name at least one setting to change"));
    }
    let before = table.config.as_ref().clone();
    let mut merged = before.as_object().cloned().unwrap_or_default();
    merged.extend(changes);
    let entry = state.lobby.games().iter().find(|g| g.id == table.game).ok_or_else(|| {
        ApiError::internal(format!("table {} plays {}, which is not registered", table.id, table.game))
    })?;
    let after =
        (entry.check)(&Value::Object(merged)).map_err(|e| ApiError::bad_request(ErrorCode::InvalidConfig, e))?;
    if after == before {
        return Err(ApiError::bad_request(ErrorCode::InvalidConfig, "that is the config the table plays now"));
    }
    let audited =
        Audited { state: &state, caller: &caller, req: &req, action: "table.config", target: format!("table:{id}") };
    let detail = json!({ "reason": reason, "before": before, "after": after });
    let answer = audited.carry(&table, Admin::Reconfigure { spec: after.clone() }, &detail).await?;
    Ok(answered(&answer, ("applied", "pending"), json!({ "table": table.id, "config": after })))
}

async fn void(
    state: web::Data<AppState>,
    caller: Authenticated<can::ManageTables>,
    req: HttpRequest,
    round: web::Path<String>,
    body: web::Json<Why>,
) -> Result<HttpResponse, ApiError> {
    let reason = reason(&body.reason)?;
    let round = round.into_inner();
    let table = running(&state, round.split(':').next().unwrap_or_default())?;
    let audited =
        Audited { state: &state, caller: &caller, req: &req, action: "round.void", target: format!("round:{round}") };
    let detail = json!({ "reason": reason, "table": table.id });
    let answer = audited.carry(&table, Admin::Void { round: round.clone(), reason }, &detail).await?;
    Ok(answered(&answer, ("voided", "voiding"), json!({ "round": round, "table": table.id })))
}
