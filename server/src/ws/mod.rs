//! Real-time play over `/v1/ws`: the HTTP upgrade and the [`connection`]
//! actor (one per socket), which hands requests to tables and sessions;
//! who is connected is kept in the request state's
//! [`crate::clients::Registry`]. This module never holds game or money
//! logic.

pub mod connection;
pub mod heartbeat;
pub mod outbound;
pub mod watch;

use actix::Actor;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::state::AppState;
use connection::Connection;
use outbound::Outbound;

/// `GET /v1/ws`: upgrades and starts a [`Connection`].
///
/// # Errors
/// Not a WebSocket handshake (400).
pub async fn connect(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    // actix-ws reads the socket; its writer (a session and a queue of its
    // own) is replaced by our body over the connection's queue.
    let (response, _session, stream) = actix_ws::handle(&req, body)?;
    let ws = &state.settings.ws;
    let stream =
        stream.max_frame_size(ws.max_frame_bytes).aggregate_continuations().max_continuation_size(ws.max_frame_bytes);
    let (out, queue) = tokio::sync::mpsc::channel(ws.outbound_queue);
    let (urgent, urgent_rx) = tokio::sync::oneshot::channel();
    let body = actix_web::body::BodyStream::new(Outbound::new(queue, urgent_rx));
    let id = state.registry.next_id();
    Connection::new(id, state.into_inner(), stream, out, urgent).start();
    Ok(response.set_body(body).map_into_boxed_body())
}
