//! One virtual player: a real WebSocket to `/v1/ws`, the real protocol, and
//! one scenario's behaviour — betting every roulette round, playing
//! blackjack hands by basic strategy, spinning slots at a rate, chatting,
//! or idling on heartbeats. It measures what a player would feel (connect
//! time, request → reply, own action → its broadcast, round length) into its
//! own [`Stats`], and stops by itself at the deadline: it stops acting,
//! waits briefly for answers still due, stands up or closes its session and
//! says goodbye with a normal close.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use croupier_blackjack::cards::value;
use croupier_blackjack::{Action, Event as BjEvent, Hand};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpSocket;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::stats::{Live, Stats};
use crate::{Account, Scenario};

/// How long a player waits at the end for answers still due.
const DRAIN: Duration = Duration::from_secs(5);
/// How often an idle player sends an application ping.
const IDLE_PING: Duration = Duration::from_secs(10);

/// Where and how one player plays.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What it does.
    pub scenario: Scenario,
    /// Its table (table scenarios) and seat.
    pub table: Option<(String, u8)>,
    /// The stake per bet (table's minimum) or per slots line.
    pub stake: i64,
    /// Actions per second for slots and chat (0 = as fast as answers come).
    pub rate: f64,
    /// Per-player seed for the choice of bets.
    pub seed: u64,
    /// Local address to connect from.
    pub source: std::net::IpAddr,
    /// When it connects, after the run's start.
    pub delay: Duration,
}

/// A request in flight: its kind and when it left.
struct Pending {
    kind: &'static str,
    sent: Instant,
}

/// An action whose broadcast the player expects.
struct Expect {
    kind: &'static str,
    sent: Instant,
    ok: Option<bool>,
    seen: bool,
}

struct Conn {
    ws: WebSocketStream<tokio::net::TcpStream>,
    next_id: u64,
    pending: BTreeMap<u64, Pending>,
    expects: BTreeMap<u64, Expect>,
    stats: Stats,
    live: Arc<Live>,
}

impl Conn {
    async fn send(&mut self, mut msg: Value, kind: &'static str, expects: bool) -> Result<u64, String> {
        self.next_id += 1;
        let id = self.next_id;
        msg["id"] = json!(id);
        let now = Instant::now();
        self.pending.insert(id, Pending { kind, sent: now });
        if expects {
            self.expects.insert(id, Expect { kind, sent: now, ok: None, seen: false });
        }
        self.stats.counts.sent += 1;
        Live::bump(&self.live.sent);
        self.ws.send(Message::text(msg.to_string())).await.map_err(|e| e.to_string())?;
        Ok(id)
    }

    /// A reply: latency by kind, errors counted; `Some(ok)` for a request
    /// of ours.
    fn reply(&mut self, m: &Value) -> Option<(&'static str, bool, String)> {
        let re = m["re"].as_u64()?;
        if m["type"] == "pending" {
            // The answer is late (the wallet has not confirmed a stake): it
            // follows with the same `re`. Reported under its code.
            self.error(m["code"].as_str().unwrap_or("pending"));
            return None;
        }
        let p = self.pending.remove(&re)?;
        let ok = m["type"] != "error";
        self.stats.record(reply_name(p.kind), p.sent.elapsed());
        let code = m["code"].as_str().unwrap_or_default().to_owned();
        if let Some(e) = self.expects.get_mut(&re) {
            if ok {
                e.ok = Some(true);
            } else {
                self.expects.remove(&re);
            }
        }
        Some((p.kind, ok, code))
    }

    /// The player's own broadcast of kind `kind` arrived: it belongs to
    /// the oldest such action not yet seen.
    fn seen(&mut self, kind: &'static str) {
        let found = self.expects.values_mut().find(|e| e.kind == kind && !e.seen && e.ok != Some(false));
        match found {
            Some(e) => {
                e.seen = true;
                let latency = e.sent.elapsed();
                self.stats.record(broadcast_name(kind), latency);
            }
            None => self.stats.error("unexpected_broadcast"),
        }
    }

    fn error(&mut self, code: &str) {
        self.stats.error(code);
        Live::bump(&self.live.errors);
    }

    /// Settles the books of expectations at the end.
    fn finish(&mut self) {
        for (_, e) in std::mem::take(&mut self.expects) {
            if e.ok == Some(true) {
                self.stats.counts.expected_broadcasts += 1;
                self.stats.counts.received_broadcasts += u64::from(e.seen);
            }
        }
        let unanswered = self.pending.len();
        for _ in 0..unanswered {
            self.error("no_reply");
        }
        self.pending.clear();
    }

