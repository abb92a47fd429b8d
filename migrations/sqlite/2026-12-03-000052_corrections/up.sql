-- Corrections, clarifications and updates published with an article.
-- Once the article has been public they are append-only (the store
-- refuses to change or remove them), so that what readers were told
-- stays on the record.
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('correction', 'clarification', 'update')),
    text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- An article's corrections, oldest first.
CREATE INDEX corrections_by_article ON corrections (article_id, id);

-- Whether the article has ever been public: an article can be unpublished
-- again, and what was public then (its corrections, its slug) stays kept.
-- Set by the store on every write that finds the article public.
ALTER TABLE articles ADD COLUMN was_public BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE articles SET was_public = TRUE WHERE status = 'published';
