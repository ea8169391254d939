-- Feedback intake: contacts as customer profiles, their touchpoint timeline,
-- survey responses as integrators send them, and the alert rules that turn
-- responses into tickets. SQLite flavour; the PostgreSQL one is the same.

-- Contacts: tickets, responses and emails find them by external reference,
-- then by email. Merging moves everything to the survivor and deletes the
-- other; no column is needed for that.
CREATE INDEX contacts_name ON contacts(name);

-- Touchpoints had no users yet: recreated with the shape the timeline needs.
DROP INDEX touchpoints_contact;
DROP TABLE touchpoints;
CREATE TABLE touchpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                    -- survey_response, email, ticket, call, chat, custom
    channel TEXT,                          -- web, phone, store... as the source names it
    title TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',    -- JSON object
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    survey_response_id BIGINT REFERENCES survey_responses(id) ON DELETE SET NULL,
    occurred_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- The timeline: newest first, id as tie-breaker (keyset pagination).
CREATE INDEX touchpoints_timeline ON touchpoints(contact_id, occurred_at, id);
CREATE INDEX touchpoints_ticket ON touchpoints(ticket_id);

-- Survey responses: `survey` is the survey id, `score` the NPS. Kept (a
-- ticket column references the table) and widened.
ALTER TABLE survey_responses ADD COLUMN survey_name TEXT;
ALTER TABLE survey_responses ADD COLUMN external_id TEXT;
ALTER TABLE survey_responses ADD COLUMN csat INTEGER;
ALTER TABLE survey_responses ADD COLUMN ces INTEGER;
ALTER TABLE survey_responses ADD COLUMN embedded TEXT NOT NULL DEFAULT '{}';
ALTER TABLE survey_responses ADD COLUMN submitted_at TIMESTAMP;
-- SHA-256 of the canonical request: a repeat with the same external id and
-- the same content gets the stored outcome, a different content a 409.
ALTER TABLE survey_responses ADD COLUMN request_hash TEXT;
-- The answer the intake call gave (JSON), replayed for repeats.
ALTER TABLE survey_responses ADD COLUMN outcome TEXT NOT NULL DEFAULT '{}';
ALTER TABLE survey_responses ADD COLUMN created_by_token BIGINT REFERENCES api_tokens(id) ON DELETE SET NULL;
CREATE UNIQUE INDEX survey_responses_external_id ON survey_responses(external_id) WHERE external_id IS NOT NULL;
CREATE INDEX survey_responses_contact ON survey_responses(contact_id);
CREATE INDEX survey_responses_survey ON survey_responses(survey, id);
CREATE INDEX tickets_survey_response ON tickets(survey_response_id);
CREATE INDEX tickets_summary_score ON tickets(summary_score);

-- Tickets imported from another help desk, by their id there, so importing
-- the same ticket again finds it instead of duplicating it. A table of its
-- own: `tickets` is at diesel's 32-column limit.
CREATE TABLE ticket_imports (
    external_id TEXT PRIMARY KEY NOT NULL,
    ticket_id BIGINT NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
    imported_at TIMESTAMP NOT NULL
);

-- Alert rules had no users yet: recreated. Conditions are a JSON document
-- (domain `AlertConditions`); what the ticket references are columns, so a
-- deleted group or user clears the reference instead of dangling.
DROP TABLE alert_rules;
CREATE TABLE alert_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,   -- evaluation order, then id
    stop_on_match BOOLEAN NOT NULL DEFAULT 1,
    record_only BOOLEAN NOT NULL DEFAULT 0,
    conditions TEXT NOT NULL DEFAULT '{}',
    ticket_type_id BIGINT REFERENCES ticket_types(id) ON DELETE SET NULL,
    priority SMALLINT NOT NULL DEFAULT 1,
    group_id BIGINT REFERENCES ticket_groups(id) ON DELETE SET NULL,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    status_id BIGINT REFERENCES statuses(id) ON DELETE SET NULL,
    subject_template TEXT NOT NULL,
    summary_score TEXT,                    -- nps, csat or ces
    summary_comment TEXT,                  -- comment, or answer:<question>
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX alert_rules_order ON alert_rules(enabled, position, id);

-- A new installation follows up every NPS detractor.
INSERT INTO alert_rules (name, enabled, position, stop_on_match, record_only, conditions,
    priority, subject_template, summary_score, summary_comment, created_at, updated_at)
VALUES ('NPS detractor', 1, 0, 1, 0, '{"scores":[{"kind":"nps","min":0,"max":6}]}',
    2, 'NPS {{ scores.nps }} from {{ respondent.name or respondent.email or "a customer" }}',
    'nps', 'comment', '2026-11-26 00:00:00', '2026-11-26 00:00:00');
