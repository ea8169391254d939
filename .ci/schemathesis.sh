#!/usr/bin/env bash
# Property-based API check: schemathesis generates requests from the committed
# OpenAPI document and runs them against the real `lazo` binary on a
# throwaway SQLite database; any 5xx, undocumented status, wrong content type
# or response that breaks its schema fails the run.
#
# Usage: .ci/schemathesis.sh [path/to/lazo]   (default target/debug/lazo)
# Env:   ST_MAX_EXAMPLES (default 50), ST_SEED (default 1), ST_VERSION,
#        ST_SPEC (another document), ST_SERVER_LOG (keep the server log).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/debug/lazo}
[ -x "$bin" ] || { echo "no lazo binary at $bin (cargo build -p lazo-api --bin lazo)" >&2; exit 1; }

# Pinned so a new schemathesis release cannot change the verdict unannounced.
version=${ST_VERSION:-4.32.5}
venv=$root/target/schemathesis-venv
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "version $version\$"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$version"
fi

tmp=$(mktemp -d /tmp/lazo-st.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# Schemathesis logs in with made-up emails too: keep the limiter out of the way.
# With LAZO_LOG=info the server log has one line per request (ST_SERVER_LOG).
DATABASE_URL="$tmp/lazo.db" LAZO_BIND="127.0.0.1:$port" LAZO_STATIC_DIR="$tmp/no-spa" \
    LAZO_LOGIN_PER_MINUTE=100000 LAZO_DEMO_TICKETS=50 LAZO_LOG=${LAZO_LOG:-warn} \
    "$bin" serve --demo >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    curl -fs "$url/api/ready" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
    sleep 0.2
done

token=$(curl -fs "$url/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"admin@demo.lazo","password":"lazo-demo-1"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Logging out would end the session every later request relies on; it is
# covered by the integration tests instead. One worker: with several,
# hypothesis parses lambdas' source from threads at once and CPython 3.11's
# ast.parse fails ("AST constructor recursion depth mismatch").
# Run from the temporary directory: schemathesis keeps a cache where it runs.
spec=$(realpath "${ST_SPEC:-$root/openapi/openapi.json}")
status=0
(cd "$tmp" && "$venv/bin/st" run "$spec" \
    --url "$url" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/v1/auth/logout \
    --phases examples,coverage,fuzzing \
    --max-examples "${ST_MAX_EXAMPLES:-50}" \
    --seed "${ST_SEED:-1}" \
    --workers 1 \
    --request-timeout 10 \
    --generation-database none \
    --no-color) || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log (warnings and errors) ---" >&2
    grep -v " request " "$tmp/server.log" | tail -50 >&2
fi
[ -z "${ST_SERVER_LOG:-}" ] || cp "$tmp/server.log" "$ST_SERVER_LOG"
exit "$status"
