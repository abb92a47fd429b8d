-- What each cached answer depends on, with a generation per dependency,
-- in place of one content_generation for everything: a write bumps only
-- the keys of what it changes, in its own transaction, whichever process
-- writes (server, CLI import, demo). The keys are the Surrogate-Key names:
--   article:<id>   the article: its row, body, tags and comment count;
--   topic:<id>, entity:<id>, kind:<kind>, author:<id>
--                  which articles a list filtered by it holds, or their order;
--   list:articles  the same for every other list (front page, search, source…);
--   names          a rename of a topic, entity, alias or user, shown in
--                  every answer that embeds them (rare, so one key); also
--                  the kind of a link whose entity is being deleted, whose
--                  own delete bumps names anyway.
-- An approved comment changes only its article's comment_count, so it
-- bumps article:<id> alone: pages that do not show that article stay.
-- A cached answer keeps the generations of its keys and is served only
-- while they are unchanged (see cache.rs).
-- Rows are made with INSERT … WHERE NOT EXISTS, not INSERT OR IGNORE: a
-- trigger fired by an upsert (article_bodies is written with one) takes the
-- upsert's conflict policy, and OR IGNORE would then fail.
CREATE TABLE generations (
    key TEXT PRIMARY KEY NOT NULL,
    n   INTEGER NOT NULL
) WITHOUT ROWID;

DROP TRIGGER articles_generation_insert;
DROP TRIGGER articles_generation_update;
DROP TRIGGER articles_generation_delete;
DROP TRIGGER article_bodies_generation_insert;
DROP TRIGGER article_bodies_generation_update;
DROP TRIGGER article_bodies_generation_delete;
DROP TRIGGER article_topics_generation_insert;
DROP TRIGGER article_topics_generation_update;
DROP TRIGGER article_topics_generation_delete;
DROP TRIGGER article_entities_generation_insert;
DROP TRIGGER article_entities_generation_update;
DROP TRIGGER article_entities_generation_delete;
DROP TRIGGER topics_generation_insert;
DROP TRIGGER topics_generation_update;
DROP TRIGGER topics_generation_delete;
DROP TRIGGER entities_generation_insert;
DROP TRIGGER entities_generation_update;
DROP TRIGGER entities_generation_delete;
DROP TRIGGER entity_aliases_generation_insert;
DROP TRIGGER entity_aliases_generation_update;
DROP TRIGGER entity_aliases_generation_delete;
DROP TRIGGER users_generation_insert;
DROP TRIGGER users_generation_update;
DROP TRIGGER users_generation_delete;
DROP TABLE content_generation;

CREATE TRIGGER generations_article_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || NEW.id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || NEW.id;
    INSERT INTO generations (key, n) SELECT 'list:articles', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'list:articles');
    UPDATE generations SET n = n + 1 WHERE key = 'list:articles';
    INSERT INTO generations (key, n) SELECT 'author:' || NEW.author_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'author:' || NEW.author_id);
    UPDATE generations SET n = n + 1 WHERE key = 'author:' || NEW.author_id;
END;

CREATE TRIGGER generations_article_update AFTER UPDATE ON articles
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || NEW.id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || NEW.id;
END;

CREATE TRIGGER generations_article_moved AFTER UPDATE ON articles
WHEN NEW.updated_at <> OLD.updated_at OR NEW.status <> OLD.status
     OR NEW.published_at IS NOT OLD.published_at OR NEW.author_id <> OLD.author_id
