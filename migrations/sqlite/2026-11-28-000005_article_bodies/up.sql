-- Bodies move to a table of their own. SQLite stores a row's columns in
-- order, and body and body_html (often 10-20 KB together) sat in front of
-- status, published_at and the counts: every list, filter and count read
-- through their overflow pages. Measured with benches/run.sh: a topic page
-- took 15 ms for its count alone.
CREATE TABLE article_bodies (
    article_id INTEGER PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL
);
INSERT INTO article_bodies (article_id, body, body_html) SELECT id, body, body_html FROM articles;

DROP VIEW article_search_documents;
ALTER TABLE articles DROP COLUMN body;
ALTER TABLE articles DROP COLUMN body_html;
-- Reclaim the space the bodies took inside the articles b-tree.
-- (VACUUM cannot run in a migration's transaction; new rows are compact.)

CREATE VIEW article_search_documents AS
SELECT
    articles.id AS id,
    articles.title AS title,
    coalesce(articles.subtitle, '') AS subtitle,
    coalesce(articles.summary, '') AS summary,
    coalesce((SELECT body FROM article_bodies WHERE article_bodies.article_id = articles.id), '') AS body,
    coalesce((SELECT group_concat(topics.name, ' ')
              FROM article_topics JOIN topics ON topics.id = article_topics.topic_id
              WHERE article_topics.article_id = articles.id), '')
    || ' ' ||
    coalesce((SELECT group_concat(entities.name, ' ')
              FROM article_entities JOIN entities ON entities.id = article_entities.entity_id
              WHERE article_entities.article_id = articles.id), '')
    || ' ' ||
    coalesce((SELECT group_concat(entity_aliases.alias, ' ')
              FROM article_entities JOIN entity_aliases ON entity_aliases.entity_id = article_entities.entity_id
              WHERE article_entities.article_id = articles.id), '') AS tags
FROM articles;

-- A thread is read whole from this index: no table rows.
CREATE INDEX comments_thread ON comments (article_id, created_at, id, parent_id, status);
