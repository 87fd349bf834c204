//! Player protection: each player's own deposit, loss and wager limits,
//! their cool-off or self-exclusion and their play-session rules (reality
//! checks, a session time limit: [`session`]), enforced where money moves.
//! Every stake
//! on every table and session passes [`Guard::admit`] before it reaches the
//! wallet (`play::money`), and every deposit [`Guard::deposit_permit`]
//! before the provider is asked (`http::payments`).
//!
//! The guard keeps, per player who has played since the server started,
//! their limits and exclusion and, for a currency with a loss or wager
//! limit, what they wagered and lost per day this month and this week and
//! what they hold in open rounds. It reads them from the ledger (never a
//! second count of the money) and then follows each stake and round close,
//! so a stake costs no database read; the figures are read again every
//! `protection.refresh_secs`, which also bounds how long another node's
//! change goes unseen. They are first read when the player's socket signs
//! in (`ws::connection`), so that a database outage later finds them held;
//! a refresh that the database does not answer in time keeps the copy held.
//! An admitted stake counts at once, before the wallet answers, so two
//! stakes racing cannot both slip under a limit; a refused one is taken
//! back. When the database cannot say and no copy is held, the stake is
//! refused.
//!
//! A stake also needs the identity verification status `kyc.play`; the
//! guard holds the player's status with their rules, and the KYC webhook
//! hands it a new one at once ([`Guard::kyc_changed`]).
//!
//! It must never let a stake through that a limit in force forbids, and
//! never read or decide an outcome.

pub mod session;
mod usage;

use std::collections::HashMap;
use std::sync::Arc;

use croupier_protocol::ErrorCode;
use dashmap::DashMap;

use croupier_protocol::SessionPlay;

use crate::kyc::{Level, Status};
use crate::limits::{DAY_MS, Exclusion, ExclusionKind, Limit, LimitKind, Period, SessionRules};
use crate::store::{RoundClose, Store, StoreError};
use session::Sessions;
use usage::Usage;

pub use crate::limits::{MAX_INTERVAL_SECS, ProtectionSettings};

/// A stake the guard is asked to let through.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// Whose.
    pub player: i64,
    /// In which currency.
    pub currency: &'a str,
    /// The wallet round.
    pub round: &'a str,
    /// Minor units.
    pub amount: i64,
}

/// An admitted stake under a limit, to be answered with
/// [`Guard::answered`] once the wallet has.
#[derive(Debug)]
pub struct Ticket {
    player: i64,
    currency: String,
    round: String,
    amount: i64,
    day: i64,
}

/// What the guard holds of one player.
#[derive(Debug)]
struct Player {
    loaded_at: i64,
    /// Bumped by every change to the figures, so a reload that raced with
    /// one is not taken.
    generation: u64,
    /// Stakes admitted and not yet answered.
    inflight: u32,
    limits: Vec<Limit>,
    exclusion: Option<Exclusion>,
    session: SessionRules,
    /// Their identity verification status (`none` when `kyc.play` is).
    kyc: Status,
    /// Per currency with a loss or wager limit.
    usage: HashMap<String, Usage>,
}

impl Player {
    /// The session time limit in force at `now`, in milliseconds.
    fn session_limit_ms(&self, now: i64) -> Option<i64> {
        self.session.limit.in_force(now).map(|secs| secs.saturating_mul(1000))
    }

    /// The loss and wager limits in force in `currency` at `now`.
    fn play_limits(&self, currency: &str, now: i64) -> Vec<(LimitKind, Period, i64)> {
        self.limits
            .iter()
            .filter(|l| l.currency == currency && l.kind != LimitKind::Deposit)
            .filter_map(|l| l.in_force(now).map(|amount| (l.kind, l.period, amount)))
            .collect()
    }
}

/// The refusal an exclusion in force gives.
pub fn excluded(e: &Exclusion) -> ErrorCode {
    match e.kind {
        ExclusionKind::CoolOff => ErrorCode::CoolingOff,
        ExclusionKind::SelfExclusion => ErrorCode::SelfExcluded,
    }
}

