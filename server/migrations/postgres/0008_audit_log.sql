-- The audit trail of staff actions: who (actor), what (action, target,
-- detail as JSON), when (unix ms) and from where (the client address).
-- Lines are only ever appended; a money-moving action writes its line in the
-- same transaction as the money, so one is never without the other.
CREATE TABLE audit_log (
    id      BIGSERIAL PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   BIGINT NOT NULL REFERENCES users (id),
    action  TEXT   NOT NULL,
    target  TEXT   NOT NULL,
    detail  TEXT   NOT NULL,
    address TEXT   NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target, id);
