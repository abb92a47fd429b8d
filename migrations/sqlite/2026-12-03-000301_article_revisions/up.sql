-- What each version of an article held: its writable content as
-- zstd-compressed JSON, who saved it and which top-level fields the save
-- changed. A draft saved again by the same user within ten minutes
-- replaces that user's previous revision (the row moves to the newer
-- version); a revision of a version that was public is never replaced.
CREATE TABLE article_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    -- A JSON array of field names.
    changed TEXT NOT NULL,
    -- Whether this version was public: such a revision is kept forever.
    public BOOLEAN NOT NULL,
    snapshot BLOB NOT NULL
);

-- An article's revisions, newest first; one per version.
CREATE UNIQUE INDEX article_revisions_by_version ON article_revisions (article_id, version);
