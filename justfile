# Lazo's commands. `just run` and `just test` do all the set-up they need.
# Tools are installed idempotently by `just setup` (called by both).

set shell := ["bash", "-euo", "pipefail", "-c"]

export PATH := env_var("HOME") + "/.cargo/bin:" + justfile_directory() + "/frontend/node_modules/.bin:" + env_var("PATH")

# The SPA builds in its own target dir so a server build and a wasm build
# never wait on each other's cargo lock.
wasm_target := justfile_directory() + "/target/wasm"

default:
    @just --list

# Install what a fresh machine lacks (skips what is there): everything the tests need.
setup:
    .ci/setup.sh

# Only what building and running needs (`just run` on a fresh machine).
setup-build:
    .ci/setup.sh build

# Build the SPA (release, wasm-bindgen, wasm-opt, hashed names, br/gz siblings) into frontend/dist, without trunk. [owned by frontend]
build-frontend: setup-build
    CARGO_TARGET_DIR={{wasm_target}} frontend/build.sh frontend/dist

# Build the SPA and the release server side by side: the server starts at once, while the SPA's tools install and it builds; each build ends in a long single-threaded step (the SPA's LTO, the server's last crates and link) that the other fills.
build:
    .ci/setup.sh system
    mkdir -p target
    cargo build --release -p lazo-api --bin lazo >target/build-server.log 2>&1 & server=$!; \
        just build-frontend; \
        if wait $server; then tail -n 1 target/build-server.log; else cat target/build-server.log; exit 1; fi

# Build everything, migrate ./data/lazo.db, load the demo on first run and serve on 127.0.0.1:8080.
run: build
    ./target/release/lazo serve --demo

# Trunk's dev server on :8081 with live reload, proxying /api to `lazo serve` on :8080. [owned by frontend]
dev:
    .ci/setup.sh dev
    (cargo run -p lazo-api -- serve --demo &) ; cd frontend && CARGO_TARGET_DIR={{wasm_target}} trunk serve

# Regenerate the committed OpenAPI document.
openapi:
    cargo run -q -p lazo-api --bin lazo -- openapi > openapi/openapi.json

# Formatting and lints, server and SPA.
lint: setup
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings
    # From frontend/, so its .cargo/config.toml (erase_components) applies and
    # clippy shares trunk's build flags instead of rebuilding everything.
    cd frontend && CARGO_TARGET_DIR={{wasm_target}} cargo clippy --target wasm32-unknown-unknown -- -D warnings
    # Again as build.sh builds it: the split pages as `#[lazy]` functions.
    cd frontend && CARGO_TARGET_DIR={{wasm_target}} cargo clippy --target wasm32-unknown-unknown --features split -- -D warnings

# Unit and HTTP integration tests on SQLite.
test-sqlite:
    cargo test --workspace --exclude lazo-e2e --exclude lazo-spa-build

# The API integration tests again on a throwaway PostgreSQL cluster.
test-pg:
    .ci/with-postgres.sh cargo test -p lazo-api --tests

# API journeys against the real `lazo` binary, on SQLite and on PostgreSQL.
test-e2e:
    cargo build -p lazo-api --bin lazo
    LAZO_BIN={{justfile_directory()}}/target/debug/lazo cargo test -p lazo-e2e
    .ci/with-postgres.sh env LAZO_BIN={{justfile_directory()}}/target/debug/lazo cargo test -p lazo-e2e

# Schemathesis over the committed OpenAPI document against the real binary (SQLite): fails on any 5xx or schema violation.
test-schema:
    cargo build -p lazo-api --bin lazo
    .ci/schemathesis.sh {{justfile_directory()}}/target/debug/lazo

# The committed OpenAPI document generates working clients: spec validator, redocly lint, openapi-typescript + tsc, openapi-python-client + a journey against the real binary.
test-openapi:
    cargo build -p lazo-api --bin lazo
    .ci/openapi-check.sh {{justfile_directory()}}/target/debug/lazo

# Browser journeys (Playwright + Chromium) against the real binary serving the built SPA. [owned by frontend]
test-browser: build-frontend browser-journeys

# The browser journeys against the SPA already built in frontend/dist. [owned by frontend]
browser-journeys:
    cargo build -p lazo-api --bin lazo
    e2e/browser/run.sh {{justfile_directory()}}/target/debug/lazo {{justfile_directory()}}/frontend/dist

# Everything CI checks. The SPA's release build (~8 min on 2 cores, most of it one core: LTO, wasm-opt, zopfli) runs beside the recipes that leave the machine half idle (schemathesis is one Python process; the HTTP tests wait on sockets and fsync), not after them; its log is target/build-frontend.log.
test: setup lint test-sqlite
    mkdir -p target
    setsid just build-frontend >target/build-frontend.log 2>&1 & spa=$!; \
        rc=0; just test-schema test-openapi test-pg test-e2e || rc=$?; \
        if [ $rc -ne 0 ]; then kill -- -$spa 2>/dev/null; exit $rc; fi; \
        if ! wait $spa; then tail -n 60 target/build-frontend.log; echo "build-frontend failed" >&2; exit 1; fi
    just browser-journeys

# Follow-up query benchmark (see docs/BENCHMARKS.md); N tickets, default 1,000,000.
bench n="1000000":
    LAZO_BENCH_TICKETS={{n}} cargo bench -p lazo-api --bench ticket_queries

# HTTP benchmark of the release binary with wrk at 16 connections: list, get, counts, create, patch, comment on a dataset of N tickets (made once, kept in target/bench-http).
bench-http n="100000" secs="10":
    cargo build --release -p lazo-api --bin lazo
    mkdir -p target/bench-http
    LAZO_BENCH_TICKETS={{n}} LAZO_BENCH_KEEP={{justfile_directory()}}/target/bench-http/tickets-{{n}}.db cargo bench -p lazo-api --bench ticket_queries
    .ci/bench-http.sh target/release/lazo target/bench-http/tickets-{{n}}.db {{n}} {{secs}}

# The same HTTP benchmark on PostgreSQL: a throwaway cluster (.ci/with-postgres.sh), the dataset generated into it, the release binary serving it.
bench-http-pg n="100000" secs="10":
    cargo build --release -p lazo-api --bin lazo
    cargo bench -p lazo-api --bench ticket_queries --no-run
    .ci/with-postgres.sh bash -c 'psql "$LAZO_TEST_DATABASE_URL" -qc "create database bench" && url="${LAZO_TEST_DATABASE_URL%/postgres}/bench" && LAZO_BENCH_TICKETS={{n}} LAZO_BENCH_KEEP="$url" cargo bench -p lazo-api --bench ticket_queries && psql "$url" -qc "vacuum analyze" && .ci/bench-http.sh target/release/lazo "$url" {{n}} {{secs}}'

# Webhook deliveries/s to a loopback receiver and change-feed page times at N events (docs/BENCHMARKS.md).
bench-integrations n="1000000" deliveries="2000":
    LAZO_BENCH_EVENTS={{n}} LAZO_BENCH_DELIVERIES={{deliveries}} cargo bench -p lazo-api --bench integrations
