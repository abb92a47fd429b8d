DROP TRIGGER generations_article_insert;
DROP TRIGGER generations_article_update;
DROP TRIGGER generations_article_moved;
DROP TRIGGER generations_article_delete;
DROP TRIGGER generations_article_body_insert;
DROP TRIGGER generations_article_body_update;
DROP TRIGGER generations_article_body_delete;
DROP TRIGGER generations_article_topic_insert;
DROP TRIGGER generations_article_entity_insert;
DROP TRIGGER generations_article_topic_delete;
DROP TRIGGER generations_article_entity_delete;
DROP TRIGGER generations_topic_insert;
DROP TRIGGER generations_topic_update;
DROP TRIGGER generations_topic_delete;
DROP TRIGGER generations_entity_insert;
DROP TRIGGER generations_entity_update;
DROP TRIGGER generations_entity_delete;
DROP TRIGGER generations_alias_insert;
DROP TRIGGER generations_alias_update;
DROP TRIGGER generations_alias_delete;
DROP TRIGGER generations_user_update;
DROP TRIGGER generations_user_delete;
DROP TABLE generations;

-- A counter that moves with every change to anything an API response
-- shows, in the writing transaction, whichever process writes (the server,
-- the CLI import, the demo). Caches of lists and pages check it before
-- answering, so they never serve what a write has changed.
CREATE TABLE content_generation (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO content_generation (id, n) VALUES (1, 0);

CREATE TRIGGER articles_generation_insert AFTER INSERT ON articles
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER articles_generation_update AFTER UPDATE ON articles
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER articles_generation_delete AFTER DELETE ON articles
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_bodies_generation_insert AFTER INSERT ON article_bodies
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_bodies_generation_update AFTER UPDATE ON article_bodies
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_bodies_generation_delete AFTER DELETE ON article_bodies
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_topics_generation_insert AFTER INSERT ON article_topics
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_topics_generation_update AFTER UPDATE ON article_topics
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_topics_generation_delete AFTER DELETE ON article_topics
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_entities_generation_insert AFTER INSERT ON article_entities
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_entities_generation_update AFTER UPDATE ON article_entities
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER article_entities_generation_delete AFTER DELETE ON article_entities
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER topics_generation_insert AFTER INSERT ON topics
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER topics_generation_update AFTER UPDATE ON topics
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER topics_generation_delete AFTER DELETE ON topics
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER entities_generation_insert AFTER INSERT ON entities
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER entities_generation_update AFTER UPDATE ON entities
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER entities_generation_delete AFTER DELETE ON entities
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER entity_aliases_generation_insert AFTER INSERT ON entity_aliases
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER entity_aliases_generation_update AFTER UPDATE ON entity_aliases
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER entity_aliases_generation_delete AFTER DELETE ON entity_aliases
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER users_generation_insert AFTER INSERT ON users
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER users_generation_update AFTER UPDATE ON users
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER users_generation_delete AFTER DELETE ON users
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
