//! `/v1/games`: the games this server deals and how each is played, with a
//! single-player game's session config (every key filled in), so a client
//! can draw a slot machine's symbols and paylines before the first spin;
//! and each game's JSON Schemas (`/v1/games/{id}/schema`), from which the
//! web client draws a game that has no view of its own.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use actix_web::http::StatusCode;
use croupier_protocol::ErrorCode;

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::play::Kind;
use crate::state::AppState;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/games", web::get().to(list)).route("/games/{id}/schema", web::get().to(schema));
}

#[derive(Debug, Serialize)]
struct GameListing {
    id: &'static str,
    summary: &'static str,
    /// `table` or `session`.
    kind: &'static str,
    /// A session game's config; `null` for a table game (each table has its own).
    config: Option<Value>,
}

async fn list(state: web::Data<AppState>, _caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    let mut games = Vec::new();
    for game in state.lobby.games() {
        let Some(kind) = game.kind else { continue };
        let config = match kind {
            Kind::Table => None,
            Kind::Session => {
                let configured =
                    state.settings.sessions.get(game.id).cloned().unwrap_or_else(|| Value::Object(Default::default()));
                // Checked at start, so a refusal here is the server's fault.
                Some(
                    (game.check)(&configured)
                        .map_err(|e| ApiError::internal(format!("[sessions.{}]: {e}", game.id)))?,
                )
            }
        };
        games.push(GameListing { id: game.id, summary: game.summary, kind: kind.label(), config });
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "games": games })))
}

/// A game's schema document and its root types (`crate::schema::Document`).
async fn schema(
    state: web::Data<AppState>,
    _caller: Authenticated<AnyRole>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = |message: String| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownGame, message);
    let Some(game) = state.lobby.games().iter().find(|g| g.id == id.as_str() && g.kind.is_some()) else {
        return Err(not_found(format!("no game {:?} plays here (GET /v1/games lists them)", id.as_str())));
    };
    let Some(document) = crate::schema::of_game(game.id) else {
        return Err(not_found(format!(
            "{} publishes no schema (its types are not in the server's schema list)",
            game.id
        )));
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "game": game.id,
        "roots": document.roots,
        "schema": document.schema,
    })))
}
