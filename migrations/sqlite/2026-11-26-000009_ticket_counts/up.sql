-- Per-status counts of the follow-up page from a rollup instead of a pass
-- over every matching ticket (docs/BENCHMARKS.md, "Counts from a rollup").
--
-- One row per UTC creation day and combination of the columns the page
-- filters on and agent visibility reads; NULL is stored as 0 (ids) or ''
-- (source) so the key is unique (NULLs are distinct in a unique index) and an
-- upsert finds its row. `day` is days since 1970-01-01.
--
-- SQLite has one writer, so triggers upsert the rollup row directly: they run
-- in the transaction of whatever statement changed the ticket (API, import,
-- intake, foreign-key SET NULL actions, bulk SQL), so the rollup never
-- disagrees with the tickets it counts. A ticket leaving a row leaves n = 0
-- behind; the compaction job deletes those rows.
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
) WITHOUT ROWID;

-- PostgreSQL's triggers append here and a job folds the rows into
-- ticket_counts (many concurrent writers there). SQLite never writes it; it
-- exists so both backends share one schema and one read query.
CREATE TABLE ticket_count_deltas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
SELECT CAST(julianday(date(created_at)) - 2440587.5 AS INTEGER), status_id, status_category, priority,
       COALESCE(owner_id, 0), COALESCE(group_id, 0), COALESCE(parent_owner_id, 0),
       COALESCE(parent_group_id, 0), COALESCE(type_id, 0), COALESCE(source, ''), count(*)
FROM tickets
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_counts VALUES (
        CAST(julianday(date(new.created_at)) - 2440587.5 AS INTEGER), new.status_id, new.status_category,
        new.priority, COALESCE(new.owner_id, 0), COALESCE(new.group_id, 0),
        COALESCE(new.parent_owner_id, 0), COALESCE(new.parent_group_id, 0),
        COALESCE(new.type_id, 0), COALESCE(new.source, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE day = CAST(julianday(date(old.created_at)) - 2440587.5 AS INTEGER)
      AND status_id = old.status_id AND status_category = old.status_category
      AND priority = old.priority AND owner_id = COALESCE(old.owner_id, 0)
      AND group_id = COALESCE(old.group_id, 0)
      AND parent_owner_id = COALESCE(old.parent_owner_id, 0)
      AND parent_group_id = COALESCE(old.parent_group_id, 0)
      AND type_id = COALESCE(old.type_id, 0) AND source = COALESCE(old.source, '');
END;

-- Only when a counted column changed: most updates (subject, due date,
-- updated_at, version) leave the rollup alone.
CREATE TRIGGER ticket_counts_update AFTER UPDATE OF created_at, status_id, status_category,
    priority, owner_id, group_id, parent_owner_id, parent_group_id, type_id, source ON tickets
WHEN old.created_at IS NOT new.created_at OR old.status_id IS NOT new.status_id
    OR old.status_category IS NOT new.status_category OR old.priority IS NOT new.priority
    OR old.owner_id IS NOT new.owner_id OR old.group_id IS NOT new.group_id
    OR old.parent_owner_id IS NOT new.parent_owner_id
    OR old.parent_group_id IS NOT new.parent_group_id
    OR old.type_id IS NOT new.type_id OR old.source IS NOT new.source
BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE day = CAST(julianday(date(old.created_at)) - 2440587.5 AS INTEGER)
      AND status_id = old.status_id AND status_category = old.status_category
      AND priority = old.priority AND owner_id = COALESCE(old.owner_id, 0)
      AND group_id = COALESCE(old.group_id, 0)
      AND parent_owner_id = COALESCE(old.parent_owner_id, 0)
      AND parent_group_id = COALESCE(old.parent_group_id, 0)
      AND type_id = COALESCE(old.type_id, 0) AND source = COALESCE(old.source, '');
    INSERT INTO ticket_counts VALUES (
        CAST(julianday(date(new.created_at)) - 2440587.5 AS INTEGER), new.status_id, new.status_category,
        new.priority, COALESCE(new.owner_id, 0), COALESCE(new.group_id, 0),
        COALESCE(new.parent_owner_id, 0), COALESCE(new.parent_group_id, 0),
        COALESCE(new.type_id, 0), COALESCE(new.source, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
