ALTER TABLE org_settings DROP COLUMN sources;
ALTER TABLE root_causes DROP COLUMN names;
ALTER TABLE ticket_types DROP COLUMN names;
ALTER TABLE ticket_groups DROP COLUMN names;
ALTER TABLE statuses DROP COLUMN names;
