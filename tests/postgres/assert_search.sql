-- The search index on PostgreSQL: what each article's document holds,
-- that it follows every write at commit, and that a search finds and
-- ranks as the contract says. Runs after scenario.sql and assert_steps.sql.

CREATE FUNCTION pg_temp.found(terms text[]) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(article_id::text, ',' ORDER BY article_id), '')
    FROM article_search WHERE document @@ search_query(terms)
$$;
CREATE FUNCTION pg_temp.expect_found(terms text[], want text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF pg_temp.found(terms) <> want THEN
        RAISE EXCEPTION 'search % found [%], want [%]', terms, pg_temp.found(terms), want;
    END IF;
END $$;

-- Every article has its document, and each equals a fresh computation.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM articles a LEFT JOIN article_search s ON s.article_id = a.id
               WHERE s.document IS DISTINCT FROM article_search_document(a.id))
       OR EXISTS (SELECT 1 FROM article_search s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id)) THEN
        RAISE EXCEPTION 'the index is out of step with the articles';
    END IF;
END $$;

-- A new article, exactly: title A, subtitle and tags B, summary C, body D;
-- words split at anything not a letter or digit, case and accents folded.
BEGIN;
INSERT INTO articles (id, slug, title, subtitle, summary, status, author_id, word_count, reading_time_minutes, created_at, updated_at)
VALUES (200, 'a200', 'Élan in Zürich', 'Sub-title', 'Short.', 'published', 2, 1, 1, now(), now());
INSERT INTO article_bodies VALUES (200, 'Body: see example.com & a_b', '<p/>');
INSERT INTO article_entities VALUES (200, 1);
INSERT INTO article_topics VALUES (200, 1);
COMMIT;
DO $$
DECLARE
    want tsvector := '''elan'':1A ''in'':2A ''zurich'':3A ''sub'':4B ''title'':5B ''world'':6B ''north'':7B ''korea'':8B ''dprk'':9B ''pyongyang'':10B ''short'':11C ''body'':12 ''see'':13 ''example'':14 ''com'':15 ''a'':16 ''b'':17';
BEGIN
    IF (SELECT document FROM article_search WHERE article_id = 200) IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'document of 200: %', (SELECT document FROM article_search WHERE article_id = 200);
    END IF;
END $$;

-- What readers type: words ANDed, phrases kept, operators as text, tags'
-- names and aliases, diacritics folded both ways.
SELECT pg_temp.expect_found(ARRAY['dprk'], '1,200');
SELECT pg_temp.expect_found(ARRAY['zurich'], '200');
SELECT pg_temp.expect_found(ARRAY['ZÜRICH', 'elan'], '200');
SELECT pg_temp.expect_found(ARRAY['north korea'], '1,200');
SELECT pg_temp.expect_found(ARRAY['korea north'], '');
SELECT pg_temp.expect_found(ARRAY['example'], '1,200');
SELECT pg_temp.expect_found(ARRAY['summit', 'example'], '1');
SELECT pg_temp.expect_found(ARRAY['nothing-like-it'], '');
SELECT pg_temp.expect_found(ARRAY['a:b & !c | (d'], '');
DO $$ BEGIN
    IF search_query(ARRAY['*', '-']) IS NOT NULL THEN
        RAISE EXCEPTION 'a search of no words is %', search_query(ARRAY['*', '-']);
    END IF;
    IF search_query(ARRAY['north korea', 'g7'])::text <> '''north'' <-> ''korea'' & ''g7''' THEN
        RAISE EXCEPTION 'query: %', search_query(ARRAY['north korea', 'g7']);
    END IF;
END $$;

-- Title hits rank above body hits.
INSERT INTO articles (id, slug, title, status, author_id, word_count, reading_time_minutes, created_at, updated_at)
VALUES (201, 'a201', 'Nothing here', 'published', 2, 1, 1, now(), now());
INSERT INTO article_bodies VALUES (201, 'A long body that mentions Élan once among many other words', '<p/>');
DO $$ BEGIN
    IF (SELECT string_agg(article_id::text, ',' ORDER BY ts_rank(document, search_query(ARRAY['elan'])) DESC)
        FROM article_search WHERE document @@ search_query(ARRAY['elan'])) <> '200,201' THEN
        RAISE EXCEPTION 'ranking puts a body hit first';
    END IF;
END $$;

-- Every write that changes what is indexed reaches the document at commit.
UPDATE articles SET title = 'Renamed headline' WHERE id = 200;
SELECT pg_temp.expect_found(ARRAY['elan'], '201');
SELECT pg_temp.expect_found(ARRAY['renamed', 'headline'], '200');
UPDATE article_bodies SET body = 'Fresh text' WHERE article_id = 201;
SELECT pg_temp.expect_found(ARRAY['elan'], '');
SELECT pg_temp.expect_found(ARRAY['fresh'], '201');
UPDATE entities SET name = 'DPR Korea' WHERE id = 1;
SELECT pg_temp.expect_found(ARRAY['north korea'], '');
SELECT pg_temp.expect_found(ARRAY['dpr korea'], '1,200');
DELETE FROM entity_aliases WHERE entity_id = 1 AND position = 0;
SELECT pg_temp.expect_found(ARRAY['dprk'], '');
INSERT INTO entity_aliases VALUES (1, 5, 'Hermit Kingdom');
SELECT pg_temp.expect_found(ARRAY['hermit kingdom'], '1,200');
UPDATE topics SET name = 'Planet' WHERE id = 1;
SELECT pg_temp.expect_found(ARRAY['planet'], '200');
DELETE FROM article_topics WHERE article_id = 200;
SELECT pg_temp.expect_found(ARRAY['planet'], '');
DELETE FROM entities WHERE id = 1;
SELECT pg_temp.expect_found(ARRAY['hermit'], '');
-- A counter's update leaves the document alone (no trigger fires).
DO $$
DECLARE mark xid8 := (SELECT refreshed_in FROM article_search WHERE article_id = 200);
BEGIN
    UPDATE articles SET comment_count = 5 WHERE id = 200;
    IF (SELECT refreshed_in FROM article_search WHERE article_id = 200) IS DISTINCT FROM mark THEN
        RAISE EXCEPTION 'a counter update rewrote the document';
    END IF;
END $$;
-- A rolled back write leaves the document as it was.
BEGIN;
UPDATE articles SET title = 'Never committed' WHERE id = 200;
ROLLBACK;
SELECT pg_temp.expect_found(ARRAY['never'], '');
-- The explicit refresh the app may call rewrites from the same source.
SELECT article_search_refresh(200, 201, 999);
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM article_search WHERE document IS DISTINCT FROM article_search_document(article_id)) THEN
        RAISE EXCEPTION 'article_search_refresh wrote something else';
    END IF;
END $$;
DELETE FROM articles WHERE id = 200;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM article_search WHERE article_id = 200) THEN
        RAISE EXCEPTION 'a deleted article stayed in the index';
    END IF;
END $$;
