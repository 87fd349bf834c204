//! The audit trail as a hash chain. Each line's `hash` is SHA-256 over the
//! previous line's hash and the line itself (id, time, actor, action,
//! target, detail, address), so changing, inserting or deleting a line
//! breaks every link after it; [`verify`] walks the chain and names the
//! first line that does not hold. Lines are chained as they are written,
//! one writer at a time (a transaction-scoped advisory lock on Postgres;
//! SQLite's write lock): two writers can never both link to the same line.
//! Lines written before the chain began (before migration `audit_chain`)
//! stay unchained and are only counted. Deleting the newest lines leaves a
//! shorter chain that still holds: the head hash [`verify`] reports is what
//! to keep elsewhere to catch that.

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::{AuditEntry, Backend, StoreError};

/// The link before the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The advisory lock that makes audit writers take turns on Postgres.
const WRITER_LOCK: i64 = 0x6175_6469_745f_6c6f; // "audit_lo"

/// How the chain stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    /// Lines checked.
    pub lines: u64,
    /// Lines written before the chain began (not checked).
    pub unchained: u64,
    /// The newest line's hash (`GENESIS` for an empty trail).
    pub head: String,
    /// The first line that does not hold, and why.
    pub broken: Option<(i64, String)>,
}

/// The hash of a line linked to `prev`.
fn link(prev: &str, id: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in
        [prev, &id.to_string(), &e.at.to_string(), &e.actor.to_string(), &e.action, &e.target, &e.detail, &e.address]
    {
        // Length-prefixed: no two different lines hash the same text.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The newest chained line's hash, or [`GENESIS`].
async fn head(conn: &mut AnyConnection) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("hash")?,
        None => GENESIS.to_owned(),
    })
}

/// Appends `e` to the trail, chained, inside the caller's write
/// transaction; its id.
pub(super) async fn insert(conn: &mut AnyConnection, backend: Backend, e: &AuditEntry) -> Result<i64, StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITER_LOCK).execute(&mut *conn).await?;
    }
    let prev = head(conn).await?;
    let row = sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, detail, address) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id",
    )
    .bind(e.at)
    .bind(e.actor)
    .bind(&e.action)
    .bind(&e.target)
    .bind(&e.detail)
    .bind(&e.address)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    sqlx::query("UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1")
        .bind(id)
        .bind(&prev)
        .bind(link(&prev, id, e))
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

fn entry(r: &sqlx::any::AnyRow) -> Result<(i64, AuditEntry, Option<String>, Option<String>), StoreError> {
    let e = AuditEntry {
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        detail: r.try_get("detail")?,
        address: r.try_get("address")?,
        at: r.try_get("at")?,
    };
    Ok((r.try_get("id")?, e, r.try_get("prev_hash")?, r.try_get("hash")?))
}

const COLUMNS: &str = "id, at, actor, action, target, detail, address, prev_hash, hash";

/// Walks the whole chain, oldest first, from the first line written since
/// the chain began (`audit_chain.first_id`; older lines are only counted).
pub(super) async fn verify(conn: &mut AnyConnection) -> Result<AuditCheck, StoreError> {
    let first: i64 =
        sqlx::query("SELECT first_id FROM audit_chain").fetch_one(&mut *conn).await?.try_get("first_id")?;
    let unchained =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE id < $1").bind(first).fetch_one(&mut *conn).await?;
    let unchained = u64::try_from(unchained.try_get::<i64, _>("n")?).unwrap_or(0);
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE id >= $1 ORDER BY id"))
        .bind(first)
        .fetch_all(&mut *conn)
        .await?;
    let mut prev = GENESIS.to_owned();
    let mut lines = 0;
    for r in &rows {
        let (id, e, stored_prev, stored) = entry(r)?;
        lines += 1;
        let why = if stored_prev.as_deref() != Some(prev.as_str()) {
            Some("it does not follow the line before it (a line was removed or inserted)")
        } else if stored.as_deref() != Some(link(&prev, id, &e).as_str()) {
            Some("its content is not what was written")
        } else {
            None
        };
        if let Some(why) = why {
            return Ok(AuditCheck { lines, unchained, head: prev, broken: Some((id, why.to_owned())) });
        }
        prev = stored.unwrap_or_default();
    }
    Ok(AuditCheck { lines, unchained, head: prev, broken: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(detail: &str) -> AuditEntry {
        AuditEntry {
            actor: 1,
            action: "deposit".into(),
            target: "user:2".into(),
            detail: detail.into(),
            address: "127.0.0.1".into(),
            at: 5,
        }
    }

    #[test]
    fn a_link_covers_every_field_and_its_place() {
        let a = link(GENESIS, 1, &line("{}"));
        assert_eq!(a, link(GENESIS, 1, &line("{}")));
        assert_ne!(a, link(GENESIS, 2, &line("{}")), "the id");
        assert_ne!(a, link(&a, 1, &line("{}")), "the line before");
        assert_ne!(a, link(GENESIS, 1, &line("{ }")), "the content");
        let mut moved = line("{}");
        moved.target = "user:".into();
        moved.detail = "2{}".into();
        assert_ne!(a, link(GENESIS, 1, &moved), "no shifting text between fields");
    }
}
