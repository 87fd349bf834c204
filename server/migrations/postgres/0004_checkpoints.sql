-- Durable table checkpoints: one row per live table or session, rewritten
-- at every round boundary in the same transaction as the round's settlement
-- and record (so a payout and the state after it are never seen apart), and
-- when a table opens or a session closes. A write never replaces a newer
-- checkpoint (higher seq). `spec` is the game config the table was opened
-- with, so operator-opened tables come back after a restart.

CREATE TABLE table_checkpoints (
    table_id   TEXT   PRIMARY KEY,
    game       TEXT   NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('table', 'session')),
    owner      BIGINT,
    spec       TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    checkpoint TEXT   NOT NULL,
    closed     BIGINT NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    updated_at BIGINT NOT NULL
);
