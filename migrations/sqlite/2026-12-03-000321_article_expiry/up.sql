-- Expiry: from `expires_at` on, an article is no longer public. Readers
-- compute it at read time; every article write (and the webhook worker)
-- then marks expired public articles `archived`, so the kept counts follow.
ALTER TABLE articles ADD COLUMN expires_at TIMESTAMP NULL;

-- Few articles expire: the next expiry (for the answer cache) and the
-- expired-but-not-yet-archived ones (for the kept counts) are a range of
-- this small index.
CREATE INDEX articles_expires_at ON articles (expires_at) WHERE expires_at IS NOT NULL;

-- An author's "public or mine" count was answered from this index alone;
-- the public test now reads expires_at too, so the index carries it.
DROP INDEX articles_author_status;
CREATE INDEX articles_author_status ON articles (author_id, status, published_at, expires_at);

-- `article.unpublished` events owed when an expiry time passes (the
-- mirror of `scheduled_publications`).
CREATE TABLE scheduled_unpublications (
    article_id INTEGER PRIMARY KEY NOT NULL,
    due_at     TIMESTAMP NOT NULL
);
CREATE INDEX scheduled_unpublications_due ON scheduled_unpublications (due_at);
