-- The audit trail becomes a hash chain: each line keeps the hash of the
-- line before it and its own (SHA-256, see server/src/store/audit.rs).
-- `audit_chain.first_id` is the first line written under the chain; older
-- lines stay as they were, unchained.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE TABLE audit_chain (first_id BIGINT NOT NULL);
INSERT INTO audit_chain (first_id) SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log;
