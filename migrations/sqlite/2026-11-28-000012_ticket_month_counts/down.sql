DROP TRIGGER ticket_month_counts_delete;
DROP TRIGGER ticket_month_counts_rekey;
DROP TRIGGER ticket_month_counts_update;
DROP TRIGGER ticket_month_counts_insert;
DROP TABLE ticket_month_counts;
