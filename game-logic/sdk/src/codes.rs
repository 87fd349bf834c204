//! Refusal codes: what a game answers a player it refuses with.
//!
//! One catalogue: a code every game may share (`not_seated`,
//! `betting_closed`, `bet_out_of_limits`, ...) is a
//! [`croupier_protocol::ErrorCode`], the same enum the server sends its own
//! codes from, documented once in docs/protocol.md. A refusal only one game
//! makes is that game's own [`Code`], made with [`Code::own`], listed in
//! [`crate::Game::CODES`] and documented on the game's page. The
//! scenario runner fails a game that refuses with a code in neither, and
//! one whose own code no scenario provokes; the server sends a code in
//! neither as `internal_error`.

use croupier_protocol::ErrorCode;
use serde::Serialize;

/// A stable, `snake_case` refusal code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Code(&'static str);

impl Code {
    /// A game's own code: list it in [`crate::Game::CODES`] and on the
    /// game's page. Use a shared [`ErrorCode`] where one says it.
    pub const fn own(text: &'static str) -> Self {
        Self(text)
    }

    /// One of the shared codes.
    pub const fn shared(code: ErrorCode) -> Self {
        Self(code.as_str())
    }

    /// The code as it travels.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether this is one of the shared codes.
    pub fn is_shared(self) -> bool {
        ErrorCode::parse(self.0).is_some()
    }

    /// Whether this is a code no player ever receives: a refusal of what
    /// only the server feeds a game (a timer, a wallet answer).
    pub fn is_internal(self) -> bool {
        INTERNAL.contains(&self)
    }

    /// Whether `text` is a code's form: 3 to 40 of `a-z` and `_`, starting
    /// with a letter.
    pub fn well_formed(text: &str) -> bool {
        (3..=40).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    }
}

impl From<ErrorCode> for Code {
    fn from(code: ErrorCode) -> Self {
        Self::shared(code)
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl core::fmt::Display for Code {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

/// A timer fired that the game did not start, or no longer runs. Only the
/// server feeds timers: never sent to a player (the server logs it).
pub const UNEXPECTED_TIMER: Code = Code("unexpected_timer");

/// A wallet answer for an operation the game is not waiting for. Only the
/// server feeds wallet answers: never sent to a player (the server logs it).
pub const UNEXPECTED_WALLET_RESULT: Code = Code("unexpected_wallet_result");

/// The codes no player ever receives.
pub const INTERNAL: &[Code] = &[UNEXPECTED_TIMER, UNEXPECTED_WALLET_RESULT];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_codes_travel_as_the_server_spells_them() {
        let code = Code::from(ErrorCode::NotSeated);
        assert_eq!(code.as_str(), "not_seated");
        assert!(code.is_shared() && !code.is_internal());
        assert_eq!(serde_json::to_string(&code).unwrap_or_default(), "\"not_seated\"");
    }

    #[test]
    fn internal_codes_are_apart_from_the_shared_and_own() {
        for code in INTERNAL {
            assert!(!code.is_shared(), "{code} is also a shared code");
            assert!(Code::well_formed(code.as_str()), "{code}");
        }
        assert!(!Code::own("invalid_bet").is_shared() && !Code::own("invalid_bet").is_internal());
    }

    #[test]
    fn the_form_of_a_code() {
        for good in ["abc", "bet_out_of_limits", "a_b"] {
            assert!(Code::well_formed(good), "{good}");
        }
        for bad in ["", "ab", "Bet", "_bet", "bet-limit", "bet2", &"x".repeat(41)] {
            assert!(!Code::well_formed(bad), "{bad:?}");
        }
    }
}
