DROP TRIGGER article_search_alias ON entity_aliases;
DROP TRIGGER article_search_entity_name ON entities;
DROP TRIGGER article_search_topic_name ON topics;
DROP TRIGGER article_search_entity_link ON article_entities;
DROP TRIGGER article_search_topic_link ON article_topics;
DROP TRIGGER article_search_body ON article_bodies;
DROP TRIGGER article_search_article_update ON articles;
DROP TRIGGER article_search_article_insert ON articles;
DROP FUNCTION article_search_tag_changed();
DROP FUNCTION article_search_changed();
DROP FUNCTION article_search_refresh_once(integer);
DROP FUNCTION article_search_refresh(integer[]);
DROP FUNCTION article_search_document(integer);
DROP TABLE article_search;
DROP FUNCTION search_query(text[]);
DROP FUNCTION search_words(text);
DROP TEXT SEARCH CONFIGURATION newsdesk_search;
-- Dropped even if something else had installed it first: the up
-- migration cannot tell, and down must leave nothing of its own.
DROP EXTENSION IF EXISTS unaccent;
