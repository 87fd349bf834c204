-- Player protection: each player's own limits, exclusion and play-session
-- rules.
--
-- A limit caps what a player deposits, loses or wagers in one currency over
-- a calendar period (day, week, month; UTC). `amount` is in force (NULL: no
-- limit); a looser limit the player asked for waits in `pending_amount`
-- (NULL: the limit goes) until `pending_from`, the end of its cooling
-- period (NULL: nothing waits). A tighter one replaces `amount` at once.
CREATE TABLE player_limits (
    user_id        BIGINT NOT NULL REFERENCES users (id),
    kind           TEXT   NOT NULL CHECK (kind IN ('deposit', 'loss', 'wager')),
    period         TEXT   NOT NULL CHECK (period IN ('day', 'week', 'month')),
    currency       TEXT   NOT NULL,
    amount         BIGINT CHECK (amount >= 0),
    pending_amount BIGINT CHECK (pending_amount >= 0),
    pending_from   BIGINT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, period, currency)
);

-- A cool-off or self-exclusion: no stake and no deposit from `since` until
-- `until` (NULL: for good). It is only ever replaced by one that ends later.
CREATE TABLE player_exclusions (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id),
    kind       TEXT   NOT NULL CHECK (kind IN ('cool_off', 'self_exclusion')),
    since      BIGINT NOT NULL,
    until      BIGINT,
    updated_at BIGINT NOT NULL
);

-- A player's play-session rules: a reality check every `reality_check_secs`
-- (NULL: the server's default; 0: none) and a session time limit in seconds
-- (`limit_secs`, NULL: none), which like a limit tightens at once and
-- loosens only after the cooling period (`pending_limit_secs` from
-- `pending_from`).
CREATE TABLE player_session_rules (
    user_id            BIGINT PRIMARY KEY REFERENCES users (id),
    reality_check_secs BIGINT CHECK (reality_check_secs >= 0),
    limit_secs         BIGINT CHECK (limit_secs > 0),
    pending_limit_secs BIGINT CHECK (pending_limit_secs > 0),
    pending_from       BIGINT,
    updated_at         BIGINT NOT NULL
);
