#!/usr/bin/env bash
# HTTP benchmark of the real binary with wrk (16 connections, 2 threads):
# list, get, create, patch, comment and counts against a dataset of N
# tickets made by the ticket_queries bench (LAZO_BENCH_KEEP). Prints req/s,
# p50 and p99 per case (each after 2 s of warm-up) and the server's peak
# RSS. Figures: docs/BENCHMARKS.md.
#
#   .ci/bench-http.sh path/to/lazo path/to/dataset.db N [seconds]
#   .ci/bench-http.sh path/to/lazo postgres://…/bench N [seconds]
# A SQLite dataset is copied for each run; a PostgreSQL one is served as it
# is (the writes of a run stay in it). LAZO_BENCH_CASES="create patch" runs
# only those cases.
set -euo pipefail
bin=$1 db=$2 n=$3 secs=${4:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v wrk >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "please install wrk (apt-get install wrk)" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
# The creates, patches and comments of a run would change the next run's
# dataset: every run serves a copy.
work=$(mktemp -d)
case "$db" in
    postgres://* | postgresql://*) url=$db ;;
    # sync: the copy's writeback would otherwise compete with the first case.
    # The write-ahead log too: a dataset closed without a checkpoint keeps
    # committed pages there, and the main file alone is an older state.
    *) cp "$db" "$work/lazo.db"
       if [ -f "$db-wal" ]; then cp "$db-wal" "$work/lazo.db-wal"; fi
       sync; url="$work/lazo.db" ;;
esac
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="$url" LAZO_LOG=warn LAZO_LOGIN_PER_MINUTE=1000 \
    LAZO_JWT_SECRET=bench-secret-0123456789-0123456789-0123 \
    "$bin" serve --bind "127.0.0.1:$port" --static-dir /nonexistent 2>"$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    sleep 0.1
done
token=$(curl -fsS "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"admin@demo.lazo","password":"lazo-demo-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
peak=0
rss() { local r; r=$(ps -o rss= -p "$pid" | tr -d ' '); [ "$r" -gt "$peak" ] && peak=$r; true; }
printf '%-8s %10s %10s %10s\n' case req/s p50 p99
for case in ${LAZO_BENCH_CASES:-list get counts create patch comment}; do
    # Steady state, not start-up: 2 s of the same requests first (the
    # start-up jobs, cold connection caches and the first statements'
    # preparation otherwise land in the first case's tail).
    CASE=$case TOKEN=$token N=$n wrk -t2 -c16 -d2s \
        -s "$here/crates/api/benches/http/bench.lua" "http://127.0.0.1:$port" >/dev/null 2>&1
    CASE=$case TOKEN=$token N=$n wrk -t2 -c16 -d"${secs}s" --latency \
        -s "$here/crates/api/benches/http/bench.lua" "http://127.0.0.1:$port" >"$work/wrk.out" 2>&1 &
    w=$!
    # The server's memory under load, sampled while wrk runs.
    while kill -0 $w 2>/dev/null; do rss; sleep 0.5; done
    wait $w
    out=$(cat "$work/wrk.out")
    if grep -q "Non-2xx" <<<"$out"; then echo "$case: errors" >&2; echo "$out" >&2; exit 1; fi
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf '%-8s %10s %10s %10s\n' "$case" "$rps" "$p50" "$p99"
done
echo "peak server RSS: $((peak / 1024)) MB"
