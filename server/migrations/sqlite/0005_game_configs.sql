-- Game configs that round records name by fingerprint.
--
-- A record carries `config`, the SHA-256 (hex) of the config JSON its round
-- was played under; the config itself is written here once, in the same
-- transaction as the first record that names it, so a record and its
-- config are never apart. A session's checkpoint and records then carry the
-- session, never its machine's paytable and strips.

CREATE TABLE game_configs (
    hash       TEXT   PRIMARY KEY,
    game       TEXT   NOT NULL,
    config     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
