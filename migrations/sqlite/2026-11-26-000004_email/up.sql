-- Email: templates, the ticket's email thread (outbound and inbound), the
-- raw inbound messages, their attachments and suppressed addresses.
-- SQLite flavour; the PostgreSQL one is the same.

-- Delivery now goes through the durable job queue; the first migration's
-- outbox and the unused email tables are replaced.
DROP TABLE emails;
DROP TABLE outbox;
DROP TABLE email_templates;

-- A template is one (name, language) variant: sending picks the variant in
-- the contact's language, else English, else the one named.
CREATE TABLE email_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'es', 'fr')),
    subject TEXT NOT NULL,                 -- minijinja source
    body TEXT NOT NULL,                    -- minijinja source
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (name, language)
);

-- Raw inbound mail exactly as received (API, mailgate or IMAP), deduplicated
-- by the SHA-256 of its bytes; a parse error is kept for admins to see and
-- the message can be processed again.
CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL UNIQUE,
    raw BLOB NOT NULL,
    size_bytes BIGINT NOT NULL,
    source TEXT NOT NULL,                  -- api, mailgate, imap
    message_id TEXT,
    from_addr TEXT,
    subject TEXT,
    -- new, ticket (matched or created), auto (auto-reply/bounce: inert), failed
    outcome TEXT NOT NULL DEFAULT 'new',
    parse_error TEXT,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    received_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP
);
CREATE INDEX inbound_messages_outcome ON inbound_messages(outcome, id);

-- A ticket's email thread. Outbound rows are fixed when queued (the
-- Message-ID included), so a retried delivery sends the same message.
CREATE TABLE emails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    -- outbound: queued, sent, failed; inbound: received, auto
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'received', 'auto')),
    from_addr TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    reply_to TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,       -- without angle brackets
    in_reply_to TEXT,
    refs TEXT NOT NULL DEFAULT '',         -- space-separated Message-IDs, bounded
    template_id BIGINT REFERENCES email_templates(id) ON DELETE SET NULL,
    sent_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    inbound_id BIGINT REFERENCES inbound_messages(id) ON DELETE SET NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    smtp_answer TEXT,                      -- last SMTP reply or error
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX emails_ticket ON emails(ticket_id, id);

CREATE TABLE inbound_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inbound_id BIGINT NOT NULL REFERENCES inbound_messages(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX inbound_attachments_message ON inbound_attachments(inbound_id);

-- Addresses a permanent bounce (DSN) reported as undeliverable.
CREATE TABLE email_suppressions (
    email TEXT PRIMARY KEY NOT NULL,       -- lowercased
    reason TEXT NOT NULL,
    inbound_id BIGINT REFERENCES inbound_messages(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
