DROP INDEX topics_name_nocase;
DROP INDEX entities_name_nocase;
DROP VIEW article_search_documents;
DROP TABLE articles_fts;
