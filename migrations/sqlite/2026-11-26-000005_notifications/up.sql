-- The first migration's placeholders, never used.
DROP TABLE notification_prefs;
DROP TABLE notifications;

-- What a person is told about a ticket they are responsible for. One row per
-- (person, event): the job runner fans an event out at least once, and the
-- unique key makes the second time a no-op.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    kind TEXT NOT NULL,                    -- created, assigned, status, escalated...
    title TEXT NOT NULL,                   -- "#1042 Late refund", as it was
    detail TEXT NOT NULL DEFAULT '',       -- "Status: Open → Resolved"
    actor TEXT NOT NULL DEFAULT '',        -- who did it, by name
    in_app BOOLEAN NOT NULL DEFAULT 1,   -- shown under the bell
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    emailed_at TIMESTAMP,
    UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, read_at);

-- A person's choices per kind; absent rows mean the defaults.
CREATE TABLE notification_prefs (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    in_app BOOLEAN NOT NULL,
    email BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);
