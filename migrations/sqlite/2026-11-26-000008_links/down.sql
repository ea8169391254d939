DROP INDEX IF EXISTS ticket_links_merged_once;
