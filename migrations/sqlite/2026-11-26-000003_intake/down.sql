DROP TABLE alert_rules;
CREATE TABLE alert_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    criteria TEXT NOT NULL,
    ticket_type_id BIGINT REFERENCES ticket_types(id) ON DELETE SET NULL,
    group_id BIGINT REFERENCES ticket_groups(id) ON DELETE SET NULL,
    priority SMALLINT NOT NULL DEFAULT 1,
    active BOOLEAN NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0
);
DROP TABLE ticket_imports;
DROP INDEX tickets_summary_score;
DROP INDEX tickets_survey_response;
DROP INDEX survey_responses_survey;
DROP INDEX survey_responses_contact;
DROP INDEX survey_responses_external_id;
ALTER TABLE survey_responses DROP COLUMN created_by_token;
ALTER TABLE survey_responses DROP COLUMN outcome;
ALTER TABLE survey_responses DROP COLUMN request_hash;
ALTER TABLE survey_responses DROP COLUMN submitted_at;
ALTER TABLE survey_responses DROP COLUMN embedded;
ALTER TABLE survey_responses DROP COLUMN ces;
ALTER TABLE survey_responses DROP COLUMN csat;
ALTER TABLE survey_responses DROP COLUMN external_id;
ALTER TABLE survey_responses DROP COLUMN survey_name;
DROP TABLE touchpoints;
CREATE TABLE touchpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    ref_id BIGINT,
    summary TEXT NOT NULL DEFAULT '',
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX touchpoints_contact ON touchpoints(contact_id, occurred_at);
DROP INDEX contacts_name;
