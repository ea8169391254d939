-- Where IMAP polling of each mailbox stands: the UIDVALIDITY it read under
-- and the last UID stored, so no message is read twice or skipped (a new
-- UIDVALIDITY means reading the mailbox again; the SHA-256 dedupe of
-- inbound_messages keeps what was already stored from landing twice).
CREATE TABLE imap_state (
    mailbox TEXT PRIMARY KEY NOT NULL,     -- user@host:port/mailbox
    uidvalidity BIGINT NOT NULL,
    last_uid BIGINT NOT NULL,
    last_poll_at TIMESTAMP,
    last_error TEXT,
    updated_at TIMESTAMP NOT NULL
);