    fn quiet(&self) -> bool {
        self.pending.is_empty() && self.expects.values().all(|e| e.seen || e.ok == Some(false))
    }
}

fn reply_name(kind: &'static str) -> &'static str {
    match kind {
        "bet" => "reply.bet",
        "spin" => "reply.spin",
        "chat" => "reply.chat",
        "decision" => "reply.decision",
        "ping" => "reply.ping",
        "sit" => "reply.sit",
        "join" => "reply.join",
        "auth" => "reply.auth",
        "open" => "reply.open",
        _ => "reply.other",
    }
}

fn broadcast_name(kind: &'static str) -> &'static str {
    match kind {
        "bet" => "broadcast.bet",
        "spin" => "broadcast.spin",
        "chat" => "broadcast.chat",
        _ => "broadcast.other",
    }
}

/// A small generator for the shape of play (not for outcomes: those are
/// the server's certified RNG).
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Whether a player of `scenario` has a timed action to wake for: a spin
/// once the last one is answered (and the session open), a chat line, an
/// idle ping. Table players only answer what the table sends, so they sleep
/// until a frame or the end of the run; waking them every millisecond
/// instead would spend the load tool's CPU (the cores it shares with the
/// server) on timers.
fn has_timed_action(scenario: Scenario, spinning: bool, session_open: bool) -> bool {
    match scenario {
        Scenario::Slots => session_open && !spinning,
        Scenario::Chat | Scenario::Idle => true,
        Scenario::Roulette | Scenario::Blackjack | Scenario::Mixed => false,
    }
}

fn roulette_bet(table: &str, amount: i64, seed: &mut u64) -> Value {
    let spot = match next(seed) % 5 {
        0 => json!({ "type": "red" }),
        1 => json!({ "type": "black" }),
        2 => json!({ "type": "odd" }),
        3 => json!({ "type": "even" }),
        _ => json!({ "type": "straight", "number": next(seed) % 37 }),
    };
    json!({ "type": "act", "table": table, "action": { "type": "bet", "spot": spot, "amount": amount } })
}

/// Connects from `plan.source`, reads `hello`, authenticates.
async fn connect(addr: SocketAddr, url: &str, account: &Account, plan: &Plan, live: Arc<Live>) -> Result<Conn, String> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }.map_err(|e| e.to_string())?;
    if addr.ip().is_loopback() && plan.source.is_ipv4() == addr.is_ipv4() {
        socket.bind(SocketAddr::new(plan.source, 0)).map_err(|e| format!("binding {}: {e}", plan.source))?;
    }
    let stream = socket.connect(addr).await.map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (ws, _) = tokio_tungstenite::client_async(url, stream).await.map_err(|e| e.to_string())?;
    let mut conn =
        Conn { ws, next_id: 0, pending: BTreeMap::new(), expects: BTreeMap::new(), stats: Stats::default(), live };
    let hello = read_json(&mut conn).await.ok_or("no hello")?;
    if hello["type"] != "hello" {
        return Err(format!("expected hello, got {hello}"));
    }
    conn.send(json!({ "type": "auth", "token": account.token }), "auth", false).await?;
    let authed = read_json(&mut conn).await.ok_or("no answer to auth")?;
    conn.reply(&authed);
    if authed["type"] != "authed" {
        return Err(format!("auth refused: {}", authed["code"].as_str().unwrap_or("?")));
    }
    Ok(conn)
}

