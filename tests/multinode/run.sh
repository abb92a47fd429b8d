#!/usr/bin/env bash
# Two newsdesk nodes on one local PostgreSQL, behind nginx (Debian's
# package), and check.py against them: a write through one node is read
# through the other at once; an If-Match race across nodes has one winner;
# SIGKILL of one node under load loses no acknowledged write while the
# other keeps serving through nginx.
#
# Needs: target/release/newsdesk (cargo build --release), nginx, python3,
# and NEWSDESK_TEST_POSTGRES naming a server where the role may create
# databases (as .ci/run sets it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${NEWSDESK_TEST_POSTGRES:?set NEWSDESK_TEST_POSTGRES, e.g. postgres://postgres:secret@127.0.0.1/postgres}"
binary="$root/target/release/newsdesk"
[ -x "$binary" ] || { echo "build it first: cargo build --release" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx is not installed" >&2; exit 1; }

server="${NEWSDESK_TEST_POSTGRES%%\?*}"
database="newsdesk_multinode_$$"
url="${server%/*}/$database"
work="$(mktemp -d)"
front=18180 node_a=18181 node_b=18182
pids=()

psql_admin() { python3 - "$server" "$1" <<'PY'
import subprocess, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
env = {"PGPASSWORD": urllib.parse.unquote(u.password or ""), "PATH": "/usr/bin:/bin"}
subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", u.hostname or "127.0.0.1",
                "-p", str(u.port or 5432), "-U", urllib.parse.unquote(u.username or "postgres"),
                "-d", (u.path or "/postgres").lstrip("/") or "postgres", "-c", sys.argv[2]],
               check=True, env=env)
PY
}

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql_admin "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

psql_admin "CREATE DATABASE $database"

start_node() { # port, log
    DATABASE_URL="$url" NEWSDESK_BIND="127.0.0.1:$1" NEWSDESK_WORKERS=1 \
    NEWSDESK_JWT_SECRET="a secret shared by both nodes, 32 bytes or more" \
    NEWSDESK_ADMIN_EMAIL="admin@multinode.example" \
    NEWSDESK_ADMIN_PASSWORD="a password for the multinode check" \
    NEWSDESK_TRUSTED_PROXIES=127.0.0.1 NEWSDESK_AUTH_RATE_LIMIT=0 \
    NEWSDESK_MEDIA_DIR="$work/media" RUST_LOG=warn \
        "$binary" serve >"$2" 2>&1 &
    pids+=("$!")
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "node on $1 did not start:" >&2; cat "$2" >&2; exit 1
}

# A first (it migrates and makes the admin), then B.
start_node "$node_a" "$work/a.log"
pid_a="${pids[0]}"
start_node "$node_b" "$work/b.log"
curl -fs "http://127.0.0.1:$node_b/readyz"; echo

sed -e "s/NODE_A/$node_a/; s/NODE_B/$node_b/; s/FRONT/$front/" "$here/nginx.conf" >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" 2>"$work/nginx.log" &
pids+=("$!")
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$front/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

if ! python3 "$here/check.py" "http://127.0.0.1:$front" "http://127.0.0.1:$node_a" \
        "http://127.0.0.1:$node_b" "$pid_a"; then
    echo "--- node A"; tail -20 "$work/a.log"; echo "--- node B"; tail -20 "$work/b.log"
    echo "--- nginx"; tail -20 "$work/nginx.log"
    exit 1
fi
echo "multinode: all checks passed"
