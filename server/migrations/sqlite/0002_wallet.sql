-- The wallet: a double-entry ledger. Every transaction is a set of entries
-- summing to zero; an account's `available` and `held` columns are the sums
-- of its entries in each bucket (`croupier ledger-check` verifies both).
-- Player balances can never go negative: the CHECK below enforces it in the
-- database, whatever the code does. House and system accounts may go
-- negative (the house can pay out more than it took; deposits come from the
-- system account).

CREATE TABLE wallet_accounts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT   NOT NULL CHECK (kind IN ('player', 'house', 'system')),
    user_id   BIGINT REFERENCES users (id),
    name      TEXT   NOT NULL,
    currency  TEXT   NOT NULL,
    available BIGINT NOT NULL DEFAULT 0,
    held      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (name, currency),
    CHECK (kind <> 'player' OR (available >= 0 AND held >= 0))
);

-- One row per money movement, keyed for idempotency: replaying a key
-- returns this row and moves nothing.
CREATE TABLE wallet_transactions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT   NOT NULL UNIQUE,
    kind            TEXT   NOT NULL CHECK (kind IN ('deposit', 'reserve', 'settle', 'void')),
    request         TEXT   NOT NULL,
    round_key       TEXT,
    created_at      BIGINT NOT NULL
);

CREATE TABLE wallet_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_id      BIGINT NOT NULL REFERENCES wallet_transactions (id),
    account_id BIGINT NOT NULL REFERENCES wallet_accounts (id),
    bucket     TEXT   NOT NULL CHECK (bucket IN ('available', 'held')),
    amount     BIGINT NOT NULL CHECK (amount <> 0)
);
CREATE INDEX wallet_entries_tx ON wallet_entries (tx_id);
CREATE INDEX wallet_entries_account ON wallet_entries (account_id, tx_id);

-- A round holds stakes until it is settled or voided, once.
CREATE TABLE wallet_rounds (
    round_key     TEXT   PRIMARY KEY,
    currency      TEXT   NOT NULL,
    house_account BIGINT NOT NULL REFERENCES wallet_accounts (id),
    status        TEXT   NOT NULL CHECK (status IN ('open', 'settled', 'voided')),
    opened_at     BIGINT NOT NULL,
    closed_at     BIGINT
);

CREATE TABLE wallet_holds (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    round_key TEXT   NOT NULL REFERENCES wallet_rounds (round_key),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    amount    BIGINT NOT NULL CHECK (amount > 0),
    tx_id     BIGINT NOT NULL REFERENCES wallet_transactions (id),
    status    TEXT   NOT NULL CHECK (status IN ('held', 'settled', 'voided'))
);
CREATE INDEX wallet_holds_round ON wallet_holds (round_key);
