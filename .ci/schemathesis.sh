#!/usr/bin/env bash
# Fuzzes the running release binary against its own OpenAPI spec with
# schemathesis (PyPI, in a virtual environment): every check, examples,
# coverage, fuzzing and stateful phases (following the spec's links),
# once anonymous and once as an editor. Bounded by MAX_EXAMPLES per
# operation so that it fits CI. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES="${MAX_EXAMPLES:-25}"
VENV="${SCHEMATHESIS_VENV:-target/schemathesis-venv}"
PORT="${SCHEMATHESIS_PORT:-18280}"
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'schemathesis>=4,<5'
fi
"$VENV/bin/st" --version

cargo build --release --bin newsdesk
ADMIN_EMAIL=admin@fuzz.example
ADMIN_PASSWORD='fuzzing admin password'
DATABASE_URL="$WORK/fuzz.db" NEWSDESK_BIND="127.0.0.1:$PORT" RUST_LOG=warn \
  NEWSDESK_JWT_SECRET='schemathesis run secret, 32 bytes or more' \
  NEWSDESK_ADMIN_EMAIL=$ADMIN_EMAIL NEWSDESK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  NEWSDESK_AUTH_RATE_LIMIT=0 NEWSDESK_COMMENT_RATE_LIMIT=0 \
  target/release/newsdesk serve > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/readyz" >/dev/null && break; sleep 0.1; done

token() {
  curl -fs -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
ADMIN_TOKEN=$(token "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
curl -fs -X POST "$BASE/api/v1/users" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"email": "editor@fuzz.example", "display_name": "Fuzz Editor", "role": "editor", "password": "fuzzing editor password"}' >/dev/null
EDITOR_TOKEN=$(token editor@fuzz.example 'fuzzing editor password')
# Something to read and link to: a topic, an entity, an article.
curl -fs -X POST "$BASE/api/v1/topics" -H "Authorization: Bearer $EDITOR_TOKEN" -H 'Content-Type: application/json' -d '{"name": "World"}' >/dev/null
curl -fs -X POST "$BASE/api/v1/entities" -H "Authorization: Bearer $EDITOR_TOKEN" -H 'Content-Type: application/json' -d '{"name": "North Korea", "kind": "country"}' >/dev/null
curl -fs -X POST "$BASE/api/v1/entities" -H "Authorization: Bearer $EDITOR_TOKEN" -H 'Content-Type: application/json' -d '{"name": "G7", "kind": "organisation"}' >/dev/null
curl -fs -X POST "$BASE/api/v1/entities" -H "Authorization: Bearer $EDITOR_TOKEN" -H 'Content-Type: application/json' -d '{"name": "Russia", "kind": "country"}' >/dev/null
curl -fs -X POST "$BASE/api/v1/topics" -H "Authorization: Bearer $EDITOR_TOKEN" -H 'Content-Type: application/json' -d '{"name": "Asia-Pacific", "parent": "world"}' >/dev/null
curl -fs -X POST "$BASE/api/v1/articles" -H "Authorization: Bearer $EDITOR_TOKEN" -H 'Content-Type: application/json' \
  -d '{"title": "North Korea warns G7", "slug": "north-korea-warns-g7-over-russia-ties", "status": "published", "published_at": "2024-05-31T09:00:00Z", "topics": ["world"], "entities": ["north-korea", "g7"]}' >/dev/null

run() {
  "$VENV/bin/st" run "$BASE/api-docs/openapi.json" --checks all --max-examples "$MAX_EXAMPLES" \
    --phases examples,coverage,fuzzing,stateful --generation-deterministic --no-shrink \
    --request-timeout 10 "$@"
}
status=0
echo "== schemathesis, anonymous"
run || status=1
echo "== schemathesis, as an editor"
run -H "Authorization: Bearer $EDITOR_TOKEN" || status=1
if grep -q 'panicked' "$WORK/server.log"; then
  echo "the server panicked during the run:" >&2
  grep -A3 panicked "$WORK/server.log" >&2
  status=1
fi
exit $status
