#!/usr/bin/env bash
# The article page with its featured image: does embedding the image's
# media record in every article answer cost readers anything?
#
#     bash benches/article_page.sh          # 10,000 articles
#     bash benches/article_page.sh 100000
#
# Seeds N articles (benches/seed.rs, kept in target/bench-data/ and reused),
# then measures GET /api/v1/articles/{slug} over 1,000 distinct slugs with
# wrk -t2 -c64 on loopback, on two copies of the same file: as seeded (no
# images), and with every article given a featured image (one uploaded
# image, alt text and credit set). Each copy is measured with the answer
# cache (what repeat readers get) and with it off (NEWSDESK_CACHE_MB=0:
# what every first read after a write costs), and the image's cost is the
# ratio of the two. DURATION (seconds, default 10) per run.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${1:-10000}"
DURATION="${DURATION:-10}"
PORT="${ARTICLE_BENCH_PORT:-18280}"
BASE="http://127.0.0.1:$PORT"
DATA=target/bench-data
WORK=$(mktemp -d)
mkdir -p "$DATA"
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
command -v sqlite3 >/dev/null || apt-get install -y sqlite3 >/dev/null

cargo build --release --bin newsdesk --example bench-seed >&2
BIN=target/release/newsdesk
DB="$DATA/articles-$SIZE.db"
[ -f "$DB" ] || target/release/examples/bench-seed "$DB" "$SIZE" >&2
export NEWSDESK_ADMIN_EMAIL=bench-admin@newsdesk.example
export NEWSDESK_ADMIN_PASSWORD=bench-admin-password
export NEWSDESK_JWT_SECRET='article page benchmark secret, 32 bytes'
export RUST_LOG=warn NEWSDESK_AUTH_RATE_LIMIT=0 NEWSDESK_BIND="127.0.0.1:$PORT"

start() { # DB MEDIA_DIR [CACHE_MB]
  DATABASE_URL="$1" NEWSDESK_MEDIA_DIR="$2" NEWSDESK_CACHE_MB="${3:-12}" "$BIN" serve > "$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "$BASE/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

cp "$DB" "$WORK/plain.db"
cp "$DB" "$WORK/images.db"
sqlite3 "$DB" "SELECT '/api/v1/articles/' || slug FROM articles WHERE status = 'published' ORDER BY (id * 7919) % 1000003 LIMIT 1000" > "$WORK/slugs.txt"

# One image, uploaded through the API, then made every article's featured image.
start "$WORK/images.db" "$WORK/media"
TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\": \"$NEWSDESK_ADMIN_EMAIL\", \"password\": \"$NEWSDESK_ADMIN_PASSWORD\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
python3 - "$WORK/photo.png" <<'PY'
import struct, sys, zlib
w, h = 1600, 900
rows = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 255 // w, y * 255 // h, 128)) for y in range(h))
chunk = lambda k, d: struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))
PY
ID=$(curl -fs -X POST "$BASE/api/v1/media?alt=Delegates%20at%20the%20summit&credit=Newsroom&caption=The%20summit%20opened%20on%20Monday." \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' --data-binary @"$WORK/photo.png" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
stop
sqlite3 "$WORK/images.db" "UPDATE articles SET featured_image_id = $ID"

measure() { # NAME DB CACHE_MB
  start "$2" "$WORK/media" "$3"
  # A first pass over the slugs, so that the cached runs measure the cache.
  PATHS="$WORK/slugs.txt" wrk -t2 -c64 -d3s -s benches/wrk/report.lua "$BASE/" > /dev/null
  local out
  out=$(PATHS="$WORK/slugs.txt" wrk -t2 -c64 -d"${DURATION}s" --latency -s benches/wrk/report.lua "$BASE/")
  read -r _ requests duration p50 _ p99 errors non2xx _ <<< "$(grep '^RESULT' <<< "$out")"
  stop
  awk -v n="$1" -v r="$requests" -v d="$duration" -v a="$p50" -v c="$p99" -v e="$((errors + non2xx))" \
    'BEGIN { printf "%s %.0f %.2f %.2f %d\n", n, r / (d / 1e6), a / 1000, c / 1000, e }'
}

{
  measure plain_cached "$WORK/plain.db" 12
  measure image_cached "$WORK/images.db" 12
  measure plain_uncached "$WORK/plain.db" 0
  measure image_uncached "$WORK/images.db" 0
} > "$WORK/results"
curl_check=$(start "$WORK/images.db" "$WORK/media"; curl -fs "$BASE$(head -1 "$WORK/slugs.txt")" | python3 -c 'import json,sys; print(json.load(sys.stdin)["featured_image"]["alt"])'; stop)
echo "articles: $SIZE; featured image shown: $curl_check"
echo "| scenario | req/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
awk '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}' "$WORK/results"
awk '{r[$1] = $2} END {
  printf "with the image, cached: %.0f %% of without; uncached: %.0f %% of without\n",
    100 * r["image_cached"] / r["plain_cached"], 100 * r["image_uncached"] / r["plain_uncached"] }' "$WORK/results"
