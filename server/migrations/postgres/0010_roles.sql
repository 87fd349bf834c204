-- Two more roles: support (reads players and rounds) and auditor (reads
-- the audit trail and rounds).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('player', 'support', 'operator', 'admin', 'auditor'));
