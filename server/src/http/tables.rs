//! `/v1/tables`, `/v1/admin/tables`, `/v1/rounds/*` and `/v1/fairness*`:
//! the live tables and how operators open more, the records of rounds a
//! player took part in, and each player's provably-fair commitment. Input is
//! checked here; tables themselves run in `crate::play`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use croupier_protocol::ErrorCode;
use croupier_rng::fair::ClientSeed;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated, can};
use crate::play::TableListing;
use crate::play::lobby::OpenError;
use crate::settings::TableSpec;
use crate::state::AppState;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tables", web::get().to(list))
        .route("/admin/tables", web::post().to(create))
        .route("/rounds", web::get().to(my_rounds))
        .route("/rounds/{id}", web::get().to(round))
        .route("/fairness", web::get().to(fairness))
        .route("/fairness/rotate", web::post().to(rotate));
}

async fn list(state: web::Data<AppState>, _caller: Authenticated<AnyRole>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "tables": state.lobby.tables() }))
}

async fn create(
    state: web::Data<AppState>,
    caller: Authenticated<can::ManageTables>,
    req: actix_web::HttpRequest,
    body: web::Json<TableSpec>,
) -> Result<HttpResponse, ApiError> {
    let spec = body.into_inner();
    let table = state.lobby.open_table(&spec).map_err(|e| match e {
        OpenError::Exists(_) => ApiError::new(StatusCode::CONFLICT, e.code(), e.to_string()),
        OpenError::TooManySessions(_) | OpenError::Rng(_) => ApiError::internal(e),
        _ => ApiError::bad_request(e.code(), e.to_string()),
    })?;
    tracing::info!(operator = caller.id, table_id = %table.id, game = table.game, "table opened");
    let listing = TableListing::from(&table);
    let detail = json!({ "game": listing.game, "config": listing.config });
    let line = super::console::audit(&state, &caller, &req, "table.open", format!("table:{}", table.id), &detail);
    if let Err(e) = state.store.audit(&line).await {
        // The table is open and stays open; the missing line is an alert, not a silence.
        tracing::error!(table_id = %table.id, %e, "table opened but its audit line was not written");
        return Err(ApiError::internal(e));
    }
    Ok(HttpResponse::Created().json(listing))
}

/// `?limit=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Limit {
    limit: Option<u32>,
}

async fn my_rounds(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    query: web::Query<Limit>,
) -> Result<HttpResponse, ApiError> {
    let limit = super::extract::page_limit(query.limit, 50)?;
    let rounds = state.store.rounds_of(caller.id, limit).await?;
    Ok(HttpResponse::Ok().json(json!({ "rounds": rounds })))
}

async fn round(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::RoundNotFound, "no such round of yours");
    let row = state.store.round_record(&id).await?.ok_or_else(not_found)?;
    // Players see their own rounds only; a stranger's round does not exist
    // for them.
    if !crate::roles::allows(caller.role, crate::roles::Permission::ReadAnyRound) && !row.players.contains(&caller.id) {
        return Err(not_found());
    }
    let record: Value = serde_json::from_str(&row.record).map_err(ApiError::internal)?;
    // The config the round was played under, which replaying it needs: its
    // exact bytes (what the record's fingerprint hashes) and parsed.
    let (config, config_text) = match record.get("config").and_then(Value::as_str) {
        Some(hash) => {
            let stored = state.store.game_config(hash).await?;
            let stored =
                stored.ok_or_else(|| ApiError::internal(format!("the config {hash} of a round is not stored")))?;
            (serde_json::from_str::<Value>(&stored.text).map_err(ApiError::internal)?, Value::String(stored.text))
        }
        None => (Value::Null, Value::Null),
    };
    Ok(HttpResponse::Ok().json(json!({
        "round": row.key,
        "table": row.table,
        "game": row.game,
        "created_at": row.created_at,
        "players": row.players,
        "record": record,
        "config": config,
        "config_text": config_text,
    })))
}

async fn fairness(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    let fair = &state.lobby.deps().fairness;
    let current = fair.ensure(caller.id).await.map_err(ApiError::internal)?;
    let revealed: Vec<Value> = state
        .store
        .fair_seeds_of(caller.id, 20)
        .await?
        .into_iter()
        .filter(|s| s.revealed_at.is_some())
        .map(|s| {
            json!({
                "commitment": s.commitment,
                "server_seed": s.seed,
                "client_seed": s.client_seed,
                "created_at": s.created_at,
                "revealed_at": s.revealed_at,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "current": current, "revealed": revealed })))
}

/// `{"client_seed": "..."}` (optional)
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rotate {
    client_seed: Option<String>,
}

async fn rotate(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    body: web::Json<Rotate>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let client_seed = body.client_seed.map(ClientSeed::new).transpose().map_err(|_| {
        ApiError::bad_request(
            ErrorCode::InvalidClientSeed,
            "a client seed is 1 to 64 printable ASCII characters, no spaces",
        )
    })?;
    let fair = &state.lobby.deps().fairness;
    let (revealed, current) = fair.rotate(caller.id, client_seed).await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(json!({ "revealed": revealed, "current": current })))
}
