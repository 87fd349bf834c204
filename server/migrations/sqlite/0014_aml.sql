-- Anti-money-laundering review. A rule over the money stream (crate::aml)
-- opens a case about a player; staff escalate it, note it and close it
-- (cleared or reported). One live (open or escalated) case per player,
-- rule and subject. Every staff action is a line of the case's history,
-- and of the audit trail.
CREATE TABLE aml_cases (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    rule       TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    detail     TEXT   NOT NULL,
    status     TEXT   NOT NULL CHECK (status IN ('open', 'escalated', 'closed')),
    outcome    TEXT CHECK (outcome IN ('cleared', 'reported')),
    opened_at  BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX aml_cases_live ON aml_cases (user_id, rule, subject) WHERE status <> 'closed';
CREATE INDEX aml_cases_status ON aml_cases (status, id);
CREATE INDEX aml_cases_user ON aml_cases (user_id, id);

CREATE TABLE aml_case_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES aml_cases (id),
    actor   BIGINT NOT NULL REFERENCES users (id),
    action  TEXT   NOT NULL,
    note    TEXT   NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX aml_case_events_case ON aml_case_events (case_id, id);

-- Successful sign-ins: from where (the client address, and the device the
-- client names, if any), for the shared-address rules. Personal data: kept
-- for the rules' window (older rows go at each sign-in).
CREATE TABLE sign_ins (
    user_id BIGINT NOT NULL REFERENCES users (id),
    address TEXT   NOT NULL,
    device  TEXT,
    at      BIGINT NOT NULL
);
CREATE INDEX sign_ins_address ON sign_ins (address, at);
CREATE INDEX sign_ins_device ON sign_ins (device, at);
CREATE INDEX sign_ins_user ON sign_ins (user_id, at);
CREATE INDEX sign_ins_at ON sign_ins (at);
