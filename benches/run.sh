#!/usr/bin/env bash
# The load benchmark. One command:
#
#     bash benches/run.sh            # 10,000 and 100,000 articles
#     bash benches/run.sh 10000      # one size
#
# For each size it builds the data set through newsdesk's own code
# (benches/seed.rs; kept in target/bench-data/ and reused), starts the
# release binary and the ceiling (benches/ceiling.rs) on that file, drives
# both with wrk (installed from Debian's packages if missing) at 64
# connections from loopback, and prints req/s, p50, p95, p99, peak RSS and
# each figure's ratio to the ceiling; then the reads again with the answer
# cache off ("uncached_*": what a first read after a write costs).
# DURATION (seconds, default 10) sets the length of each run. Results also
# go to target/bench-data/results-N.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("${@:-10000 100000}")
read -r -a SIZES <<< "${SIZES[*]}"
DURATION="${DURATION:-10}"
CONNECTIONS=64
THREADS=2
PORT=18180
CEILING_PORT=18181
DATA=target/bench-data
mkdir -p "$DATA"

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y wrk >/dev/null
fi

cargo build --release --bin newsdesk --example bench-seed --example bench-ceiling >&2
BIN=target/release/newsdesk
SEED=target/release/examples/bench-seed
CEILING=target/release/examples/bench-ceiling

wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# run NAME URL [LUA] -> "name req/s p50 p95 p99 non-2xx"
run() {
  local name=$1 url=$2 script=${3:-benches/wrk/report.lua}
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" "$url" | grep '^RESULT')
  read -r _ requests duration p50 p95 p99 errors non2xx <<< "$out"
  awk -v n="$name" -v r="$requests" -v d="$duration" -v a="$p50" -v b="$p95" -v c="$p99" -v e="$errors" -v s="$non2xx" \
    'BEGIN { printf "%s %.0f %.2f %.2f %.2f %d\n", n, r / (d / 1e6), a / 1000, b / 1000, c / 1000, e + s }'
}

