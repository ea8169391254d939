INSERT INTO counters (name, value) SELECT 'ticket_number', last_value FROM ticket_numbers;
DROP SEQUENCE ticket_numbers;
