-- Ticket links and merges (the table is the first migration's).
--
-- `related` has no direction: it is stored with the lower ticket id first,
-- so the unique (ticket_id, other_ticket_id, kind) refuses it either way
-- round. Rows written before (inbound email's stranger links) are put in
-- that order; a pair stored both ways keeps one row.
DELETE FROM ticket_links
WHERE kind = 'related'
  AND ticket_id > other_ticket_id
  AND EXISTS (
      SELECT 1 FROM ticket_links b
      WHERE b.kind = 'related'
        AND b.ticket_id = ticket_links.other_ticket_id
        AND b.other_ticket_id = ticket_links.ticket_id
  );
UPDATE ticket_links
SET ticket_id = other_ticket_id, other_ticket_id = ticket_id
WHERE kind = 'related' AND ticket_id > other_ticket_id;

-- A ticket is merged once: two concurrent merges of it cannot both commit.
-- Also the index that finds a ticket's survivor.
CREATE UNIQUE INDEX ticket_links_merged_once ON ticket_links(ticket_id) WHERE kind = 'merged_into';
