-- Deleting a topic that has children re-roots them through the foreign
-- key's SET NULL; topic_closure_move then found the deleted parent's
-- closure rows already gone, recounted no old ancestor, and left every
-- topic above the deleted one counting the orphaned subtrees' articles
-- (found by the PostgreSQL schema check, tests/postgres/). The old
-- ancestors are now read from the moving topic's own closure rows, and
-- recounted without the leaving subtree before the closure changes.
DROP TRIGGER topic_closure_move;
CREATE TRIGGER topic_closure_move AFTER UPDATE OF parent_id ON topics
WHEN OLD.parent_id IS NOT NEW.parent_id
BEGIN
    UPDATE published_counts SET n = (
        SELECT count(DISTINCT at.article_id) FROM topic_closure c
        JOIN article_topics at ON at.topic_id = c.topic_id
        JOIN articles a ON a.id = at.article_id
        WHERE c.ancestor_id = CAST(substr(published_counts.key, 7) AS INTEGER) AND a.status = 'published'
          AND c.topic_id NOT IN (SELECT topic_id FROM topic_closure WHERE ancestor_id = NEW.id))
    WHERE key IN (SELECT 'topic:' || ancestor_id FROM topic_closure WHERE topic_id = NEW.id AND ancestor_id <> NEW.id);
    DELETE FROM topic_closure
        WHERE topic_id IN (SELECT topic_id FROM topic_closure WHERE ancestor_id = NEW.id)
        AND ancestor_id IN (SELECT ancestor_id FROM topic_closure WHERE topic_id = NEW.id AND ancestor_id <> NEW.id);
    INSERT INTO topic_closure (topic_id, ancestor_id)
        SELECT sub.topic_id, up.ancestor_id FROM topic_closure sub, topic_closure up
        WHERE sub.ancestor_id = NEW.id AND up.topic_id = NEW.parent_id;
    INSERT INTO published_counts (key, n) SELECT 'topic:' || ancestor_id, 0 FROM topic_closure
        WHERE topic_id = NEW.parent_id
        AND NOT EXISTS (SELECT 1 FROM published_counts p WHERE p.key = 'topic:' || ancestor_id);
    UPDATE published_counts SET n = (
        SELECT count(DISTINCT at.article_id) FROM topic_closure c
        JOIN article_topics at ON at.topic_id = c.topic_id
        JOIN articles a ON a.id = at.article_id
        WHERE c.ancestor_id = CAST(substr(published_counts.key, 7) AS INTEGER) AND a.status = 'published')
    WHERE key IN (SELECT 'topic:' || ancestor_id FROM topic_closure WHERE topic_id = NEW.parent_id);
END;
