-- Expiry, as SQLite's migration 2026-12-03-000321 makes it: from
-- `expires_at` on, an article is no longer public (computed at read time;
-- article writes then mark expired public articles `archived`, so the
-- kept counts follow).
ALTER TABLE articles ADD COLUMN expires_at timestamp NULL;

CREATE INDEX articles_expires_at ON articles (expires_at) WHERE expires_at IS NOT NULL;

-- The public test reads expires_at too; the index carries it.
DROP INDEX articles_author_status;
CREATE INDEX articles_author_status ON articles (author_id, status, published_at NULLS FIRST, expires_at);

-- `article.unpublished` events owed when an expiry time passes.
CREATE TABLE scheduled_unpublications (
    article_id integer   PRIMARY KEY,
    due_at     timestamp NOT NULL
);
CREATE INDEX scheduled_unpublications_due ON scheduled_unpublications (due_at);
