//! Every error code the server sends, over HTTP (`{"error": {"code",
//! "message"}}`) and over the WebSocket (`error`, `pending` and `closing`
//! messages): one enum, so a code is written once and a typo does not
//! compile. The refusals games share (`betting_closed`, `bet_out_of_limits`,
//! ...) are here too, and a game sends them through the SDK
//! (`croupier_sdk::codes`); only a code one game alone has is the game's
//! own. docs/api.md and docs/protocol.md document each code;
//! `server/tests/error_catalogue.rs` checks every one is documented and can
//! be sent.

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $name:ident = $text:literal,)+) => {
        /// A stable, `snake_case` error code of the server's own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ #[serde(rename = $text)] $name,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)+];

            /// The code that travels as `text`, if it is one of ours.
            pub fn parse(text: &str) -> Option<ErrorCode> {
                ErrorCode::ALL.iter().copied().find(|c| c.as_str() == text)
            }

            /// The code as it travels.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $text,)+
                }
            }
        }
    };
}

codes! {
    /// A fault on our side (logged; the message says nothing more).
    InternalError = "internal_error",
    /// The body is not JSON.
    MalformedJson = "malformed_json",
    /// A field is missing, extra, or of the wrong type.
    InvalidBody = "invalid_body",
    /// A query parameter is malformed.
    InvalidQuery = "invalid_query",
    /// The body exceeds `server.max_body_bytes`.
    BodyTooLarge = "body_too_large",
    /// The body is not `application/json`.
    UnsupportedMediaType = "unsupported_media_type",
    /// No such route or object.
    NotFound = "not_found",
    /// Another unique value is taken.
    Conflict = "conflict",
    /// Too many requests or messages: slow down.
    RateLimited = "rate_limited",
    /// A username that is not 3 to 32 of `a-z 0-9 _ . -`.
    InvalidUsername = "invalid_username",
    /// A password shorter or longer than the configured limits.
    InvalidPassword = "invalid_password",
    /// No `Authorization: Bearer` header.
    Unauthorized = "unauthorized",
    /// The access token is malformed, forged, or its account is gone.
    InvalidToken = "invalid_token",
    /// The access token has expired.
    TokenExpired = "token_expired",
    /// Wrong username or password.
    InvalidCredentials = "invalid_credentials",
    /// Too many failed logins to that account or from that address: wait.
    LoginThrottled = "login_throttled",
    /// The account has a second factor: send its code (or, for staff, the
    /// server requires one).
    MfaRequired = "mfa_required",
    /// A TOTP or recovery code that is wrong, expired or used.
    InvalidMfaCode = "invalid_mfa_code",
    /// A second factor is on already.
    MfaEnabled = "mfa_enabled",
    /// No second-factor enrolment is waiting for its first code.
    MfaNotPending = "mfa_not_pending",
    /// An unknown, expired or used password reset token.
    InvalidResetToken = "invalid_reset_token",
    /// Not a mail address of the form `name@example.com`.
    InvalidEmail = "invalid_email",
    /// A profile field that is too long or malformed (the message names it).
    InvalidProfile = "invalid_profile",
    /// The server keeps no personal data: no key to seal it is configured.
    PiiUnavailable = "pii_unavailable",
    /// The server sends no mail: none is configured.
    MailUnavailable = "mail_unavailable",
    /// The server takes no payments: no provider is configured.
    PaymentsUnavailable = "payments_unavailable",
    /// The payment provider did not answer or refused; nothing was taken.
    ProviderUnavailable = "provider_unavailable",
    /// A webhook without a valid signature.
    InvalidSignature = "invalid_signature",
    /// A webhook signed outside the replay window.
    StaleWebhook = "stale_webhook",
    /// A webhook whose body is not an event.
    InvalidWebhook = "invalid_webhook",
    /// No such payment.
    UnknownPayment = "unknown_payment",
    /// The withdrawal is not waiting for review (or rejected already).
    NotInReview = "not_in_review",
    /// A payout destination that is not 1 to 64 of `A-Z a-z 0-9 _ -`.
    InvalidDestination = "invalid_destination",
    /// The player has excluded themselves from play (for a period or for
    /// good): no stake, no deposit.
    SelfExcluded = "self_excluded",
    /// The player is taking a break they chose: no stake, no deposit until
    /// it ends.
    CoolingOff = "cooling_off",
    /// The stake would pass the player's own wager limit for a period.
    WagerLimitReached = "wager_limit_reached",
    /// The stake, if lost, would pass the player's own loss limit for a
    /// period.
    LossLimitReached = "loss_limit_reached",
    /// The deposit would pass the player's own deposit limit for a period.
    DepositLimitReached = "deposit_limit_reached",
    /// A limit whose kind, period, currency or amount is not one we take.
    InvalidLimit = "invalid_limit",
    /// An exclusion whose kind or length is not one we take.
    InvalidExclusion = "invalid_exclusion",
    /// An exclusion is in force that ends later than the one asked for: it
    /// can be made longer, never shorter.
    ExclusionActive = "exclusion_active",
    /// The player's identity is not verified enough for this: a deposit,
    /// withdrawal or stake needs the status the server's `[kyc]` sets.
    KycRequired = "kyc_required",
    /// The player's identity is verified already: no new check.
    AlreadyVerified = "already_verified",
    /// No identity verification provider is configured.
    KycUnavailable = "kyc_unavailable",
    /// A `Croupier-Device` header that is not 1 to 64 of `A-Z a-z 0-9 _ -`.
    InvalidDevice = "invalid_device",
    /// No such AML case.
    UnknownCase = "unknown_case",
    /// The AML case is not in a status that allows this (closing a closed
    /// one, escalating one escalated).
    InvalidCaseState = "invalid_case_state",
    /// An AML case's outcome that is not `cleared` or `reported`.
    InvalidOutcome = "invalid_outcome",
    /// The account was erased: its tokens are refused and its socket closed.
    AccountErased = "account_erased",
    /// Money is still the player's (available or held): an erasure waits
    /// until it is withdrawn or lost.
    BalanceNotEmpty = "balance_not_empty",
    /// A payment of the player's is under way: an erasure waits for it.
    PaymentOpen = "payment_open",
    /// The player's own session time limit is reached: no stake until the
    /// break after it ends.
    SessionLimitReached = "session_limit_reached",
    /// An unknown, expired, revoked or used refresh token.
    InvalidRefreshToken = "invalid_refresh_token",
    /// The caller's role may not do this.
    Forbidden = "forbidden",
    /// `current_password` is wrong.
    WrongPassword = "wrong_password",
    /// The username is registered already.
    UsernameTaken = "username_taken",
    /// No account with that username.
    UnknownUser = "unknown_user",
    /// The amount is zero or negative.
    InvalidAmount = "invalid_amount",
    /// The currency is not accepted.
    UnknownCurrency = "unknown_currency",
    /// An idempotency key that is not 1 to 128 printable ASCII characters.
    InvalidIdempotencyKey = "invalid_idempotency_key",
    /// The idempotency key was used for a different request.
    IdempotencyKeyReused = "idempotency_key_reused",
    /// The available balance is too low.
    InsufficientFunds = "insufficient_funds",
    /// A stake in another currency than its round's.
    CurrencyMismatch = "currency_mismatch",
    /// A payout to a player without a stake in the round.
    PayoutWithoutStake = "payout_without_stake",
    /// The round was settled or voided already.
    RoundClosed = "round_closed",
    /// No stake was ever held in that round.
    UnknownRound = "unknown_round",
    /// No such round, or not one of the caller's.
    RoundNotFound = "round_not_found",
    /// The round is not the one the table is playing now (it has ended, or
    /// never was).
    RoundNotOpen = "round_not_open",
    /// The wallet did not answer, so nothing was placed.
    WalletUnavailable = "wallet_unavailable",
    /// The wallet has not confirmed a stake yet; the answer follows.
    WalletUnconfirmed = "wallet_unconfirmed",
    /// A table id that is not 1 to 40 of `a-z 0-9 -`.
    InvalidTableId = "invalid_table_id",
    /// A table with that id is open.
    TableExists = "table_exists",
    /// No game with that id is registered.
    UnknownGame = "unknown_game",
    /// The game runs as single-player sessions, not live tables.
    NotATableGame = "not_a_table_game",
    /// The game runs at live tables, not as sessions.
    NotASessionGame = "not_a_session_game",
    /// The game refuses the config.
    InvalidConfig = "invalid_config",
    /// The game cannot take that config change on an open table.
    ConfigFixed = "config_fixed",
    /// A staff action's reason that is not 1 to 200 characters.
    InvalidReason = "invalid_reason",
    /// A client seed that is not 1 to 64 printable ASCII characters.
    InvalidClientSeed = "invalid_client_seed",
    /// A bulk-account count out of range.
    InvalidCount = "invalid_count",
    /// Test accounts are off on this server.
    TestAccountsDisabled = "test_accounts_disabled",
    /// A message that does not parse, or of an unknown type.
    InvalidMessage = "invalid_message",
    /// No `auth` in time.
    AuthTimeout = "auth_timeout",
    /// A second `auth` on one connection.
    AlreadyAuthenticated = "already_authenticated",
    /// Anything but `auth` before it.
    Unauthenticated = "unauthenticated",
    /// No open table with that id.
    UnknownTable = "unknown_table",
    /// No open session of the player's with that id.
    UnknownSession = "unknown_session",
    /// At most so many open sessions per player.
    TooManySessions = "too_many_sessions",
    /// The table's queue is full, or it waits for the database.
    TableBusy = "table_busy",
    /// Every seat is taken.
    TableFull = "table_full",
    /// The player has a seat here already.
    AlreadySeated = "already_seated",
    /// Take a seat first.
    NotSeated = "not_seated",
    /// That seat is taken, or there is no such seat (a game's refusal).
    SeatTaken = "seat_taken",
    /// Bets are closed for this round (a game's refusal).
    BettingClosed = "betting_closed",
    /// A bet outside the table's limits; the message names them in the
    /// table's money (a game's refusal).
    BetOutOfLimits = "bet_out_of_limits",
    /// The player's last stake is still at the wallet (a game's refusal).
    AwaitingSettlement = "awaiting_settlement",
    /// Another player, or another hand, is to act (a game's refusal).
    NotYourTurn = "not_your_turn",
    /// Join the table first.
    NotJoined = "not_joined",
    /// Not an action of this game.
    InvalidAction = "invalid_action",
    /// A chat line that is empty or has control characters.
    InvalidChat = "invalid_chat",
    /// A chat line over `play.chat_max_chars`.
    ChatTooLong = "chat_too_long",
    /// Not a player id.
    InvalidPlayer = "invalid_player",
    /// The server is stopping.
    ServerRestarting = "server_restarting",
    /// A newer connection of the same player took over.
    Replaced = "replaced",
    /// The server cannot do that now (a session it could not open).
    Unavailable = "unavailable",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_travels_as_its_text() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(json, serde_json::Value::from(code.as_str()));
            assert_eq!(serde_json::from_value::<ErrorCode>(json).ok(), Some(*code));
        }
        assert_eq!(ErrorCode::InsufficientFunds.to_string(), "insufficient_funds");
        assert_eq!(ErrorCode::parse("table_busy"), Some(ErrorCode::TableBusy));
        assert_eq!(ErrorCode::parse("betting_closed"), Some(ErrorCode::BettingClosed), "a shared game refusal");
        assert_eq!(ErrorCode::parse("invalid_bet"), None, "roulette's own code is not shared");
    }
}
