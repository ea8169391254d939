-- Names per language of configured records, a JSON object such as
-- {"es": "Abierto", "fr": "Ouvert"} (TEXT, like every JSON column, so one
-- diesel schema serves both backends). The base `name` stays the identity.
ALTER TABLE statuses ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
ALTER TABLE ticket_groups ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
ALTER TABLE ticket_types ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
ALTER TABLE root_causes ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
-- The sources the organisation names, with their labels: a JSON array of
-- {key, name, names}. Tickets keep their free-text `source`.
ALTER TABLE org_settings ADD COLUMN sources TEXT NOT NULL DEFAULT '[]';
