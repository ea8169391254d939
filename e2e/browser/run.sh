#!/usr/bin/env bash
# Browser journeys against the real server: starts `lazo serve --demo` on a free
# loopback port with a fresh SQLite database, runs the Playwright tests in
# Debian's chromium (node --test), stops the server.
#
#   e2e/browser/run.sh [path/to/lazo] [path/to/frontend/dist]
#
# E2E_TESTS picks test files (default: all of tests/, the session-renewal
# file beside the others), e.g.
#   E2E_TESTS=tests/03-ticket.test.mjs e2e/browser/run.sh
# Tests that need a server of their own (other settings, e.g. a 1-minute JWT)
# start one with `startServer` from tests/lib.mjs (LAZO_BIN, LAZO_STATIC_DIR).
#
# Defaults: $LAZO_BIN or target/debug/lazo; $LAZO_STATIC_DIR or frontend/dist.
# Needs: node >= 18, chromium (/usr/bin/chromium or $CHROMIUM).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-${LAZO_BIN:-$root/target/debug/lazo}}
dist=${2:-${LAZO_STATIC_DIR:-$root/frontend/dist}}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
dist=$(cd "$dist" && pwd)

[ -x "$bin" ] || { echo "run.sh: no lazo binary at $bin (cargo build -p lazo-api)" >&2; exit 2; }
[ -f "$dist/index.html" ] || { echo "run.sh: no built SPA in $dist (just build-frontend)" >&2; exit 2; }
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
fi

tmp=$(mktemp -d)
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${KEEP_E2E_TMP:-}" = "" ]; then rm -rf "$tmp"; else echo "kept $tmp"; fi
}
trap cleanup EXIT

# Many logins in a few seconds: lift the per-minute login limit for the run.
DATABASE_URL="$tmp/lazo.db" LAZO_BIND="127.0.0.1:$port" LAZO_STATIC_DIR="$dist" \
  LAZO_LOGIN_PER_MINUTE=1000 LAZO_DEMO_TICKETS="${LAZO_DEMO_TICKETS:-300}" \
  "$bin" serve --demo >"$tmp/server.log" 2>&1 &
server_pid=$!

url="http://127.0.0.1:$port"
for _ in $(seq 1 240); do
  if curl -fsS "$url/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: the server stopped while starting:" >&2; cat "$tmp/server.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "$url/api/health" >/dev/null || { echo "run.sh: server not healthy" >&2; cat "$tmp/server.log" >&2; exit 1; }

status=0
run_tests() {
  # shellcheck disable=SC2068
  (cd "$here" && LAZO_URL="$url" LAZO_BIN="$bin" LAZO_STATIC_DIR="$dist" \
    node --test --test-concurrency=1 $@)
}
if [ -n "${E2E_TESTS:-}" ]; then
  # shellcheck disable=SC2086
  run_tests $E2E_TESTS || status=$?
else
  # The session-renewal file spends three minutes mostly waiting for
  # 1-minute tokens to run out (an action every 25 s, on a server of its
  # own): it runs beside the other files instead of after them, which took
  # three minutes off the run. Its output follows theirs.
  slow=tests/07-session-renewal.test.mjs
  run_tests "$slow" >"$tmp/slow.tap" 2>&1 &
  slow_pid=$!
  rest=$(cd "$here" && ls tests/*.test.mjs | grep -vxF "$slow")
  # shellcheck disable=SC2086
  run_tests $rest || status=$?
  wait "$slow_pid" || status=$?
  echo "---- $slow (ran beside the others)"
  cat "$tmp/slow.tap"
fi
if [ "$status" != 0 ]; then
  echo "---- server log (last 60 lines)" >&2
  tail -n 60 "$tmp/server.log" >&2
fi
exit "$status"
