#!/usr/bin/env bash
# The newsroom mix (benches/run.sh's) on SQLite, on PostgreSQL with one
# node, and on PostgreSQL with two nodes behind nginx, in one run:
#
#     BENCH_POSTGRES=postgres://postgres:secret@127.0.0.1/postgres bash benches/postgres.sh 100000
#
# The data set is run.sh's (target/bench-data/articles-N.db, seeded if
# missing), moved to PostgreSQL the way a newsroom would move: `newsdesk
# export` from the SQLite file, `newsdesk import` into a fresh database
# (kept as newsdesk_bench_N, and copied per configuration with CREATE
# DATABASE … TEMPLATE, so that the writer's rows of one run do not reach
# the next). Each configuration gets the mix with no writes and with the
# writer at each rate of MIX_RATES; the table gives each figure and its
# ratio to SQLite's. The settings of run.sh apply (MIX_DURATION,
# MIX_WARMUP, MIX_RATES, WRK_TIMEOUT). Results also go to
# target/bench-data/postgres-N.md.
#
# Needs wrk, nginx, psql and python3, and BENCH_POSTGRES (or
# NEWSDESK_TEST_POSTGRES) naming a server and a role that may create
# databases. On 2 cores, wrk, nginx, PostgreSQL and the nodes share them.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${1:-100000}"
SERVER_URL="${BENCH_POSTGRES:-${NEWSDESK_TEST_POSTGRES:?set BENCH_POSTGRES to a PostgreSQL URL}}"
SERVER_URL="${SERVER_URL%%\?*}"
DURATION="${DURATION:-10}"
MIX_DURATION="${MIX_DURATION:-20}"
WRK_TIMEOUT="${WRK_TIMEOUT:-10s}"
MIX_WARMUP="${MIX_WARMUP:-5}"
read -r -a MIX_RATES <<< "${MIX_RATES:-1 5}"
export MIX_S="${MIX_S:-1}"
export NEWSDESK_ADMIN_EMAIL=bench-admin@newsdesk.example
export NEWSDESK_ADMIN_PASSWORD=bench-admin-password
export NEWSDESK_JWT_SECRET="the bench's signing key, shared by every node"
CONNECTIONS=64
THREADS=2
FRONT=18190 NODE_A=18191 NODE_B=18192
DATA=target/bench-data
mkdir -p "$DATA"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
command -v nginx >/dev/null || apt-get install -y nginx-light >/dev/null

cargo build --release --bin newsdesk --example bench-seed >&2
BIN=target/release/newsdesk
source benches/lib.sh

psql_on() { # DATABASE SQL
  python3 - "$SERVER_URL" "$1" "$2" <<'PY'
import os, subprocess, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
env = dict(os.environ, PGPASSWORD=urllib.parse.unquote(u.password or ""))
subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", u.hostname or "127.0.0.1",
                "-p", str(u.port or 5432), "-U", urllib.parse.unquote(u.username or "postgres"),
                "-d", sys.argv[2], "-c", sys.argv[3]], check=True, env=env)
PY
}
url_of() { echo "${SERVER_URL%/*}/$1"; }

DB="$DATA/articles-$SIZE.db"
if [ ! -f "$DB.targets" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "seeding $SIZE articles into $DB" >&2
  target/release/examples/bench-seed "$DB" "$SIZE"
fi
NOTES="$DATA/postgres-notes-$SIZE.txt"
: > "$NOTES"
TEMPLATE="newsdesk_bench_$SIZE"
if [ "$(psql_on postgres "SELECT count(*) FROM pg_database WHERE datname = '$TEMPLATE'")" = 0 ]; then
  echo "moving $DB to PostgreSQL ($TEMPLATE): export, then import" >&2
  started=$SECONDS
  if [ ! -s "$DATA/articles-$SIZE.ndjson" ]; then
    DATABASE_URL="$DB" NEWSDESK_MEDIA_DIR="$DATA/export-media" RUST_LOG=warn "$BIN" export > "$DATA/articles-$SIZE.ndjson"
  fi
  exported=$((SECONDS - started))
  psql_on postgres "CREATE DATABASE $TEMPLATE"
  started=$SECONDS
  if ! DATABASE_URL="$(url_of "$TEMPLATE")" NEWSDESK_MEDIA_DIR="$DATA/pg-media" RUST_LOG=warn \
      "$BIN" import "$DATA/articles-$SIZE.ndjson" >&2; then
    psql_on postgres "DROP DATABASE $TEMPLATE"
    exit 1
  fi
  psql_on "$TEMPLATE" "VACUUM ANALYZE"
  echo "moved: export $exported s, import and VACUUM ANALYZE $((SECONDS - started)) s" >> "$NOTES"
fi

MIX_PATHS="$DATA/mix-paths-$SIZE.txt"
PLAN="$DATA/writer-$SIZE.json"
python3 benches/mix.py "$DB" "$MIX_PATHS" "$PLAN"
RESULTS="$DATA/postgres-$SIZE.txt"
: > "$RESULTS"
PIDS=()
stop_all() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }
trap stop_all EXIT

