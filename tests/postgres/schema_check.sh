#!/usr/bin/env bash
# Checks migrations_postgres/ on a real PostgreSQL (15 or newer):
#   1. applies every up.sql, in order, each in one transaction (as Diesel
#      does), in a throwaway database;
#   2. compares the columns with src/db/schema.rs (columns_check.py);
#   3. runs scenario.sql there and on SQLite (migrations/ applied by
#      sqlite_migrate.py, with foreign keys on, as the app runs), and
#      compares what their triggers kept, and both with a recount
#      (dump.sql, compare.py);
#      Then again on SQLite with sqlite_topic_move_fix.sql, which must
#      then equal PostgreSQL exactly;
#   4. runs the step assertions (assert_steps.sql) and the search ones
#      (assert_search.sql), whose DO blocks raise on a wrong value;
#   5. applies every down.sql, newest first, and checks nothing is left;
#   6. drops the database.
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
    rm -rf "$work"
}
trap cleanup EXIT

run() { "${psql[@]}" -d "$db" "$@"; }
step() { echo "== $*"; }

step "a throwaway database: $db"
"${psql[@]}" -d postgres -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8'"

step "up migrations"
ups=("$root"/migrations_postgres/*/up.sql)
for up in "${ups[@]}"; do
    echo "   $(basename "$(dirname "$up")")"
    run -1 -f "$up" >/dev/null
done

step "columns against src/db/schema.rs"
run -At -F '|' -c "SELECT table_name, column_name, data_type, is_nullable
                   FROM information_schema.columns WHERE table_schema = 'public'" > "$work/columns"
python3 "$here/columns_check.py" "$root/src/db/schema.rs" "$work/columns"

step "the scenario on PostgreSQL and on SQLite"
run -f "$here/scenario.sql"
run -At -f "$here/dump.sql" | LC_ALL=C sort > "$work/postgres.dump"
python3 "$here/sqlite_migrate.py" "$work/sqlite.db"
sqlite3 -bail -cmd "PRAGMA foreign_keys = ON" "$work/sqlite.db" < "$here/scenario.sql"
sqlite3 -bail "$work/sqlite.db" < "$here/dump.sql" | LC_ALL=C sort > "$work/sqlite.dump"
python3 "$here/compare.py" "$work/sqlite.dump" "$work/postgres.dump"

step "the scenario on SQLite with the proposed fix of its topic moves: equal to PostgreSQL"
python3 "$here/sqlite_migrate.py" "$work/sqlite-fixed.db"
sqlite3 -bail "$work/sqlite-fixed.db" < "$here/sqlite_topic_move_fix.sql"
sqlite3 -bail -cmd "PRAGMA foreign_keys = ON" "$work/sqlite-fixed.db" < "$here/scenario.sql"
sqlite3 -bail "$work/sqlite-fixed.db" < "$here/dump.sql" | LC_ALL=C sort > "$work/sqlite-fixed.dump"
python3 "$here/compare.py" --strict "$work/sqlite-fixed.dump" "$work/postgres.dump"

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
