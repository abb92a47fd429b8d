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
# connections from loopback, and prints req/s, p50, p95, p99, errors, peak
# RSS and each figure's ratio to the ceiling.
#
# First the "mix", a newsroom's traffic: thousands of distinct public URLs
# listed from the seeded data by benches/mix.py (stories, front pages,
# sections and entities with their second pages, entity pairs, kinds,
# searches, comment threads, topic and entity objects, feeds), asked for
# with Zipf-like popularity by benches/wrk/mix.lua; with no writes, then
# while benches/writer.py writes at each rate of MIX_RATES (edits of recent
# stories, new tagged stories, reader comments approved by the editor).
# Then the repeated-URL scenarios (one URL, or 1,000 slugs, over and over:
# what the answer cache serves), and the reads again with the answer cache
# off ("uncached_*": what a first read after a write costs).
#
# DURATION (seconds, default 10) sets the length of each repeated-URL and
# uncached run; MIX_DURATION (default 20) that of each mix run, after a
# MIX_WARMUP (default 5, not reported); MIX_RATES (default "1 5") the
# writer's rates in writes per second; MIX_S (default 1) the Zipf exponent;
# WRK_TIMEOUT (default 10s) when wrk gives up on an answer.
# Results also go to target/bench-data/results-N.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("${@:-10000 100000}")
read -r -a SIZES <<< "${SIZES[*]}"
DURATION="${DURATION:-10}"
MIX_DURATION="${MIX_DURATION:-20}"
# wrk drops a request unanswered after this from the latencies (and counts
# it as an error); its own default, 2 s, would hide the slowest reads.
WRK_TIMEOUT="${WRK_TIMEOUT:-10s}"
MIX_WARMUP="${MIX_WARMUP:-5}"
read -r -a MIX_RATES <<< "${MIX_RATES:-1 5}"
export MIX_S="${MIX_S:-1}"
# The admin the writer signs in as (created at start by the server).
export NEWSDESK_ADMIN_EMAIL=bench-admin@newsdesk.example
export NEWSDESK_ADMIN_PASSWORD=bench-admin-password
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

