-- Two more roles: support (reads players and rounds) and auditor (reads
-- the audit trail and rounds). SQLite cannot change a CHECK in place, so
-- the table is rebuilt as SQLite's documented procedure does it: the
-- migrations run on a connection with foreign keys off (store/sqlite.rs,
-- which checks every reference afterwards; the rows keep their ids, so
-- every reference still holds), the swap in the migration's transaction.
DROP TABLE IF EXISTS users_new;
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL CHECK (role IN ('player', 'support', 'operator', 'admin', 'auditor')),
    created_at    BIGINT NOT NULL
);
INSERT INTO users_new (id, username, password_hash, role, created_at)
    SELECT id, username, password_hash, role, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
