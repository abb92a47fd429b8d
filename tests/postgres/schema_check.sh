#!/usr/bin/env bash
# Checks migrations/postgres/ on a real PostgreSQL (15 or newer):
#   1. applies every up.sql, in order, each in one transaction (as Diesel
#      does), in a throwaway database;
#   2. compares the columns with src/db/schema.rs (columns_check.py), and
#      checks that every index and trigger of the SQLite schema has its
#      namesake on the same table;
#   3. runs scenario.sql there and on SQLite (migrations/sqlite/ applied by
#      sqlite_migrate.py, with foreign keys on, as the app runs), and
#      compares what their triggers kept, and both with a recount
#      (dump.sql, compare.py);
#   4. runs the scenario again in another database with the triggers off
#      (newsdesk.bulk_load, as an import would), rebuilds with
#      newsdesk_rebuild_kept(), and checks the result against the recount;
#      Then checks that search cuts and folds words as FTS5 does;
#   5. runs the step assertions (assert_steps.sql) and the search ones
#      (assert_search.sql), whose DO blocks raise on a wrong value;
#   6. applies every down.sql, newest first, and checks nothing is left;
#   7. drops the databases.
#
# As root on this machine (the cluster started with
# `pg_ctlcluster 15 main start`) it connects as postgres through the
# socket; otherwise set PGHOST/PGUSER/PGPASSWORD for a role that may
# create databases. Needs psql, python3 and sqlite3.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
db="newsdesk_schema_check_$$"
work="$(mktemp -d)"

if [ "$(id -u)" = 0 ] && [ -z "${PGHOST:-}" ]; then
    psql=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1)
    chmod 755 "$work"
else
    psql=(psql -X -q -v ON_ERROR_STOP=1)
fi

