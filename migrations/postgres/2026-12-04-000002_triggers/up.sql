-- The SQLite triggers, in PL/pgSQL, with the same names on the same tables
-- and the same effect, in the writing transaction of whichever process
-- writes: kept counts (article_status_counts, published_counts), the
-- topic closure, and a generation per cache dependency. Each trigger calls
-- a function of its own name.
--
-- SQLite made a missing row with INSERT … WHERE NOT EXISTS and then added
-- to it; here one upsert does both. Several writers may bump the same row
-- (list:articles, names, an author's count) at once: each waits for the
-- other's commit on that row, as SQLite's writers wait for its one write
-- lock. Two transactions that take such rows in opposite orders can
-- deadlock (40P01); PostgreSQL aborts one, and the app retries it.

-- A bulk load (the import: one transaction of every record) runs with
-- `SET LOCAL newsdesk.bulk_load = 'on'`, which every trigger of this
-- schema skips (the WHEN clauses), and ends with
-- `SELECT newsdesk_rebuild_kept()` (migration 000004), which recomputes
-- what they keep. Needed on PostgreSQL, not on SQLite: a row that one
-- transaction updates k times leaves k versions that each later update
-- walks until commit, so 100,000 articles bumping list:articles and
-- their author's count cost O(k²) (10,000 articles in one transaction
-- took minutes; the same with the flag, seconds).
CREATE FUNCTION bulk_load() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('newsdesk.bulk_load', true), '') = 'on';
$$;

-- Adds 1 to the generation of each distinct, non-NULL key.
CREATE FUNCTION generations_bump(VARIADIC keys text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO generations (key, n)
    SELECT DISTINCT k, 1 FROM unnest(keys) AS k WHERE k IS NOT NULL
    ON CONFLICT (key) DO UPDATE SET n = generations.n + 1;
$$;

-- Adds delta to the published count of each distinct, non-NULL key.
CREATE FUNCTION published_counts_add(delta bigint, VARIADIC keys text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO published_counts (key, n)
    SELECT DISTINCT k, delta FROM unnest(keys) AS k WHERE k IS NOT NULL
    ON CONFLICT (key) DO UPDATE SET n = published_counts.n + delta;
$$;

-- Whether the article is published now (false when it is gone, as when a
-- link's delete cascades from the article's own).
CREATE FUNCTION article_is_published(article integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT status = 'published' FROM articles WHERE id = article), false);
$$;

-- Published articles tagged anywhere in the subtree of topic `ancestor`,
-- each once.
CREATE FUNCTION topic_published_count(ancestor integer) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(DISTINCT at.article_id)
    FROM topic_closure c
    JOIN article_topics at ON at.topic_id = c.topic_id
    JOIN articles a ON a.id = at.article_id
    WHERE c.ancestor_id = ancestor AND a.status = 'published';
$$;

-- Published articles linked to an entity of `entity_kind`, each once.
CREATE FUNCTION kind_published_count(entity_kind text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(DISTINCT ae.article_id)
    FROM article_entities ae
    JOIN entities e ON e.id = ae.entity_id
    JOIN articles a ON a.id = ae.article_id
    WHERE e.kind = entity_kind AND a.status = 'published';
$$;

-- The keys of an article's links: topic:<ancestor> for every topic of
-- its subtrees (each once), entity:<id>, kind:<kind>.
CREATE FUNCTION article_topic_keys(article integer) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT 'topic:' || c.ancestor_id), '{}')
    FROM article_topics at JOIN topic_closure c ON c.topic_id = at.topic_id
    WHERE at.article_id = article;
$$;

CREATE FUNCTION article_linked_topic_keys(article integer) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT 'topic:' || topic_id), '{}')
    FROM article_topics WHERE article_id = article;
$$;

CREATE FUNCTION article_entity_keys(article integer) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT 'entity:' || entity_id), '{}')
    FROM article_entities WHERE article_id = article;
$$;

CREATE FUNCTION article_kind_keys(article integer) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT 'kind:' || e.kind), '{}')
    FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
    WHERE ae.article_id = article;
$$;

------------------------------------------------------------------------
-- article_status_counts
------------------------------------------------------------------------

CREATE FUNCTION article_status_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_status_counts SET n = n + 1 WHERE status = NEW.status;
    RETURN NULL;
