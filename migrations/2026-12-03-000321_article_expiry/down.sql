DROP TABLE scheduled_unpublications;
DROP INDEX articles_expires_at;
ALTER TABLE articles DROP COLUMN expires_at;
