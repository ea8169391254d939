DROP INDEX sessions_expires;
DROP INDEX idempotency_keys_created;
DROP TABLE jobs;
DROP TABLE events;
ALTER TABLE history DROP COLUMN new_id;
ALTER TABLE history DROP COLUMN old_id;
ALTER TABLE tickets DROP COLUMN snooze_status_id;
