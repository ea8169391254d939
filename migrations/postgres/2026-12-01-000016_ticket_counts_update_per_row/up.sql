-- The counts' UPDATE trigger on tickets, per row and only when a counted
-- column changes, as SQLite's has always been.
--
-- Per statement (000009) it ran for every UPDATE of tickets, and PL/pgSQL
-- plans a query that reads transition tables anew on each call: a comment,
-- which only moves updated_at, paid for planning and running the delta
-- query that then found nothing changed. Single-row UPDATEs ran 2,283-2,331
-- per second with it and 3,588 without (pgbench, 8 clients, 1.3M tickets:
-- docs/BENCHMARKS.md, session 21). The WHEN clause is evaluated without
-- calling the function, and the function's INSERT, reading no transition
-- table, is planned once per connection. Bulk changes (at most BULK_MAX
-- tickets per request) pay one call per changed row instead of one per
-- statement; imports insert, and keep the INSERT trigger per statement.
DROP TRIGGER ticket_counts_update ON tickets;

CREATE FUNCTION ticket_counts_update_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_count_deltas (day, status_id, status_category, priority, owner_id, group_id,
                                     parent_owner_id, parent_group_id, type_id, source, n)
    VALUES ((OLD.created_at::date - DATE '1970-01-01'), OLD.status_id, OLD.status_category,
            OLD.priority, COALESCE(OLD.owner_id, 0), COALESCE(OLD.group_id, 0),
            COALESCE(OLD.parent_owner_id, 0), COALESCE(OLD.parent_group_id, 0),
            COALESCE(OLD.type_id, 0), COALESCE(OLD.source, ''), -1),
           ((NEW.created_at::date - DATE '1970-01-01'), NEW.status_id, NEW.status_category,
            NEW.priority, COALESCE(NEW.owner_id, 0), COALESCE(NEW.group_id, 0),
            COALESCE(NEW.parent_owner_id, 0), COALESCE(NEW.parent_group_id, 0),
            COALESCE(NEW.type_id, 0), COALESCE(NEW.source, ''), 1);
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_counts_update AFTER UPDATE ON tickets
    FOR EACH ROW
    WHEN ((OLD.created_at, OLD.status_id, OLD.status_category, OLD.priority, OLD.owner_id,
           OLD.group_id, OLD.parent_owner_id, OLD.parent_group_id, OLD.type_id, OLD.source)
          IS DISTINCT FROM
          (NEW.created_at, NEW.status_id, NEW.status_category, NEW.priority, NEW.owner_id,
           NEW.group_id, NEW.parent_owner_id, NEW.parent_group_id, NEW.type_id, NEW.source))
    EXECUTE FUNCTION ticket_counts_update_row();
