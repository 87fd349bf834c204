//! Player protection in the database: each player's own limits, exclusion
//! and play-session rules, and what they have deposited, wagered and lost, read from the
//! payments and the ledger (never kept twice, so never out of step with the
//! money). `crate::protect` decides; this module stores and sums.
//!
//! A limit is written only over the row it was computed from (compare and
//! set), so two changes racing cannot undo each other; an exclusion is
//! written only when it ends later than the one stored, so no request,
//! racing or not, ever shortens one.

use async_trait::async_trait;
use sqlx::Row;

use super::StoreError;
use super::sql::SqlStore;
use crate::limits::{Cap, Exclusion, ExclusionKind, Limit, LimitKind, Pending, Period, SessionRules};

/// Stakes and losses of one day, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayUsage {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Stakes placed, less stakes voided.
    pub wagered: i64,
    /// Stakes settled, less what they paid back.
    pub lost: i64,
}

/// What a player has in play, as the ledger says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlayUsage {
    /// Per day, oldest first.
    pub days: Vec<DayUsage>,
    /// Stakes held in rounds still open: `(wallet round, minor units)`.
    pub open: Vec<(String, i64)>,
}

/// The protection queries.
#[async_trait]
pub trait Protection: Send + Sync {
    /// `user`'s limits, every kind, period and currency.
    async fn limits_of(&self, user: i64) -> Result<Vec<Limit>, StoreError>;

    /// Writes `new` as `user`'s limit if the stored one is still `old`
    /// (`None`: there was none); whether it did.
    async fn swap_limit(&self, user: i64, old: Option<&Limit>, new: &Limit, now: i64) -> Result<bool, StoreError>;

    /// `user`'s exclusion, in force or ended, if any was ever set.
    async fn exclusion_of(&self, user: i64) -> Result<Option<Exclusion>, StoreError>;

    /// Writes `new` as `user`'s exclusion unless the stored one is in force
    /// at `now` and ends no earlier; whether it did.
    async fn extend_exclusion(&self, user: i64, new: &Exclusion, now: i64) -> Result<bool, StoreError>;

    /// `user`'s stakes and losses in `currency` from `since` (Unix ms) on,
    /// and their stakes in open rounds placed since then. Withdrawals'
    /// holds (`payout/…`) are not play and are left out.
    async fn play_usage(&self, user: i64, currency: &str, since: i64) -> Result<PlayUsage, StoreError>;

    /// Minor units `user` has asked to deposit in `currency` from `since`
    /// on: every deposit started, but not those that failed.
    async fn deposited_since(&self, user: i64, currency: &str, since: i64) -> Result<i64, StoreError>;

    /// `user`'s play-session rules (the default when they set none).
    async fn session_rules_of(&self, user: i64) -> Result<SessionRules, StoreError>;

    /// Writes `new` as `user`'s play-session rules if the stored ones are
    /// still `old`; whether it did.
    async fn swap_session_rules(
        &self,
        user: i64,
        old: &SessionRules,
        new: &SessionRules,
        now: i64,
    ) -> Result<bool, StoreError>;
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// A cap stored as `amount`, `pending` and `pending_from` columns.
fn cap(r: &sqlx::any::AnyRow, amount: &str, pending: &str) -> Result<Cap, StoreError> {
    let from: Option<i64> = r.try_get("pending_from")?;
    Ok(Cap {
        amount: r.try_get(amount)?,
        pending: match from {
            Some(from) => Some(Pending { amount: r.try_get(pending)?, from }),
            None => None,
        },
    })
}

fn limit_row(r: &sqlx::any::AnyRow) -> Result<Limit, StoreError> {
    let kind: String = r.try_get("kind")?;
    let period: String = r.try_get("period")?;
    Ok(Limit {
        kind: LimitKind::parse(&kind).ok_or_else(|| corrupt("limit kind", &kind))?,
        period: Period::parse(&period).ok_or_else(|| corrupt("limit period", &period))?,
        currency: r.try_get("currency")?,
        cap: cap(r, "amount", "pending_amount")?,
    })
}

#[async_trait]
impl Protection for SqlStore {
    async fn limits_of(&self, user: i64) -> Result<Vec<Limit>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, period, currency, amount, pending_amount, pending_from FROM player_limits \
             WHERE user_id = $1 ORDER BY currency, kind, period",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(limit_row).collect()
    }

