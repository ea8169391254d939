#!/usr/bin/env bash
# Builds the SPA into frontend/dist without trunk: cargo (wasm32, the
# wasm-release profile), wasm-bindgen, wasm-opt -Oz, content-hashed file
# names, and index.html with the loader. Trunk took 11 of a fresh machine's
# 31 minutes to install; these three steps are all `just build-frontend`
# needs (`just dev` still uses trunk for live reload, installed on demand).
#
#   frontend/build.sh [out-dir]      (default frontend/dist)
#
# Needs: wasm-bindgen 0.2.130 (equal to the crate pin) and npm's binaryen 132
# (frontend/node_modules/.bin/wasm-opt); `just setup-run` installs both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$here/dist}
target=${CARGO_TARGET_DIR:-$root/target/wasm}
profile=wasm-release
export PATH="$here/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# From frontend/, so its .cargo/config.toml (--cfg erase_components) applies.
(cd "$here" && CARGO_TARGET_DIR="$target" cargo build --target wasm32-unknown-unknown \
    --profile "$profile" --bin lazo-frontend)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name lazo-frontend \
    "$target/wasm32-unknown-unknown/$profile/lazo-frontend.wasm"
# Debian's binaryen 108 silently breaks the bundle; npm's 132 is on PATH first.
# --low-memory-unused: nothing lives below address 1024 (rustc puts the stack
# first, growing down from 1 MB, then the data), so wasm-opt may fold constant
# offsets into loads and stores: 5 KB less brotli, as Emscripten does by default.
wasm-opt -Oz --low-memory-unused --output="$stage/opt.wasm" "$stage/lazo-frontend_bg.wasm"
mv "$stage/opt.wasm" "$stage/lazo-frontend_bg.wasm"

# Hashed names: the server sends them with `Cache-Control: immutable`, so a
# name must change whenever the content does.
hash() { sha256sum "$1" | cut -c1-16; }
mkdir -p "$root/target"
new=$(mktemp -d "$root/target/.dist-XXXXXX")
trap 'rm -rf "$stage" "$new"' EXIT
js="lazo-frontend-$(hash "$stage/lazo-frontend.js").js"
wasm="lazo-frontend-$(hash "$stage/lazo-frontend_bg.wasm")_bg.wasm"
css="style-$(hash "$here/style.css").css"
icon="favicon-$(hash "$here/favicon.svg").svg"
cp "$stage/lazo-frontend.js" "$new/$js"
cp "$stage/lazo-frontend_bg.wasm" "$new/$wasm"
cp "$here/style.css" "$new/$css"
cp "$here/favicon.svg" "$new/$icon"

# index.html: trunk's `data-trunk` links become the real ones. The loader is
# an inline module; the server puts its SHA-256 into the CSP's script-src.
html=$(<"$here/index.html")
swap() { # swap <exact trunk link> <replacement>
    [[ "$html" == *"$1"* ]] || { echo "build.sh: index.html lacks $1" >&2; exit 1; }
    html=${html//"$1"/"$2"}
}
swap '<link data-trunk rel="css" href="style.css" />' "<link rel=\"stylesheet\" href=\"/$css\" />"
swap '<link data-trunk rel="icon" href="favicon.svg" />' "<link rel=\"icon\" href=\"/$icon\" />"
swap '<link data-trunk rel="rust" data-bin="lazo-frontend" data-wasm-opt="z" />' \
"<link rel=\"modulepreload\" href=\"/$js\" crossorigin=\"anonymous\" />
    <link rel=\"preload\" href=\"/$wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\" />
    <script type=\"module\">
import init from '/$js';
await init({ module_or_path: '/$wasm' });
    </script>"
[[ "$html" != *data-trunk* ]] || { echo "build.sh: a data-trunk link is left in index.html" >&2; exit 1; }
printf '%s\n' "$html" >"$new/index.html"

# Brotli and gzip siblings, served by negotiation (docs/ARCHITECTURE.md).
# zopfli writes ordinary gzip streams about 5% smaller than `gzip --best`
# (wasm: 796 -> 757 KB) in a few seconds; gzip stays the fallback where it is
# not installed. (brotli's larger window, -w 24, gained nothing: the wasm
# fits the default 4 MB one.)
gz() {
    if command -v zopfli >/dev/null; then zopfli --gzip -c "$1" >"$1.gz"; else gzip --force --best --keep "$1"; fi
}
find "$new" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) \
    -print0 | while IFS= read -r -d '' f; do brotli --force --best --keep "$f"; gz "$f"; done

# Swap the finished directory in whole: a server serving dist never sees a
# half-written one.
rm -rf "$out.old"
[ -d "$out" ] && mv "$out" "$out.old"
mv "$new" "$out"
chmod 755 "$out"
rm -rf "$out.old"
echo "built $out: $(du -b "$out/$wasm" | cut -f1) bytes of wasm"
