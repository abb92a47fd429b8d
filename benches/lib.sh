# The measuring functions of benches/run.sh and benches/postgres.sh, sourced
# by both. They read the callers' settings: THREADS, CONNECTIONS, DURATION,
# MIX_DURATION, WRK_TIMEOUT, PORT (the server measured, for drain), NOTES,
# MIX_PATHS, PLAN and DATA.

wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# drain NAME: waits (at most 5 minutes) until newsdesk has finished what the
# last run left in flight (wrk does not wait for its last requests, and the
# server still computes them), so that it does not weigh on the next run.
drain() {
  local started=$SECONDS took
  until took=$(curl -s -o /dev/null -m 30 -w '%{time_total}' "http://127.0.0.1:$PORT/readyz") \
      && awk -v t="$took" 'BEGIN { exit !(t < 0.1) }'; do
    [ $((SECONDS - started)) -gt 300 ] && break
    sleep 0.2
  done
  if [ $((SECONDS - started)) -ge 2 ]; then
    echo "$1: the server took $((SECONDS - started)) s after the run to finish the requests left in flight" >> "$NOTES"
  fi
}

# run NAME URL [LUA] -> "name req/s p50 p95 p99 errors -", where errors
# counts socket errors and non-2xx answers, and the last field is for the
# writes of a mix run (see run_mix).
run() {
  local name=$1 url=$2 script=${3:-benches/wrk/report.lua}
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" --latency -s "$script" "$url")
  grep '^DISTINCT' <<< "$out" | sed "s/^DISTINCT/$name: distinct URLs asked for:/" >> "$NOTES" || true
  read -r _ requests duration p50 p95 p99 errors non2xx timeouts <<< "$(grep '^RESULT' <<< "$out")"
  drain "$name"
  if [ "$requests" = 0 ]; then
    echo "$name: no request was answered within the ${DURATION} s run (the latencies are not measured)" >> "$NOTES"
  fi
  if [ $((errors + non2xx)) -gt 0 ]; then
    echo "$name: $non2xx non-2xx answers, $timeouts requests unanswered after wrk's $WRK_TIMEOUT timeout (not in the latencies), $((errors - timeouts)) other socket errors" >> "$NOTES"
  fi
  awk -v n="$name" -v r="$requests" -v d="$duration" -v a="$p50" -v b="$p95" -v c="$p99" -v e="$errors" -v s="$non2xx" \
    'BEGIN { printf "%s %.0f %.2f %.2f %.2f %d -\n", n, r / (d / 1e6), a / 1000, b / 1000, c / 1000, e + s }'
}

# run_mix NAME RATE [DURATION]: the mix for DURATION seconds (default
# MIX_DURATION), with benches/writer.py at RATE writes per second alongside
# (none for 0); the last field becomes "acknowledged/asked/late".
run_mix() {
  local name=$1 rate=$2 seconds=${3:-$MIX_DURATION} writer="" writes
  if [ "$rate" = 0 ]; then
    PATHS="$MIX_PATHS" DURATION="$seconds" run "$name" "http://127.0.0.1:$PORT/" benches/wrk/mix.lua
    return
  fi
  python3 benches/writer.py "http://127.0.0.1:$PORT" "$rate" "$seconds" "$PLAN" > "$DATA/writer.out" &
  writer=$!
  # The readers start when the writer has signed in and starts its clock.
  for _ in $(seq 1 100); do grep -q '^SIGNED_IN' "$DATA/writer.out" && break; sleep 0.1; done
  PATHS="$MIX_PATHS" DURATION="$seconds" run "$name" "http://127.0.0.1:$PORT/" benches/wrk/mix.lua > "$DATA/mix.out"
  # The writer stops by itself: it sends nothing after its duration and
  # waits at most 10 s more for answers.
  wait "$writer" || true
  writes=$(awk '$1 == "WRITES" {print $3 "/" $2 "/" $4}' "$DATA/writer.out")
  if [ -z "$writes" ]; then echo "$name: the writer reported nothing" >&2; exit 1; fi
  awk -v n="$name" '$1 == "WRITES" {print n ": writes answered, from their due time, in p50 " $5 " ms, p99 " $6 " ms"}' \
    "$DATA/writer.out" >> "$NOTES"
  awk -v w="$writes" '{ $7 = w; print }' "$DATA/mix.out"
}

