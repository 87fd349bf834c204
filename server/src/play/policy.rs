//! How live tables and single-player sessions differ: one small value,
//! [`Kind`], asked by the engine and the shell at the few places where they
//! do. Everything else about a table and a session is the same machinery.

use serde::Serialize;

/// Whether a game runs as live multi-player tables or single-player sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Live tables: declared in settings or opened by an operator.
    Table,
    /// One session per player, opened with `session.open`.
    Session,
}

impl Kind {
    /// As stored in a checkpoint row.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Session => "session",
        }
    }

    /// The house account that takes the stakes and pays the winners: one
    /// per table; sessions of a game share `shards` accounts (by a hash of
    /// the session id), so no single row serialises every session.
    pub fn house(self, game: &str, id: &str, shards: u32) -> String {
        match self {
            Kind::Table => format!("house:table:{id}"),
            Kind::Session => {
                let hash = id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
                format!("house:{game}:{}", hash % shards.max(1))
            }
        }
    }

    /// Whether the table announces each round's commitment and seed as
    /// events (a session's commitment is the player's, served over HTTP).
    pub fn announces_seeds(self) -> bool {
        self == Kind::Table
    }

    /// Whether a player whose reconnect grace ran out closes it (a session)
    /// rather than being stood up (a table).
    pub fn closes_when_abandoned(self) -> bool {
        self == Kind::Session
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_spread_over_their_house_shards_and_tables_have_their_own() {
        assert_eq!(Kind::Table.house("roulette", "r1", 8), "house:table:r1");
        let houses: std::collections::BTreeSet<String> =
            (0..200).map(|i| Kind::Session.house("slots", &format!("s-{i:x}"), 4)).collect();
        assert_eq!(houses.len(), 4, "{houses:?}");
        assert!(houses.iter().all(|h| h.starts_with("house:slots:")));
        assert_eq!(Kind::Session.house("slots", "s-1", 0), "house:slots:0", "no shard count means one");
    }
}
