//! Real-time play over `/v1/ws`: the HTTP upgrade and the [`connection`]
//! actor (one per socket); who is connected is kept in
//! [`crate::clients::Registry`]. Tables and
//! sessions plug in here as they land; this module never holds game or money
//! logic.

pub mod connection;

use std::sync::Arc;

use actix::Actor;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::clients::Registry;
use crate::state::AppState;
use connection::Connection;

/// `GET /v1/ws`: upgrades and starts a [`Connection`].
///
/// # Errors
/// Not a WebSocket handshake (400).
pub async fn connect(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    registry: web::Data<Arc<Registry>>,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let ws = &state.settings.ws;
    let stream =
        stream.max_frame_size(ws.max_frame_bytes).aggregate_continuations().max_continuation_size(ws.max_frame_bytes);
    let registry = registry.get_ref().clone();
    let id = registry.next_id();
    Connection::new(id, state.into_inner(), registry, session, stream).start();
    Ok(response)
}
