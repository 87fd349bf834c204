//! `/v1/admin/players*`, `/v1/admin/rounds` and `/v1/admin/audit`: what the
//! operator console reads — players by name with their balances, ledger
//! lines and rounds; rounds by table or player; the audit trail of staff
//! actions. Staff only, by permission (`crate::roles`). Also [`audit`], the line every
//! staff action writes, and [`with_names`], which names the accounts a
//! staff list shows by id.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;

use super::auth::{Me, normalise_username};
use super::error::ApiError;
use super::extract::{Authenticated, can, page_limit};
use crate::state::AppState;
use crate::store::{AuditEntry, User};

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/players", web::get().to(find_players))
        .route("/admin/players/{username}", web::get().to(player))
        .route("/admin/rounds", web::get().to(rounds))
        .route("/admin/audit", web::get().to(audit_log))
        .route("/admin/audit/verify", web::get().to(verify_audit));
}

/// The audit line of a staff action by `caller`, from where `req` came.
pub fn audit<R>(
    state: &AppState,
    caller: &Authenticated<R>,
    req: &HttpRequest,
    action: &str,
    target: String,
    detail: &serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        actor: caller.id,
        action: action.to_owned(),
        target,
        detail: detail.to_string(),
        address: state.proxies.of(req).to_string(),
        at: state.now_ms(),
    }
}

/// Sets `into` on each object of `value` (an array of them, or one) to the
/// username of the account its `id_field` holds (`#ID` for one not found),
/// so a staff list reads as names; one query for them all.
///
/// # Errors
/// Database failures.
pub(super) async fn with_names(
    state: &AppState,
    value: &mut serde_json::Value,
    id_field: &str,
    into: &str,
) -> Result<(), ApiError> {
    let mut items: Vec<&mut serde_json::Value> = match value {
        serde_json::Value::Array(items) => items.iter_mut().collect(),
        one => vec![one],
    };
    let id = |item: &serde_json::Value| item.get(id_field).and_then(serde_json::Value::as_i64);
    let mut ids: Vec<i64> = items.iter().filter_map(|item| id(item)).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = state.store.usernames(&ids).await?;
    for item in &mut items {
        if let Some(id) = id(item) {
            item[into] = names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")).into();
        }
    }
    Ok(())
}

/// The account named `name`, or `404 unknown_user`.
pub(super) async fn named(state: &AppState, name: &str) -> Result<User, ApiError> {
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownUser, format!("no user {name:?}"));
    // A name that is not a valid username cannot exist.
    let Ok(name) = normalise_username(name) else { return Err(unknown()) };
    state.store.user_by_name(&name).await?.ok_or_else(unknown)
}

/// `?q=&limit=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Find {
    q: String,
    limit: Option<u32>,
}

async fn find_players(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReadPlayers>,
    query: web::Query<Find>,
) -> Result<HttpResponse, ApiError> {
    let prefix = query.q.trim().to_lowercase();
    if prefix.is_empty() || prefix.len() > 32 {
        return Err(ApiError::bad_request(ErrorCode::InvalidQuery, "q is the start of a username, 1 to 32 characters"));
    }
    let users = state.store.find_users(&prefix, page_limit(query.limit, 20)?).await?;
    Ok(HttpResponse::Ok().json(json!({ "players": users.into_iter().map(Me::from).collect::<Vec<_>>() })))
}

async fn player(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReadPlayers>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = named(&state, &name).await?;
    let balances = state.store.balances(user.id).await?;
    let transactions = state.store.transactions(user.id, None, 50).await?;
    let rounds = state.store.search_rounds(None, Some(user.id), 20).await?;
    let (protection, kyc) =
        (super::protect::protection_of(&state, user.id).await?, super::kyc::kyc_of(&state, user.id).await?);
    Ok(HttpResponse::Ok().json(json!({
        "player": Me::from(user),
        "balances": balances,
        "transactions": transactions,
        "rounds": rounds,
        "protection": protection,
        "kyc": kyc,
    })))
}

/// `?table=&player=&limit=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundSearch {
    table: Option<String>,
    player: Option<String>,
    limit: Option<u32>,
}

async fn rounds(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReadPlayers>,
    query: web::Query<RoundSearch>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = page_limit(query.limit, 50)?;
    let player = match query.player.as_deref().filter(|p| !p.is_empty()) {
        Some(name) => Some(named(&state, name).await?.id),
        None => None,
    };
    let table = query.table.as_deref().filter(|t| !t.is_empty());
    let rounds = state.store.search_rounds(table, player, limit).await?;
    Ok(HttpResponse::Ok().json(json!({ "rounds": rounds })))
}

/// `?before=&limit=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditPage {
    before: Option<i64>,
    limit: Option<u32>,
}

async fn audit_log(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReadAudit>,
    query: web::Query<AuditPage>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(query.limit, 50)?;
    let lines = state.store.audit_log(query.before, limit).await?;
    let next = (lines.len() == limit as usize).then(|| lines.last().map(|l| l.id)).flatten();
    Ok(HttpResponse::Ok().json(json!({ "audit": lines, "next_cursor": next })))
}

async fn verify_audit(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReadAudit>,
) -> Result<HttpResponse, ApiError> {
    let check = state.store.verify_audit().await?;
    let broken = check.broken.map(|(id, why)| json!({ "id": id, "why": why }));
    Ok(HttpResponse::Ok().json(json!({
        "lines": check.lines,
        "unchained": check.unchained,
        "head": check.head,
        "broken": broken,
    })))
}
