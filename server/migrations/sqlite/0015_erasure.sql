-- GDPR erasure (server/src/store/erase.rs): an erased account keeps its
-- row, under the pseudonym `erased:ID` and with no usable password, so the
-- ledger, rounds and audit trail that the law keeps still add up; when it
-- was erased is here. Access tokens issued before then are refused.
ALTER TABLE users ADD COLUMN erased_at BIGINT;
