//! A player's account erased, as the GDPR's right to erasure asks and as
//! far as the law lets it go: their personal data is deleted or
//! pseudonymised ([`STEPS`]), while what the law obliges us to keep —
//! the ledger, round records, payments, limits and exclusions, identity
//! checks, anti-money-laundering review, the audit trail — stays, tied
//! only to the account's number ([`KEPT`], each with why). The account's
//! row stays too, as `erased:ID` (no username can hold a `:`) with a
//! password that matches nothing, so every record kept still adds up.
//!
//! An erasure is one transaction, refused ([`Refusal`]) while money is the
//! player's (a balance or a hold in any currency) or a payment is under
//! way; a deposit never paid (`created`) is failed with it. `tests/erasure.rs`
//! checks that every table of the migrations is in [`STEPS`] or [`KEPT`].

use async_trait::async_trait;
use sqlx::Row;

use super::StoreError;
use super::console::AuditEntry;
use super::sql::SqlStore;

/// How an erased account's username begins (`erased:ID`): no username can
/// hold a `:`, so this marks it erased.
pub const PSEUDONYM: &str = "erased:";

/// Whether `username` is an erased account's.
pub fn is_erased(username: &str) -> bool {
    username.starts_with(PSEUDONYM)
}

/// One thing an erasure does: `sql` over the player `$1` at time `$2`.
#[derive(Debug)]
pub struct Step {
    /// The table it changes.
    pub table: &'static str,
    /// The statement (`$1` the player's id, `$2` the time, each optional
    /// but in order).
    pub sql: &'static str,
    /// What it does, as the answer tells the player.
    pub what: &'static str,
}

const fn step(table: &'static str, sql: &'static str, what: &'static str) -> Step {
    Step { table, sql, what }
}

/// What an erasure does, in order (after its checks).
pub const STEPS: &[Step] = &[
    step(
        "users",
        "UPDATE users SET username = 'erased:' || CAST(id AS TEXT), password_hash = '!erased', erased_at = $2 \
         WHERE id = $1",
        "your username is replaced by a number and your password by one that matches nothing",
    ),
    step(
        "player_profiles",
        "DELETE FROM player_profiles WHERE user_id = $1",
        "your profile (email, name, phone, address, document number) is deleted",
    ),
    step("refresh_tokens", "DELETE FROM refresh_tokens WHERE user_id = $1", "every session of yours is signed out"),
    step("password_resets", "DELETE FROM password_resets WHERE user_id = $1", "any password reset is deleted"),
    step("mfa_totp", "DELETE FROM mfa_totp WHERE user_id = $1", "your second factor is deleted"),
    step("mfa_recovery_codes", "DELETE FROM mfa_recovery_codes WHERE user_id = $1", "your recovery codes are deleted"),
    step(
        "sign_ins",
        "DELETE FROM sign_ins WHERE user_id = $1",
        "the addresses and devices you signed in from are deleted",
    ),
    step(
        "kyc_checks",
        "UPDATE kyc_checks SET reason = NULL WHERE user_id = $1",
        "the reasons a provider gave on your identity checks are deleted",
    ),
    step(
        "payments",
        "UPDATE payments SET status = 'failed', updated_at = $2 WHERE user_id = $1 AND kind = 'deposit' \
         AND status = 'created'",
        "a deposit you started but never paid is given up",
    ),
];

