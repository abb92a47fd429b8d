-- A newsroom's day, written in SQL that SQLite and PostgreSQL both run,
-- so that schema_check.sh can compare what their triggers kept (counts,
-- closure, generations) row for row. Each step says what it exercises.

-- Staff (user 1, the newsroom, is seeded by the migrations).
INSERT INTO users (id, email, display_name, role, active, created_at, updated_at, slug)
VALUES (2, 'ana@example.com', 'Ana', 'author', TRUE, '2026-12-01 09:00:00', '2026-12-01 09:00:00', 'ana'),
       (3, 'bo@example.com', 'Bo', 'editor', TRUE, '2026-12-01 09:00:00', '2026-12-01 09:00:00', 'bo');

-- A topic tree: world > europe > france > paris, world > asia, and sport.
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (1, 'world', 'World', NULL, '2026-12-01 09:00:00', '2026-12-01 09:00:00');
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (2, 'europe', 'Europe', 1, '2026-12-01 09:00:00', '2026-12-01 09:00:00');
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (3, 'france', 'France', 2, '2026-12-01 09:00:00', '2026-12-01 09:00:00');
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (4, 'asia', 'Asia', 1, '2026-12-01 09:00:00', '2026-12-01 09:00:00');
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (5, 'sport', 'Sport', NULL, '2026-12-01 09:00:00', '2026-12-01 09:00:00');
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (6, 'paris', 'Paris', 3, '2026-12-01 09:00:00', '2026-12-01 09:00:00');

-- Entities of each kind, with aliases.
INSERT INTO entities (id, slug, name, kind, country_code, created_at, updated_at) VALUES
    (1, 'north-korea', 'North Korea', 'country', 'KP', '2026-12-01 09:00:00', '2026-12-01 09:00:00'),
    (2, 'kim-jong-un', 'Kim Jong Un', 'person', NULL, '2026-12-01 09:00:00', '2026-12-01 09:00:00'),
    (3, 'un', 'United Nations', 'organisation', NULL, '2026-12-01 09:00:00', '2026-12-01 09:00:00'),
    (4, 'zurich', 'Zürich', 'place', NULL, '2026-12-01 09:00:00', '2026-12-01 09:00:00'),
    (5, 'france-country', 'France', 'country', 'FR', '2026-12-01 09:00:00', '2026-12-01 09:00:00');
INSERT INTO entity_aliases (entity_id, position, alias) VALUES (1, 0, 'DPRK'), (1, 1, 'Pyongyang regime'), (3, 0, 'UN');

INSERT INTO media (id, storage_key, content_type, width, height, bytes, checksum, alt, created_at, updated_at)
VALUES (1, 'k/1', 'image/png', 10, 10, 100, 'abc', 'A picture', '2026-12-01 09:00:00', '2026-12-01 09:00:00');

-- Articles in each status.
INSERT INTO articles (id, slug, title, subtitle, summary, status, published_at, source, author_id,
                      word_count, reading_time_minutes, created_at, updated_at, featured_image_id)
VALUES (1, 'summit', 'Summit in Pyongyang', 'Talks resume', 'Leaders meet.', 'published',
        '2026-12-01 10:00:00', 'AFP', 2, 3, 1, '2026-12-01 10:00:00', '2026-12-01 10:00:00', 1);
INSERT INTO articles (id, slug, title, status, author_id, word_count, reading_time_minutes, created_at, updated_at)
VALUES (2, 'draft-one', 'A draft about Paris', 'draft', 2, 3, 1, '2026-12-01 10:00:00', '2026-12-01 10:00:00');
INSERT INTO articles (id, slug, title, status, published_at, source, author_id, word_count, reading_time_minutes, created_at, updated_at)
VALUES (3, 'later', 'Scheduled story', 'scheduled', '2026-12-09 10:00:00', 'Reuters', 3, 2, 1, '2026-12-01 10:00:00', '2026-12-01 10:00:00');
INSERT INTO articles (id, slug, title, status, published_at, author_id, word_count, reading_time_minutes, created_at, updated_at)
VALUES (4, 'old', 'Archived story', 'archived', '2026-11-01 10:00:00', 3, 2, 1, '2026-12-01 10:00:00', '2026-12-01 10:00:00');
INSERT INTO articles (id, slug, title, status, published_at, source, author_id, word_count, reading_time_minutes, created_at, updated_at)
VALUES (5, 'games', 'Games in Zürich', 'published', '2026-12-01 11:00:00', 'AFP', 3, 3, 1, '2026-12-01 11:00:00', '2026-12-01 11:00:00');

INSERT INTO article_bodies (article_id, body, body_html) VALUES
    (1, 'The body of the summit story, see example.com.', '<p>…</p>'),
    (2, 'Draft body', '<p>…</p>'),
    (3, 'Scheduled body', '<p>…</p>'),
    (4, 'Archived body', '<p>…</p>'),
    (5, 'Sanctions were not discussed.', '<p>…</p>');

