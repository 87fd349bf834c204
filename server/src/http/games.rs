//! `/v1/games`: the games this server deals and how each is played, with a
//! single-player game's session config (every key filled in), so a client
//! can draw a slot machine's symbols and paylines before the first spin.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::play::Kind;
use crate::state::AppState;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/games", web::get().to(list));
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
