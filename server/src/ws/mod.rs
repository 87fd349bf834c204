//! Real-time play over `/v1/ws`: the HTTP upgrade, the [`connection`] actor
//! (one per socket) and the registry of who is connected. Tables and
//! sessions plug in here as they land; this module never holds game or money
//! logic.

pub mod connection;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix::{Actor, Addr};
use actix_web::{HttpRequest, HttpResponse, web};
use dashmap::DashMap;

use crate::app::AppState;
use connection::Connection;

/// Who is connected: one live connection per player.
#[derive(Debug, Default)]
pub struct Registry {
    players: DashMap<i64, Addr<Connection>>,
    next_conn: AtomicU64,
}

impl Registry {
    /// Tells every signed-in connection the server is restarting and closes
    /// it (1012).
    pub fn restarting(&self) {
        for conn in &self.players {
            conn.do_send(connection::Restarting);
        }
    }

    /// Connections currently authenticated.
    pub fn connected(&self) -> usize {
        self.players.len()
    }

    fn next_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed) + 1
    }
}

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
