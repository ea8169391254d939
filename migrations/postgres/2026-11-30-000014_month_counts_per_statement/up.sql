-- The month level of the count rollup, kept per statement instead of per
-- row. The compaction folds its deltas into ticket_counts with one
-- statement; the row trigger then upserted the month row once per changed
-- day row, and each upsert of a row already changed by the same
-- transaction leaves a dead version behind. Folding a million imported
-- tickets' 20,852 deltas left 730 month rows spread over 282 pages, and
-- every count over a long range read them all (1.3 ms of a PostgreSQL
-- backend per request, where the 10 live pages take 0.15 ms:
-- docs/BENCHMARKS.md). Summed per statement from the transition tables,
-- each month row changes once per compaction.
--
-- PostgreSQL allows transition tables only on single-event triggers: one
-- trigger each for INSERT (INSERT ... ON CONFLICT's inserted rows), UPDATE
-- (its updated rows) and DELETE.
DROP TRIGGER ticket_month_counts_change ON ticket_counts;
DROP FUNCTION ticket_month_counts_change();

CREATE FUNCTION ticket_month_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_month_counts
        SELECT lazo_month_of_day(day), status_id, status_category, priority, owner_id, group_id,
               parent_owner_id, parent_group_id, type_id, source, sum(n)
        FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING sum(n) <> 0
        ON CONFLICT (month, status_id, status_category, priority, owner_id, group_id,
                     parent_owner_id, parent_group_id, type_id, source)
        DO UPDATE SET n = ticket_month_counts.n + EXCLUDED.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO ticket_month_counts
        SELECT lazo_month_of_day(day), status_id, status_category, priority, owner_id, group_id,
               parent_owner_id, parent_group_id, type_id, source, sum(n)
        FROM (SELECT day, status_id, status_category, priority, owner_id, group_id,
                     parent_owner_id, parent_group_id, type_id, source, n FROM new_rows
              UNION ALL
              SELECT day, status_id, status_category, priority, owner_id, group_id,
                     parent_owner_id, parent_group_id, type_id, source, -n FROM old_rows) d
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING sum(n) <> 0
        ON CONFLICT (month, status_id, status_category, priority, owner_id, group_id,
                     parent_owner_id, parent_group_id, type_id, source)
        DO UPDATE SET n = ticket_month_counts.n + EXCLUDED.n;
    ELSE
        INSERT INTO ticket_month_counts
        SELECT lazo_month_of_day(day), status_id, status_category, priority, owner_id, group_id,
               parent_owner_id, parent_group_id, type_id, source, -sum(n)
        FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING sum(n) <> 0
        ON CONFLICT (month, status_id, status_category, priority, owner_id, group_id,
                     parent_owner_id, parent_group_id, type_id, source)
        DO UPDATE SET n = ticket_month_counts.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_month_counts_insert AFTER INSERT ON ticket_counts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_month_counts_apply();
CREATE TRIGGER ticket_month_counts_update AFTER UPDATE ON ticket_counts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_month_counts_apply();
CREATE TRIGGER ticket_month_counts_delete AFTER DELETE ON ticket_counts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_month_counts_apply();

-- The month rows a row trigger left spread out are packed again (730 rows
-- at a million tickets): TRUNCATE gives the table new, empty files.
CREATE TEMPORARY TABLE month_counts_copy AS SELECT * FROM ticket_month_counts;
TRUNCATE ticket_month_counts;
INSERT INTO ticket_month_counts SELECT * FROM month_counts_copy;
DROP TABLE month_counts_copy;