cleanup() {
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS ${db}_bulk" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

run() { "${psql[@]}" -d "$db" "$@"; }
step() { echo "== $*"; }

step "a throwaway database: $db"
"${psql[@]}" -d postgres -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8'"

step "up migrations"
ups=("$root"/migrations/postgres/*/up.sql)
for up in "${ups[@]}"; do
    echo "   $(basename "$(dirname "$up")")"
    run -1 -f "$up" >/dev/null
done

step "columns against src/db/schema.rs"
run -At -F '|' -c "SELECT table_name, column_name, data_type, is_nullable
                   FROM information_schema.columns WHERE table_schema = 'public'" > "$work/columns"
python3 "$here/columns_check.py" "$root/src/db/schema.rs" "$work/columns"

step "SQLite's index and trigger names, each on PostgreSQL"
python3 "$here/sqlite_migrate.py" "$work/names.db"
sqlite3 "$work/names.db" "SELECT type || ' ' || tbl_name || '.' || name FROM sqlite_master
                           WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_autoindex%'" \
    | LC_ALL=C sort > "$work/sqlite.names"
run -At -c "SELECT 'index ' || tablename || '.' || indexname FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL
            SELECT 'trigger ' || tgrelid::regclass || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal" \
    | LC_ALL=C sort > "$work/postgres.names"
missing="$(LC_ALL=C comm -23 "$work/sqlite.names" "$work/postgres.names")"
if [ -n "$missing" ]; then
    echo "FAIL: not on PostgreSQL:"
    echo "$missing"
    exit 1
fi
echo "   $(wc -l < "$work/sqlite.names") indexes and triggers, all there"

step "the scenario on PostgreSQL and on SQLite"
run -f "$here/scenario.sql"
run -At -f "$here/dump.sql" | LC_ALL=C sort > "$work/postgres.dump"
python3 "$here/sqlite_migrate.py" "$work/sqlite.db"
sqlite3 -bail -cmd "PRAGMA foreign_keys = ON" "$work/sqlite.db" < "$here/scenario.sql"
sqlite3 -bail "$work/sqlite.db" < "$here/dump.sql" | LC_ALL=C sort > "$work/sqlite.dump"
# Strict: every kept row equal on both (SQLite's topic-move flaw is fixed
# by its migration 2026-12-03-000331).
python3 "$here/compare.py" --strict "$work/sqlite.dump" "$work/postgres.dump"

step "a bulk load: the scenario with the triggers off, then newsdesk_rebuild_kept()"
"${psql[@]}" -d postgres -c "CREATE DATABASE ${db}_bulk TEMPLATE template0 ENCODING 'UTF8'"
for up in "${ups[@]}"; do "${psql[@]}" -d "${db}_bulk" -1 -f "$up" >/dev/null; done
{
    echo "SET newsdesk.bulk_load = 'on';"
    cat "$here/scenario.sql"
    echo "RESET newsdesk.bulk_load;"
    echo "SELECT newsdesk_rebuild_kept();"
} | "${psql[@]}" -d "${db}_bulk" -At >/dev/null
"${psql[@]}" -d "${db}_bulk" -At -f "$here/dump.sql" | LC_ALL=C sort > "$work/bulk.dump"
python3 "$here/compare.py" --truth "$work/bulk.dump"
"${psql[@]}" -d "${db}_bulk" -At -c "
    DO \$\$ BEGIN
        IF EXISTS (SELECT 1 FROM articles a LEFT JOIN article_search s ON s.article_id = a.id
                   WHERE s.document IS DISTINCT FROM article_search_document(a.id)) THEN
            RAISE EXCEPTION 'the rebuilt index is out of step with the articles';
        END IF;
        IF EXISTS (SELECT 'article:' || id FROM articles EXCEPT SELECT key FROM generations)
           OR (SELECT min(n) FROM generations) < 1 THEN
            RAISE EXCEPTION 'the rebuild left a key unmoved';
        END IF;
    END \$\$"
"${psql[@]}" -d postgres -c "DROP DATABASE ${db}_bulk"

step "words as SQLite's FTS5 tokenizer (unicode61 remove_diacritics 2) cuts and folds them"
# Text on which the two must agree. (They part on letters that unaccent
# folds and remove_diacritics keeps: ß, æ, ø, ł, ligatures, Greek accents,
# where PostgreSQL finds more; and on symbols such as ² or emoji, which
# SQLite keeps inside words and PostgreSQL, like store::search::words,
# does not.)
text="Zürich—São_Paulo example.com don't G7 日本語 3.5 1e5 naïve CAFÉ co-op C++ e-mail@host.org İstanbul Ñandú résumé"
sqlite3 "$work/tokens.db" "CREATE VIRTUAL TABLE f USING fts5(t, tokenize = 'unicode61 remove_diacritics 2');
                           CREATE VIRTUAL TABLE v USING fts5vocab(f, 'row');
                           INSERT INTO f VALUES ('${text//\'/\'\'}');
                           SELECT term FROM v;" | LC_ALL=C sort > "$work/sqlite.tokens"
run -At -c "SELECT word FROM ts_stat(\$\$SELECT to_tsvector('newsdesk_search', search_words('${text//\'/\'\'}'))\$\$)" \
    | LC_ALL=C sort > "$work/postgres.tokens"
if ! diff "$work/sqlite.tokens" "$work/postgres.tokens"; then
    echo "FAIL: PostgreSQL's words differ from SQLite's (< sqlite, > postgres)"
    exit 1
fi
echo "   $(wc -l < "$work/sqlite.tokens") words, the same"

step "step assertions"
run -f "$here/assert_steps.sql"

step "search assertions"
run -At -f "$here/assert_search.sql" >/dev/null

step "down migrations, newest first"
for (( i = ${#ups[@]} - 1; i >= 0; i-- )); do
    down="$(dirname "${ups[$i]}")/down.sql"
    echo "   $(basename "$(dirname "$down")")"
    run -1 -f "$down" >/dev/null
done
left="$(run -At -c "
    SELECT 'relation ' || relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
    UNION ALL SELECT 'function ' || proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
    UNION ALL SELECT 'type ' || typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public'
    UNION ALL SELECT 'collation ' || collname FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
        WHERE n.nspname = 'public'
    UNION ALL SELECT 'text search configuration ' || cfgname FROM pg_ts_config c
        JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE n.nspname = 'public'
    UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'")"
if [ -n "$left" ]; then
    echo "FAIL: down.sql left behind:"
    echo "$left"
    exit 1
fi

echo "schema_check: all good"
