DELETE FROM old_slugs WHERE kind = 'author';
CREATE TABLE old_slugs_rebuilt (
    kind TEXT NOT NULL CHECK (kind IN ('article', 'topic', 'entity')),
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

DROP INDEX users_slug;
ALTER TABLE users DROP COLUMN avatar_id;
ALTER TABLE users DROP COLUMN bio;
ALTER TABLE users DROP COLUMN slug;
