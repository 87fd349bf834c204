-- Personal data and password resets.
--
-- A profile (email, name, phone, address, document number) is stored only
-- sealed: `data` is AES-256-GCM ciphertext (hex of nonce and ciphertext)
-- under the key `key_id` names, bound to `user_id`; `email_index` is the
-- email's blind index (an HMAC under that key's index key), so an account
-- can be found by its email without decrypting. Nothing here is plain text.
CREATE TABLE player_profiles (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id),
    key_id      TEXT   NOT NULL,
    data        TEXT   NOT NULL,
    email_index TEXT,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX player_profiles_email_index ON player_profiles (email_index);
CREATE INDEX player_profiles_key_id ON player_profiles (key_id);

-- One outstanding password reset per account, stored only as the SHA-256
-- of its token; spent (deleted) by its use, replaced by a newer request.
CREATE TABLE password_resets (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id),
    token_hash TEXT   NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
