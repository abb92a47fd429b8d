-- Recomputes everything the triggers keep, from the data alone: the end
-- of a bulk load (see bulk_load() in 000002), and a repair if a kept
-- table is ever doubted. Runs in the caller's transaction; takes the
-- rows it rewrites (article_status_counts, published_counts, generations)
-- for the rest of it, as the triggers would.
CREATE FUNCTION newsdesk_rebuild_kept() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_status_counts s
        SET n = (SELECT count(*) FROM articles a WHERE a.status = s.status);

    DELETE FROM topic_closure;
    WITH RECURSIVE up (topic_id, ancestor_id) AS (
        SELECT id, id FROM topics
        UNION
        SELECT up.topic_id, t.parent_id FROM up JOIN topics t ON t.id = up.ancestor_id
        WHERE t.parent_id IS NOT NULL
    )
    INSERT INTO topic_closure (topic_id, ancestor_id) SELECT topic_id, ancestor_id FROM up;

    DELETE FROM published_counts;
    INSERT INTO published_counts (key, n)
    SELECT 'topic:' || c.ancestor_id, count(DISTINCT at.article_id)
    FROM topic_closure c
    JOIN article_topics at ON at.topic_id = c.topic_id
    JOIN articles a ON a.id = at.article_id
    WHERE a.status = 'published'
    GROUP BY c.ancestor_id;
    INSERT INTO published_counts (key, n)
    SELECT 'entity:' || ae.entity_id, count(*)
    FROM article_entities ae JOIN articles a ON a.id = ae.article_id
    WHERE a.status = 'published'
    GROUP BY ae.entity_id;
    INSERT INTO published_counts (key, n)
    SELECT 'kind:' || e.kind, count(DISTINCT ae.article_id)
    FROM article_entities ae
    JOIN entities e ON e.id = ae.entity_id
    JOIN articles a ON a.id = ae.article_id
    WHERE a.status = 'published'
    GROUP BY e.kind;
    INSERT INTO published_counts (key, n)
    SELECT 'author:' || author_id, count(*) FROM articles WHERE status = 'published' GROUP BY author_id;
    INSERT INTO published_counts (key, n)
    SELECT 'source:' || source, count(*) FROM articles
    WHERE status = 'published' AND source IS NOT NULL GROUP BY source;

    DELETE FROM article_search;
    INSERT INTO article_search (article_id, document)
    SELECT id, article_search_document(id) FROM articles;

    -- Every cached answer may be stale: move every key there is, and make
    -- the keys of every row there is (a cache that saw no row for a key
    -- took it as generation 0).
    INSERT INTO generations (key, n)
    SELECT key, 1 FROM (
        SELECT key FROM generations
        UNION SELECT 'article:' || id FROM articles
        UNION SELECT 'topic:' || id FROM topics
        UNION SELECT 'entity:' || id FROM entities
        UNION SELECT 'kind:' || kind FROM (VALUES ('country'), ('organisation'), ('person'), ('place')) AS k (kind)
        UNION SELECT 'author:' || id FROM users
        UNION VALUES ('list:articles'), ('names'), ('entity-names')
    ) AS every (key)
    ON CONFLICT (key) DO UPDATE SET n = generations.n + 1;
END $$;

-- Moves every id sequence past the ids a load gave explicitly (an import
-- keeps the exported ids), and never back: a media id is not given twice
-- even after its row went, as SQLite's AUTOINCREMENT promises.
CREATE FUNCTION newsdesk_reset_sequences() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    tab text;
    seq text;
    used bigint;
    given bigint;
BEGIN
    FOR tab IN
        SELECT table_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'
    LOOP
        seq := pg_get_serial_sequence(quote_ident(tab), 'id');
        EXECUTE format('SELECT coalesce(max(id), 0) FROM %I', tab) INTO used;
        EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s', seq)
            INTO given;
        PERFORM setval(seq, greatest(used, given) + 1, false);
    END LOOP;
END $$;
