-- Each trigger, step by step, on PostgreSQL: a write, then the values it
-- must leave. Runs after scenario.sql, on rows of its own (ids from 100).
-- A wrong value raises, and psql (ON_ERROR_STOP) fails the check.

CREATE FUNCTION pg_temp.expect(what text, got bigint, want bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION '%: got %, want %', what, got, want;
    END IF;
END $$;
CREATE FUNCTION pg_temp.published(k text) RETURNS bigint LANGUAGE sql AS
    $$ SELECT n FROM published_counts WHERE key = k $$;
CREATE FUNCTION pg_temp.generation(k text) RETURNS bigint LANGUAGE sql AS
    $$ SELECT coalesce((SELECT n FROM generations WHERE key = k), 0) $$;
CREATE FUNCTION pg_temp.status_count(s text) RETURNS bigint LANGUAGE sql AS
    $$ SELECT n FROM article_status_counts WHERE status = s $$;
CREATE FUNCTION pg_temp.ancestors(topic integer) RETURNS text LANGUAGE sql AS
    $$ SELECT string_agg(ancestor_id::text, ',' ORDER BY ancestor_id) FROM topic_closure WHERE topic_id = topic $$;

-- A tree: 100 > 101 > 102, 100 > 103.
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (100, 't100', 'Root', NULL, now(), now());
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (101, 't101', 'Mid', 100, now(), now()), (103, 't103', 'Side', 100, now(), now());
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES
    (102, 't102', 'Leaf', 101, now(), now());
DO $$ BEGIN
    IF pg_temp.ancestors(102) <> '100,101,102' OR pg_temp.ancestors(103) <> '100,103' THEN
        RAISE EXCEPTION 'closure after inserts: 102 -> %, 103 -> %', pg_temp.ancestors(102), pg_temp.ancestors(103);
    END IF;
    PERFORM pg_temp.expect('topic:102 generation after insert', pg_temp.generation('topic:102'), 1);
END $$;

INSERT INTO entities (id, slug, name, kind, created_at, updated_at) VALUES
    (100, 'e100', 'Person A', 'person', now(), now()),
    (101, 'e101', 'Person B', 'person', now(), now()),
    (102, 'e102', 'Place C', 'place', now(), now());

CREATE TEMP TABLE before AS SELECT * FROM article_status_counts;
-- A draft, then tagged twice in one subtree (101 and 102) and once in 103.
INSERT INTO articles (id, slug, title, status, author_id, word_count, reading_time_minutes, created_at, updated_at)
VALUES (100, 'a100', 'Steps', 'draft', 2, 1, 1, now(), now());
INSERT INTO article_topics VALUES (100, 101), (100, 102), (100, 103);
INSERT INTO article_entities VALUES (100, 100), (100, 101), (100, 102);
DO $$ BEGIN
    PERFORM pg_temp.expect('draft count', pg_temp.status_count('draft'),
        (SELECT n + 1 FROM before WHERE status = 'draft'));
    PERFORM pg_temp.expect('a draft counts in no topic', coalesce(pg_temp.published('topic:100'), 0), 0);
END $$;

-- Published: counted once per topic of its subtrees, once per kind.
UPDATE articles SET status = 'published', published_at = now() WHERE id = 100;
DO $$ BEGIN
    PERFORM pg_temp.expect('topic:100 (tagged three times under it)', pg_temp.published('topic:100'), 1);
    PERFORM pg_temp.expect('topic:101', pg_temp.published('topic:101'), 1);
    PERFORM pg_temp.expect('topic:102', pg_temp.published('topic:102'), 1);
    PERFORM pg_temp.expect('topic:103', pg_temp.published('topic:103'), 1);
    PERFORM pg_temp.expect('entity:100', pg_temp.published('entity:100'), 1);
    PERFORM pg_temp.expect('kind:person gains one for two persons', pg_temp.published('kind:person'),
        (SELECT count(DISTINCT ae.article_id) FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
         JOIN articles a ON a.id = ae.article_id WHERE e.kind = 'person' AND a.status = 'published'));
    PERFORM pg_temp.expect('published count', pg_temp.status_count('published'),
        (SELECT n + 1 FROM before WHERE status = 'published'));
    PERFORM pg_temp.expect('draft count back', pg_temp.status_count('draft'),
        (SELECT n FROM before WHERE status = 'draft'));
END $$;

-- One of the two links in the subtree goes: still counted; the other
-- goes: no longer.
CREATE TEMP TABLE gen_before AS SELECT * FROM generations;
DELETE FROM article_topics WHERE article_id = 100 AND topic_id = 102;
DO $$ BEGIN
    PERFORM pg_temp.expect('topic:101 with one link left', pg_temp.published('topic:101'), 1);
    PERFORM pg_temp.expect('topic:102 without its link', pg_temp.published('topic:102'), 0);
    PERFORM pg_temp.expect('article:100 bumped by the unlink', pg_temp.generation('article:100'),
        (SELECT n + 1 FROM gen_before WHERE key = 'article:100'));
    PERFORM pg_temp.expect('topic:102 bumped by the unlink', pg_temp.generation('topic:102'),
        (SELECT n + 1 FROM gen_before WHERE key = 'topic:102'));
    PERFORM pg_temp.expect('list:articles not bumped by a link', pg_temp.generation('list:articles'),
        (SELECT n FROM gen_before WHERE key = 'list:articles'));
END $$;
DELETE FROM article_topics WHERE article_id = 100 AND topic_id = 101;
DO $$ BEGIN
    PERFORM pg_temp.expect('topic:101 with no link', pg_temp.published('topic:101'), 0);
    PERFORM pg_temp.expect('topic:100 still reached through 103', pg_temp.published('topic:100'), 1);
END $$;
INSERT INTO article_topics VALUES (100, 102);

-- A move takes the subtree's articles along: 102 under 103.
UPDATE topics SET parent_id = 103 WHERE id = 102;
DO $$ BEGIN
    IF pg_temp.ancestors(102) <> '100,102,103' THEN
        RAISE EXCEPTION 'closure after move: %', pg_temp.ancestors(102);
    END IF;
    PERFORM pg_temp.expect('topic:101 after the move', pg_temp.published('topic:101'), 0);
    PERFORM pg_temp.expect('topic:103 after the move (once)', pg_temp.published('topic:103'), 1);
END $$;

-- A kind change recounts both kinds.
UPDATE entities SET kind = 'organisation' WHERE id = 102;
DO $$ BEGIN
    PERFORM pg_temp.expect('kind:organisation after the change', pg_temp.published('kind:organisation'),
        (SELECT count(DISTINCT ae.article_id) FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
         JOIN articles a ON a.id = ae.article_id WHERE e.kind = 'organisation' AND a.status = 'published'));
    PERFORM pg_temp.expect('kind:place after the change', pg_temp.published('kind:place'),
        (SELECT count(DISTINCT ae.article_id) FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
         JOIN articles a ON a.id = ae.article_id WHERE e.kind = 'place' AND a.status = 'published'));
END $$;

-- Renames bump the names key; an alias bumps its entity and entity-names.
TRUNCATE gen_before; INSERT INTO gen_before SELECT * FROM generations;
UPDATE topics SET name = 'Side renamed' WHERE id = 103;
INSERT INTO entity_aliases VALUES (100, 0, 'PA');
DO $$ BEGIN
    PERFORM pg_temp.expect('names after a rename and an alias', pg_temp.generation('names'),
        (SELECT n + 2 FROM gen_before WHERE key = 'names'));
    PERFORM pg_temp.expect('entity:100 after an alias', pg_temp.generation('entity:100'),
        (SELECT n + 1 FROM gen_before WHERE key = 'entity:100'));
    PERFORM pg_temp.expect('entity-names after an alias', pg_temp.generation('entity-names'),
        (SELECT n + 1 FROM gen_before WHERE key = 'entity-names'));
END $$;

-- A rollback leaves no trace (everything runs in the writing transaction).
TRUNCATE gen_before; INSERT INTO gen_before SELECT * FROM generations;
CREATE TEMP TABLE pub_before AS SELECT * FROM published_counts;
BEGIN;
UPDATE articles SET status = 'archived' WHERE id = 100;
DELETE FROM topics WHERE id = 100;
ROLLBACK;
DO $$ BEGIN
    IF EXISTS (SELECT * FROM generations EXCEPT SELECT * FROM gen_before)
       OR EXISTS (SELECT * FROM published_counts EXCEPT SELECT * FROM pub_before) THEN
        RAISE EXCEPTION 'a rolled back write left counts or generations behind';
    END IF;
END $$;

-- Unpublishing takes the article out of every count.
UPDATE articles SET status = 'archived' WHERE id = 100;
DO $$ BEGIN
    PERFORM pg_temp.expect('topic:100 after unpublish', pg_temp.published('topic:100'), 0);
    PERFORM pg_temp.expect('entity:100 after unpublish', pg_temp.published('entity:100'), 0);
END $$;
UPDATE articles SET status = 'published' WHERE id = 100;

-- Deleting a topic with children: they become roots, the ancestors lose
-- what only the deleted subtree gave them.
DELETE FROM topics WHERE id = 103;
DO $$ BEGIN
    IF (SELECT parent_id FROM topics WHERE id = 102) IS NOT NULL THEN
        RAISE EXCEPTION 'child of a deleted topic kept its parent';
    END IF;
    IF pg_temp.ancestors(102) <> '102' THEN
        RAISE EXCEPTION 'closure of the orphan: %', pg_temp.ancestors(102);
    END IF;
    PERFORM pg_temp.expect('topic:100 after its subtree went', pg_temp.published('topic:100'), 0);
    PERFORM pg_temp.expect('topic:102 keeps its article', pg_temp.published('topic:102'), 1);
    IF EXISTS (SELECT 1 FROM published_counts WHERE key = 'topic:103') THEN
        RAISE EXCEPTION 'the deleted topic kept its count row';
    END IF;
END $$;

-- Several topics in one statement, a parent with its child, under a
-- topic that stays: the survivor ends at the recount.
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES (110, 't110', 'Top', NULL, now(), now());
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES (111, 't111', 'Parent', 110, now(), now());
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES (112, 't112', 'Child', 111, now(), now());
INSERT INTO topics (id, slug, name, parent_id, created_at, updated_at) VALUES (113, 't113', 'Grandchild', 112, now(), now());
INSERT INTO article_topics VALUES (100, 113);
DO $$ BEGIN
    PERFORM pg_temp.expect('topic:110 over a tagged grandchild', pg_temp.published('topic:110'), 1);
END $$;
DELETE FROM topics WHERE id IN (111, 112);
DO $$ BEGIN
    PERFORM pg_temp.expect('topic:110 after its middle went', pg_temp.published('topic:110'), 0);
    PERFORM pg_temp.expect('topic:113 keeps its article', pg_temp.published('topic:113'), 1);
    IF pg_temp.ancestors(113) <> '113' THEN
        RAISE EXCEPTION 'closure of the orphaned grandchild: %', pg_temp.ancestors(113);
    END IF;
END $$;

-- The media an article shows changes: the article's generation moves.
TRUNCATE gen_before; INSERT INTO gen_before SELECT * FROM generations;
UPDATE articles SET featured_image_id = 1 WHERE id = 100;
UPDATE media SET caption = 'New caption' WHERE id = 1;
DO $$ BEGIN
    PERFORM pg_temp.expect('article:100 after the update and the media change', pg_temp.generation('article:100'),
        (SELECT n + 2 FROM gen_before WHERE key = 'article:100'));
END $$;

-- Deleting the published article clears its counts.
DELETE FROM articles WHERE id = 100;
DO $$ BEGIN
    PERFORM pg_temp.expect('topic:102 after the delete', pg_temp.published('topic:102'), 0);
    PERFORM pg_temp.expect('topic:113 after the delete', pg_temp.published('topic:113'), 0);
    PERFORM pg_temp.expect('entity:100 after the delete', pg_temp.published('entity:100'), 0);
    PERFORM pg_temp.expect('author:2 back to the others', pg_temp.published('author:2'),
        (SELECT count(*) FROM articles WHERE author_id = 2 AND status = 'published'));
END $$;

-- Constraints (ids given, as the scenario's are and the sequences were
-- not moved): a case-folded e-mail is taken, with the constraint's name.
DO $$ BEGIN
    INSERT INTO users (id, email, display_name, role, created_at, updated_at)
    VALUES (50, 'ANA@example.com', 'Dup', 'author', now(), now());
    RAISE EXCEPTION 'a duplicate e-mail in another case was accepted';
EXCEPTION WHEN unique_violation THEN
    DECLARE name text; BEGIN
        GET STACKED DIAGNOSTICS name = CONSTRAINT_NAME;
        IF name <> 'users_email_key' THEN RAISE EXCEPTION 'violation named %', name; END IF;
    END;
END $$;
DO $$ BEGIN
    PERFORM pg_temp.expect('e-mail equality ignores case',
        (SELECT count(*) FROM users WHERE email = 'ANA@EXAMPLE.COM'), 1);
    PERFORM pg_temp.expect('identity continues after the seeded user',
        (SELECT nextval(pg_get_serial_sequence('users', 'id'))), 2);
END $$;
DO $$ BEGIN
    INSERT INTO old_slugs VALUES ('author', 'ana-old', 2, now());
    INSERT INTO old_slugs VALUES ('user', 'x', 2, now());
    RAISE EXCEPTION 'old_slugs took an unknown kind';
EXCEPTION WHEN check_violation THEN NULL;
END $$;

-- Sequences after explicit ids (reset once they are in, as an import
-- does before anything can be deleted): past the highest id, never back.
SELECT newsdesk_reset_sequences();
INSERT INTO topics (slug, name, created_at, updated_at) VALUES ('seq', 'Seq', now(), now());
INSERT INTO media (id, storage_key, content_type, width, height, bytes, checksum, created_at, updated_at)
VALUES (40, 'k/40', 'image/png', 1, 1, 1, 'x', now(), now());
SELECT newsdesk_reset_sequences();
DELETE FROM media WHERE id = 40;
SELECT newsdesk_reset_sequences();
DO $$ BEGIN
    PERFORM pg_temp.expect('a topic without an id after the reset', (SELECT id FROM topics WHERE slug = 'seq'),
        (SELECT max(id) FROM topics WHERE slug <> 'seq') + 1);
    PERFORM pg_temp.expect('the next media id is past a deleted one',
        (SELECT nextval(pg_get_serial_sequence('media', 'id'))), 41);
END $$;
