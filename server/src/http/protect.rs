//! `/v1/me/protection`, `/v1/me/limits`, `/v1/me/exclusion` and
//! `/v1/me/session`: a player's own limits (deposit, loss and wager, per
//! day, week or month, in one currency), their cool-off or self-exclusion
//! and their play-session rules (reality checks, a session time limit),
//! with what they have used of each limit. The rules are `crate::limits`; the guard that
//! enforces them at every stake and deposit is `crate::protect`, told here
//! of every change so that a tighter limit or an exclusion binds the next
//! stake. Nothing here lets a player shorten an exclusion or loosen a limit
//! before its cooling period has run.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::limits::{Cap, Exclusion, ExclusionKind, Limit, LimitKind, Period, SessionRules};
use crate::protect::{MAX_INTERVAL_SECS, days_ms, excluded};
use crate::state::AppState;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/protection", web::get().to(get_protection))
        .route("/me/limits", web::put().to(put_limit))
        .route("/me/exclusion", web::post().to(post_exclusion))
        .route("/me/session", web::put().to(put_session));
}

/// Tells the guard `player`'s rules as stored now.
async fn tell_guard(state: &AppState, player: i64) -> Result<(), ApiError> {
    let limits = state.store.limits_of(player).await?;
    let exclusion = state.store.exclusion_of(player).await?;
    let session = state.store.session_rules_of(player).await?;
    state.guard.changed(player, limits, exclusion, session);
    Ok(())
}

/// `{"kind", "period", "currency", "amount"}`; `amount: null` removes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitBody {
    kind: String,
    period: String,
    currency: String,
    amount: Option<i64>,
}

/// `{"reality_check_secs", "limit_secs"}`: `null` is the server's default
/// reality check, and no session limit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    reality_check_secs: Option<i64>,
    limit_secs: Option<i64>,
}

/// `{"kind", "days"}`; `days: null` is for good (self-exclusion only).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionBody {
    kind: String,
    days: Option<u32>,
}

/// A limit as sent: the stored one, what is in force, and what is used.
fn limit_json(limit: &Limit, now: i64, used: i64) -> Value {
    json!({
        "kind": limit.kind,
        "period": limit.period,
        "currency": limit.currency,
        "amount": limit.in_force(now),
        "pending": limit.cap.settled(now).pending,
        "used": used,
        "period_start": limit.period.start(now),
    })
}

fn exclusion_json(e: &Exclusion, now: i64) -> Value {
    json!({ "kind": e.kind, "since": e.since, "until": e.until, "active": e.active(now) })
}

async fn get_protection(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(protection_of(&state, caller.id).await?))
}

/// What `GET /v1/me/protection` answers for `player` (the console's player
/// page shows it too).
pub(super) async fn protection_of(state: &AppState, player: i64) -> Result<Value, ApiError> {
    let now = state.now_ms();
    let mut limits = Vec::new();
    for limit in state.store.limits_of(player).await? {
        if limit.in_force(now).is_none() && limit.cap.settled(now).pending.is_none() {
            continue;
        }
        let used = state.guard.used(player, (limit.kind, limit.period, &limit.currency), now).await?;
        limits.push(limit_json(&limit, now, used));
    }
    let exclusion = state.store.exclusion_of(player).await?.filter(|e| e.active(now));
    let rules = state.store.session_rules_of(player).await?;
    Ok(json!({
        "limits": limits,
        "exclusion": exclusion.map(|e| exclusion_json(&e, now)),
        "session": session_json(state, player, &rules, now).await?,
        "raise_cooling_secs": state.settings.protection.raise_cooling_secs,
    }))
}

/// The player's play-session rules, and their session on this node.
async fn session_json(state: &AppState, player: i64, rules: &SessionRules, now: i64) -> Result<Value, ApiError> {
    let default = i64::try_from(state.settings.protection.reality_check_secs).map_err(ApiError::internal)?;
    let current = state.guard.session(player, now).await?.map(|(n, _)| n);
    Ok(json!({
        "reality_check_secs": rules.reality_check_secs.unwrap_or(default),
        "limit_secs": rules.limit.in_force(now),
        "pending": rules.limit.settled(now).pending,
        "started_at": current.map(|n| n.started_at),
        "stops_at": current.and_then(|n| n.stops_at),
        "resume_at": current.and_then(|n| n.resume_at),
    }))
}

