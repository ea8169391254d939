-- Events (the transactional outbox), the durable job queue, history by id
-- and scheduled reopen. SQLite flavour; the PostgreSQL one is the same.

-- The open status a snoozed ticket returns to when `snooze_until` comes.
ALTER TABLE tickets ADD COLUMN snooze_status_id BIGINT REFERENCES statuses(id) ON DELETE SET NULL;

-- History keeps the ids a change was about beside the display snapshot, so
-- renaming a status (or a user, a group...) no longer changes what an old
-- row means, and time-in-status can be computed from ids.
ALTER TABLE history ADD COLUMN old_id BIGINT;
ALTER TABLE history ADD COLUMN new_id BIGINT;

-- Existing rows carry names only: recover the ids where the name still
-- identifies one row (names of statuses, groups and types are unique; users
-- and root causes are matched when exactly one has that name).
UPDATE history SET
    old_id = (SELECT id FROM statuses WHERE name = history.old_value),
    new_id = (SELECT id FROM statuses WHERE name = history.new_value)
    WHERE field = 'status';
UPDATE history SET
    old_id = (SELECT id FROM ticket_groups WHERE name = history.old_value),
    new_id = (SELECT id FROM ticket_groups WHERE name = history.new_value)
    WHERE field = 'group';
UPDATE history SET
    old_id = (SELECT id FROM ticket_types WHERE name = history.old_value),
    new_id = (SELECT id FROM ticket_types WHERE name = history.new_value)
    WHERE field = 'type';
UPDATE history SET
    old_id = (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(id) END FROM users WHERE name = history.old_value),
    new_id = (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(id) END FROM users WHERE name = history.new_value)
    WHERE field = 'owner';
UPDATE history SET
    old_id = (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(id) END FROM root_causes WHERE name = history.old_value),
    new_id = (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(id) END FROM root_causes WHERE name = history.new_value)
    WHERE field = 'root_cause';

-- What happened, written in the same transaction as the change. The job
-- runner fans undispatched events out to their consumers (webhooks, email
-- notifications...) in id order.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                    -- ticket.created, ticket.updated...
    ticket_id BIGINT,                      -- no FK: a deletion's event outlives its ticket
    actor TEXT NOT NULL,                   -- JSON Actor
    data TEXT NOT NULL,                    -- JSON, versioned by kind
    created_at TIMESTAMP NOT NULL,
    dispatched_at TIMESTAMP
);
CREATE INDEX events_undispatched ON events(dispatched_at, id);
CREATE INDEX events_ticket ON events(ticket_id, id);

-- The durable job queue. A job is claimed by setting a lease (locked_until,
-- lease); a worker that dies leaves a lease that runs out, and the job is
-- taken again. `unique_key` names a logical job (one per snoozed ticket, one
-- per periodic task): enqueueing it again reschedules the same row.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    unique_key TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_until TIMESTAMP,
    lease TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_due ON jobs(state, run_at);
CREATE INDEX jobs_expired_leases ON jobs(state, locked_until);

-- Idempotency keys are expired by a job; this finds the old ones.
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
CREATE INDEX sessions_expires ON sessions(expires_at);
