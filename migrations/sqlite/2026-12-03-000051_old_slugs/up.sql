-- Slugs that articles, topics and entities had while public and no longer
-- have: a GET of one answers 301 to the current slug, so shared links keep
-- working, and none is given to anything else. `target_id` names the row
-- in the table `kind` names (one table for the three kinds; the store
-- removes a target's rows when it deletes the target).
CREATE TABLE old_slugs (
    kind TEXT NOT NULL CHECK (kind IN ('article', 'topic', 'entity')),
    slug TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, slug)
);

-- A target's old slugs, for a delete.
CREATE INDEX old_slugs_by_target ON old_slugs (kind, target_id);
