DROP TRIGGER ticket_month_counts_insert ON ticket_counts;
DROP TRIGGER ticket_month_counts_update ON ticket_counts;
DROP TRIGGER ticket_month_counts_delete ON ticket_counts;
DROP FUNCTION ticket_month_counts_apply();

CREATE FUNCTION ticket_month_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO ticket_month_counts VALUES (
            lazo_month_of_day(OLD.day), OLD.status_id, OLD.status_category, OLD.priority,
            OLD.owner_id, OLD.group_id, OLD.parent_owner_id, OLD.parent_group_id, OLD.type_id,
            OLD.source, -OLD.n)
        ON CONFLICT (month, status_id, status_category, priority, owner_id, group_id,
                     parent_owner_id, parent_group_id, type_id, source)
        DO UPDATE SET n = ticket_month_counts.n + EXCLUDED.n;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO ticket_month_counts VALUES (
            lazo_month_of_day(NEW.day), NEW.status_id, NEW.status_category, NEW.priority,
            NEW.owner_id, NEW.group_id, NEW.parent_owner_id, NEW.parent_group_id, NEW.type_id,
            NEW.source, NEW.n)
        ON CONFLICT (month, status_id, status_category, priority, owner_id, group_id,
                     parent_owner_id, parent_group_id, type_id, source)
        DO UPDATE SET n = ticket_month_counts.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_month_counts_change AFTER INSERT OR UPDATE OR DELETE ON ticket_counts
    FOR EACH ROW EXECUTE FUNCTION ticket_month_counts_change();
