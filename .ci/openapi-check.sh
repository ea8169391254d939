#!/usr/bin/env bash
# The committed OpenAPI document must generate working clients:
#   1. openapi-spec-validator: 0 errors;
#   2. redocly lint (rules in .ci/redocly.yaml): 0 errors;
#   3. openapi-typescript generates types and `tsc --noEmit` checks them with
#      e2e/typescript/usage.ts (custom_fields and a create-ticket body are settable);
#   4. openapi-python-client generates a client and e2e/python/journey.py runs
#      with it against the real `lazo` binary (SQLite, demo data).
# Tools install idempotently into target/openapi-venv and target/openapi-node
# (pinned versions; only PyPI and npm are used).
#
# Usage: .ci/openapi-check.sh [path/to/lazo]   (default target/debug/lazo)
# Env:   OAPI_SPEC (another document), OAPI_KEEP=1 (keep the temp dir).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/debug/lazo}
[ -x "$bin" ] || { echo "no lazo binary at $bin (cargo build -p lazo-api --bin lazo)" >&2; exit 1; }
spec=$(realpath "${OAPI_SPEC:-$root/openapi/openapi.json}")

py_tools="openapi-spec-validator==0.9.0 openapi-python-client==0.29.1 python-dateutil==4.0.0"
npm_tools="@redocly/cli@2.77.0 openapi-typescript@7.13.0 typescript@5.9.3"

start=$EPOCHREALTIME
last=$start
step() {
    local now=$EPOCHREALTIME
    awk -v s="$start" -v l="$last" -v n="$now" -v what="$1" \
        'BEGIN { printf "[openapi-check] %-34s %6.1fs (total %6.1fs)\n", what, n - l, n - s }'
    last=$now
}

venv=$root/target/openapi-venv
if [ "$(cat "$venv/.tools" 2>/dev/null)" != "$py_tools" ]; then
    python3 -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -q $py_tools
    echo "$py_tools" >"$venv/.tools"
fi
nodedir=$root/target/openapi-node
if [ "$(cat "$nodedir/.tools" 2>/dev/null)" != "$npm_tools" ]; then
    mkdir -p "$nodedir"
    [ -f "$nodedir/package.json" ] || echo '{"name":"lazo-openapi-tools","private":true}' >"$nodedir/package.json"
    # shellcheck disable=SC2086
    (cd "$nodedir" && npm install -q --no-audit --no-fund --save-exact $npm_tools >/dev/null)
    echo "$npm_tools" >"$nodedir/.tools"
fi
nbin=$nodedir/node_modules/.bin
step "tools"

tmp=$(mktemp -d /tmp/lazo-oapi.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    if [ "${OAPI_KEEP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# 1. The OpenAPI 3.1 schema.
"$venv/bin/openapi-spec-validator" "$spec"
step "openapi-spec-validator"

# 2. Redocly's recommended rules, minus the purely stylistic ones turned off
#    (and explained) in .ci/redocly.yaml. Warnings are printed, errors fail.
(cd "$tmp" && NO_COLOR=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$nbin/redocly" lint --config "$root/.ci/redocly.yaml" "$spec")
step "redocly lint"

# 3. TypeScript types, type-checked with code that uses them.
mkdir -p "$tmp/ts"
"$nbin/openapi-typescript" "$spec" -o "$tmp/ts/lazo.d.ts" >/dev/null
cp "$root/e2e/typescript/usage.ts" "$tmp/ts/usage.ts"
"$nbin/tsc" --noEmit --strict --target es2022 --module es2022 --moduleResolution bundler \
    "$tmp/ts/lazo.d.ts" "$tmp/ts/usage.ts"
step "openapi-typescript + tsc"

# 4. A Python client, and a journey with it against the real binary.
mkdir -p "$tmp/py"
# (PATH: its post-generation hook runs the venv's ruff.)
PATH="$venv/bin:$PATH" "$venv/bin/openapi-python-client" generate --path "$spec" --meta none \
    --config "$root/e2e/python/client-config.yaml" \
    --output-path "$tmp/py/lazo_client" >"$tmp/py-generate.log" 2>&1 ||
    { cat "$tmp/py-generate.log" >&2; exit 1; }
if grep -q "^Warning" "$tmp/py-generate.log"; then
    cat "$tmp/py-generate.log" >&2
    echo "openapi-python-client warned about the document" >&2
    exit 1
fi
step "openapi-python-client generate"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
DATABASE_URL="$tmp/lazo.db" LAZO_BIND="127.0.0.1:$port" LAZO_STATIC_DIR="$tmp/no-spa" \
    LAZO_LOGIN_PER_MINUTE=1000 LAZO_DEMO_TICKETS=50 LAZO_LOG=${LAZO_LOG:-warn} \
    "$bin" serve --demo >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
    curl -fs "$url/api/ready" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
    sleep 0.2
done
step "server up"
PYTHONPATH="$tmp/py" LAZO_URL="$url" "$venv/bin/python" "$root/e2e/python/journey.py" ||
    { echo "--- server log" >&2; tail -50 "$tmp/server.log" >&2; exit 1; }
step "python journey"
echo "[openapi-check] ok"
