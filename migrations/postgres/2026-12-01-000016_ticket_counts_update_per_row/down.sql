DROP TRIGGER ticket_counts_update ON tickets;
DROP FUNCTION ticket_counts_update_row();
CREATE TRIGGER ticket_counts_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_update();
