//! The hot tier of table checkpoints: what a table writes to the cache
//! after every change ([`HotCheckpoint`]), and which checkpoint recovery
//! uses for a table ([`choose`]).
//!
//! A hot checkpoint is the durable checkpoint's row as it stands now, plus
//! the round in progress (its key, its stakes, its draws so far) and the
//! last round the table finished. Recovery voids every round that never
//! settled, so a hot checkpoint taken mid-round describes stakes the ledger
//! has refunded: it is kept for inspection but never restored. One taken
//! between rounds is restored when it is newer than the durable checkpoint
//! and its last finished round is on record — it brings back seats taken
//! and timers started since the last round boundary. This module holds no
//! connection and never touches money.
//!
//! In the cache a hot checkpoint is one JSON object whose `checkpoint` and
//! `spec` are the row's JSON as it is, never escaped into a string
//! ([`HotCheckpoint::to_text`]): the table's state is serialised once.

use std::collections::BTreeMap;

use croupier_rng::DrawRecord;
use croupier_sdk::record::Stake;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::store::CheckpointRow;

/// One table's hot checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotCheckpoint {
    /// The checkpoint as the durable tier would store it now.
    pub row: CheckpointRow,
    /// The round in progress, if any.
    pub open_round: Option<OpenRound>,
    /// The key of the last round this table finished (since its start).
    pub last_round: Option<String>,
}

/// Everything of a hot checkpoint but the row's two JSON texts.
#[derive(Serialize)]
struct Head<'a> {
    table: &'a str,
    game: &'a str,
    kind: &'a str,
    owner: Option<i64>,
    seq: i64,
    closed: bool,
    updated_at: i64,
    open_round: &'a Option<OpenRound>,
    last_round: &'a Option<String>,
}

/// [`Head`], read back.
#[derive(Deserialize)]
struct OwnedHead {
    table: String,
    game: String,
    kind: String,
    owner: Option<i64>,
    seq: i64,
    closed: bool,
    updated_at: i64,
    open_round: Option<OpenRound>,
    last_round: Option<String>,
}

/// A hot checkpoint as the cache holds it.
#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    spec: &'a RawValue,
    #[serde(borrow)]
    checkpoint: &'a RawValue,
    head: OwnedHead,
}

impl HotCheckpoint {
    /// The cache's form: the row's checkpoint and spec, JSON already, go in
    /// as they are (copied, not serialised again nor escaped).
    ///
    /// # Errors
    /// The open round does not serialise.
    pub fn to_text(&self) -> Result<String, serde_json::Error> {
        let row = &self.row;
        let head = Head {
            table: &row.table,
            game: &row.game,
            kind: &row.kind,
            owner: row.owner,
            seq: row.seq,
            closed: row.closed,
            updated_at: row.updated_at,
            open_round: &self.open_round,
            last_round: &self.last_round,
        };
        let mut text = Vec::with_capacity(row.checkpoint.len() + row.spec.len() + 256);
        text.extend_from_slice(b"{\"spec\":");
        text.extend_from_slice(row.spec.as_bytes());
        text.extend_from_slice(b",\"checkpoint\":");
        text.extend_from_slice(row.checkpoint.as_bytes());
        text.extend_from_slice(b",\"head\":");
        serde_json::to_writer(&mut text, &head)?;
        text.push(b'}');
        // invariant: every piece is UTF-8 (two strings and serde_json's output).
        String::from_utf8(text).map_err(|e| serde::ser::Error::custom(e.to_string()))
    }

    /// Reads [`HotCheckpoint::to_text`]'s form (or the escaped form that
    /// earlier builds wrote).
    ///
    /// # Errors
    /// The text is neither.
    pub fn from_text(text: &str) -> Result<Self, serde_json::Error> {
        let wire: Wire<'_> = match serde_json::from_str(text) {
            Ok(wire) => wire,
            Err(e) => return serde_json::from_str(text).map_err(|_| e),
        };
        let h = wire.head;
        Ok(Self {
            row: CheckpointRow {
                table: h.table,
                game: h.game,
                kind: h.kind,
                owner: h.owner,
                spec: wire.spec.get().to_owned(),
                seq: h.seq,
                checkpoint: wire.checkpoint.get().to_owned(),
                closed: h.closed,
                updated_at: h.updated_at,
            },
            open_round: h.open_round,
            last_round: h.last_round,
        })
    }
}

/// A round in progress, as a hot checkpoint shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenRound {
    /// The wallet round key.
    pub key: String,
    /// Stakes the game has asked for (pending ones included).
    pub stakes: Vec<Stake>,
    /// Whether the wallet holds any of them.
    pub staked: bool,
    /// Every draw so far.
    pub draws: Vec<DrawRecord>,
}

/// Why a hot checkpoint was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// Taken mid-round: its stakes were voided at start.
    MidRound,
    /// Not newer than the durable checkpoint.
    Older,
    /// No durable row and not a declared table (a closed table or session, say).
    Unknown,
    /// Its last round is not on record.
    Unrecorded,
}

/// Per table id, the checkpoint to restore and whether it is a hot one.
pub type Chosen = BTreeMap<String, (CheckpointRow, bool)>;