start_node() { # PORT DATABASE_URL
  NEWSDESK_BIND="127.0.0.1:$1" DATABASE_URL="$2" RUST_LOG=warn NEWSDESK_COMMENT_RATE_LIMIT=0 \
    NEWSDESK_AUTH_RATE_LIMIT=0 NEWSDESK_TRUSTED_PROXIES=127.0.0.1 NEWSDESK_MEDIA_DIR="$DATA/pg-media" \
    "$BIN" serve &
  PIDS+=("$!")
  wait_for "http://127.0.0.1:$1/readyz"
}

# mix_rows CONFIG: the warm-up (not reported), then the mix without writes
# and at each rate, each row prefixed with CONFIG; the peak RSS of the
# nodes after.
mix_rows() {
  run_mix warmup 0 "$MIX_WARMUP" > /dev/null
  run_mix "$1:mix_no_writes" 0 >> "$RESULTS"
  for RATE in "${MIX_RATES[@]}"; do
    run_mix "$1:mix_${RATE}_writes_per_s" "$RATE" >> "$RESULTS"
  done
  for pid in "${PIDS[@]}"; do
    awk -v c="$1" -v p="$pid" '/VmHWM/{print c ": peak RSS of process " p ": " $2 " kB"}' "/proc/$pid/status" >> "$NOTES" 2>/dev/null || true
  done
}

fresh_copy() { # NAME: a copy of the template, for one configuration
  psql_on postgres "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
  psql_on postgres "CREATE DATABASE $1 TEMPLATE $TEMPLATE"
  url_of "$1"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. SQLite, one node (run.sh's server).
cp "$DB" "$DATA/run.db"; rm -f "$DATA/run.db-wal" "$DATA/run.db-shm"
PORT=$NODE_A
start_node "$NODE_A" "$DATA/run.db"
mix_rows sqlite
stop_all

# 2. PostgreSQL, one node.
PORT=$NODE_A
start_node "$NODE_A" "$(fresh_copy newsdesk_bench_run)"
mix_rows postgres_1_node
stop_all

# 3. PostgreSQL, two nodes behind nginx.
RUN_URL="$(fresh_copy newsdesk_bench_run)"
start_node "$NODE_A" "$RUN_URL"
start_node "$NODE_B" "$RUN_URL"
NGINX_DIR=$(mktemp -d)
sed -e "s/NODE_A/$NODE_A/; s/NODE_B/$NODE_B/; s/FRONT/$FRONT/" tests/multinode/nginx.conf > "$NGINX_DIR/nginx.conf"
nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" 2>"$NGINX_DIR/error.log" &
PIDS+=("$!")
wait_for "http://127.0.0.1:$FRONT/healthz"
PORT=$FRONT
mix_rows postgres_2_nodes_nginx
stop_all
psql_on postgres "DROP DATABASE IF EXISTS newsdesk_bench_run WITH (FORCE)"

# The table: each row beside SQLite's row of the same name.
{
  echo "#### The mix on PostgreSQL, $SIZE articles (2 cores, $(date -u +%Y-%m-%d), wrk -t$THREADS -c$CONNECTIONS, ${MIX_DURATION}s per row; load before: $LOAD_BEFORE)"
  echo
  echo "| configuration | scenario | req/s | p50 ms | p95 ms | p99 ms | errors | writes acked/asked/late | vs SQLite |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk '{ split($1, part, ":"); config = part[1]; scenario = part[2]
         if (config == "sqlite") base[scenario] = $2
         ratio = (scenario in base && base[scenario] > 0) ? sprintf("%.0f %%", 100 * $2 / base[scenario]) : "-"
         printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", config, scenario, $2, $3, $4, $5, $6, $7, ratio }' "$RESULTS"
  echo
  sed 's/^/- /' "$NOTES"
} | tee "$DATA/postgres-$SIZE.md"