for SIZE in "${SIZES[@]}"; do
  DB="$DATA/articles-$SIZE.db"
  if [ ! -f "$DB.targets" ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
    echo "seeding $SIZE articles into $DB" >&2
    "$SEED" "$DB" "$SIZE"
  fi
  # Comments posted by an earlier run would skew the next one: work on a copy.
  cp "$DB" "$DATA/run.db"; rm -f "$DATA/run.db-wal" "$DATA/run.db-shm"
  # Migrate once, before two processes open the file.
  DATABASE_URL="$DATA/run.db" RUST_LOG=warn "$BIN" migrate

  NEWSDESK_BIND=127.0.0.1:$PORT DATABASE_URL="$DATA/run.db" RUST_LOG=warn \
    NEWSDESK_COMMENT_RATE_LIMIT=0 NEWSDESK_AUTH_RATE_LIMIT=0 "$BIN" serve &
  SERVER=$!
  "$CEILING" "$DATA/run.db" 127.0.0.1:$CEILING_PORT &
  CEILING_PID=$!
  trap 'kill $SERVER $CEILING_PID 2>/dev/null || true' EXIT
  wait_for "http://127.0.0.1:$PORT/readyz"
  wait_for "http://127.0.0.1:$CEILING_PORT/articles/1"

  API="http://127.0.0.1:$PORT/api/v1"
  awk '$1 == "slug" {print "/api/v1/articles/" $2}' "$DB.targets" > "$DATA/slugs.txt"
  awk -v n="$SIZE" 'BEGIN { for (i = 0; i < 1000; i++) print "/articles/" (1 + (i * 7919) % n) }' > "$DATA/ids.txt"
  ENTITIES=$(awk '$1=="entities"{print $2}' "$DB.targets")
  TOPIC=$(awk '$1=="topic"{print $2}' "$DB.targets")
  QUERY=$(awk '$1=="query"{print $2 "%20" $3}' "$DB.targets")
  COMMENTED=$(awk '$1=="commented"{print $2}' "$DB.targets")
  awk '$1 == "slug" && n++ < 200 {print "/api/v1/articles/" $2 "/comments"}' "$DB.targets" > "$DATA/comment-paths.txt"

  # The cursor of page 1,000 of the default list, by walking to it; pages
  # of 20 when there are enough articles, smaller otherwise (10,000 / 1,000).
  DEEP_PER_PAGE=$(( SIZE / 1000 < 20 ? SIZE / 1000 : 20 ))
  CURSOR=$(python3 - "$API" "$DEEP_PER_PAGE" <<'PY'
import json, sys, urllib.request
api, per_page, cursor = sys.argv[1], sys.argv[2], None
for _ in range(999):
    url = f"{api}/articles?per_page={per_page}" + (f"&cursor={cursor}" if cursor else "")
    cursor = json.load(urllib.request.urlopen(url))["meta"]["next_cursor"]
print(cursor)
PY
)

  RESULTS="$DATA/results-$SIZE.txt"
  : > "$RESULTS"
  PATHS="$DATA/ids.txt" run ceiling "http://127.0.0.1:$CEILING_PORT/" >> "$RESULTS"
  PATHS="$DATA/slugs.txt" run article_by_slug "http://127.0.0.1:$PORT/" >> "$RESULTS"
  run page_of_20 "$API/articles?per_page=20" >> "$RESULTS"
  run entity_a_and_b "$API/articles?entity=$ENTITIES" >> "$RESULTS"
  run topic_with_subtopics "$API/articles?topic=$TOPIC" >> "$RESULTS"
  run search "$API/articles?q=$QUERY" >> "$RESULTS"
  run page_1_same_size "$API/articles?per_page=$DEEP_PER_PAGE" >> "$RESULTS"
  run cursor_page_1000 "$API/articles?per_page=$DEEP_PER_PAGE&cursor=$CURSOR" >> "$RESULTS"
  run comments_of_article "$API/articles/$COMMENTED/comments" >> "$RESULTS"
  PATHS="$DATA/comment-paths.txt" run post_comment "http://127.0.0.1:$PORT/" benches/wrk/comment.lua >> "$RESULTS"
  RSS_KB=$(awk '/VmHWM/{print $2}' /proc/$SERVER/status)
  kill $SERVER; wait $SERVER 2>/dev/null || true

  # The same reads with the answer cache off: what every first read after a
  # write costs (the cache never serves an answer a write has changed).
  NEWSDESK_BIND=127.0.0.1:$PORT DATABASE_URL="$DATA/run.db" RUST_LOG=warn NEWSDESK_CACHE_MB=0 \
    NEWSDESK_COMMENT_RATE_LIMIT=0 NEWSDESK_AUTH_RATE_LIMIT=0 "$BIN" serve &
  SERVER=$!
  wait_for "http://127.0.0.1:$PORT/readyz"
  PATHS="$DATA/slugs.txt" run uncached_article_by_slug "http://127.0.0.1:$PORT/" >> "$RESULTS"
  run uncached_page_of_20 "$API/articles?per_page=20" >> "$RESULTS"
  run uncached_entity_a_and_b "$API/articles?entity=$ENTITIES" >> "$RESULTS"
  run uncached_topic_with_subtopics "$API/articles?topic=$TOPIC" >> "$RESULTS"
  run uncached_search "$API/articles?q=$QUERY" >> "$RESULTS"
  run uncached_cursor_page_1000 "$API/articles?per_page=$DEEP_PER_PAGE&cursor=$CURSOR" >> "$RESULTS"
  UNCACHED_RSS_KB=$(awk '/VmHWM/{print $2}' /proc/$SERVER/status)

  kill $SERVER $CEILING_PID; wait $SERVER 2>/dev/null || true; trap - EXIT
  POSTED=$(sqlite3 "$DATA/run.db" "SELECT count(*) FROM comments WHERE author_name LIKE 'Bench %'" 2>/dev/null \
    || python3 -c "import sqlite3;print(sqlite3.connect('$DATA/run.db').execute(\"SELECT count(*) FROM comments WHERE author_name LIKE 'Bench %'\").fetchone()[0])")

  {
    echo "### $SIZE articles ($(nproc) cores, $(date -u +%Y-%m-%d), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s)"
    echo
    echo "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | vs ceiling |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    CEILING_RPS=$(awk '$1=="ceiling"{print $2}' "$RESULTS")
    awk -v c="$CEILING_RPS" '{ printf "| %s | %d | %.2f | %.2f | %.2f | %d | %.0f %% |\n", $1, $2, $3, $4, $5, $6, 100 * $2 / c }' "$RESULTS"
    echo
    echo "Peak RSS of newsdesk: $((RSS_KB / 1024)) MB ($((UNCACHED_RSS_KB / 1024)) MB for the uncached runs). Comments acknowledged with 201 and found in the database afterwards: $POSTED."
    echo
  } | tee "$DATA/results-$SIZE.md"
done
