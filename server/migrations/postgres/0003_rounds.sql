-- Round records and provably-fair seeds.
--
-- A round record is written in the same transaction as the round's
-- settlement (or void), so a round is paid exactly when it is recorded.
-- `record` is the SDK's RoundRecord as JSON; `round_players` says who may
-- read it.

CREATE TABLE rounds (
    round_key  TEXT   PRIMARY KEY,
    table_id   TEXT   NOT NULL,
    game       TEXT   NOT NULL,
    record     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX rounds_table ON rounds (table_id, created_at);

CREATE TABLE round_players (
    round_key TEXT   NOT NULL REFERENCES rounds (round_key),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_key, user_id)
);
CREATE INDEX round_players_user ON round_players (user_id);

-- A player's provably-fair server seeds. `seed` is secret until
-- `revealed_at` is set (at rotation, or at the next start for a seed that was
-- in use when the server stopped: a seed is never used again after a
-- restart, so no nonce repeats).
CREATE TABLE fair_seeds (
    commitment  TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    seed        TEXT   NOT NULL,
    client_seed TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    revealed_at BIGINT
);
CREATE INDEX fair_seeds_user ON fair_seeds (user_id, created_at);
