#!/usr/bin/env bash
# Installs what Lazo's build and tests need, skipping what is present, so it
# is cheap on a warm machine and complete on a fresh one.
#
#   .ci/setup.sh system  the system packages and wasm target every build needs
#   .ci/setup.sh build   that and the SPA's build tools (what `just run` needs)
#   .ci/setup.sh dev     that and trunk (live reload for `just dev`)
#   .ci/setup.sh         everything the tests need too (the default)
set -euo pipefail
mode=${1:-test}
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then echo "please install: ${missing[*]}" >&2; return 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# libpq for diesel's PostgreSQL backend (linked into every server build);
# brotli and gzip for the precompressed SPA files.
apt_install libpq-dev brotli gzip
# zopfli writes smaller .gz files; build.sh falls back to gzip without it.
apt_install zopfli || echo "setup: without zopfli the .gz files come from gzip --best" >&2
[ "$mode" = system ] && exit 0
# The wasm splitter and wasm-bindgen are built by frontend/build.sh
# (crates/spa-build, their libraries without the command-line tools' extras).
# Debian's binaryen 108 breaks the bundle; npm's binaryen 132 does not.
[ -x frontend/node_modules/.bin/wasm-opt ] || (cd frontend && npm install --no-audit --no-fund --loglevel=error)

# Trunk only serves `just dev` (live reload); builds go through
# frontend/build.sh. Trunk 0.22 needs a newer rustc.
if [ "$mode" = dev ]; then
    have trunk || cargo install trunk --version 0.21.14 --locked
    # Trunk runs offline: wasm-bindgen must be installed, equal to the crate pin.
    if ! wasm-bindgen --version 2>/dev/null | grep -q '0.2.130'; then
        cargo install wasm-bindgen-cli --version 0.2.130 --force
    fi
fi
[ "$mode" = test ] || exit 0

# PostgreSQL (tests run on it too), libpq for diesel, Chromium for browser tests.
apt_install postgresql chromium chromium-driver
# Dovecot: the real IMAP server the inbound-email tests start on loopback
# (LMTP: Postfix delivers into it in the mail journey). Postfix: the
# organisation's mail server of that journey (a private instance per test;
# the system's own is not configured or used). openssl makes its test CA.
apt_install dovecot-imapd dovecot-lmtpd postfix openssl

[ -d e2e/browser/node_modules/playwright-core ] || (cd e2e/browser && npm install --no-audit --no-fund --loglevel=error)
# maildev: the real SMTP server (with a REST API) the email tests start on loopback.
[ -x e2e/maildev/node_modules/.bin/maildev ] || (cd e2e/maildev && npm install --no-audit --no-fund --loglevel=error)
