-- Accounts and refresh tokens. Times are Unix milliseconds (BIGINT), flags
-- are 0/1 BIGINTs: the same columns on Postgres and SQLite.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL CHECK (role IN ('player', 'operator', 'admin')),
    created_at    BIGINT NOT NULL
);

-- A refresh token is stored only as its SHA-256. Rotating marks it used and
-- issues a successor in the same family; presenting a used token again
-- revokes the whole family (the token was stolen or replayed).
CREATE TABLE refresh_tokens (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    family     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    used       BIGINT NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    revoked    BIGINT NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
