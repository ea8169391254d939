ALTER TABLE notifications DROP COLUMN detail_data;
