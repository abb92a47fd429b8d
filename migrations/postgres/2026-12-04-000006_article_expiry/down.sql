DROP TABLE scheduled_unpublications;
DROP INDEX articles_author_status;
CREATE INDEX articles_author_status ON articles (author_id, status, published_at NULLS FIRST);
DROP INDEX articles_expires_at;
ALTER TABLE articles DROP COLUMN expires_at;
