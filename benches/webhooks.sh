#!/usr/bin/env bash
# What webhooks cost the newsroom mix, and how fast they arrive:
#
#     bash benches/webhooks.sh          # 10,000 articles
#     bash benches/webhooks.sh 100000
#
# On the data set of benches/run.sh (seeded once into target/bench-data/),
# runs the mix (benches/wrk/mix.lua) with benches/writer.py at RATE writes
# per second (default 5) beside it, ROUNDS times (default 2) each without
# and with one webhook subscribed to `*` (a receiver on loopback,
# benches/receiver.py, answering 204), alternating, and prints req/s and
# read latencies of each run, the writes' own latencies, and the deliveries'
# latency from the event's commit to its receipt (p50, p99, max), and
# whether every event arrived once.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${1:-10000}"
RATE="${RATE:-5}"
ROUNDS="${ROUNDS:-2}"
MIX_DURATION="${MIX_DURATION:-20}"
export MIX_S="${MIX_S:-1}"
export NEWSDESK_ADMIN_EMAIL=bench-admin@newsdesk.example
export NEWSDESK_ADMIN_PASSWORD=bench-admin-password
PORT=18180
RECEIVER_PORT=18190
DATA=target/bench-data
mkdir -p "$DATA"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null

cargo build --release --bin newsdesk --example bench-seed >&2
BIN=target/release/newsdesk
DB="$DATA/articles-$SIZE.db"
if [ ! -f "$DB.targets" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "seeding $SIZE articles into $DB" >&2
  target/release/examples/bench-seed "$DB" "$SIZE"
fi
cp "$DB" "$DATA/webhooks.db"; rm -f "$DATA/webhooks.db-wal" "$DATA/webhooks.db-shm"
DATABASE_URL="$DATA/webhooks.db" RUST_LOG=warn "$BIN" migrate
MIX_PATHS="$DATA/mix-paths-$SIZE.txt"
PLAN="$DATA/writer-$SIZE.json"
python3 benches/mix.py "$DB" "$MIX_PATHS" "$PLAN"
LOG="$DATA/webhook-deliveries.txt"
: > "$LOG"

python3 benches/receiver.py "$RECEIVER_PORT" "$LOG" &
RECEIVER=$!
NEWSDESK_BIND=127.0.0.1:$PORT DATABASE_URL="$DATA/webhooks.db" RUST_LOG=warn \
  NEWSDESK_COMMENT_RATE_LIMIT=0 NEWSDESK_AUTH_RATE_LIMIT=0 NEWSDESK_WEBHOOK_ALLOW_PRIVATE=true \
  "$BIN" serve &
SERVER=$!
trap 'kill $SERVER $RECEIVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
API="http://127.0.0.1:$PORT/api/v1"
TOKEN=$(curl -fs "$API/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$NEWSDESK_ADMIN_EMAIL\",\"password\":\"$NEWSDESK_ADMIN_PASSWORD\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# mix NAME: one run of the mix beside the writer; prints
# "NAME req/s p50_ms p99_ms errors writes_acknowledged/asked write_p50_ms write_p99_ms".
mix() {
  python3 benches/writer.py "http://127.0.0.1:$PORT" "$RATE" "$MIX_DURATION" "$PLAN" > "$DATA/writer.out" &
  local writer=$!
  for _ in $(seq 1 100); do grep -q '^SIGNED_IN' "$DATA/writer.out" && break; sleep 0.1; done
  local out
  out=$(PATHS="$MIX_PATHS" wrk -t2 -c64 -d"${MIX_DURATION}s" --timeout 10s --latency -s benches/wrk/mix.lua "http://127.0.0.1:$PORT/")
  wait "$writer" || true
  read -r _ requests duration p50 _ p99 errors non2xx _ <<< "$(grep '^RESULT' <<< "$out")"
  read -r _ asked acked _ wp50 wp99 <<< "$(grep '^WRITES' "$DATA/writer.out")"
  awk -v n="$1" -v r="$requests" -v d="$duration" -v a="$p50" -v c="$p99" -v e="$((errors + non2xx))" \
    -v w="$acked/$asked" -v x="$wp50" -v y="$wp99" \
    'BEGIN { printf "%-12s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  writes %s (p50 %s ms, p99 %s ms)\n", n, r / (d / 1e6), a / 1000, c / 1000, e, w, x, y }'
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
PATHS="$MIX_PATHS" wrk -t2 -c64 -d5s -s benches/wrk/mix.lua "http://127.0.0.1:$PORT/" > /dev/null
HOOK=""
for round in $(seq 1 "$ROUNDS"); do
  if [ -n "$HOOK" ]; then
    curl -fs -X PATCH "$API/webhooks/$HOOK" -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' -d '{"active": false}' > /dev/null
  fi
  mix "no_webhook"
  if [ -z "$HOOK" ]; then
    HOOK=$(curl -fs "$API/webhooks" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"url\":\"http://127.0.0.1:$RECEIVER_PORT/hook\",\"events\":[\"*\"]}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  else
    curl -fs -X PATCH "$API/webhooks/$HOOK" -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' -d '{"active": true}' > /dev/null
  fi
  mix "webhook_*"
done
sleep 2
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
STORED=$(curl -fs "$API/webhooks/$HOOK/deliveries?per_page=1" -H "Authorization: Bearer $TOKEN" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["total"])')
python3 - "$LOG" "$STORED" <<'PY'
import sys
lines = [line.split() for line in open(sys.argv[1], encoding="utf-8")]
ids = [line[0] for line in lines]
latencies = sorted(float(line[2]) for line in lines)
def pct(p):
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else float("nan")
print(f"deliveries: {len(lines)} received of {sys.argv[2]} stored, {len(ids) - len(set(ids))} duplicates; "
      f"commit to receipt p50 {pct(50):.1f} ms, p99 {pct(99):.1f} ms, max {latencies[-1] if latencies else float('nan'):.1f} ms")
PY