BEGIN
    INSERT INTO generations (key, n) SELECT 'list:articles', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'list:articles');
    UPDATE generations SET n = n + 1 WHERE key = 'list:articles';
    INSERT INTO generations (key, n) SELECT 'author:' || OLD.author_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'author:' || OLD.author_id);
    UPDATE generations SET n = n + 1 WHERE key = 'author:' || OLD.author_id;
    INSERT INTO generations (key, n) SELECT 'author:' || NEW.author_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'author:' || NEW.author_id);
    UPDATE generations SET n = n + 1 WHERE key = 'author:' || NEW.author_id;
    INSERT INTO generations (key, n) SELECT DISTINCT 'topic:' || topic_id, 0 FROM article_topics WHERE article_id = NEW.id
        AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.key = 'topic:' || topic_id);
    UPDATE generations SET n = n + 1 WHERE key IN (SELECT 'topic:' || topic_id FROM article_topics WHERE article_id = NEW.id);
    INSERT INTO generations (key, n) SELECT DISTINCT 'entity:' || entity_id, 0 FROM article_entities WHERE article_id = NEW.id
        AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.key = 'entity:' || entity_id);
    UPDATE generations SET n = n + 1 WHERE key IN (SELECT 'entity:' || entity_id FROM article_entities WHERE article_id = NEW.id);
    INSERT INTO generations (key, n) SELECT DISTINCT 'kind:' || e.kind, 0 FROM article_entities ae JOIN entities e ON e.id = ae.entity_id WHERE ae.article_id = NEW.id
        AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.key = 'kind:' || e.kind);
    UPDATE generations SET n = n + 1 WHERE key IN (SELECT DISTINCT 'kind:' || e.kind FROM article_entities ae JOIN entities e ON e.id = ae.entity_id WHERE ae.article_id = NEW.id);
END;

CREATE TRIGGER generations_article_delete BEFORE DELETE ON articles
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || OLD.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || OLD.id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || OLD.id;
    INSERT INTO generations (key, n) SELECT 'list:articles', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'list:articles');
    UPDATE generations SET n = n + 1 WHERE key = 'list:articles';
    INSERT INTO generations (key, n) SELECT 'author:' || OLD.author_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'author:' || OLD.author_id);
    UPDATE generations SET n = n + 1 WHERE key = 'author:' || OLD.author_id;
    INSERT INTO generations (key, n) SELECT DISTINCT 'topic:' || topic_id, 0 FROM article_topics WHERE article_id = OLD.id
        AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.key = 'topic:' || topic_id);
    UPDATE generations SET n = n + 1 WHERE key IN (SELECT 'topic:' || topic_id FROM article_topics WHERE article_id = OLD.id);
    INSERT INTO generations (key, n) SELECT DISTINCT 'entity:' || entity_id, 0 FROM article_entities WHERE article_id = OLD.id
        AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.key = 'entity:' || entity_id);
    UPDATE generations SET n = n + 1 WHERE key IN (SELECT 'entity:' || entity_id FROM article_entities WHERE article_id = OLD.id);
    INSERT INTO generations (key, n) SELECT DISTINCT 'kind:' || e.kind, 0 FROM article_entities ae JOIN entities e ON e.id = ae.entity_id WHERE ae.article_id = OLD.id
        AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.key = 'kind:' || e.kind);
    UPDATE generations SET n = n + 1 WHERE key IN (SELECT DISTINCT 'kind:' || e.kind FROM article_entities ae JOIN entities e ON e.id = ae.entity_id WHERE ae.article_id = OLD.id);
END;

CREATE TRIGGER generations_article_body_insert AFTER INSERT ON article_bodies
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || NEW.article_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || NEW.article_id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || NEW.article_id;
END;

CREATE TRIGGER generations_article_body_update AFTER UPDATE ON article_bodies
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || NEW.article_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || NEW.article_id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || NEW.article_id;
END;

CREATE TRIGGER generations_article_body_delete AFTER DELETE ON article_bodies
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || OLD.article_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || OLD.article_id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || OLD.article_id;
END;

CREATE TRIGGER generations_article_topic_insert AFTER INSERT ON article_topics
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || NEW.article_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || NEW.article_id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || NEW.article_id;
    INSERT INTO generations (key, n) SELECT 'topic:' || NEW.topic_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'topic:' || NEW.topic_id);
    UPDATE generations SET n = n + 1 WHERE key = 'topic:' || NEW.topic_id;
END;

