DROP TABLE imap_state;
