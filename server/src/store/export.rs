//! A player's data, as the GDPR export hands it to them: one section per
//! kind of record we hold about them, each a query over their rows and the
//! columns it shows, read generically into JSON. [`SECTIONS`] is the one
//! list of what is exported; `tests/gdpr.rs` checks that every table of the
//! migrations is in it or in [`NOT_EXPORTED`] with the reason.
//!
//! Left out of every section: secrets that are not data about the player
//! (password and token hashes, the TOTP secret, recovery code hashes), a
//! provably-fair seed not yet revealed (it would tell an outcome before it
//! is dealt), other players' data (a round's full record), and anything
//! about anti-money-laundering review, which the law forbids telling the
//! player (`aml.*` audit lines included).

use async_trait::async_trait;
use serde_json::{Map, Value};
use sqlx::Row;

use super::StoreError;
use super::sql::SqlStore;

/// How a column reads.
#[derive(Debug, Clone, Copy)]
pub enum Col {
    /// A BIGINT (or NULL).
    Int(&'static str),
    /// A TEXT (or NULL).
    Text(&'static str),
}

/// One section of the export.
#[derive(Debug)]
pub struct Section {
    /// Its name in the export.
    pub name: &'static str,
    /// The tables it reads.
    pub tables: &'static [&'static str],
    /// The query: `$1` is the player's id, `$2` the audit target `user:ID`
    /// (only where `by_target`).
    pub sql: &'static str,
    /// Whether the query takes `$2`.
    pub by_target: bool,
    /// The columns it shows, as the query names them.
    pub cols: &'static [Col],
}

use Col::{Int, Text};

const fn section(
    name: &'static str,
    tables: &'static [&'static str],
    sql: &'static str,
    cols: &'static [Col],
) -> Section {
    Section { name, tables, sql, by_target: false, cols }
}

/// Everything exported, in order.
pub const SECTIONS: &[Section] = &[
    section(
        "account",
        &["users"],
        "SELECT id, username, role, created_at FROM users WHERE id = $1",
        &[Int("id"), Text("username"), Text("role"), Int("created_at")],
    ),
    section(
        "sessions",
        &["refresh_tokens"],
        "SELECT family, expires_at, used, revoked FROM refresh_tokens WHERE user_id = $1 ORDER BY expires_at",
        &[Text("family"), Int("expires_at"), Int("used"), Int("revoked")],
    ),
    section(
        "wallet_accounts",
        &["wallet_accounts"],
        "SELECT id, currency, available, held FROM wallet_accounts WHERE user_id = $1 AND kind = 'player' ORDER BY id",
        &[Int("id"), Text("currency"), Int("available"), Int("held")],
    ),
    section(
        "ledger",
        &["wallet_entries", "wallet_transactions"],
        "SELECT e.id AS id, t.id AS tx_id, t.kind AS kind, t.round_key AS round_key, t.created_at AS at, \
         a.currency AS currency, e.bucket AS bucket, e.amount AS amount FROM wallet_entries e \
         JOIN wallet_accounts a ON a.id = e.account_id JOIN wallet_transactions t ON t.id = e.tx_id \
         WHERE a.user_id = $1 AND a.kind = 'player' ORDER BY e.id",
        &[
            Int("id"),
            Int("tx_id"),
            Text("kind"),
            Text("round_key"),
            Int("at"),
            Text("currency"),
            Text("bucket"),
            Int("amount"),
        ],
    ),
    section(
        "holds",
        &["wallet_holds", "wallet_rounds"],
        "SELECT h.round_key AS round_key, r.currency AS currency, h.amount AS amount, h.status AS status \
         FROM wallet_holds h JOIN wallet_rounds r ON r.round_key = h.round_key WHERE h.user_id = $1 ORDER BY h.id",
        &[Text("round_key"), Text("currency"), Int("amount"), Text("status")],
    ),
    section(
        "rounds",
        &["rounds", "round_players"],
        "SELECT r.round_key AS round_key, r.table_id AS table_id, r.game AS game, r.created_at AS created_at \
         FROM round_players p JOIN rounds r ON r.round_key = p.round_key WHERE p.user_id = $1 ORDER BY r.created_at",
        &[Text("round_key"), Text("table_id"), Text("game"), Int("created_at")],
    ),
    section(
        "fair_seeds",
        &["fair_seeds"],
        "SELECT commitment, CASE WHEN revealed_at IS NULL THEN NULL ELSE seed END AS seed, client_seed, \
         created_at, revealed_at FROM fair_seeds WHERE user_id = $1 ORDER BY created_at",
        &[Text("commitment"), Text("seed"), Text("client_seed"), Int("created_at"), Int("revealed_at")],
    ),
    section(
        "second_factor",
        &["mfa_totp"],
        "SELECT created_at, confirmed_at FROM mfa_totp WHERE user_id = $1",
        &[Int("created_at"), Int("confirmed_at")],
    ),
    section(
        "recovery_codes",
        &["mfa_recovery_codes"],
        "SELECT used_at FROM mfa_recovery_codes WHERE user_id = $1 ORDER BY used_at",
        &[Int("used_at")],
    ),
    section(
        "password_resets",
        &["password_resets"],
        "SELECT created_at, expires_at FROM password_resets WHERE user_id = $1",
        &[Int("created_at"), Int("expires_at")],
    ),
    section(
        "payments",
        &["payments"],
        "SELECT id, kind, provider, provider_ref, amount, currency, status, destination, created_at, updated_at \
         FROM payments WHERE user_id = $1 ORDER BY id",
        &[
            Int("id"),
            Text("kind"),
            Text("provider"),
            Text("provider_ref"),
            Int("amount"),
            Text("currency"),
            Text("status"),
            Text("destination"),
            Int("created_at"),
            Int("updated_at"),
        ],
    ),
    section(
        "payment_events",
        &["payment_events"],
        "SELECT e.provider AS provider, e.event_id AS event_id, e.payment_id AS payment_id, e.kind AS kind, \
         e.outcome AS outcome, e.received_at AS received_at FROM payment_events e \
         JOIN payments p ON p.id = e.payment_id WHERE p.user_id = $1 ORDER BY e.received_at",
        &[Text("provider"), Text("event_id"), Int("payment_id"), Text("kind"), Text("outcome"), Int("received_at")],
    ),
    section(
        "limits",
        &["player_limits"],
        "SELECT kind, period, currency, amount, pending_amount, pending_from, updated_at FROM player_limits \
         WHERE user_id = $1 ORDER BY kind, period, currency",
        &[
            Text("kind"),
            Text("period"),
            Text("currency"),
            Int("amount"),
            Int("pending_amount"),
            Int("pending_from"),
            Int("updated_at"),
        ],
    ),
    section(
        "exclusion",
        &["player_exclusions"],
        "SELECT kind, since, until, updated_at FROM player_exclusions WHERE user_id = $1",
        &[Text("kind"), Int("since"), Int("until"), Int("updated_at")],
    ),
    section(
        "session_rules",
        &["player_session_rules"],
        "SELECT reality_check_secs, limit_secs, pending_limit_secs, pending_from, updated_at \
         FROM player_session_rules WHERE user_id = $1",
        &[
            Int("reality_check_secs"),
            Int("limit_secs"),
            Int("pending_limit_secs"),
            Int("pending_from"),
            Int("updated_at"),
        ],
    ),
    section(
        "identity_checks",
        &["kyc_checks"],
        "SELECT id, provider, provider_ref, status, reason, created_at, updated_at FROM kyc_checks \
         WHERE user_id = $1 ORDER BY id",
        &[
            Int("id"),
            Text("provider"),
            Text("provider_ref"),
            Text("status"),
            Text("reason"),
            Int("created_at"),
            Int("updated_at"),
        ],
    ),
    section(
        "identity_events",
        &["kyc_events"],
        "SELECT e.provider AS provider, e.event_id AS event_id, e.check_id AS check_id, e.kind AS kind, \
         e.outcome AS outcome, e.received_at AS received_at FROM kyc_events e \
         JOIN kyc_checks c ON c.id = e.check_id WHERE c.user_id = $1 ORDER BY e.received_at",
        &[Text("provider"), Text("event_id"), Int("check_id"), Text("kind"), Text("outcome"), Int("received_at")],
    ),
    section(
        "sign_ins",
        &["sign_ins"],
        "SELECT address, device, at FROM sign_ins WHERE user_id = $1 ORDER BY at",
        &[Text("address"), Text("device"), Int("at")],
    ),
    Section {
        name: "audit",
        tables: &["audit_log"],
        sql: "SELECT id, at, actor, action, target, detail, address FROM audit_log \
              WHERE (actor = $1 OR target = $2) AND action NOT LIKE 'aml.%' ORDER BY id",
        by_target: true,
        cols: &[Int("id"), Int("at"), Int("actor"), Text("action"), Text("target"), Text("detail"), Text("address")],
    },
];