async fn put_session(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    body: web::Json<SessionBody>,
) -> Result<HttpResponse, ApiError> {
    let SessionBody { reality_check_secs, limit_secs } = body.into_inner();
    let min = i64::try_from(state.settings.protection.min_interval_secs).map_err(ApiError::internal)?;
    let max = i64::try_from(MAX_INTERVAL_SECS).map_err(ApiError::internal)?;
    let within = |secs: Option<i64>| secs.is_none_or(|s| (min..=max).contains(&s));
    if !within(reality_check_secs.filter(|s| *s != 0)) || !within(limit_secs) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidLimit,
            format!("reality_check_secs (0 for none) and limit_secs must be {min} to {max} seconds, or null"),
        ));
    }
    let cooling_ms = i64::try_from(state.settings.protection.raise_cooling_secs * 1000).map_err(ApiError::internal)?;
    for _ in 0..8 {
        let now = state.now_ms();
        let old = state.store.session_rules_of(caller.id).await?;
        let new = SessionRules { reality_check_secs, limit: old.limit.change(limit_secs, now, cooling_ms) };
        if !state.store.swap_session_rules(caller.id, &old, &new, now).await? {
            continue;
        }
        tell_guard(&state, caller.id).await?;
        state.registry.look_again(caller.id);
        tracing::info!(user_id = caller.id, ?reality_check_secs, limit = ?new.limit, "play-session rules changed");
        return Ok(HttpResponse::Ok().json(session_json(&state, caller.id, &new, now).await?));
    }
    Err(ApiError::internal("play-session rules kept changing under their writer"))
}

async fn put_limit(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    body: web::Json<LimitBody>,
) -> Result<HttpResponse, ApiError> {
    let LimitBody { kind, period, currency, amount } = body.into_inner();
    let invalid = |m: &str| ApiError::bad_request(ErrorCode::InvalidLimit, m.to_owned());
    let kind = LimitKind::parse(&kind).ok_or_else(|| invalid("kind must be deposit, loss or wager"))?;
    let period = Period::parse(&period).ok_or_else(|| invalid("period must be day, week or month"))?;
    if amount.is_some_and(|a| a < 0) {
        return Err(invalid("amount must be 0 or more minor units, or null for no limit"));
    }
    super::wallet::check_currency(&state, &currency)?;
    let cooling_ms = i64::try_from(state.settings.protection.raise_cooling_secs * 1000).map_err(ApiError::internal)?;
    // Compare and set: a change racing with this one makes it read again.
    for _ in 0..8 {
        let now = state.now_ms();
        let limits = state.store.limits_of(caller.id).await?;
        let old = limits.iter().find(|l| l.kind == kind && l.period == period && l.currency == currency);
        let cap = old.map_or(Cap::default(), |l| l.cap).change(amount, now, cooling_ms);
        let new = Limit { kind, period, currency: currency.clone(), cap };
        if !state.store.swap_limit(caller.id, old, &new, now).await? {
            continue;
        }
        tell_guard(&state, caller.id).await?;
        tracing::info!(user_id = caller.id, kind = kind.as_str(), period = period.as_str(), %currency,
            in_force = ?new.in_force(now), pending = ?new.cap.pending, "limit changed");
        let used = state.guard.used(caller.id, (kind, period, &currency), now).await?;
        return Ok(HttpResponse::Ok().json(limit_json(&new, now, used)));
    }
    Err(ApiError::internal("a limit kept changing under its writer"))
}

async fn post_exclusion(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    body: web::Json<ExclusionBody>,
) -> Result<HttpResponse, ApiError> {
    let ExclusionBody { kind, days } = body.into_inner();
    let settings = &state.settings.protection;
    let invalid = |m: String| ApiError::bad_request(ErrorCode::InvalidExclusion, m);
    let kind = ExclusionKind::parse(&kind).ok_or_else(|| invalid("kind must be cool_off or self_exclusion".into()))?;
    match (kind, days) {
        (ExclusionKind::CoolOff, Some(d)) if (1..=settings.cool_off_max_days).contains(&d) => {}
        (ExclusionKind::CoolOff, _) => {
            return Err(invalid(format!("a cool-off lasts 1 to {} days", settings.cool_off_max_days)));
        }
        (ExclusionKind::SelfExclusion, Some(d)) if d < settings.self_exclusion_min_days => {
            return Err(invalid(format!(
                "a self-exclusion lasts at least {} days, or for good (days: null)",
                settings.self_exclusion_min_days
            )));
        }
        (ExclusionKind::SelfExclusion, _) => {}
    }
    let now = state.now_ms();
    let new = Exclusion { kind, since: now, until: days.map(|d| now.saturating_add(days_ms(d))) };
    let held = state.store.exclusion_of(caller.id).await?;
    let shorter = |held: Option<Exclusion>| {
        let until = held.and_then(|e| e.until).map_or("for good".to_owned(), |u| format!("until {u} (Unix ms)"));
        ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ExclusionActive,
            format!("you are excluded {until} already: an exclusion can be made longer, never shorter"),
        )
    };
    if held.is_some_and(|h| !h.may_become(&new, now)) {
        return Err(shorter(held));
    }
    // The same rule again in the write, for a request racing this one.
    if !state.store.extend_exclusion(caller.id, &new, now).await? {
        return Err(shorter(state.store.exclusion_of(caller.id).await?));
    }
    tell_guard(&state, caller.id).await?;
    let stored = held.map_or(new, |h| h.extended_by(&new, now));
    tracing::info!(user_id = caller.id, kind = stored.kind.as_str(), until = ?stored.until, code = %excluded(&stored),
        "player excluded from play");
    Ok(HttpResponse::Created().json(exclusion_json(&stored, now)))
}
