-- A coarser level of the count rollup: the rows of ticket_counts summed per
-- calendar month (UTC; `month` is months since 1970-01). Counts over all
-- dates or a long range sum a few hundred month rows instead of a row per
-- day and combination, with whole days only at the range's ends
-- (docs/BENCHMARKS.md).
--
-- Kept from ticket_counts by a row trigger: on PostgreSQL only the
-- `tickets.compact_counts` job writes ticket_counts (one compaction at a
-- time, under an advisory lock), so no writer of tickets waits on a month
-- row. Pending deltas are read by day as before.
CREATE TABLE ticket_month_counts (
    month BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    status_category TEXT NOT NULL,
    priority SMALLINT NOT NULL,
    owner_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    parent_owner_id BIGINT NOT NULL,
    parent_group_id BIGINT NOT NULL,
    type_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, status_id, status_category, priority, owner_id, group_id,
                 parent_owner_id, parent_group_id, type_id, source)
);

CREATE FUNCTION lazo_month_of_day(day BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT ((extract(year FROM DATE '1970-01-01' + day::int) - 1970) * 12
            + extract(month FROM DATE '1970-01-01' + day::int) - 1)::bigint
$$;

INSERT INTO ticket_month_counts
SELECT lazo_month_of_day(day), status_id, status_category, priority, owner_id, group_id,
       parent_owner_id, parent_group_id, type_id, source, sum(n)
FROM ticket_counts
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

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
