DROP INDEX events_pending;
CREATE INDEX events_undispatched ON events(dispatched_at, id);