CREATE TRIGGER generations_article_entity_insert AFTER INSERT ON article_entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || NEW.article_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || NEW.article_id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || NEW.article_id;
    INSERT INTO generations (key, n) SELECT 'entity:' || NEW.entity_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || NEW.entity_id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || NEW.entity_id;
    INSERT INTO generations (key, n) SELECT coalesce('kind:' || (SELECT kind FROM entities WHERE id = NEW.entity_id), 'names'), 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = coalesce('kind:' || (SELECT kind FROM entities WHERE id = NEW.entity_id), 'names'));
    UPDATE generations SET n = n + 1 WHERE key = coalesce('kind:' || (SELECT kind FROM entities WHERE id = NEW.entity_id), 'names');
END;

CREATE TRIGGER generations_article_topic_delete AFTER DELETE ON article_topics
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || OLD.article_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || OLD.article_id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || OLD.article_id;
    INSERT INTO generations (key, n) SELECT 'topic:' || OLD.topic_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'topic:' || OLD.topic_id);
    UPDATE generations SET n = n + 1 WHERE key = 'topic:' || OLD.topic_id;
END;

CREATE TRIGGER generations_article_entity_delete AFTER DELETE ON article_entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'article:' || OLD.article_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || OLD.article_id);
    UPDATE generations SET n = n + 1 WHERE key = 'article:' || OLD.article_id;
    INSERT INTO generations (key, n) SELECT 'entity:' || OLD.entity_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || OLD.entity_id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || OLD.entity_id;
    INSERT INTO generations (key, n) SELECT coalesce('kind:' || (SELECT kind FROM entities WHERE id = OLD.entity_id), 'names'), 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = coalesce('kind:' || (SELECT kind FROM entities WHERE id = OLD.entity_id), 'names'));
    UPDATE generations SET n = n + 1 WHERE key = coalesce('kind:' || (SELECT kind FROM entities WHERE id = OLD.entity_id), 'names');
END;

CREATE TRIGGER generations_topic_insert AFTER INSERT ON topics
BEGIN
    INSERT INTO generations (key, n) SELECT 'topic:' || NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'topic:' || NEW.id);
    UPDATE generations SET n = n + 1 WHERE key = 'topic:' || NEW.id;
END;

CREATE TRIGGER generations_topic_update AFTER UPDATE ON topics
BEGIN
    INSERT INTO generations (key, n) SELECT 'topic:' || NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'topic:' || NEW.id);
    UPDATE generations SET n = n + 1 WHERE key = 'topic:' || NEW.id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_topic_delete AFTER DELETE ON topics
BEGIN
    INSERT INTO generations (key, n) SELECT 'topic:' || OLD.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'topic:' || OLD.id);
    UPDATE generations SET n = n + 1 WHERE key = 'topic:' || OLD.id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_entity_insert AFTER INSERT ON entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity:' || NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || NEW.id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || NEW.id;
END;

CREATE TRIGGER generations_entity_update AFTER UPDATE ON entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity:' || NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || NEW.id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || NEW.id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_entity_delete AFTER DELETE ON entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity:' || OLD.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || OLD.id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || OLD.id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_alias_insert AFTER INSERT ON entity_aliases
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity:' || NEW.entity_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || NEW.entity_id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || NEW.entity_id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_alias_update AFTER UPDATE ON entity_aliases
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity:' || NEW.entity_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || NEW.entity_id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || NEW.entity_id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_alias_delete AFTER DELETE ON entity_aliases
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity:' || OLD.entity_id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity:' || OLD.entity_id);
    UPDATE generations SET n = n + 1 WHERE key = 'entity:' || OLD.entity_id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_user_update AFTER UPDATE ON users
BEGIN
    INSERT INTO generations (key, n) SELECT 'author:' || NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'author:' || NEW.id);
    UPDATE generations SET n = n + 1 WHERE key = 'author:' || NEW.id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;

CREATE TRIGGER generations_user_delete AFTER DELETE ON users
BEGIN
    INSERT INTO generations (key, n) SELECT 'author:' || OLD.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'author:' || OLD.id);
    UPDATE generations SET n = n + 1 WHERE key = 'author:' || OLD.id;
    INSERT INTO generations (key, n) SELECT 'names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'names');
    UPDATE generations SET n = n + 1 WHERE key = 'names';
END;
