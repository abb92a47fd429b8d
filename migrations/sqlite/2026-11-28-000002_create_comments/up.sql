-- Readers' comments under articles, with replies up to depth 5.
CREATE TABLE comments (
    id           INTEGER PRIMARY KEY NOT NULL,
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    -- 1 for a top-level comment, parent's depth + 1 for a reply.
    depth        INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 5),
    author_name  TEXT    NOT NULL,
    author_email TEXT    NOT NULL COLLATE NOCASE,
    author_url   TEXT,
    -- The staff account that wrote it, when a signed-in user did.
    user_id      INTEGER REFERENCES users (id),
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'rejected')),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX comments_article_status ON comments (article_id, status, created_at, id);
CREATE INDEX comments_status_created ON comments (status, created_at, id);
CREATE INDEX comments_created ON comments (created_at, id);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comments_email_status ON comments (author_email, status);

-- articles.comment_count counts approved comments. Triggers keep it right
-- through every insert, status change and delete, including the deletes
-- that cascade from a parent comment, in the writing transaction itself.
CREATE TRIGGER comments_count_after_insert AFTER INSERT ON comments
WHEN NEW.status = 'approved'
BEGIN
    UPDATE articles SET comment_count = comment_count + 1 WHERE id = NEW.article_id;
END;

CREATE TRIGGER comments_count_after_delete AFTER DELETE ON comments
WHEN OLD.status = 'approved'
BEGIN
    UPDATE articles SET comment_count = comment_count - 1 WHERE id = OLD.article_id;
END;

CREATE TRIGGER comments_count_after_status AFTER UPDATE OF status ON comments
WHEN (OLD.status = 'approved') <> (NEW.status = 'approved')
BEGIN
    UPDATE articles
    SET comment_count = comment_count + CASE WHEN NEW.status = 'approved' THEN 1 ELSE -1 END
    WHERE id = NEW.article_id;
END;