-- Tags: article 1 twice in the france subtree (france and paris) and once
-- in asia; entities of three kinds.
INSERT INTO article_topics (article_id, topic_id) VALUES (1, 3);
INSERT INTO article_topics (article_id, topic_id) VALUES (1, 6);
INSERT INTO article_topics (article_id, topic_id) VALUES (1, 4);
INSERT INTO article_topics (article_id, topic_id) VALUES (5, 5);
INSERT INTO article_topics (article_id, topic_id) VALUES (5, 2);
INSERT INTO article_topics (article_id, topic_id) VALUES (2, 6);
INSERT INTO article_topics (article_id, topic_id) VALUES (3, 3);
INSERT INTO article_entities (article_id, entity_id) VALUES (1, 1);
INSERT INTO article_entities (article_id, entity_id) VALUES (1, 2);
INSERT INTO article_entities (article_id, entity_id) VALUES (1, 5);
INSERT INTO article_entities (article_id, entity_id) VALUES (5, 4);
INSERT INTO article_entities (article_id, entity_id) VALUES (5, 1);
INSERT INTO article_entities (article_id, entity_id) VALUES (2, 2);
INSERT INTO article_entities (article_id, entity_id) VALUES (3, 3);

-- Comments: pending, then approved (no trigger keeps comment_count any
-- more: the store recounts), and a reply.
INSERT INTO comments (id, article_id, parent_id, depth, author_name, author_email, body, status, created_at, updated_at)
VALUES (1, 1, NULL, 1, 'Reader', 'Reader@Example.com', 'First!', 'pending', '2026-12-01 12:00:00', '2026-12-01 12:00:00');
INSERT INTO comments (id, article_id, parent_id, depth, author_name, author_email, body, status, created_at, updated_at)
VALUES (2, 1, 1, 2, 'Other', 'other@example.com', 'Reply', 'pending', '2026-12-01 12:01:00', '2026-12-01 12:01:00');
UPDATE comments SET status = 'approved', version = version + 1 WHERE id IN (1, 2);

-- Publish the draft, unpublish and republish the summit, archive the
-- scheduled story.
UPDATE articles SET status = 'published', published_at = '2026-12-02 08:00:00', updated_at = '2026-12-02 08:00:00', version = version + 1 WHERE id = 2;
UPDATE articles SET status = 'draft', updated_at = '2026-12-02 09:00:00' WHERE id = 1;
UPDATE articles SET status = 'published', updated_at = '2026-12-02 10:00:00' WHERE id = 1;
UPDATE articles SET status = 'archived', updated_at = '2026-12-02 10:30:00' WHERE id = 3;
-- A counter moves: the article's own generation only.
UPDATE articles SET comment_count = 2 WHERE id = 1;
-- A change of source and of author of a published story.
UPDATE articles SET source = 'Reuters' WHERE id = 5;
UPDATE articles SET author_id = 2, updated_at = '2026-12-02 11:00:00' WHERE id = 5;
UPDATE articles SET source = NULL WHERE id = 2;
-- A body saved with an upsert (as the store does).
INSERT INTO article_bodies (article_id, body, body_html) VALUES (2, 'New draft body about Montmartre', '<p>…</p>')
ON CONFLICT (article_id) DO UPDATE SET body = excluded.body, body_html = excluded.body_html;

-- A slug renamed: the store keeps the old one (no trigger does).
INSERT INTO old_slugs (kind, slug, target_id, created_at) VALUES ('article', 'summit', 1, '2026-12-02 12:00:00');
UPDATE articles SET slug = 'summit-in-pyongyang' WHERE id = 1;

-- A link removed while another link of the article stays in the subtree.
DELETE FROM article_topics WHERE article_id = 1 AND topic_id = 6;
-- A second link in the same subtree again.
INSERT INTO article_topics (article_id, topic_id) VALUES (1, 6);

-- Entity changes: a kind, a name, aliases.
UPDATE entities SET kind = 'organisation' WHERE id = 4;
UPDATE entities SET name = 'Kim Jong-un' WHERE id = 2;
INSERT INTO entity_aliases (entity_id, position, alias) VALUES (2, 0, 'Supreme Leader');
UPDATE entity_aliases SET alias = 'Pyongyang' WHERE entity_id = 1 AND position = 1;
DELETE FROM entity_aliases WHERE entity_id = 3;

-- The media shown by the summit changes; an author renames herself.
UPDATE media SET alt = 'A better picture', updated_at = '2026-12-02 13:00:00' WHERE id = 1;
UPDATE users SET display_name = 'Ana B.' WHERE id = 2;

-- Topic moves: france (with paris) from europe to asia, then paris to the
-- root, then a rename.
UPDATE topics SET parent_id = 4, version = version + 1 WHERE id = 3;
UPDATE topics SET parent_id = NULL WHERE id = 6;
UPDATE topics SET name = 'Asia and Pacific' WHERE id = 4;
-- A topic that is a parent goes: its child is re-rooted (SET NULL).
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (7, 'lyon', 'Lyon', 3, '2026-12-02 14:00:00', '2026-12-02 14:00:00');
INSERT INTO article_topics (article_id, topic_id) VALUES (5, 7);
DELETE FROM topics WHERE id = 3;

-- An entity with links goes.
DELETE FROM entities WHERE id = 5;

-- A published story is deleted, with its links, body and comments.
DELETE FROM articles WHERE id = 5;
-- And a draft.
UPDATE articles SET status = 'draft', updated_at = '2026-12-03 08:00:00' WHERE id = 2;
DELETE FROM articles WHERE id = 4;

-- A user goes (one with no articles).
INSERT INTO users (id, email, display_name, role, active, created_at, updated_at)
VALUES (4, 'gone@example.com', 'Gone', 'author', FALSE, '2026-12-01 09:00:00', '2026-12-01 09:00:00');
DELETE FROM users WHERE id = 4;
