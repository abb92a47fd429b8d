DROP INDEX comments_thread;
DROP VIEW article_search_documents;
ALTER TABLE articles ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
UPDATE articles SET
    body = (SELECT body FROM article_bodies WHERE article_id = articles.id),
    body_html = (SELECT body_html FROM article_bodies WHERE article_id = articles.id);
DROP TABLE article_bodies;
CREATE VIEW article_search_documents AS
SELECT articles.id AS id, articles.title AS title, coalesce(articles.subtitle, '') AS subtitle,
       coalesce(articles.summary, '') AS summary, articles.body AS body, '' AS tags
FROM articles;
