-- Staff as public authors: a URL name, a short biography and a portrait
-- from the media library. Existing accounts get their slug from their
-- display name when the server starts (`store::users::give_slugs`: the
-- slug rules are the application's, not SQL's); new ones when created.
ALTER TABLE users ADD COLUMN slug TEXT;
ALTER TABLE users ADD COLUMN bio TEXT;
ALTER TABLE users ADD COLUMN avatar_id INTEGER REFERENCES media (id);
CREATE UNIQUE INDEX users_slug ON users (slug);

-- Authors' old slugs redirect too: the kind check gains 'author'. SQLite
-- cannot change a CHECK in place, so the table is rebuilt.
CREATE TABLE old_slugs_rebuilt (
    kind TEXT NOT NULL CHECK (kind IN ('article', 'topic', 'entity', 'author')),
    slug TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, slug)
);
INSERT INTO old_slugs_rebuilt (kind, slug, target_id, created_at)
    SELECT kind, slug, target_id, created_at FROM old_slugs;
DROP TABLE old_slugs;
ALTER TABLE old_slugs_rebuilt RENAME TO old_slugs;
CREATE INDEX old_slugs_by_target ON old_slugs (kind, target_id);
