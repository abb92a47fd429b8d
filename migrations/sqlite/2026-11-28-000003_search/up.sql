-- Full-text search over articles. One row per article (rowid = articles.id)
-- with its text and the names and aliases of its topics and entities, so
-- that "DPRK" finds an article tagged North Korea. Contentless: the text
-- lives in articles; the index only needs to answer MATCH and rank.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, subtitle, summary, body, tags,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Title hits weigh most, then subtitle, tags, summary and body.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, 1.0, 4.0)');

-- What the index holds for each article; store::search rewrites an
-- article's row from it whenever the article or its tags change.
CREATE VIEW article_search_documents AS
SELECT
    articles.id AS id,
    articles.title AS title,
    coalesce(articles.subtitle, '') AS subtitle,
    coalesce(articles.summary, '') AS summary,
    articles.body AS body,
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

-- Index what is already there.
INSERT INTO articles_fts (rowid, title, subtitle, summary, body, tags)
SELECT id, title, subtitle, summary, body, tags FROM article_search_documents;

-- Typeahead on names ignores case and can use these.
CREATE INDEX entities_name_nocase ON entities (name COLLATE NOCASE);
CREATE INDEX topics_name_nocase ON topics (name COLLATE NOCASE);