END $$;
CREATE TRIGGER article_status_counts_insert AFTER INSERT ON articles
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION article_status_counts_insert();

CREATE FUNCTION article_status_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_status_counts SET n = n - 1 WHERE status = OLD.status;
    RETURN NULL;
END $$;
CREATE TRIGGER article_status_counts_delete AFTER DELETE ON articles
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION article_status_counts_delete();

CREATE FUNCTION article_status_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_status_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE article_status_counts SET n = n + 1 WHERE status = NEW.status;
    RETURN NULL;
END $$;
CREATE TRIGGER article_status_counts_update AFTER UPDATE OF status ON articles
FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.status <> NEW.status))
EXECUTE FUNCTION article_status_counts_update();

------------------------------------------------------------------------
-- topic_closure
------------------------------------------------------------------------

CREATE FUNCTION topic_closure_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO topic_closure (topic_id, ancestor_id) VALUES (NEW.id, NEW.id);
    INSERT INTO topic_closure (topic_id, ancestor_id)
        SELECT NEW.id, ancestor_id FROM topic_closure WHERE topic_id = NEW.parent_id;
    RETURN NULL;
END $$;
CREATE TRIGGER topic_closure_insert AFTER INSERT ON topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION topic_closure_insert();

-- A move re-links the subtree under its new ancestors and recounts the
-- old and new ancestors from their links (rare, as costly as the sections
-- are large). Old ancestors' counts are recounted only where they exist;
-- new ancestors' rows are made first.
--
-- The old ancestors are read from the topic's own closure rows, where
-- SQLite reads those of OLD.parent_id: the same set, except when the move
-- is the SET NULL of a deleted parent. That parent's closure rows are gone
-- by then, so SQLite recounts nothing and the ancestors above it keep
-- counting the orphaned subtree's articles (see tests/postgres/README.md);
-- here they are recounted.
CREATE FUNCTION topic_closure_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_ancestors text[] := ARRAY(SELECT 'topic:' || ancestor_id FROM topic_closure
                                  WHERE topic_id = NEW.id AND ancestor_id <> NEW.id);
BEGIN
    DELETE FROM topic_closure
        WHERE topic_id IN (SELECT topic_id FROM topic_closure WHERE ancestor_id = NEW.id)
        AND ancestor_id IN (SELECT ancestor_id FROM topic_closure WHERE topic_id = NEW.id AND ancestor_id <> NEW.id);
    INSERT INTO topic_closure (topic_id, ancestor_id)
        SELECT sub.topic_id, up.ancestor_id FROM topic_closure sub, topic_closure up
        WHERE sub.ancestor_id = NEW.id AND up.topic_id = NEW.parent_id;
    INSERT INTO published_counts (key, n)
        SELECT 'topic:' || ancestor_id, 0 FROM topic_closure WHERE topic_id = NEW.parent_id
        ON CONFLICT (key) DO NOTHING;
    UPDATE published_counts
        SET n = topic_published_count(substr(published_counts.key, 7)::integer)
        WHERE key = ANY (old_ancestors)
           OR key IN (SELECT 'topic:' || ancestor_id FROM topic_closure WHERE topic_id = NEW.parent_id);
    RETURN NULL;
END $$;
CREATE TRIGGER topic_closure_move AFTER UPDATE OF parent_id ON topics
FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.parent_id IS DISTINCT FROM NEW.parent_id))
EXECUTE FUNCTION topic_closure_move();

------------------------------------------------------------------------
-- published_counts
------------------------------------------------------------------------

-- Before a topic or entity goes, its links go, so that the link triggers
-- take its articles out of the counts while the closure still holds it.
CREATE FUNCTION published_counts_topic_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM article_topics WHERE topic_id = OLD.id;
    DELETE FROM published_counts WHERE key = 'topic:' || OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER published_counts_topic_delete BEFORE DELETE ON topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION published_counts_topic_delete();

CREATE FUNCTION published_counts_entity_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM article_entities WHERE entity_id = OLD.id;
    DELETE FROM published_counts WHERE key = 'entity:' || OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER published_counts_entity_delete BEFORE DELETE ON entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION published_counts_entity_delete();

