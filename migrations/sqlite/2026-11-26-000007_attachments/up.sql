-- Ticket attachments. SQLite flavour; the PostgreSQL one differs only in
-- types (BYTEA, identity ids).
--
-- The bytes live in the database, content-addressed by SHA-256: one copy per
-- distinct file however many tickets carry it, nothing to back up beside the
-- database, and every process on one PostgreSQL sees the same files.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,      -- lowercase hex
    size_bytes BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The first migration's `attachments` was never written to. It is made
-- again so that its content address references the blob (a blob still
-- referenced cannot be deleted) and a token's uploads have an uploader too.
DROP TABLE attachments;
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments(id) ON DELETE SET NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    uploaded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    uploaded_by_token BIGINT REFERENCES api_tokens(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);
