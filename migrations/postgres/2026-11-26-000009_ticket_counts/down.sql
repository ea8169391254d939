DROP TRIGGER ticket_counts_update ON tickets;
DROP TRIGGER ticket_counts_delete ON tickets;
DROP TRIGGER ticket_counts_insert ON tickets;
DROP FUNCTION ticket_counts_update();
DROP FUNCTION ticket_counts_delete();
DROP FUNCTION ticket_counts_insert();
DROP TABLE ticket_count_deltas;
DROP TABLE ticket_counts;