# wait_for, drain, run and run_mix: shared with benches/postgres.sh.
source benches/lib.sh

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
  # The mix's URLs, most popular first, and what the writer tags and edits.
  MIX_PATHS="$DATA/mix-paths-$SIZE.txt"
  PLAN="$DATA/writer-$SIZE.json"
  python3 benches/mix.py "$DB" "$MIX_PATHS" "$PLAN"
  NOTES="$DATA/notes-$SIZE.txt"
  : > "$NOTES"

  # Both servers get NEWSDESK_ADMIN_EMAIL/PASSWORD (exported above): the
  # first start creates the admin the writer signs in as.
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
  ENTITY=${ENTITIES%%,*}
  TOPIC=$(awk '$1=="topic"{print $2}' "$DB.targets")
  QUERY=$(awk '$1=="query"{print $2 "%20" $3}' "$DB.targets")
  WORD=$(awk '$1=="query"{print $2}' "$DB.targets")
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
  # Other work on the machine skews every figure; say how busy it was.
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  PATHS="$DATA/ids.txt" run ceiling "http://127.0.0.1:$CEILING_PORT/" >> "$RESULTS"
  # The mix: a warm-up (not reported, so that the first row does not pay
  # for a cold start), then no writes, then each writer rate.
  run_mix mix_warmup 0 "$MIX_WARMUP" > /dev/null
  run_mix mix_no_writes 0 >> "$RESULTS"
  for RATE in "${MIX_RATES[@]}"; do
    run_mix "mix_${RATE}_writes_per_s" "$RATE" >> "$RESULTS"
  done
  MIX_RSS_KB=$(awk '/VmHWM/{print $2}' /proc/$SERVER/status)
  # Repeated URLs: one URL over and over (articles: 1,000 slugs in turn).
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
  run_mix uncached_mix_no_writes 0 >> "$RESULTS"
  PATHS="$DATA/slugs.txt" run uncached_article_by_slug "http://127.0.0.1:$PORT/" >> "$RESULTS"
  run uncached_page_of_20 "$API/articles?per_page=20" >> "$RESULTS"
  run uncached_entity_a_and_b "$API/articles?entity=$ENTITIES" >> "$RESULTS"
  run uncached_topic_with_subtopics "$API/articles?topic=$TOPIC" >> "$RESULTS"
  run uncached_search "$API/articles?q=$QUERY" >> "$RESULTS"
  run uncached_cursor_page_1000 "$API/articles?per_page=$DEEP_PER_PAGE&cursor=$CURSOR" >> "$RESULTS"
  # Every other kind of read the mix makes, uncached.
  run uncached_front_page_2 "$API/articles?page=2" >> "$RESULTS"
  run uncached_topic_page_2 "$API/articles?topic=$TOPIC&page=2" >> "$RESULTS"
  run uncached_topic_object "$API/topics/$TOPIC" >> "$RESULTS"
  run uncached_entity_page "$API/articles?entity=$ENTITY" >> "$RESULTS"
  run uncached_entity_page_2 "$API/articles?entity=$ENTITY&page=2" >> "$RESULTS"
  run uncached_entity_object "$API/entities/$ENTITY" >> "$RESULTS"
  run uncached_kind_country "$API/articles?kind=country" >> "$RESULTS"
  run uncached_kind_country_page_2 "$API/articles?kind=country&page=2" >> "$RESULTS"
  run uncached_search_one_word "$API/articles?q=$WORD" >> "$RESULTS"
  run uncached_comments_of_article "$API/articles/$COMMENTED/comments" >> "$RESULTS"
  run uncached_feed "http://127.0.0.1:$PORT/feeds/articles.atom" >> "$RESULTS"
  UNCACHED_RSS_KB=$(awk '/VmHWM/{print $2}' /proc/$SERVER/status)

  kill $SERVER $CEILING_PID; wait $SERVER 2>/dev/null || true; trap - EXIT
  POSTED=$(sqlite3 "$DATA/run.db" "SELECT count(*) FROM comments WHERE author_name LIKE 'Bench %'" 2>/dev/null \
    || python3 -c "import sqlite3;print(sqlite3.connect('$DATA/run.db').execute(\"SELECT count(*) FROM comments WHERE author_name LIKE 'Bench %'\").fetchone()[0])")

  {
    echo "### $SIZE articles ($(nproc) cores, $(date -u +%Y-%m-%d), wrk -t$THREADS -c$CONNECTIONS --timeout $WRK_TIMEOUT; mix ${MIX_DURATION}s, others ${DURATION}s)"
    echo
    echo "| traffic | scenario | req/s | p50 ms | p95 ms | p99 ms | errors | writes acked / asked (late) | vs ceiling |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    CEILING_RPS=$(awk '$1=="ceiling"{print $2}' "$RESULTS")
    # The mix first, then the ceiling, the repeated URLs and the uncached runs.
    awk -v c="$CEILING_RPS" '
      { traffic = $1 ~ /^mix/ ? "mix" : $1 == "ceiling" ? "ceiling" : $1 ~ /^uncached_mix/ ? "mix, uncached" : $1 ~ /^uncached_/ ? "one URL, uncached" : "repeated URL"
        order = traffic == "mix" ? 0 : traffic == "ceiling" ? 1 : traffic == "repeated URL" ? 2 : 3
        writes = "–"
        if ($7 != "-") { split($7, w, "/"); writes = w[1] " / " w[2] " (" w[3] ")" }
        printf "%d %06d| %s | %s | %d | %.2f | %.2f | %.2f | %d | %s | %.0f %% |\n", order, NR, traffic, $1, $2, $3, $4, $5, $6, writes, 100 * $2 / c }' "$RESULTS" \
      | sort | cut -d' ' -f2- | cut -c7-
    echo
    echo "Peak RSS of newsdesk: $((MIX_RSS_KB / 1024)) MB after the mix runs, $((RSS_KB / 1024)) MB after every cached run, $((UNCACHED_RSS_KB / 1024)) MB for the uncached runs. Comments acknowledged with 201 and found in the database afterwards: $POSTED."
    echo
    echo "Load average (1, 5, 15 min) before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "The mix: $(wc -l < "$MIX_PATHS") distinct public URLs (benches/mix.py), Zipf-like popularity with s = $MIX_S."
    sed 's/^/- /' "$NOTES"
    echo
  } | tee "$DATA/results-$SIZE.md"
done
