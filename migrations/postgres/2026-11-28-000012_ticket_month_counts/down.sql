DROP TRIGGER ticket_month_counts_change ON ticket_counts;
DROP FUNCTION ticket_month_counts_change();
DROP TABLE ticket_month_counts;
DROP FUNCTION lazo_month_of_day(BIGINT);
