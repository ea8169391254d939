-- Per-status counts of the follow-up page from a rollup instead of a pass
-- over every matching ticket (docs/BENCHMARKS.md, "Counts from a rollup").
--
-- One row per UTC creation day and combination of the columns the page
-- filters on and agent visibility reads; NULL is stored as 0 (ids) or ''
-- (source) so the key is unique and an upsert finds its row. `day` is days
-- since 1970-01-01.
--
-- Several processes write tickets concurrently here. A trigger upserting
-- ticket_counts would make every create of the same day and status wait on
-- that one row's lock until the creating transaction commits, so the
-- triggers only append to ticket_count_deltas (no shared row, no lock) and
-- the `tickets.compact_counts` job folds committed deltas into the rollup;
-- readers add rollup and pending deltas in one snapshot.
CREATE TABLE ticket_counts (
    day BIGINT NOT NULL,
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
    PRIMARY KEY (day, status_id, status_category, priority, owner_id, group_id,
                 parent_owner_id, parent_group_id, type_id, source)
);

CREATE TABLE ticket_count_deltas (
    id BIGSERIAL PRIMARY KEY,
    day BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    status_category TEXT NOT NULL,
    priority SMALLINT NOT NULL,
    owner_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    parent_owner_id BIGINT NOT NULL,
    parent_group_id BIGINT NOT NULL,
    type_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    n INTEGER NOT NULL
);

INSERT INTO ticket_counts
SELECT (created_at::date - DATE '1970-01-01'), status_id, status_category, priority,
       COALESCE(owner_id, 0), COALESCE(group_id, 0), COALESCE(parent_owner_id, 0),
       COALESCE(parent_group_id, 0), COALESCE(type_id, 0), COALESCE(source, ''), count(*)
FROM tickets
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

-- Statement triggers with transition tables: a bulk INSERT ... SELECT of a
-- million tickets appends one delta per key, not one per ticket.
CREATE FUNCTION ticket_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_count_deltas (day, status_id, status_category, priority, owner_id, group_id,
                                     parent_owner_id, parent_group_id, type_id, source, n)
    SELECT (created_at::date - DATE '1970-01-01'), status_id, status_category, priority,
           COALESCE(owner_id, 0), COALESCE(group_id, 0), COALESCE(parent_owner_id, 0),
           COALESCE(parent_group_id, 0), COALESCE(type_id, 0), COALESCE(source, ''), count(*)
    FROM new_rows
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
    RETURN NULL;
END $$;

CREATE FUNCTION ticket_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_count_deltas (day, status_id, status_category, priority, owner_id, group_id,
                                     parent_owner_id, parent_group_id, type_id, source, n)
    SELECT (created_at::date - DATE '1970-01-01'), status_id, status_category, priority,
           COALESCE(owner_id, 0), COALESCE(group_id, 0), COALESCE(parent_owner_id, 0),
           COALESCE(parent_group_id, 0), COALESCE(type_id, 0), COALESCE(source, ''), -count(*)
    FROM old_rows
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
    RETURN NULL;
END $$;

-- Transition tables rule out an `UPDATE OF` column list, so the function
-- keeps only the rows whose counted columns changed (most updates touch
-- subject, due date, updated_at, version).
CREATE FUNCTION ticket_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_count_deltas (day, status_id, status_category, priority, owner_id, group_id,
                                     parent_owner_id, parent_group_id, type_id, source, n)
    SELECT day, status_id, status_category, priority, owner_id, group_id,
           parent_owner_id, parent_group_id, type_id, source, sum(d)
    FROM (
        SELECT (o.created_at::date - DATE '1970-01-01') AS day, o.status_id, o.status_category,
               o.priority, COALESCE(o.owner_id, 0) AS owner_id, COALESCE(o.group_id, 0) AS group_id,
               COALESCE(o.parent_owner_id, 0) AS parent_owner_id,
               COALESCE(o.parent_group_id, 0) AS parent_group_id,
               COALESCE(o.type_id, 0) AS type_id, COALESCE(o.source, '') AS source, -1 AS d,
               (o.created_at, o.status_id, o.status_category, o.priority, o.owner_id, o.group_id,
                o.parent_owner_id, o.parent_group_id, o.type_id, o.source)
               IS DISTINCT FROM
               (w.created_at, w.status_id, w.status_category, w.priority, w.owner_id, w.group_id,
                w.parent_owner_id, w.parent_group_id, w.type_id, w.source) AS changed
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        UNION ALL
        SELECT (w.created_at::date - DATE '1970-01-01'), w.status_id, w.status_category,
               w.priority, COALESCE(w.owner_id, 0), COALESCE(w.group_id, 0),
               COALESCE(w.parent_owner_id, 0), COALESCE(w.parent_group_id, 0),
               COALESCE(w.type_id, 0), COALESCE(w.source, ''), 1,
               (o.created_at, o.status_id, o.status_category, o.priority, o.owner_id, o.group_id,
                o.parent_owner_id, o.parent_group_id, o.type_id, o.source)
               IS DISTINCT FROM
               (w.created_at, w.status_id, w.status_category, w.priority, w.owner_id, w.group_id,
                w.parent_owner_id, w.parent_group_id, w.type_id, w.source)
        FROM old_rows o JOIN new_rows w ON w.id = o.id
    ) x
    WHERE changed
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(d) <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_insert();
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_delete();
CREATE TRIGGER ticket_counts_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_update();
