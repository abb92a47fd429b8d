#!/usr/bin/env bash
# Discovery under load: GET /articles/{slug}/related over 5,000 distinct
# slugs, and the front page with facets=entity,topic, each with the answer
# cache (what readers mostly get) and without it (NEWSDESK_CACHE_MB=0:
# every request computed), against the ceiling of benches/run.sh (one
# article by primary key, bare actix-web + SQLite, same file).
#
#     bash benches/discovery.sh            # 100,000 articles
#     bash benches/discovery.sh 10000      # another size
#
# Reuses (or seeds) target/bench-data/articles-N.db as benches/run.sh does;
# wrk -t2 -c64 over loopback, DURATION seconds (default 10) per run.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${1:-100000}"
DURATION="${DURATION:-10}"
PORT="${DISCOVERY_BENCH_PORT:-18480}"
CEILING_PORT=$((PORT + 1))
DATA=target/bench-data
DB="$DATA/articles-$SIZE.db"
RUN_DB="$DATA/discovery.db"
mkdir -p "$DATA"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }

cargo build --release --bin newsdesk --example bench-seed --example bench-ceiling >&2
BIN=target/release/newsdesk
if [ ! -f "$DB.targets" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "seeding $SIZE articles into $DB" >&2
  target/release/examples/bench-seed "$DB" "$SIZE"
fi
cp "$DB" "$RUN_DB"; rm -f "$RUN_DB-wal" "$RUN_DB-shm"
DATABASE_URL="$RUN_DB" RUST_LOG=warn "$BIN" migrate

SERVER=0; CEILING=0
trap 'kill $SERVER $CEILING 2>/dev/null || true' EXIT
wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
serve() {
  NEWSDESK_BIND=127.0.0.1:$PORT DATABASE_URL="$RUN_DB" RUST_LOG=warn NEWSDESK_AUTH_RATE_LIMIT=0 \
    NEWSDESK_CACHE_MB="$1" "$BIN" serve &
  SERVER=$!
  wait_for "http://127.0.0.1:$PORT/readyz"
}

# 5,000 public slugs spread over the archive, and 1,000 ids for the ceiling.
python3 - "$RUN_DB" "$DATA/related-paths.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT slug FROM articles WHERE status = 'published' ORDER BY (id * 7919) % 100003 LIMIT 5000").fetchall()
with open(sys.argv[2], "w") as out:
    for (slug,) in rows:
        out.write(f"/api/v1/articles/{slug}/related\n")
PY
awk -v n="$SIZE" 'BEGIN { for (i = 0; i < 1000; i++) print "/articles/" (1 + (i * 7919) % n) }' > "$DATA/ids.txt"

CEILING_RPS=0
run() {
  local name=$1 url=$2 paths=${3:-} out requests duration p50 p99 errors non2xx rps
  out=$(PATHS="$paths" wrk -t2 -c64 -d"${DURATION}s" --timeout 10s --latency -s benches/wrk/report.lua "$url")
  read -r _ requests duration p50 _ p99 errors non2xx _ <<< "$(grep '^RESULT' <<< "$out")"
  rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  [ "$name" = ceiling ] && CEILING_RPS=$rps
  awk -v n="$name" -v r="$rps" -v a="$p50" -v c="$p99" -v e="$((errors + non2xx))" -v k="$CEILING_RPS" \
    'BEGIN { printf "| %s | %d | %.2f | %.2f | %d | %.1f %% |\n", n, r, a / 1000, c / 1000, e, 100 * r / k }'
  # Let the server finish what wrk left in flight before the next run.
  for _ in $(seq 1 300); do curl -fs -m 30 "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
}

"target/release/examples/bench-ceiling" "$RUN_DB" "127.0.0.1:$CEILING_PORT" &
CEILING=$!
wait_for "http://127.0.0.1:$CEILING_PORT/articles/1"
API="http://127.0.0.1:$PORT/api/v1"
FACETS="$API/articles?facets=entity,topic"

echo "$SIZE articles, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | req/s | p50 ms | p99 ms | errors | of ceiling |"
echo "|---|---|---|---|---|---|"
run ceiling "http://127.0.0.1:$CEILING_PORT/" "$DATA/ids.txt"
kill $CEILING; wait $CEILING 2>/dev/null || true; CEILING=0

serve 12
# A first pass over every slug (4 at a time) fills the cache; the run then
# reads it: a cache-made figure, beside the uncached one.
sed "s|^|http://127.0.0.1:$PORT|" "$DATA/related-paths.txt" | xargs -P 4 -n 50 curl -s >/dev/null
run related_cached "http://127.0.0.1:$PORT/" "$DATA/related-paths.txt"
run front_page_facets_cached "$FACETS"
kill $SERVER; wait $SERVER 2>/dev/null || true

serve 0
run related_uncached "http://127.0.0.1:$PORT/" "$DATA/related-paths.txt"
run front_page_facets_uncached "$FACETS"
run front_page_no_facets_uncached "$API/articles"
run topic_facets_uncached "$API/articles?topic=$(awk '$1=="topic"{print $2}' "$DB.targets")&facets=entity,topic"
kill $SERVER; wait $SERVER 2>/dev/null || true
SERVER=0
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
