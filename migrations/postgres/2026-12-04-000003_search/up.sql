-- Full-text search in place of SQLite's FTS5 index (articles_fts over the
-- article_search_documents view): one weighted tsvector per article in a
-- table of its own, kept by triggers in the writing transaction, with a
-- GIN index. A table of its own, not a column of articles: the document
-- (as large as the body) stays out of the rows that lists, filters and
-- counts read, as the bodies do, and an update of an article's counters
-- does not copy it.
--
-- Weights: title A; subtitle and the tags (names of its topics and
-- entities, and the entities' aliases, so that "DPRK" finds an article
-- tagged North Korea) B; summary C; body D. ts_rank's default weights
-- (A 1.0, B 0.4, C 0.2, D 0.1) put title hits first.
--
-- Words are what SQLite's tokenizer (unicode61 remove_diacritics 2) and
-- store::search::words take them to be: runs of letters and digits, case
-- and diacritics folded, no stemming, no stop words. search_words() turns
-- everything else into spaces (PostgreSQL's own parser would keep
-- "example.com" or "a_b" as one token), and the configuration
-- newsdesk_search is `simple` (no stemming, no stop words) with unaccent
-- in front of it (remove_diacritics).

CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION newsdesk_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION newsdesk_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part,
                      numword, numhword, hword_numpart
    WITH unaccent, simple;

-- The words of `text` separated by single spaces. The ICU collation makes
-- [:alnum:] mean Unicode letters and digits whatever the database's
-- locale (in a "C" database it would be ASCII only).
CREATE FUNCTION search_words(text text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(text COLLATE "und-x-icu", '[^[:alnum:]]+', ' ', 'g');
$$;

-- A search as the app parses it (store::search::SearchQuery::terms: each
-- term one word or a phrase of several) as a tsquery: every term must
-- match, a phrase as a phrase. Terms with no word are skipped; NULL when
-- none is left.
CREATE FUNCTION search_query(terms text[]) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    term text;
    part tsquery;
    whole tsquery;
BEGIN
    FOREACH term IN ARRAY terms LOOP
        CONTINUE WHEN btrim(search_words(term)) = '';
        part := phraseto_tsquery('newsdesk_search', search_words(term));
        whole := CASE WHEN whole IS NULL THEN part ELSE whole && part END;
    END LOOP;
    RETURN whole;
END $$;

CREATE TABLE article_search (
    article_id   integer  PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    document     tsvector NOT NULL,
    -- The transaction that last rewrote the row from its triggers (see
    -- article_search_changed).
    refreshed_in xid8
);
CREATE INDEX article_search_document ON article_search USING gin (document);

-- What the index holds for an article; NULL when the article is gone.
CREATE FUNCTION article_search_document(article integer) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT
        setweight(to_tsvector('newsdesk_search', search_words(a.title)), 'A')
        || setweight(to_tsvector('newsdesk_search', search_words(
               coalesce(a.subtitle, '') || ' ' || concat_ws(' ',
                   (SELECT string_agg(t.name, ' ') FROM article_topics at
                    JOIN topics t ON t.id = at.topic_id WHERE at.article_id = a.id),
                   (SELECT string_agg(e.name, ' ') FROM article_entities ae
                    JOIN entities e ON e.id = ae.entity_id WHERE ae.article_id = a.id),
                   (SELECT string_agg(al.alias, ' ') FROM article_entities ae
                    JOIN entity_aliases al ON al.entity_id = ae.entity_id WHERE ae.article_id = a.id)))), 'B')
        || setweight(to_tsvector('newsdesk_search', search_words(coalesce(a.summary, ''))), 'C')
        || setweight(to_tsvector('newsdesk_search', search_words(
               coalesce((SELECT b.body FROM article_bodies b WHERE b.article_id = a.id), ''))), 'D')
    FROM articles a WHERE a.id = article;
$$;

-- Rewrites the index rows of these articles from their current text and
-- tags (the statement for an app that wants to force it; the triggers
-- below make it unnecessary).
CREATE FUNCTION article_search_refresh(VARIADIC articles integer[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM article_search s
        WHERE s.article_id = ANY (articles)
          AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id);
    INSERT INTO article_search (article_id, document)
        SELECT a.id, article_search_document(a.id) FROM articles a WHERE a.id = ANY (articles)
    ON CONFLICT (article_id) DO UPDATE SET document = excluded.document, refreshed_in = NULL;
$$;

-- The triggers are deferred constraint triggers: they run at COMMIT, still
-- inside the writing transaction (a failure rolls it back), after every
-- statement of it. So an article written as a row, a body and ten links
-- is indexed once, from its final state, and not eleven times: the first
-- of its queued events rewrites the row and marks it with the
-- transaction's id, the rest see the mark and stop. (A transaction that
-- ran SET CONSTRAINTS ALL IMMEDIATE half-way and then changed the article
-- again would keep the earlier document; the app never does that.)
CREATE FUNCTION article_search_refresh_once(article integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM article_search
               WHERE article_id = article AND refreshed_in = pg_current_xact_id()) THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM articles WHERE id = article) THEN
        RETURN; -- its row went with it (ON DELETE CASCADE)
    END IF;
    INSERT INTO article_search (article_id, document, refreshed_in)
        VALUES (article, article_search_document(article), pg_current_xact_id())
    ON CONFLICT (article_id) DO UPDATE
        SET document = excluded.document, refreshed_in = excluded.refreshed_in;
