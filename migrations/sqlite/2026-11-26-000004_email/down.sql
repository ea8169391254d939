DROP TABLE email_suppressions;
DROP TABLE inbound_attachments;
DROP TABLE emails;
DROP TABLE inbound_messages;
DROP TABLE email_templates;

CREATE TABLE email_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    language TEXT NOT NULL DEFAULT 'en',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,                    -- with {{placeholders}}
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Transactional outbox: an email or webhook delivery is a row written in the
-- same transaction as the change that caused it; a worker delivers and
-- retries, so nothing is lost when SMTP is down or the process dies.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
    payload TEXT NOT NULL,                 -- JSON
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP
);
CREATE INDEX outbox_pending ON outbox(done_at, next_attempt_at);

CREATE TABLE emails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    from_addr TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    cc TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    in_reply_to TEXT,
    outbox_id BIGINT REFERENCES outbox(id) ON DELETE SET NULL,
    sent_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX emails_ticket ON emails(ticket_id, id);
