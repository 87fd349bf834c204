-- Payments through a provider: a player's deposits (paid on the provider's
-- page, credited once its webhook says so) and withdrawals (held in the
-- wallet as the round `payout/ID`, paid out by the provider, then settled
-- or voided). `status` only moves forward: a deposit goes created ->
-- pending -> succeeded | failed; a withdrawal review -> approved -> paying
-- -> paid | failed, or review -> rejected. No card data is ever here.
CREATE TABLE payments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    kind         TEXT   NOT NULL CHECK (kind IN ('deposit', 'withdrawal')),
    provider     TEXT   NOT NULL,
    provider_ref TEXT,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    currency     TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    destination  TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX payments_user ON payments (user_id, id);
CREATE INDEX payments_status ON payments (kind, status, id);

-- Every webhook event taken, once per provider event id, with what it did.
CREATE TABLE payment_events (
    provider    TEXT   NOT NULL,
    event_id    TEXT   NOT NULL,
    payment_id  BIGINT,
    kind        TEXT   NOT NULL,
    outcome     TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
