-- A coarser level of the count rollup: the rows of ticket_counts summed per
-- calendar month (UTC; `month` is months since 1970-01). Counts over all
-- dates or a long range sum a few hundred month rows instead of a row per
-- day and combination (20,852 at the benchmark's million tickets, ~6 ms a
-- query), with whole days only at the range's ends (docs/BENCHMARKS.md).
--
-- Kept from ticket_counts itself by triggers, so every path that changes
-- the day level (the tickets triggers, a compaction, a repair) changes the
-- month level in the same transaction.
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
) WITHOUT ROWID;

INSERT INTO ticket_month_counts
SELECT (CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) - 1970) * 12
           + CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) - 1,
       status_id, status_category, priority, owner_id, group_id, parent_owner_id,
       parent_group_id, type_id, source, sum(n)
FROM ticket_counts
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

CREATE TRIGGER ticket_month_counts_insert AFTER INSERT ON ticket_counts BEGIN
    INSERT INTO ticket_month_counts VALUES (
        (CAST(strftime('%Y', new.day * 86400, 'unixepoch') AS INTEGER) - 1970) * 12
            + CAST(strftime('%m', new.day * 86400, 'unixepoch') AS INTEGER) - 1,
        new.status_id, new.status_category, new.priority, new.owner_id, new.group_id,
        new.parent_owner_id, new.parent_group_id, new.type_id, new.source, new.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- An upsert's DO UPDATE fires this one: the tickets triggers' `n + 1` and
-- `n - 1` arrive here as one difference on the same month row (the hot
-- path of every create and status change).
CREATE TRIGGER ticket_month_counts_update AFTER UPDATE OF n ON ticket_counts
WHEN old.n IS NOT new.n AND old.day IS new.day AND old.status_id IS new.status_id
    AND old.status_category IS new.status_category AND old.priority IS new.priority
    AND old.owner_id IS new.owner_id AND old.group_id IS new.group_id
    AND old.parent_owner_id IS new.parent_owner_id
    AND old.parent_group_id IS new.parent_group_id
    AND old.type_id IS new.type_id AND old.source IS new.source
BEGIN
    INSERT INTO ticket_month_counts VALUES (
        (CAST(strftime('%Y', new.day * 86400, 'unixepoch') AS INTEGER) - 1970) * 12
            + CAST(strftime('%m', new.day * 86400, 'unixepoch') AS INTEGER) - 1,
        new.status_id, new.status_category, new.priority, new.owner_id, new.group_id,
        new.parent_owner_id, new.parent_group_id, new.type_id, new.source, new.n - old.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- Lazo never rewrites a rollup row's key, but whoever does (a repair by
-- hand) moves its count from one month row to the other.
CREATE TRIGGER ticket_month_counts_rekey AFTER UPDATE ON ticket_counts
WHEN old.day IS NOT new.day OR old.status_id IS NOT new.status_id
    OR old.status_category IS NOT new.status_category OR old.priority IS NOT new.priority
    OR old.owner_id IS NOT new.owner_id OR old.group_id IS NOT new.group_id
    OR old.parent_owner_id IS NOT new.parent_owner_id
    OR old.parent_group_id IS NOT new.parent_group_id
    OR old.type_id IS NOT new.type_id OR old.source IS NOT new.source
BEGIN
    INSERT INTO ticket_month_counts VALUES (
        (CAST(strftime('%Y', old.day * 86400, 'unixepoch') AS INTEGER) - 1970) * 12
            + CAST(strftime('%m', old.day * 86400, 'unixepoch') AS INTEGER) - 1,
        old.status_id, old.status_category, old.priority, old.owner_id, old.group_id,
        old.parent_owner_id, old.parent_group_id, old.type_id, old.source, -old.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO ticket_month_counts VALUES (
        (CAST(strftime('%Y', new.day * 86400, 'unixepoch') AS INTEGER) - 1970) * 12
            + CAST(strftime('%m', new.day * 86400, 'unixepoch') AS INTEGER) - 1,
        new.status_id, new.status_category, new.priority, new.owner_id, new.group_id,
        new.parent_owner_id, new.parent_group_id, new.type_id, new.source, new.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER ticket_month_counts_delete AFTER DELETE ON ticket_counts BEGIN
    UPDATE ticket_month_counts SET n = n - old.n
    WHERE month = (CAST(strftime('%Y', old.day * 86400, 'unixepoch') AS INTEGER) - 1970) * 12
                  + CAST(strftime('%m', old.day * 86400, 'unixepoch') AS INTEGER) - 1
      AND status_id = old.status_id AND status_category = old.status_category
      AND priority = old.priority AND owner_id = old.owner_id AND group_id = old.group_id
      AND parent_owner_id = old.parent_owner_id AND parent_group_id = old.parent_group_id
      AND type_id = old.type_id AND source = old.source;
END;
