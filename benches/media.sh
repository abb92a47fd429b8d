#!/usr/bin/env bash
# Rendition serving: wrk -t2 -c64 against GET /api/v1/media/{id}/file?w=…
# on the release binary with the directory store, for each width and the
# original. No answer cache is involved: every request looks up the media
# row in SQLite and reads the file from the store (the OS's page cache
# keeps the few files warm, as it would for popular images).
#
#     bash benches/media.sh        # DURATION (seconds, default 10) per run
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
PORT="${MEDIA_BENCH_PORT:-18380}"
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }

# A 2400×1600 photo-like PNG (a gradient with noise, so that it does not
# compress to nothing), made with the standard library only.
python3 - "$WORK/photo.png" <<'PY'
import random, struct, sys, zlib
w, h = 2400, 1600
random.seed(7)
rows = bytearray()
for y in range(h):
    rows.append(0)
    for x in range(w):
        n = random.randrange(24)
        rows += bytes(((x * 255 // w + n) & 255, (y * 255 // h + n) & 255, (128 + n) & 255))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY

cargo build --release --bin newsdesk
DATABASE_URL="$WORK/media.db" NEWSDESK_MEDIA_DIR="$WORK/media" NEWSDESK_BIND="127.0.0.1:$PORT" \
  RUST_LOG=warn NEWSDESK_JWT_SECRET='media benchmark secret, 32 bytes or more' \
  NEWSDESK_ADMIN_EMAIL=admin@bench.example NEWSDESK_ADMIN_PASSWORD='media benchmark password' \
  NEWSDESK_AUTH_RATE_LIMIT=0 NEWSDESK_MEDIA_LIMIT=67108864 \
  target/release/newsdesk serve > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/readyz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"email": "admin@bench.example", "password": "media benchmark password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ID=$(curl -fs -X POST "$BASE/api/v1/media?alt=Benchmark" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: image/png' --data-binary @"$WORK/photo.png" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

echo "| file | bytes | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
for width in 320 640 1024 1600 original; do
  if [ "$width" = original ]; then path="/api/v1/media/$ID/file"; else path="/api/v1/media/$ID/file?w=$width"; fi
  # The first request makes the rendition; the runs measure serving it.
  bytes=$(curl -fs "$BASE$path" | wc -c)
  out=$(wrk -t2 -c64 -d"${DURATION}s" --latency "$BASE$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<< "$out" | tr '\n' ' ')
  echo "| $width | $bytes | $rps | $p50 | $p99 | ${errors:-0} |"
done
