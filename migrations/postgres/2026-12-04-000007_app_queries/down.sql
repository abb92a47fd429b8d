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
        EXECUTE format('ALTER TABLE %I ALTER CONSTRAINT %I NOT DEFERRABLE',
                       key.relname, key.conname);
    END LOOP;
END $$;

DROP VIEW articles_fts;