/// The next JSON text message (pings are answered by the library).
async fn read_json(conn: &mut Conn) -> Option<Value> {
    loop {
        match conn.ws.next().await? {
            Ok(Message::Text(text)) => {
                conn.stats.counts.received += 1;
                Live::bump(&conn.live.received);
                return serde_json::from_str(&text).ok();
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Blackjack bookkeeping for one seat.
#[derive(Default)]
struct Seat {
    hands: Vec<Hand>,
    up: Option<croupier_blackjack::cards::Card>,
    betting: bool,
}

/// Plays `plan` as `account` until `until`; returns what it measured.
pub async fn play(
    addr: SocketAddr,
    url: String,
    account: Account,
    plan: Plan,
    until: Instant,
    live: Arc<Live>,
) -> Stats {
    let started = Instant::now();
    let mut conn = match connect(addr, &url, &account, &plan, live.clone()).await {
        Ok(c) => c,
        Err(e) => {
            let mut stats = Stats::default();
            stats.error(if e.starts_with("auth refused") { "auth_refused" } else { "connect_failed" });
            Live::bump(&live.errors);
            return stats;
        }
    };
    conn.stats.record("connect", started.elapsed());
    Live::bump(&live.connected);
    let result = drive(&mut conn, &account, &plan, until).await;
    live.connected.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    if let Err(code) = result {
        conn.stats.disconnect(&code);
        Live::bump(&live.errors);
    }
    conn.finish();
    conn.stats
}

/// The scenario loop. `Err(close code)` when the server hung up first.
async fn drive(conn: &mut Conn, account: &Account, plan: &Plan, until: Instant) -> Result<(), String> {
    let mut seed = plan.seed | 1;
    let table = plan.table.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
    let my_seat = plan.table.as_ref().map_or(0, |(_, s)| *s);
    let mut session: Option<String> = None;
    let mut bj = Seat::default();
    let mut last_round: Option<Instant> = None;
    let mut spinning = false;
    let interval = if plan.rate > 0.0 { Duration::from_secs_f64(1.0 / plan.rate) } else { Duration::ZERO };
    let mut next_action = Instant::now();
    match plan.scenario {
        Scenario::Roulette | Scenario::Blackjack => {
            conn.send(json!({ "type": "sit", "table": table, "seat": my_seat }), "sit", false).await?;
        }
        Scenario::Chat => {
            conn.send(json!({ "type": "join", "table": table }), "join", false).await?;
        }
        Scenario::Slots => {
            conn.send(json!({ "type": "session.open", "game": "slots" }), "open", false).await?;
        }
        Scenario::Idle | Scenario::Mixed => {}
    }
    let mut ending = false;
    let mut end_by = until + DRAIN;
    loop {
        let now = Instant::now();
        if !ending && now >= until {
            ending = true;
            end_by = now + DRAIN;
        }
        if ending && (conn.quiet() || now >= end_by) {
            break;
        }
        // Timed actions: slots spins, chat lines, idle pings.
        if !ending && now >= next_action {
            match plan.scenario {
                Scenario::Slots if !spinning => {
                    if let Some(s) = &session {
                        let spin = json!({ "type": "act", "session": s, "action": { "type": "spin", "line_bet": plan.stake } });
                        conn.send(spin, "spin", true).await?;
                        spinning = true;
                        next_action = now + interval;
                    }
                }
                Scenario::Chat => {
                    let line = format!("load line {}", next(&mut seed) % 1000);
                    conn.send(json!({ "type": "chat", "table": table, "text": line }), "chat", true).await?;
                    next_action = now + interval.max(Duration::from_millis(100));
                }
                Scenario::Idle => {
                    conn.send(json!({ "type": "ping" }), "ping", false).await?;
                    next_action = now + IDLE_PING;
                }
                _ => {}
            }
        }
        let timed = has_timed_action(plan.scenario, spinning, session.is_some());
        let wait = if ending {
            end_by
        } else if timed {
            next_action.max(now + Duration::from_millis(1)).min(until)
        } else {
            until
        };
        let frame = tokio::time::timeout_at(wait.into(), conn.ws.next()).await;
        let Ok(frame) = frame else { continue };
        let m = match frame {
            Some(Ok(Message::Text(text))) => {
                conn.stats.counts.received += 1;
                Live::bump(&conn.live.received);
                match serde_json::from_str::<Value>(&text) {
                    Ok(m) => m,
                    Err(_) => {
                        conn.error("bad_json");
                        continue;
                    }
                }
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(frame.map_or("close".to_owned(), |f| u16::from(f.code).to_string()));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err("eof".to_owned()),
        };
        if let Some((kind, ok, code)) = conn.reply(&m) {
            let seated_already = kind == "sit" && code == "already_seated";
            if !ok && !seated_already {
                conn.error(&code);
            }
            if kind == "spin" && !ok {
                spinning = false;
            }
            if kind == "decision" && !ok && code != "rate_limited" {
                // Not allowed after all: stand instead, once (a refused stand
                // is not sent again; the turn clock stands for the player).
                let stand = json!({ "type": "act", "table": table, "action": { "type": "stand" } });
                conn.send(stand, "fallback", false).await?;
            }
            if m["type"] == "session" {
                session = m["session"].as_str().map(str::to_owned);
                next_action = Instant::now();
            }
            continue;
        }
        match m["type"].as_str() {
            Some("chat") if m["from"] == account.username.as_str() => conn.seen("chat"),
            Some("event") => {
                let event = &m["event"];
                let kind = event["type"].as_str().unwrap_or_default();
                match plan.scenario {
                    Scenario::Roulette => match kind {
                        "betting_open" => {
                            conn.stats.counts.rounds += 1;
                            if let Some(t) = last_round.replace(Instant::now()) {
                                conn.stats.record("round.roulette", t.elapsed());
                            }
                            if !ending {
                                let bet = roulette_bet(&table, plan.stake, &mut seed);
                                conn.send(bet, "bet", true).await?;
                            }
                        }
                        "bet_accepted" if event["player"] == account.player => conn.seen("bet"),
                        _ => {}
                    },
                    Scenario::Blackjack => {
                        blackjack(conn, &mut bj, &m, &table, my_seat, plan.stake, ending, &mut last_round).await?
                    }
                    Scenario::Slots if kind == "spun" && session.as_deref() == m["table"].as_str() => {
                        conn.seen("spin");
                        spinning = false;
                    }
                    _ => {}
                }
            }
            Some("closing") => conn.error(m["code"].as_str().unwrap_or("closing")),
            _ => {}
        }
    }
    // Leave cleanly: stand up or close the session, then a normal close.
    match (&plan.scenario, &session) {
        (Scenario::Slots, Some(s)) => {
            let _ = conn.send(json!({ "type": "session.close", "session": s }), "close", false).await;
        }
        (Scenario::Roulette | Scenario::Blackjack, _) => {
            let _ = conn.send(json!({ "type": "stand", "table": table }), "stand", false).await;
        }
        _ => {}
    }
    // Answers to the goodbyes are not waited for.
    conn.pending.retain(|_, p| p.kind != "close" && p.kind != "stand");
    let close = CloseFrame { code: CloseCode::Normal, reason: "load run over".into() };
    let _ = conn.ws.close(Some(close)).await;
    Ok(())
}

/// One blackjack message for the seat: bet when betting opens, decide by
/// basic strategy on its turn, decline insurance.
#[allow(clippy::too_many_arguments)]
async fn blackjack(
    conn: &mut Conn,
    seat: &mut Seat,
    m: &Value,
    table: &str,
    my_seat: u8,
    stake: i64,
    ending: bool,
    last_round: &mut Option<Instant>,
) -> Result<(), String> {
    let Ok(event) = serde_json::from_value::<BjEvent>(m["event"].clone()) else { return Ok(()) };
    let act = |action: Value| json!({ "type": "act", "table": table, "action": action });
    match event {
        BjEvent::BettingOpen { .. } => {
            conn.stats.counts.rounds += 1;
            if let Some(t) = last_round.replace(Instant::now()) {
                conn.stats.record("round.blackjack", t.elapsed());
            }
            *seat = Seat { betting: !ending, ..Seat::default() };
            if !ending {
                conn.send(act(json!({ "type": "bet", "amount": stake })), "bet", true).await?;
            }
        }
        BjEvent::BetAccepted { seat: s, .. } if s == my_seat => conn.seen("bet"),
        BjEvent::Dealt { seats, dealer_up } => {
            seat.up = Some(dealer_up);
            if let Some((_, cards)) = seats.into_iter().find(|(s, _)| *s == my_seat) {
                seat.hands = vec![Hand { cards, stake, ..empty_hand() }];
            }
        }
        BjEvent::HandUpdated { seat: s, hands } if s == my_seat => seat.hands = hands,
        BjEvent::InsuranceOffered if seat.betting && !seat.hands.is_empty() => {
            conn.send(act(json!({ "type": "insurance", "take": false })), "decision", false).await?;
        }
        BjEvent::Turn { seat: s, hand, .. } if s == my_seat => {
            let (Some(cards), Some(up)) = (seat.hands.get(usize::from(hand)).map(|h| &h.cards), seat.up) else {
                return Ok(());
            };
            let first_two = cards.len() == 2;
            let pair = first_two && value(cards[0]) == value(cards[1]);
            let decision =
                croupier_blackjack::strategy::decide(cards, up, first_two, pair && seat.hands.len() < 4, false);
            let action = match decision {
                Action::Hit => "hit",
                Action::Double => "double",
                Action::Split => "split",
                Action::Surrender => "surrender",
                _ => "stand",
            };
            conn.send(act(json!({ "type": action })), "decision", false).await?;
        }
        _ => {}
    }
    Ok(())
}

fn empty_hand() -> Hand {
    Hand { cards: Vec::new(), stake: 0, split: false, split_aces: false, status: croupier_blackjack::Status::Playing }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_timed_scenarios_wake_for_timers() {
        assert!(!has_timed_action(Scenario::Roulette, false, false), "a roulette player waits for the table");
        assert!(!has_timed_action(Scenario::Blackjack, false, false));
        assert!(has_timed_action(Scenario::Slots, false, true), "the next spin");
        assert!(!has_timed_action(Scenario::Slots, true, true), "a spin is out: wait for its answer");
        assert!(!has_timed_action(Scenario::Slots, false, false), "no session yet");
        assert!(has_timed_action(Scenario::Chat, false, false) && has_timed_action(Scenario::Idle, false, false));
    }
}
