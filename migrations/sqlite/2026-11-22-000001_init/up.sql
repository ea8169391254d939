-- Lazo's whole data model (PRODUCT.md), SQLite flavour. The PostgreSQL
-- migration next door is the same schema in that dialect; keep them in step.
-- Conventions: ids are 64-bit integers; timestamps are UTC, written by the
-- application (never by DEFAULT CURRENT_TIMESTAMP, whose text format differs
-- from diesel's and would break ordering); JSON is stored as TEXT so one
-- diesel schema serves both backends; enums are snake_case TEXT with CHECKs.

CREATE TABLE counters (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
-- People count from #1001: short, and never confused with a quantity.
INSERT INTO counters (name, value) VALUES ('ticket_number', 1000);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,           -- stored lowercased
    name TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en',
    role TEXT NOT NULL CHECK (role IN ('admin', 'ticket_admin', 'agent')),
    active BOOLEAN NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,          -- argon2id PHC string
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A login is a session row; the JWT names it, so logout (revoked_at) ends it
-- even before the JWT expires.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,     -- SHA-256 of a 256-bit random secret
    scopes TEXT NOT NULL,                 -- space separated Scope values
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE ticket_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    restrict_assignees BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES ticket_groups(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    manager BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE statuses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL CHECK (category IN ('new', 'open', 'pending', 'closed')),
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE org_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),  -- one organisation per database
    name TEXT NOT NULL,
    agents_may_close BOOLEAN NOT NULL,
    comment_required_on_update BOOLEAN NOT NULL,
    inbound_email_status_id BIGINT REFERENCES statuses(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE ticket_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    show_summary BOOLEAN NOT NULL DEFAULT 1,
    show_survey BOOLEAN NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    -- JSON array of FieldDef (key, label, kind, required, options): read and
    -- written whole, in order, with the type.
    fields TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Root causes are deactivated, never deleted, so old tickets keep theirs.
CREATE TABLE root_causes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_type_id BIGINT NOT NULL REFERENCES ticket_types(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (ticket_type_id, name)
);

CREATE TABLE root_cause_rules (
    ticket_type_id BIGINT NOT NULL REFERENCES ticket_types(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    rule TEXT NOT NULL CHECK (rule IN ('required', 'prohibited')),
    PRIMARY KEY (ticket_type_id, status_id)
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT,                            -- lowercased
    name TEXT,
    phone TEXT,
    language TEXT,
    subscribed BOOLEAN NOT NULL DEFAULT 1,
    external_ref TEXT,
    attributes TEXT NOT NULL DEFAULT '{}', -- JSON object of free attributes
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX contacts_email ON contacts(email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_external_ref ON contacts(external_ref) WHERE external_ref IS NOT NULL;

CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
    survey TEXT NOT NULL,
    score INTEGER,
    comment TEXT,
    answers TEXT NOT NULL DEFAULT '[]',    -- JSON array of {question, answer}
    received_at TIMESTAMP NOT NULL
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number BIGINT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type_id BIGINT REFERENCES ticket_types(id),
    priority SMALLINT NOT NULL,            -- Priority::rank, 0 low .. 3 critical
    status_id BIGINT NOT NULL REFERENCES statuses(id),
    -- Copy of the status's category, kept in step by the API, so the
    -- follow-up page filters and counts by category without a join.
    status_category TEXT NOT NULL,
    root_cause_id BIGINT REFERENCES root_causes(id),
    group_id BIGINT REFERENCES ticket_groups(id) ON DELETE SET NULL,
    origin_group_id BIGINT REFERENCES ticket_groups(id) ON DELETE SET NULL,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    parent_id BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    -- Copies of the parent's owner and group, kept in step by the API: the
    -- follow-up query shows sub-tickets to whoever holds the parent without
    -- a self-join over a million rows.
    parent_owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    parent_group_id BIGINT REFERENCES ticket_groups(id) ON DELETE SET NULL,
    contact_id BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
    -- Copy of the contact's email for search and the list's email column.
    requester_email TEXT,
    source TEXT,
    due_at TIMESTAMP,
    summary_score INTEGER,
    summary_comment TEXT,
    custom_fields TEXT NOT NULL DEFAULT '{}',
    is_public BOOLEAN NOT NULL DEFAULT 1,
    survey_response_id BIGINT REFERENCES survey_responses(id) ON DELETE SET NULL,
    merged_into_id BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    snooze_until TIMESTAMP,                -- scheduled automatic reopen
    first_response_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_by_user BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_by_token BIGINT REFERENCES api_tokens(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1      -- optimistic concurrency, ETag
);
-- Follow-up page: every sort key with id as tie-breaker (keyset pagination),
-- and the visibility columns with the default sort.
CREATE INDEX tickets_created ON tickets(created_at, id);
CREATE INDEX tickets_updated ON tickets(updated_at, id);
CREATE INDEX tickets_priority ON tickets(priority, id);
CREATE INDEX tickets_due ON tickets(due_at, id);
CREATE INDEX tickets_owner ON tickets(owner_id, created_at);
-- "My tickets, most recently updated first", the agent's everyday view.
CREATE INDEX tickets_owner_updated ON tickets(owner_id, updated_at);
-- "Unassigned, most urgent first", the dispatcher's view.
CREATE INDEX tickets_owner_priority ON tickets(owner_id, priority, id);
CREATE INDEX tickets_group ON tickets(group_id, created_at);
CREATE INDEX tickets_origin_group ON tickets(origin_group_id);
CREATE INDEX tickets_status ON tickets(status_id, created_at);
-- Covers the counts query (GROUP BY status_id) with the visibility and
-- common filter columns, so counting scans this narrow index, not the table.
CREATE INDEX tickets_counts ON tickets(status_id, owner_id, group_id, parent_owner_id, parent_group_id, priority, status_category, created_at, due_at);
CREATE INDEX tickets_category ON tickets(status_category, created_at);
-- "Open and critical": equal category and priority leave created_at in
-- order for the page, and status_id covers the counts' GROUP BY.
CREATE INDEX tickets_category_priority ON tickets(status_category, priority, created_at, status_id);
CREATE INDEX tickets_parent ON tickets(parent_id);
-- "Parents of the sub-tickets I own" is a range scan of this index.
CREATE INDEX tickets_owner_parent ON tickets(owner_id, parent_id);
CREATE INDEX tickets_requester_email ON tickets(requester_email);
CREATE INDEX tickets_type ON tickets(type_id);
CREATE INDEX tickets_contact ON tickets(contact_id);

-- Full-text index of subject and description for the follow-up search
-- (word prefixes, accents folded), kept in step by triggers. An external-
-- content table: the text lives once, in tickets.
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    subject, description, content='tickets', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject, description) VALUES (new.id, new.subject, new.description);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description);
    INSERT INTO tickets_fts (rowid, subject, description) VALUES (new.id, new.subject, new.description);
END;

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,                     -- lowercased, trimmed
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags(tag, ticket_id);

CREATE TABLE ticket_cc (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    PRIMARY KEY (ticket_id, email)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    author_token_id BIGINT REFERENCES api_tokens(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    internal BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_ticket ON comments(ticket_id, id);

-- Append-only. One row per changed field; values are the human-readable
-- form at the time (a renamed status keeps its old name here).
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    actor_token_id BIGINT REFERENCES api_tokens(id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,              -- kept when the actor is gone
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    comment_id BIGINT REFERENCES comments(id) ON DELETE SET NULL
);
CREATE INDEX history_ticket ON history(ticket_id, id);

CREATE TABLE ticket_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    other_ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('related', 'duplicate_of', 'merged_into')),
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (ticket_id, other_ticket_id, kind)
);
CREATE INDEX ticket_links_other ON ticket_links(other_ticket_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments(id) ON DELETE SET NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,                  -- content address in the blob store
    uploaded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);

CREATE TABLE time_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    time_type TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    activity TEXT NOT NULL DEFAULT '',
    value_cents BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX time_entries_ticket ON time_entries(ticket_id);

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

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TABLE notification_prefs (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    email BOOLEAN NOT NULL DEFAULT 1,
    in_app BOOLEAN NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, event)
);

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,                  -- Standard Webhooks signing key
    events TEXT NOT NULL,                  -- space separated
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE touchpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                    -- survey_response, email, ticket, call...
    ref_id BIGINT,
    summary TEXT NOT NULL DEFAULT '',
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX touchpoints_contact ON touchpoints(contact_id, occurred_at);

CREATE TABLE alert_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    criteria TEXT NOT NULL,                -- JSON
    ticket_type_id BIGINT REFERENCES ticket_types(id) ON DELETE SET NULL,
    group_id BIGINT REFERENCES ticket_groups(id) ON DELETE SET NULL,
    priority SMALLINT NOT NULL DEFAULT 1,
    active BOOLEAN NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE macros (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    actions TEXT NOT NULL,                 -- JSON list of UpdateTicket-like actions
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,  -- NULL: shared
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE macro_favourites (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    macro_id BIGINT NOT NULL REFERENCES macros(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, macro_id)
);

CREATE TABLE sla_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    priority SMALLINT,
    ticket_type_id BIGINT REFERENCES ticket_types(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES ticket_groups(id) ON DELETE CASCADE,
    first_response_minutes INTEGER,
    resolution_minutes INTEGER,
    business_hours TEXT NOT NULL DEFAULT '{}',  -- JSON weekly schedule + zone
    active BOOLEAN NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ticket_sla (
    ticket_id BIGINT PRIMARY KEY NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    policy_id BIGINT REFERENCES sla_policies(id) ON DELETE SET NULL,
    first_response_due_at TIMESTAMP,
    resolution_due_at TIMESTAMP,
    paused_at TIMESTAMP,
    paused_minutes INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ticket_analysis (
    ticket_id BIGINT PRIMARY KEY NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    intent TEXT,
    sentiment TEXT,
    satisfaction SMALLINT,
    churn_risk TEXT,
    summary TEXT,
    computed_at TIMESTAMP NOT NULL
);

-- Idempotency-Key replay store: the first response to a key is kept for a
-- day and returned to any retry of the same request by the same caller.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status SMALLINT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