    async fn swap_limit(&self, user: i64, old: Option<&Limit>, new: &Limit, now: i64) -> Result<bool, StoreError> {
        let (pending_amount, pending_from) = new.cap.pending.map_or((None, None), |p| (p.amount, Some(p.from)));
        let done = match old {
            None => {
                sqlx::query(
                    "INSERT INTO player_limits (user_id, kind, period, currency, amount, pending_amount, \
                     pending_from, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (user_id, kind, period, currency) DO NOTHING",
                )
                .bind(user)
                .bind(new.kind.as_str())
                .bind(new.period.as_str())
                .bind(&new.currency)
                .bind(new.cap.amount)
                .bind(pending_amount)
                .bind(pending_from)
                .bind(now)
                .execute(&self.pool)
                .await?
            }
            Some(old) => {
                let (old_pending_amount, old_pending_from) =
                    old.cap.pending.map_or((None, None), |p| (p.amount, Some(p.from)));
                sqlx::query(
                    "UPDATE player_limits SET amount = $5, pending_amount = $6, pending_from = $7, updated_at = $8 \
                     WHERE user_id = $1 AND kind = $2 AND period = $3 AND currency = $4 \
                     AND amount IS NOT DISTINCT FROM $9 AND pending_amount IS NOT DISTINCT FROM $10 \
                     AND pending_from IS NOT DISTINCT FROM $11",
                )
                .bind(user)
                .bind(new.kind.as_str())
                .bind(new.period.as_str())
                .bind(&new.currency)
                .bind(new.cap.amount)
                .bind(pending_amount)
                .bind(pending_from)
                .bind(now)
                .bind(old.cap.amount)
                .bind(old_pending_amount)
                .bind(old_pending_from)
                .execute(&self.pool)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    async fn exclusion_of(&self, user: i64) -> Result<Option<Exclusion>, StoreError> {
        let row = sqlx::query("SELECT kind, since, until FROM player_exclusions WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let kind: String = r.try_get("kind")?;
        Ok(Some(Exclusion {
            kind: ExclusionKind::parse(&kind).ok_or_else(|| corrupt("exclusion kind", &kind))?,
            since: r.try_get("since")?,
            until: r.try_get("until")?,
        }))
    }

    async fn extend_exclusion(&self, user: i64, new: &Exclusion, now: i64) -> Result<bool, StoreError> {
        // `Exclusion::may_become` and `extended_by` (the handler decides
        // with them), again in SQL so that a race cannot get between the
        // check and the write: the stored one gives way when it has ended or
        // the new one ends later; a self-exclusion in force stays one when a
        // cool-off extends it.
        let done = sqlx::query(
            "INSERT INTO player_exclusions (user_id, kind, since, until, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id) DO UPDATE SET \
             kind = CASE WHEN player_exclusions.kind = 'self_exclusion' \
                          AND (player_exclusions.until IS NULL OR player_exclusions.until > $5) \
                     THEN 'self_exclusion' ELSE excluded.kind END, \
             since = CASE WHEN player_exclusions.kind = 'self_exclusion' \
                          AND (player_exclusions.until IS NULL OR player_exclusions.until > $5) \
                     THEN player_exclusions.since ELSE excluded.since END, \
             until = excluded.until, updated_at = excluded.updated_at \
             WHERE player_exclusions.until IS NOT NULL AND (player_exclusions.until <= $5 \
                OR excluded.until IS NULL OR excluded.until > player_exclusions.until)",
        )
        .bind(user)
        .bind(new.kind.as_str())
        .bind(new.since)
        .bind(new.until)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn play_usage(&self, user: i64, currency: &str, since: i64) -> Result<PlayUsage, StoreError> {
        // The player's account's entries since `since`: a reserve moves
        // the stake into `held`, a void moves it back, and a settle takes
        // it from `held` and pays any winnings into `available` (so a
        // settle's entries sum to what the round gave back less the stake).
        let rows = sqlx::query(
            "SELECT t.created_at / 86400000 AS day, \
             CAST(SUM(CASE WHEN t.kind IN ('reserve', 'void') AND e.bucket = 'held' THEN e.amount ELSE 0 END) \
                  AS BIGINT) AS wagered, \
             CAST(SUM(CASE WHEN t.kind = 'settle' THEN -e.amount ELSE 0 END) AS BIGINT) AS lost \
             FROM wallet_accounts a \
             JOIN wallet_entries e ON e.account_id = a.id \
             JOIN wallet_transactions t ON t.id = e.tx_id \
             WHERE a.kind = 'player' AND a.user_id = $1 AND a.currency = $2 AND t.created_at >= $3 \
             AND t.kind IN ('reserve', 'settle', 'void') AND t.round_key NOT LIKE 'payout/%' \
             GROUP BY t.created_at / 86400000 ORDER BY day",
        )
        .bind(user)
        .bind(currency)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let days = rows
            .iter()
            .map(|r| Ok(DayUsage { day: r.try_get("day")?, wagered: r.try_get("wagered")?, lost: r.try_get("lost")? }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let rows = sqlx::query(
            "SELECT t.round_key, CAST(SUM(e.amount) AS BIGINT) AS amount \
             FROM wallet_accounts a \
             JOIN wallet_entries e ON e.account_id = a.id AND e.bucket = 'held' \
             JOIN wallet_transactions t ON t.id = e.tx_id AND t.kind = 'reserve' \
             JOIN wallet_rounds r ON r.round_key = t.round_key AND r.status = 'open' \
             WHERE a.kind = 'player' AND a.user_id = $1 AND a.currency = $2 AND t.created_at >= $3 \
             AND t.round_key NOT LIKE 'payout/%' GROUP BY t.round_key ORDER BY t.round_key",
        )
        .bind(user)
        .bind(currency)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let open = rows
            .iter()
            .map(|r| Ok((r.try_get("round_key")?, r.try_get("amount")?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(PlayUsage { days, open })
    }

    async fn deposited_since(&self, user: i64, currency: &str, since: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM payments \
             WHERE user_id = $1 AND kind = 'deposit' AND currency = $2 AND created_at >= $3 AND status <> 'failed'",
        )
        .bind(user)
        .bind(currency)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("total")?)
    }

    async fn session_rules_of(&self, user: i64) -> Result<SessionRules, StoreError> {
        let row = sqlx::query(
            "SELECT reality_check_secs, limit_secs, pending_limit_secs, pending_from FROM player_session_rules \
             WHERE user_id = $1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(SessionRules::default()) };
        Ok(SessionRules {
            reality_check_secs: r.try_get("reality_check_secs")?,
            limit: cap(&r, "limit_secs", "pending_limit_secs")?,
        })
    }

    async fn swap_session_rules(
        &self,
        user: i64,
        old: &SessionRules,
        new: &SessionRules,
        now: i64,
    ) -> Result<bool, StoreError> {
        // No row reads as the default rules: make one, then compare and set.
        sqlx::query("INSERT INTO player_session_rules (user_id, updated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(user)
            .bind(now)
            .execute(&self.pool)
            .await?;
        let pending = |c: &Cap| c.pending.map_or((None, None), |p| (p.amount, Some(p.from)));
        let ((new_amount, new_from), (old_amount, old_from)) = (pending(&new.limit), pending(&old.limit));
        let done = sqlx::query(
            "UPDATE player_session_rules SET reality_check_secs = $2, limit_secs = $3, pending_limit_secs = $4, \
             pending_from = $5, updated_at = $6 WHERE user_id = $1 AND reality_check_secs IS NOT DISTINCT FROM $7 \
             AND limit_secs IS NOT DISTINCT FROM $8 AND pending_limit_secs IS NOT DISTINCT FROM $9 \
             AND pending_from IS NOT DISTINCT FROM $10",
        )
        .bind(user)
        .bind(new.reality_check_secs)
        .bind(new.limit.amount)
        .bind(new_amount)
        .bind(new_from)
        .bind(now)
        .bind(old.reality_check_secs)
        .bind(old.limit.amount)
        .bind(old_amount)
        .bind(old_from)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
