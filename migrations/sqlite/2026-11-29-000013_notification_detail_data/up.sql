-- What a notification says, kept as data (JSON, names as recorded) beside
-- the text written in the person's account language: the bell renders it
-- in the language the reader's app asks for (Accept-Language), while
-- emails keep the account language. Older rows have none and show their
-- text.
ALTER TABLE notifications ADD COLUMN detail_data TEXT;