/// Picks, per table, the checkpoint recovery brings it back from: the newer
/// by (seq, time written). `durable`
/// holds the database's rows (closed tables and sessions excluded), `declared` the ids
/// of `[[tables]]`, `hot` the cache's checkpoints, and `recorded` says
/// whether a round key has a round record. Returns the rows to use (one per
/// table) and the hot checkpoints skipped, with why.
pub fn choose(
    durable: Vec<CheckpointRow>,
    declared: &[&str],
    hot: Vec<HotCheckpoint>,
    recorded: impl Fn(&str) -> bool,
) -> (Chosen, Vec<(String, Skipped)>) {
    let mut chosen: Chosen = durable.into_iter().map(|row| (row.table.clone(), (row, false))).collect();
    let mut skipped = Vec::new();
    for h in hot {
        let id = h.row.table.clone();
        let why = match chosen.get(&id) {
            None if !declared.contains(&id.as_str()) => Some(Skipped::Unknown),
            _ if h.open_round.is_some() => Some(Skipped::MidRound),
            // Seats change without an event, so equal seqs go by time.
            Some((durable, _)) if (durable.seq, durable.updated_at) >= (h.row.seq, h.row.updated_at) => {
                Some(Skipped::Older)
            }
            _ if h.row.closed => Some(Skipped::Unknown),
            _ if h.last_round.as_deref().is_some_and(|r| !recorded(r)) => Some(Skipped::Unrecorded),
            _ => None,
        };
        match why {
            Some(why) => skipped.push((id, why)),
            None => {
                chosen.insert(id, (h.row, true));
            }
        }
    }
    (chosen, skipped)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn row(table: &str, seq: i64) -> CheckpointRow {
        CheckpointRow {
            table: table.to_owned(),
            game: "roulette".to_owned(),
            kind: "table".to_owned(),
            owner: None,
            spec: "{}".to_owned(),
            seq,
            checkpoint: format!("state at {seq}"),
            closed: false,
            updated_at: 0,
        }
    }

    fn hot(table: &str, seq: i64, open: bool, last: Option<&str>) -> HotCheckpoint {
        let open_round = open.then(|| OpenRound { key: "k".to_owned(), stakes: vec![], staked: true, draws: vec![] });
        HotCheckpoint { row: row(table, seq), open_round, last_round: last.map(str::to_owned) }
    }

    #[test]
    fn a_newer_hot_checkpoint_between_rounds_wins() {
        let (chosen, skipped) = choose(vec![row("t", 10)], &[], vec![hot("t", 20, false, Some("r1"))], |_| true);
        assert_eq!(chosen["t"], (row("t", 20), true));
        assert!(skipped.is_empty());
    }

    #[test]
    fn mid_round_older_unknown_and_unrecorded_hot_checkpoints_lose() {
        let durable = vec![row("a", 10), row("b", 30), row("c", 10)];
        let hot = vec![
            hot("a", 20, true, None),
            hot("b", 20, false, None),
            hot("c", 20, false, Some("gone")),
            hot("closed-session", 50, false, None),
        ];
        let (chosen, skipped) = choose(durable, &[], hot, |r| r != "gone");
        assert_eq!(chosen["a"], (row("a", 10), false));
        assert_eq!(chosen["b"], (row("b", 30), false));
        assert_eq!(chosen["c"], (row("c", 10), false));
        assert!(!chosen.contains_key("closed-session"));
        assert_eq!(
            skipped,
            vec![
                ("a".to_owned(), Skipped::MidRound),
                ("b".to_owned(), Skipped::Older),
                ("c".to_owned(), Skipped::Unrecorded),
                ("closed-session".to_owned(), Skipped::Unknown),
            ]
        );
    }

    #[test]
    fn at_equal_seq_the_later_checkpoint_wins() {
        let mut later = hot("t", 10, false, None);
        later.row.updated_at = 5;
        let (chosen, _) = choose(vec![row("t", 10)], &[], vec![later.clone()], |_| true);
        assert_eq!(chosen["t"], (later.row.clone(), true));
        let mut durable = row("t", 10);
        durable.updated_at = 6;
        let (chosen, skipped) = choose(vec![durable.clone()], &[], vec![later], |_| true);
        assert_eq!(chosen["t"], (durable, false));
        assert_eq!(skipped, vec![("t".to_owned(), Skipped::Older)]);
    }

    #[test]
    fn the_cache_form_holds_the_checkpoint_as_json_not_as_a_string() {
        let mut h = hot("t", 7, true, Some("r0"));
        h.row.checkpoint = r#"{"state":{"n":1,"s":"a \"quoted\" word"},"seated":[3]}"#.to_owned();
        h.row.spec = r#"{"min_bet":100}"#.to_owned();
        let text = h.to_text().unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["checkpoint"]["state"]["s"], "a \"quoted\" word", "{text}");
        assert_eq!(value["spec"]["min_bet"], 100);
        assert_eq!(HotCheckpoint::from_text(&text).unwrap(), h);
        // The escaped form of earlier builds still reads.
        assert_eq!(HotCheckpoint::from_text(&serde_json::to_string(&h).unwrap()).unwrap(), h);
        assert!(HotCheckpoint::from_text("{\"head\":1}").is_err());
    }

    #[test]
    fn a_declared_table_without_a_durable_row_takes_its_hot_checkpoint() {
        let (chosen, _) = choose(vec![], &["d"], vec![hot("d", 5, false, None)], |_| true);
        assert_eq!(chosen["d"], (row("d", 5), true));
    }
}
