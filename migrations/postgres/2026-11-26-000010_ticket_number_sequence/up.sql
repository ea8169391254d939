-- Ticket numbers come from a sequence on PostgreSQL. The counters row was
-- locked by every create from its number until its commit, so concurrent
-- creates queued on it (about 300/s at most, whatever the pool size); a
-- sequence hands out numbers without a lock. A rolled-back create leaves a
-- gap, as in every help desk that numbers this way.
CREATE SEQUENCE ticket_numbers;
SELECT setval('ticket_numbers', GREATEST((SELECT value FROM counters WHERE name = 'ticket_number'), (SELECT COALESCE(max(number), 0) FROM tickets), 1));
DELETE FROM counters WHERE name = 'ticket_number';