/// Tables an erasure leaves as they are, each with why.
pub const KEPT: &[(&str, &str)] = &[
    ("wallet_accounts", "the ledger: money law keeps every movement of money, under your account's number"),
    ("wallet_transactions", "the ledger: money law keeps every movement of money, under your account's number"),
    ("wallet_entries", "the ledger: money law keeps every movement of money, under your account's number"),
    ("wallet_holds", "the ledger: money law keeps every movement of money, under your account's number"),
    ("wallet_rounds", "the house's rounds, about no one player"),
    ("rounds", "round records: gaming law keeps every round for audit, with players by number"),
    ("round_players", "round records: gaming law keeps every round for audit, with players by number"),
    ("fair_seeds", "the provably-fair seeds that prove the recorded rounds"),
    ("payments", "payments: money law keeps them; a payout destination is the provider's token, not an account number"),
    ("payment_events", "payments: money law keeps them"),
    ("player_limits", "responsible gaming: the limits you set are part of the record a regulator reads"),
    ("player_exclusions", "responsible gaming: a self-exclusion is kept for as long as it lasts, and its record after"),
    ("player_session_rules", "responsible gaming: the record a regulator reads"),
    (
        "kyc_checks",
        "anti-money-laundering law keeps a customer's due-diligence record (the provider's reference) for years",
    ),
    ("kyc_events", "anti-money-laundering law keeps a customer's due-diligence record for years"),
    ("aml_cases", "anti-money-laundering law keeps its review records for years"),
    ("aml_case_events", "anti-money-laundering law keeps its review records for years"),
    ("audit_log", "the audit trail is a tamper-evident legal record: a line changed would break its hash chain"),
    ("audit_chain", "where the audit hash chain begins, about no player"),
    ("table_checkpoints", "a live table's state, about no one player"),
    ("game_configs", "table settings, about no player"),
];

/// Why an account was not erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Money is theirs in `currency` (available or held).
    Balance {
        /// The currency.
        currency: String,
    },
    /// Payment `id` (a `kind`) is `status`, not finished.
    Payment {
        /// The payment.
        id: i64,
        /// `deposit` or `withdrawal`.
        kind: String,
        /// Its status.
        status: String,
    },
    /// No such account, or it is erased already.
    Gone,
}

/// Payment statuses an erasure waits for (a `created` deposit it fails).
const UNDER_WAY: &str = "'pending', 'holding', 'review', 'approved', 'paying'";

/// Erasure.
#[async_trait]
pub trait Erase: Send + Sync {
    /// Erases `user` ([`STEPS`]) and writes `audit`, in one transaction, or
    /// says why not (and changes nothing).
    async fn erase(&self, user: i64, now: i64, audit: &AuditEntry) -> Result<Result<(), Refusal>, StoreError>;

    /// Accounts erased at or after `since`, whose access tokens may still be
    /// unexpired.
    async fn erased_since(&self, since: i64) -> Result<Vec<i64>, StoreError>;
}

#[async_trait]
impl Erase for SqlStore {
    async fn erase(&self, user: i64, now: i64, audit: &AuditEntry) -> Result<Result<(), Refusal>, StoreError> {
        let mut tx = self.write_tx().await?;
        let live = sqlx::query("SELECT id FROM users WHERE id = $1 AND erased_at IS NULL")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
        if live.is_none() {
            return Ok(Err(Refusal::Gone));
        }
        let open = format!(
            "SELECT id, kind, status FROM payments WHERE user_id = $1 AND status IN ({UNDER_WAY}) ORDER BY id LIMIT 1"
        );
        if let Some(r) = sqlx::query(&open).bind(user).fetch_optional(&mut *tx).await? {
            return Ok(Err(Refusal::Payment {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                status: r.try_get("status")?,
            }));
        }
        // Locks the player's accounts (a no-op write, on both backends), so
        // no stake or credit lands between this check and the commit.
        sqlx::query("UPDATE wallet_accounts SET available = available WHERE user_id = $1 AND kind = 'player'")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        let money = sqlx::query(
            "SELECT currency FROM wallet_accounts WHERE user_id = $1 AND kind = 'player' \
             AND (available <> 0 OR held <> 0) ORDER BY currency LIMIT 1",
        )
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = money {
            return Ok(Err(Refusal::Balance { currency: r.try_get("currency")? }));
        }
        for step in STEPS {
            let mut query = sqlx::query(step.sql).bind(user);
            if step.sql.contains("$2") {
                query = query.bind(now);
            }
            query.execute(&mut *tx).await?;
        }
        super::audit::insert(&mut tx, super::Store::backend(self), audit).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn erased_since(&self, since: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query("SELECT id FROM users WHERE erased_at >= $1 ORDER BY id")
            .bind(since)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?)
    }
}
