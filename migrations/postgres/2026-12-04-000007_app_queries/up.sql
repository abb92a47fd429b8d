-- What the app's queries need to read PostgreSQL as they read SQLite.
--
-- 1. `articles_fts`: the name a search joins to (SQLite's FTS5 table), here
--    a view over article_search with the columns the app names: `rowid`
--    (the article id) and the table-named column a match applies to (the
--    weighted tsvector). A plain view is inlined by the planner, so a
--    search still reads article_search's primary key and GIN index.
CREATE VIEW articles_fts AS
    SELECT article_id AS rowid, document AS articles_fts, 0::double precision AS rank
    FROM article_search;

-- 2. Foreign keys deferrable (still checked after each statement unless a
--    transaction asks otherwise): an import runs `SET CONSTRAINTS ALL
--    DEFERRED`, as it runs `PRAGMA defer_foreign_keys` on SQLite, so that
--    users may name avatars that the file brings later.
DO $$
DECLARE
    key record;
BEGIN
    FOR key IN
        SELECT c.conname, t.relname
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND n.nspname = current_schema()
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE',
                       key.relname, key.conname);
    END LOOP;
END $$;
