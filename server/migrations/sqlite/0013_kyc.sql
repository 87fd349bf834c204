-- Identity checks (KYC) a player started with a provider. A check goes
-- created (before the provider answered) -> pending -> verified |
-- rejected, or created -> failed when the provider did not start it; a
-- status only moves forward. A player is verified once any check of
-- theirs is, and otherwise stands where their latest started check does
-- (none without one). No document is ever here: the player shows it on the
-- provider's page; `reason` is the provider's word on a rejection.
CREATE TABLE kyc_checks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    provider     TEXT   NOT NULL,
    provider_ref TEXT,
    redirect_url TEXT,
    status       TEXT   NOT NULL
        CHECK (status IN ('created', 'pending', 'verified', 'rejected', 'failed')),
    reason       TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX kyc_checks_user ON kyc_checks (user_id, id);

-- Every identity webhook event taken, once per provider event id, with
-- what it did.
CREATE TABLE kyc_events (
    provider    TEXT   NOT NULL,
    event_id    TEXT   NOT NULL,
    check_id    BIGINT,
    kind        TEXT   NOT NULL,
    outcome     TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
