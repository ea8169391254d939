-- The change feed's order. An event gets its position when the job runner
-- dispatches it, under the row lock of the 'event_position' counter, so
-- positions are handed out in commit order even when a slow transaction
-- commits an event with a smaller id after a faster one: a reader paging by
-- position never skips an event (docs/API.md, "Change feed").
ALTER TABLE events ADD COLUMN position BIGINT;
UPDATE events SET position = id WHERE dispatched_at IS NOT NULL;
CREATE UNIQUE INDEX events_position ON events(position);
INSERT INTO counters (name, value) SELECT 'event_position', COALESCE(MAX(id), 0) FROM events;

-- The first migration's placeholder, never used.
DROP TABLE webhooks;

-- Where integrators want events (Standard Webhooks). The secret is kept as
-- issued (whsec_ + base64): signing needs it. After a rotation the previous
-- secret also signs until previous_secret_expires_at, so receivers can switch
-- over without dropping a message.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    event_types TEXT NOT NULL DEFAULT '[]', -- JSON array of event kinds; empty: every kind
    enabled BOOLEAN NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One event for one endpoint. msg_id is the webhook-id header: the same on
-- every attempt and on a manual replay, so receivers can deduplicate.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    msg_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);

-- The delivery log: one row per HTTP attempt.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status INTEGER,                        -- HTTP status; NULL when no answer
    latency_ms INTEGER NOT NULL,
    response TEXT,                         -- first 2 KB of the body
    error TEXT                             -- connect/timeout/refused-address...
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
