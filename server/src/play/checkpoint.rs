//! A table's checkpoint: what it holds (the game state, who is seated, the
//! game's timers and the reconnect deadlines), and how one is read back at a
//! start. The engine takes a checkpoint of itself as it is; nothing here
//! predicts what a table will be.

use croupier_sdk::Game;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::engine::Engine;
use super::hot::{HotCheckpoint, OpenRound};
use crate::store::CheckpointRow;

/// What a checkpoint holds besides its seq.
#[derive(Debug, Serialize, Deserialize)]
pub struct Saved<S> {
    /// The game state.
    pub state: S,
    /// Who is seated.
    pub seated: Vec<i64>,
    /// The game's timers running: (timer, milliseconds left).
    pub timers: Vec<(u32, u64)>,
    /// Seated players who are away: (player, when their reconnect grace
    /// ends, Unix milliseconds). A restart keeps the deadline. Absent in
    /// checkpoints older than it: every seated player then gets a full grace.
    #[serde(default)]
    pub away: Vec<(i64, i64)>,
}

/// Reads a checkpoint of game `game` opened with `spec`.
///
/// # Errors
/// Why it cannot be used: another game's, another config's, or a state this
/// build cannot read.
pub fn read<S: serde::de::DeserializeOwned>(row: &CheckpointRow, game: &str, spec: &Value) -> Result<Saved<S>, String> {
    if row.game != game {
        return Err(format!("it is a {} table", row.game));
    }
    if serde_json::from_str::<Value>(&row.spec).ok().as_ref() != Some(spec) {
        return Err("its config has changed".to_owned());
    }
    serde_json::from_str(&row.checkpoint).map_err(|e| e.to_string())
}

impl<G: Game> Engine<G> {
    /// The durable checkpoint of the table as it is now.
    ///
    /// # Errors
    /// The game state does not serialise.
    pub fn checkpoint(&self, now: i64) -> Result<CheckpointRow, serde_json::Error> {
        let left = |at: i64| u64::try_from(at.saturating_sub(now)).unwrap_or(0);
        let saved = Saved {
            state: &self.state,
            seated: self.seated.iter().copied().collect(),
            timers: self.timers.iter().map(|(t, (at, _))| (t.0, left(*at))).collect(),
            away: self.away.iter().map(|(p, at)| (*p, *at)).collect(),
        };
        // Straight from the state: no JSON tree in between.
        let text = serde_json::to_string(&saved)?;
        Ok(CheckpointRow {
            table: self.setup.id.clone(),
            game: G::ID.to_owned(),
            kind: self.setup.kind.label().to_owned(),
            owner: self.setup.owner,
            spec: self.spec_text.clone(),
            seq: i64::try_from(self.log.seq()).unwrap_or(i64::MAX),
            checkpoint: text,
            closed: self.closed,
            updated_at: now,
        })
    }

    /// The hot checkpoint of the table as it is now.
    ///
    /// # Errors
    /// The game state does not serialise.
    pub fn hot_checkpoint(&self, now: i64) -> Result<HotCheckpoint, serde_json::Error> {
        Ok(HotCheckpoint {
            row: self.checkpoint(now)?,
            open_round: self.hand.as_ref().map(|h| OpenRound {
                key: h.key.clone(),
                stakes: h.stakes.clone(),
                staked: h.staked,
                draws: h.rng.log().to_vec(),
            }),
            last_round: self.last_round.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(game: &str, spec: &str, checkpoint: &str) -> CheckpointRow {
        CheckpointRow {
            table: "t".into(),
            game: game.into(),
            kind: "table".into(),
            owner: None,
            spec: spec.into(),
            seq: 1,
            checkpoint: checkpoint.into(),
            closed: false,
            updated_at: 0,
        }
    }

    #[test]
    fn a_checkpoint_is_read_only_for_its_own_game_and_config() {
        let spec = serde_json::json!({ "min_bet": 100 });
        let text = r#"{"state":7,"seated":[1],"timers":[[1,500]]}"#;
        let saved = read::<u32>(&row("g", r#"{"min_bet":100}"#, text), "g", &spec);
        let saved = saved.map(|s| (s.state, s.seated, s.timers, s.away));
        assert_eq!(saved, Ok((7, vec![1], vec![(1, 500)], vec![])), "an older checkpoint has no deadlines");
        assert!(read::<u32>(&row("other", r#"{"min_bet":100}"#, text), "g", &spec).is_err());
        assert!(read::<u32>(&row("g", r#"{"min_bet":200}"#, text), "g", &spec).is_err());
        assert!(read::<u32>(&row("g", r#"{"min_bet":100}"#, "{}"), "g", &spec).is_err());
    }
}