/// Tables not exported, each with why.
pub const NOT_EXPORTED: &[(&str, &str)] = &[
    ("player_profiles", "exported opened, as `profile`, by the route (it is sealed here)"),
    ("wallet_rounds", "the house's rounds; a player's part is in `ledger` and `holds`"),
    ("table_checkpoints", "a live table's state, about no one player"),
    ("game_configs", "table settings, about no player"),
    ("audit_chain", "where the audit hash chain begins, about no player"),
    ("aml_cases", "anti-money-laundering review: the law forbids telling the player"),
    ("aml_case_events", "anti-money-laundering review: the law forbids telling the player"),
];

/// The export's queries.
#[async_trait]
pub trait Export: Send + Sync {
    /// Every [`SECTIONS`] of `user`, by name.
    async fn export_of(&self, user: i64) -> Result<Map<String, Value>, StoreError>;
}

#[async_trait]
impl Export for SqlStore {
    async fn export_of(&self, user: i64) -> Result<Map<String, Value>, StoreError> {
        let mut out = Map::new();
        for section in SECTIONS {
            let mut query = sqlx::query(section.sql).bind(user);
            if section.by_target {
                query = query.bind(format!("user:{user}"));
            }
            let mut rows = Vec::new();
            for r in query.fetch_all(&self.pool).await? {
                let mut object = Map::new();
                for col in section.cols {
                    let (name, value) = match *col {
                        Int(name) => (name, r.try_get::<Option<i64>, _>(name)?.map_or(Value::Null, Value::from)),
                        Text(name) => (name, r.try_get::<Option<String>, _>(name)?.map_or(Value::Null, Value::from)),
                    };
                    object.insert(name.to_owned(), value);
                }
                rows.push(Value::Object(object));
            }
            out.insert(section.name.to_owned(), Value::Array(rows));
        }
        Ok(out)
    }
}