/// The currencies whose play `limits` cap (now or once a change waits).
fn play_currencies(limits: &[Limit]) -> Vec<String> {
    let mut out: Vec<String> = limits
        .iter()
        .filter(|l| l.kind != LimitKind::Deposit && (l.cap.amount.is_some() || l.cap.pending.is_some()))
        .map(|l| l.currency.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The first moment the figures must cover at `now`: the earlier of this
/// week's and this month's start.
pub fn window_start(now: i64) -> i64 {
    Period::Week.start(now).min(Period::Month.start(now))
}

/// Player protection where money moves; see the module.
pub struct Guard {
    store: Arc<dyn Store>,
    refresh_ms: i64,
    /// For a player who chose none; 0: none.
    reality_check_ms: i64,
    /// The least identity verification status a stake needs.
    kyc_play: Level,
    sessions: Sessions,
    players: DashMap<i64, Player>,
    /// Open rounds holding a followed player's stakes: round to (player,
    /// currency).
    rounds: DashMap<String, Vec<(i64, String)>>,
    /// One deposit check at a time per player.
    deposits: DashMap<i64, Arc<tokio::sync::Mutex<()>>>,
}

impl Guard {
    /// A guard over `store`'s limits and ledger; a stake needs the
    /// verification status `kyc_play`.
    pub fn new(store: Arc<dyn Store>, settings: &ProtectionSettings, kyc_play: Level) -> Self {
        let ms = |secs: u64| i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        Self {
            store,
            refresh_ms: ms(settings.refresh_secs),
            reality_check_ms: ms(settings.reality_check_secs),
            kyc_play,
            sessions: Sessions::new(ms(settings.session_break_secs)),
            players: DashMap::new(),
            rounds: DashMap::new(),
            deposits: DashMap::new(),
        }
    }

    /// Lets `claim` through, counting it at once, or refuses it with the
    /// code to send: `self_excluded`, `cooling_off`, `kyc_required`, `session_limit_reached`,
    /// `wager_limit_reached`, `loss_limit_reached`, or `wallet_unavailable` when the database
    /// cannot say in three tries. `Some(ticket)` when a limit follows it.
    pub async fn admit(&self, claim: &Claim<'_>, now: i64) -> Result<Option<Ticket>, ErrorCode> {
        // As a stake the database fails to take: three tries, then refused
        // (the table tells the player `pending` meanwhile).
        let mut wait = std::time::Duration::from_millis(100);
        for tried in 1..=3 {
            match self.ensure(claim.player, claim.currency, now).await {
                Ok(()) => break,
                Err(e) if tried < 3 => {
                    tracing::warn!(player_id = claim.player, %e, "protection rules unavailable: asking again");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(e) => {
                    tracing::warn!(player_id = claim.player, %e, "protection rules unavailable: stake refused");
                    return Err(ErrorCode::WalletUnavailable);
                }
            }
        }
        let ticket = {
            let Some(mut p) = self.players.get_mut(&claim.player) else { return Err(ErrorCode::WalletUnavailable) };
            if let Some(e) = p.exclusion.filter(|e| e.active(now)) {
                return Err(excluded(&e));
            }
            if !p.kyc.meets(self.kyc_play) {
                return Err(ErrorCode::KycRequired);
            }
            let session = self.sessions.at(claim.player, p.session_limit_ms(now), now);
            if session.is_some_and(|s| s.resume_at.is_some()) {
                return Err(ErrorCode::SessionLimitReached);
            }
            let limits = p.play_limits(claim.currency, now);
            if limits.is_empty() {
                return Ok(None);
            }
            let Some(usage) = p.usage.get_mut(claim.currency) else { return Err(ErrorCode::WalletUnavailable) };
            usage.check(&limits, claim.amount, now)?;
            usage.stake(claim.round, claim.amount, now);
            p.inflight += 1;
            p.generation += 1;
            Ticket {
                player: claim.player,
                currency: claim.currency.to_owned(),
                round: claim.round.to_owned(),
                amount: claim.amount,
                day: crate::limits::day_of(now),
            }
        };
        self.follow(&ticket.round, ticket.player, &ticket.currency);
        Ok(Some(ticket))
    }

    /// The wallet's answer to an admitted stake: a refused one is taken
    /// back out of the figures.
    pub fn answered(&self, ticket: Ticket, held: bool) {
        if let Some(mut p) = self.players.get_mut(&ticket.player) {
            p.inflight = p.inflight.saturating_sub(1);
            p.generation += 1;
            if !held && let Some(u) = p.usage.get_mut(&ticket.currency) {
                u.unstake(&ticket.round, ticket.amount, ticket.day);
            }
        }
    }

    /// A round's money has closed: the stakes it held are lost (less what
    /// it paid each player) or given back.
    pub fn closed(&self, round: &str, close: &RoundClose, now: i64) {
        let Some((_, mut who)) = self.rounds.remove(round) else { return };
        who.sort();
        who.dedup();
        for (player, currency) in who {
            if let Some(mut p) = self.players.get_mut(&player) {
                p.generation += 1;
                if let Some(u) = p.usage.get_mut(&currency) {
                    u.close(round, player, close, now);
                }
            }
        }
    }

    /// Takes `player`'s new rules at once (the figures stay; a currency
    /// newly limited has its figures read at the next stake).
    pub fn changed(&self, player: i64, limits: Vec<Limit>, exclusion: Option<Exclusion>, session: SessionRules) {
        if let Some(mut p) = self.players.get_mut(&player) {
            p.limits = limits;
            p.exclusion = exclusion;
            p.session = session;
            p.generation += 1;
        }
    }

    /// `player`'s identity verification status is now `status`.
    pub fn kyc_changed(&self, player: i64, status: Status) {
        if let Some(mut p) = self.players.get_mut(&player) {
            p.kyc = status;
        }
    }

    /// Forgets what it can read again at `now`: players with no stake in
    /// flight whose copy is older than `protection.refresh_secs`, play
    /// sessions that are over, deposit locks no one holds. The server calls
    /// it every minute, so a long-running node does not keep every player
    /// it ever saw.
    pub fn sweep(&self, now: i64) {
        self.players.retain(|_, p| p.inflight > 0 || now.saturating_sub(p.loaded_at) < self.refresh_ms);
        self.sessions.sweep(now);
        self.deposits.retain(|_, lock| Arc::strong_count(lock) > 1);
    }

    /// A socket of `player` signed in.
    pub fn connected(&self, player: i64, now: i64) {
        self.sessions.connected(player, now);
    }

    /// A socket of `player` went.
    pub fn disconnected(&self, player: i64, now: i64) {
        self.sessions.disconnected(player, now);
    }

    /// `player`'s play session at `now` and their reality-check interval
    /// (ms), reading their rules if the guard has none.
    ///
    /// # Errors
    /// The database's.
    pub async fn session(&self, player: i64, now: i64) -> Result<Option<(session::Now, Option<i64>)>, StoreError> {
        self.ensure(player, "", now).await?;
        let Some(p) = self.players.get(&player) else { return Ok(None) };
        let every = p.session.reality_check_secs.map_or(self.reality_check_ms, |s| s.saturating_mul(1000));
        let limit = p.session_limit_ms(now);
        drop(p);
        Ok(self.sessions.at(player, limit, now).map(|n| (n, Some(every).filter(|e| *e > 0))))
    }

    /// What `player` staked and won, per currency, from `since` on.
    ///
    /// # Errors
    /// The database's.
    pub async fn play_since(&self, player: i64, since: i64) -> Result<Vec<SessionPlay>, StoreError> {
        let mut out = Vec::new();
        for balance in self.store.balances(player).await? {
            let usage = self.store.play_usage(player, &balance.currency, since).await?;
            let (wagered, lost) = usage.days.iter().fold((0, 0), |(w, l), d| (w + d.wagered, l + d.lost));
            if wagered != 0 || lost != 0 {
                out.push(SessionPlay { currency: balance.currency, wagered, net: -lost });
            }
        }
        Ok(out)
    }

    /// Checks a deposit of `amount` against `player`'s exclusion and
    /// deposit limits, read from the database; the permit it returns must
    /// be held until the deposit is recorded, so that two deposits racing
    /// are checked one after the other.
    ///
    /// # Errors
    /// `self_excluded`, `cooling_off` or `deposit_limit_reached`, or the
    /// database's error.
    pub async fn deposit_permit(
        &self,
        player: i64,
        currency: &str,
        amount: i64,
        now: i64,
    ) -> Result<Result<tokio::sync::OwnedMutexGuard<()>, ErrorCode>, StoreError> {
        let lock = self.deposits.entry(player).or_default().clone();
        let permit = lock.lock_owned().await;
        if let Some(e) = self.store.exclusion_of(player).await?.filter(|e| e.active(now)) {
            return Ok(Err(excluded(&e)));
        }
        for limit in self.store.limits_of(player).await? {
            let Some(cap) = limit.in_force(now) else { continue };
            if limit.kind != LimitKind::Deposit || limit.currency != currency {
                continue;
            }
            let used = self.store.deposited_since(player, currency, limit.period.start(now)).await?;
            if used.saturating_add(amount) > cap {
                return Ok(Err(ErrorCode::DepositLimitReached));
            }
        }
        Ok(Ok(permit))
    }

    /// What `player` has used of a limit of `kind` over `period` in
    /// `currency` at `now`, from the database.
    ///
    /// # Errors
    /// The database's.
    pub async fn used(
        &self,
        player: i64,
        (kind, period, currency): (LimitKind, Period, &str),
        now: i64,
    ) -> Result<i64, StoreError> {
        let since = period.start(now);
        if kind == LimitKind::Deposit {
            return self.store.deposited_since(player, currency, since).await;
        }
        let mut usage = Usage::from(self.store.play_usage(player, currency, since).await?);
        Ok(usage.used(kind, period, now))
    }

    fn follow(&self, round: &str, player: i64, currency: &str) {
        let mut who = self.rounds.entry(round.to_owned()).or_default();
        if !who.iter().any(|(p, c)| *p == player && c == currency) {
            who.push((player, currency.to_owned()));
        }
    }

    /// Reads `player`'s rules (and figures) when the guard has none (a
    /// database that cannot answer then refuses the stake: nothing says the
    /// player may play), or `currency` is newly limited; and again when
    /// they are older than `protection.refresh_secs` with no stake in
    /// flight, waiting [`REFRESH_WAIT`] at most for that: a database that
    /// is slow or down then leaves the stake to the wallet with the copy
    /// held, as it was before the refresh fell due.
    async fn ensure(&self, player: i64, currency: &str, now: i64) -> Result<(), StoreError> {
        let stale = |p: &Player| p.inflight == 0 && now.saturating_sub(p.loaded_at) >= self.refresh_ms;
        let generation = match self.players.get(&player) {
            None => return self.load(player, None, now).await,
            Some(p) if stale(&p) => p.generation,
            Some(p) if !p.usage.contains_key(currency) && !p.play_limits(currency, now).is_empty() => {
                drop(p);
                return self.load_usage(player, currency, now).await;
            }
            Some(_) => return Ok(()),
        };
        match tokio::time::timeout(REFRESH_WAIT, self.load(player, Some(generation), now)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(player_id = player, %e, "protection rules not read again: the copy held binds")
            }
            Err(_) => {
                tracing::warn!(player_id = player, "protection rules not read again in time: the copy held binds")
            }
        }
        Ok(())
    }

    /// Reads `player`'s figures in `currency`, newly limited.
    async fn load_usage(&self, player: i64, currency: &str, now: i64) -> Result<(), StoreError> {
        let usage = Usage::from(self.store.play_usage(player, currency, window_start(now)).await?);
        let open: Vec<String> = usage.open_rounds().cloned().collect();
        if let Some(mut p) = self.players.get_mut(&player) {
            p.usage.entry(currency.to_owned()).or_insert(usage);
        }
        for round in open {
            self.follow(&round, player, currency);
        }
        Ok(())
    }

    /// Reads `player`'s rules and figures, replacing the copy held if it is
    /// still the one of `generation` (`None`: there was none).
    async fn load(&self, player: i64, generation: Option<u64>, now: i64) -> Result<(), StoreError> {
        let limits = self.store.limits_of(player).await?;
        let exclusion = self.store.exclusion_of(player).await?;
        let session = self.store.session_rules_of(player).await?;
        let kyc = if self.kyc_play == Level::None { Status::None } else { self.store.kyc_status(player).await? };
        let mut usage = HashMap::new();
        for c in play_currencies(&limits) {
            usage.insert(c.clone(), Usage::from(self.store.play_usage(player, &c, window_start(now)).await?));
        }
        let fresh = Player { loaded_at: now, generation: 0, inflight: 0, limits, exclusion, session, kyc, usage };
        let open: Vec<(String, String)> =
            fresh.usage.iter().flat_map(|(c, u)| u.open_rounds().map(move |r| (r.clone(), c.clone()))).collect();
        match self.players.entry(player) {
            dashmap::mapref::entry::Entry::Vacant(v) => {
                v.insert(fresh);
            }
            dashmap::mapref::entry::Entry::Occupied(mut o) => {
                let p = o.get_mut();
                if Some(p.generation) == generation && p.inflight == 0 {
                    *p = Player { generation: p.generation + 1, ..fresh };
                } else {
                    // The figures moved while they were read: keep ours and
                    // take only the rules, trying again next time.
                    p.limits = fresh.limits;
                    p.exclusion = fresh.exclusion;
                    p.session = fresh.session;
                    p.kyc = fresh.kyc;
                    return Ok(());
                }
            }
        }
        for (round, c) in open {
            self.follow(&round, player, &c);
        }
        Ok(())
    }
}

/// The longest a stake waits for a due refresh of its player's rules.
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// Milliseconds in `days` days.
pub fn days_ms(days: u32) -> i64 {
    i64::from(days) * DAY_MS
}