END $$;

-- Articles, bodies and links: the article the row belongs to.
CREATE FUNCTION article_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    article integer;
BEGIN
    IF TG_TABLE_NAME = 'articles' THEN
        article := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
    ELSE
        article := CASE WHEN TG_OP = 'DELETE' THEN OLD.article_id ELSE NEW.article_id END;
    END IF;
    PERFORM article_search_refresh_once(article);
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER article_search_article_insert AFTER INSERT ON articles
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION article_search_changed();
CREATE CONSTRAINT TRIGGER article_search_article_update AFTER UPDATE OF title, subtitle, summary ON articles
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (NOT bulk_load() AND (OLD.title IS DISTINCT FROM NEW.title OR OLD.subtitle IS DISTINCT FROM NEW.subtitle
      OR OLD.summary IS DISTINCT FROM NEW.summary))
EXECUTE FUNCTION article_search_changed();
CREATE CONSTRAINT TRIGGER article_search_body AFTER INSERT OR UPDATE OR DELETE ON article_bodies
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION article_search_changed();
CREATE CONSTRAINT TRIGGER article_search_topic_link AFTER INSERT OR UPDATE OR DELETE ON article_topics
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION article_search_changed();
CREATE CONSTRAINT TRIGGER article_search_entity_link AFTER INSERT OR UPDATE OR DELETE ON article_entities
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION article_search_changed();

-- A renamed topic or entity, or a changed alias: every article tagged
-- with it. (Deleting a topic or entity deletes its links first, whose own
-- triggers cover their articles.)
CREATE FUNCTION article_search_tag_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tagged integer[];
BEGIN
    -- One branch per table: PL/pgSQL resolves NEW.<column> against the
    -- table that fired, so a field of another table may not even appear.
    IF TG_TABLE_NAME = 'topics' THEN
        tagged := ARRAY(SELECT article_id FROM article_topics WHERE topic_id = NEW.id);
    ELSIF TG_TABLE_NAME = 'entities' THEN
        tagged := ARRAY(SELECT article_id FROM article_entities WHERE entity_id = NEW.id);
    ELSIF TG_OP = 'INSERT' THEN
        tagged := ARRAY(SELECT article_id FROM article_entities WHERE entity_id = NEW.entity_id);
    ELSIF TG_OP = 'DELETE' THEN
        tagged := ARRAY(SELECT article_id FROM article_entities WHERE entity_id = OLD.entity_id);
    ELSE
        tagged := ARRAY(SELECT article_id FROM article_entities
                        WHERE entity_id IN (OLD.entity_id, NEW.entity_id));
    END IF;
    PERFORM article_search_refresh_once(article) FROM unnest(tagged) AS article;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER article_search_topic_name AFTER UPDATE OF name ON topics
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.name IS DISTINCT FROM NEW.name))
EXECUTE FUNCTION article_search_tag_changed();
CREATE CONSTRAINT TRIGGER article_search_entity_name AFTER UPDATE OF name ON entities
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT bulk_load() AND (OLD.name IS DISTINCT FROM NEW.name))
EXECUTE FUNCTION article_search_tag_changed();
CREATE CONSTRAINT TRIGGER article_search_alias AFTER INSERT OR UPDATE OR DELETE ON entity_aliases
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT bulk_load()) EXECUTE FUNCTION article_search_tag_changed();