CREATE FUNCTION published_counts_entity_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO published_counts (key, n) VALUES ('kind:' || NEW.kind, 0)
        ON CONFLICT (key) DO NOTHING;
    UPDATE published_counts SET n = kind_published_count(OLD.kind) WHERE key = 'kind:' || OLD.kind;
    UPDATE published_counts SET n = kind_published_count(NEW.kind) WHERE key = 'kind:' || NEW.kind;
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_entity_kind AFTER UPDATE OF kind ON entities
FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.kind <> NEW.kind))
EXECUTE FUNCTION published_counts_entity_kind();

-- A new link of a published article counts it in each topic of the
-- linked topic's ancestry that no other link of the article already
-- reaches (an article tagged twice in one subtree counts once).
CREATE FUNCTION published_counts_link_topic_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF article_is_published(NEW.article_id) THEN
        PERFORM published_counts_add(1, VARIADIC ARRAY(
            SELECT 'topic:' || c.ancestor_id FROM topic_closure c
            WHERE c.topic_id = NEW.topic_id
              AND NOT EXISTS (SELECT 1 FROM article_topics o
                              JOIN topic_closure oc ON oc.topic_id = o.topic_id
                              WHERE o.article_id = NEW.article_id AND o.topic_id <> NEW.topic_id
                                AND oc.ancestor_id = c.ancestor_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_link_topic_insert AFTER INSERT ON article_topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION published_counts_link_topic_insert();

CREATE FUNCTION published_counts_link_topic_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF article_is_published(OLD.article_id) THEN
        PERFORM published_counts_add(-1, VARIADIC ARRAY(
            SELECT 'topic:' || c.ancestor_id FROM topic_closure c
            WHERE c.topic_id = OLD.topic_id
              AND NOT EXISTS (SELECT 1 FROM article_topics o
                              JOIN topic_closure oc ON oc.topic_id = o.topic_id
                              WHERE o.article_id = OLD.article_id AND oc.ancestor_id = c.ancestor_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_link_topic_delete AFTER DELETE ON article_topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION published_counts_link_topic_delete();

CREATE FUNCTION published_counts_link_entity_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entity_kind text := (SELECT kind FROM entities WHERE id = NEW.entity_id);
BEGIN
    IF article_is_published(NEW.article_id) THEN
        PERFORM published_counts_add(1, 'entity:' || NEW.entity_id);
        IF entity_kind IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM article_entities o JOIN entities oe ON oe.id = o.entity_id
            WHERE o.article_id = NEW.article_id AND o.entity_id <> NEW.entity_id AND oe.kind = entity_kind)
        THEN
            PERFORM published_counts_add(1, 'kind:' || entity_kind);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_link_entity_insert AFTER INSERT ON article_entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION published_counts_link_entity_insert();

CREATE FUNCTION published_counts_link_entity_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entity_kind text := (SELECT kind FROM entities WHERE id = OLD.entity_id);
BEGIN
    IF article_is_published(OLD.article_id) THEN
        PERFORM published_counts_add(-1, 'entity:' || OLD.entity_id);
        IF entity_kind IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM article_entities o JOIN entities oe ON oe.id = o.entity_id
            WHERE o.article_id = OLD.article_id AND oe.kind = entity_kind)
        THEN
            PERFORM published_counts_add(-1, 'kind:' || entity_kind);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_link_entity_delete AFTER DELETE ON article_entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION published_counts_link_entity_delete();

CREATE FUNCTION published_counts_article_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM published_counts_add(1, 'author:' || NEW.author_id, 'source:' || NEW.source);
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_article_insert AFTER INSERT ON articles
FOR EACH ROW WHEN (NOT bulk_load() AND (NEW.status = 'published'))
EXECUTE FUNCTION published_counts_article_insert();

-- The article's own keys (author, source) when it enters or leaves the
-- published set, or changes author or source while in it.
CREATE FUNCTION published_counts_article_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        PERFORM published_counts_add(-1, 'author:' || OLD.author_id, 'source:' || OLD.source);
    END IF;
    IF NEW.status = 'published' THEN
        PERFORM published_counts_add(1, 'author:' || NEW.author_id, 'source:' || NEW.source);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_article_own AFTER UPDATE OF status, author_id, source ON articles
FOR EACH ROW WHEN (NOT bulk_load() AND ((OLD.status = 'published' OR NEW.status = 'published')
                   AND (OLD.status <> NEW.status OR OLD.author_id <> NEW.author_id
                        OR OLD.source IS DISTINCT FROM NEW.source)))
EXECUTE FUNCTION published_counts_article_own();

CREATE FUNCTION published_counts_article_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM published_counts_add(1, VARIADIC
        article_topic_keys(NEW.id) || article_entity_keys(NEW.id) || article_kind_keys(NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_article_published AFTER UPDATE OF status ON articles
FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.status <> 'published' AND NEW.status = 'published'))
EXECUTE FUNCTION published_counts_article_published();

CREATE FUNCTION published_counts_article_unpublished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM published_counts_add(-1, VARIADIC
        article_topic_keys(NEW.id) || article_entity_keys(NEW.id) || article_kind_keys(NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER published_counts_article_unpublished AFTER UPDATE OF status ON articles
FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.status = 'published' AND NEW.status <> 'published'))
EXECUTE FUNCTION published_counts_article_unpublished();

-- Before the delete: the links, which cascade, are still there to say
-- which counts the article was in.
CREATE FUNCTION published_counts_article_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM published_counts_add(-1, VARIADIC
        article_topic_keys(OLD.id) || article_entity_keys(OLD.id) || article_kind_keys(OLD.id)
        || ARRAY['author:' || OLD.author_id, 'source:' || OLD.source]);
    RETURN OLD;
END $$;
CREATE TRIGGER published_counts_article_delete BEFORE DELETE ON articles
FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.status = 'published'))
EXECUTE FUNCTION published_counts_article_delete();

------------------------------------------------------------------------
-- generations
------------------------------------------------------------------------

CREATE FUNCTION generations_article_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM generations_bump('article:' || NEW.id, 'list:articles', 'author:' || NEW.author_id);
    RETURN NULL;
END $$;
CREATE TRIGGER generations_article_insert AFTER INSERT ON articles
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_insert();

CREATE FUNCTION generations_article_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM generations_bump('article:' || NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER generations_article_update AFTER UPDATE ON articles
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_update();

-- A change of what orders or filters lists moves every list the article
-- is in. The old and the new author are bumped one after the other (twice
-- when they are the same), as SQLite's two statements do.
CREATE FUNCTION generations_article_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM generations_bump('list:articles', 'author:' || OLD.author_id);
    PERFORM generations_bump(VARIADIC ARRAY['author:' || NEW.author_id]
        || article_linked_topic_keys(NEW.id) || article_entity_keys(NEW.id) || article_kind_keys(NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER generations_article_moved AFTER UPDATE ON articles
FOR EACH ROW WHEN (NOT bulk_load() AND (NEW.updated_at <> OLD.updated_at OR NEW.status <> OLD.status
                   OR NEW.published_at IS DISTINCT FROM OLD.published_at
                   OR NEW.author_id <> OLD.author_id))
EXECUTE FUNCTION generations_article_moved();

CREATE FUNCTION generations_article_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM generations_bump(VARIADIC ARRAY['article:' || OLD.id, 'list:articles', 'author:' || OLD.author_id]
        || article_linked_topic_keys(OLD.id) || article_entity_keys(OLD.id) || article_kind_keys(OLD.id));
    RETURN OLD;
END $$;
CREATE TRIGGER generations_article_delete BEFORE DELETE ON articles
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_delete();

CREATE FUNCTION generations_article_body() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM generations_bump('article:' || OLD.article_id);
    ELSE
        PERFORM generations_bump('article:' || NEW.article_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER generations_article_body_insert AFTER INSERT ON article_bodies
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_body();
CREATE TRIGGER generations_article_body_update AFTER UPDATE ON article_bodies
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_body();
CREATE TRIGGER generations_article_body_delete AFTER DELETE ON article_bodies
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_body();

CREATE FUNCTION generations_article_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM generations_bump('article:' || OLD.article_id, 'topic:' || OLD.topic_id);
    ELSE
        PERFORM generations_bump('article:' || NEW.article_id, 'topic:' || NEW.topic_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER generations_article_topic_insert AFTER INSERT ON article_topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_topic();
CREATE TRIGGER generations_article_topic_delete AFTER DELETE ON article_topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_topic();

-- The link's kind; `names` when its entity is being deleted (the entity's
-- own delete bumps names anyway).
CREATE FUNCTION generations_article_entity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    link article_entities;
BEGIN
    IF TG_OP = 'DELETE' THEN link := OLD; ELSE link := NEW; END IF;
    PERFORM generations_bump('article:' || link.article_id, 'entity:' || link.entity_id,
        coalesce('kind:' || (SELECT kind FROM entities WHERE id = link.entity_id), 'names'));
    RETURN NULL;
END $$;
CREATE TRIGGER generations_article_entity_insert AFTER INSERT ON article_entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_entity();
CREATE TRIGGER generations_article_entity_delete AFTER DELETE ON article_entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_article_entity();

CREATE FUNCTION generations_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_OP
        WHEN 'INSERT' THEN PERFORM generations_bump('topic:' || NEW.id);
        WHEN 'UPDATE' THEN PERFORM generations_bump('topic:' || NEW.id, 'names');
        ELSE PERFORM generations_bump('topic:' || OLD.id, 'names');
    END CASE;
    RETURN NULL;
END $$;
CREATE TRIGGER generations_topic_insert AFTER INSERT ON topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_topic();
CREATE TRIGGER generations_topic_update AFTER UPDATE ON topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_topic();
CREATE TRIGGER generations_topic_delete AFTER DELETE ON topics
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_topic();

CREATE FUNCTION generations_entity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_OP
        WHEN 'INSERT' THEN PERFORM generations_bump('entity:' || NEW.id);
        WHEN 'UPDATE' THEN PERFORM generations_bump('entity:' || NEW.id, 'names');
        ELSE PERFORM generations_bump('entity:' || OLD.id, 'names');
    END CASE;
    RETURN NULL;
END $$;
CREATE TRIGGER generations_entity_insert AFTER INSERT ON entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity();
CREATE TRIGGER generations_entity_update AFTER UPDATE ON entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity();
CREATE TRIGGER generations_entity_delete AFTER DELETE ON entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity();

CREATE FUNCTION generations_alias() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM generations_bump('entity:' || OLD.entity_id, 'names');
    ELSE
        PERFORM generations_bump('entity:' || NEW.entity_id, 'names');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER generations_alias_insert AFTER INSERT ON entity_aliases
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_alias();
CREATE TRIGGER generations_alias_update AFTER UPDATE ON entity_aliases
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_alias();
CREATE TRIGGER generations_alias_delete AFTER DELETE ON entity_aliases
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_alias();

-- A new user shows nowhere until it writes; a changed or removed one
-- shows in every answer that embeds its name.
CREATE FUNCTION generations_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM generations_bump('author:' || OLD.id, 'names');
    ELSE
        PERFORM generations_bump('author:' || NEW.id, 'names');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER generations_user_update AFTER UPDATE ON users
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_user();
CREATE TRIGGER generations_user_delete AFTER DELETE ON users
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_user();

-- Articles embed their images' records: a change of one is a change of
-- every article that shows it.
CREATE FUNCTION generations_media_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM generations_bump(VARIADIC ARRAY(
        SELECT 'article:' || a.id FROM articles a
        WHERE a.featured_image_id = NEW.id OR a.seo_image_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER generations_media_update AFTER UPDATE ON media
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_media_update();

-- The generation the entity-suggestion matcher is built at (src/suggest.rs).
CREATE FUNCTION generations_entity_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM generations_bump('entity-names');
    RETURN NULL;
END $$;
CREATE TRIGGER generations_entity_names_entity_insert AFTER INSERT ON entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity_names();
CREATE TRIGGER generations_entity_names_entity_update AFTER UPDATE ON entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity_names();
CREATE TRIGGER generations_entity_names_entity_delete AFTER DELETE ON entities
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity_names();
CREATE TRIGGER generations_entity_names_alias_insert AFTER INSERT ON entity_aliases
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity_names();
CREATE TRIGGER generations_entity_names_alias_update AFTER UPDATE ON entity_aliases
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity_names();
CREATE TRIGGER generations_entity_names_alias_delete AFTER DELETE ON entity_aliases
FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION generations_entity_names();
