-- TOTP second factors (RFC 6238) and their recovery codes. `secret` is the
-- shared key (base32); an enrolment counts once `confirmed_at` is set (a
-- code from the authenticator was shown). `last_step` is the newest time
-- step a code was accepted for: a code is never taken twice. A recovery
-- code is stored only as its SHA-256 and is spent by setting `used_at`.
CREATE TABLE mfa_totp (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id),
    secret       TEXT   NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

CREATE TABLE mfa_recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users (id),
    code_hash TEXT   NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
