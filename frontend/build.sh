#!/usr/bin/env bash
# Builds the SPA into frontend/dist without trunk: cargo (wasm32, the
# wasm-release profile), wasm-bindgen, wasm-opt -Oz, content-hashed file
# names, and index.html with the loader. Trunk took 11 of a fresh machine's
# 31 minutes to install; these three steps are all `just build-frontend`
# needs (`just dev` still uses trunk for live reload, installed on demand).
#
#   frontend/build.sh [out-dir]      (default frontend/dist)
#
# Needs: npm's binaryen 132 (frontend/node_modules/.bin/wasm-opt; `just
# setup-build` installs it). The wasm splitter and wasm-bindgen are
# crates/spa-build, built here on first use: the libraries of wasm-split-cli
# 0.2.4 (the crate `cargo leptos build --split` uses) and of wasm-bindgen-cli
# 0.2.130 (equal to the crate pin) without their command-line tools' extras.
#
# Split bundle: the `split` feature makes the ticket screen and the rarely
# used pages `#[lazy]` functions (src/app.rs); the splitter, as `cargo leptos
# build --split` does, cuts the linked wasm into the main module and chunks
# that __wasm_split.js fetches on a lazy function's first call.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$here/dist}
target=${CARGO_TARGET_DIR:-$root/target/wasm}
# Absolute: the steps below run cargo from two directories.
mkdir -p "$target" && target=$(cd "$target" && pwd)
profile=wasm-release
export PATH="$here/node_modules/.bin:$HOME/.cargo/bin:$PATH"
die() { echo "build.sh: $*" >&2; exit 1; }

command -v wasm-opt >/dev/null || die "wasm-opt is missing: npm ci in frontend/"

# The wasm tool first (a minute and a half on a fresh machine, nothing when
# built), in the SPA's target dir: a server build running beside this one
# holds the lock of target/, not of this.
(cd "$root" && CARGO_TARGET_DIR="$target" cargo build --locked --quiet --profile spa-build -p lazo-spa-build)
tool="$target/spa-build/lazo-spa-build"

# From frontend/, so its .cargo/config.toml (--cfg erase_components) applies.
# `cargo rustc`: --emit-relocs (the relocations the splitter follows to see
# what each function needs) goes to the final link only, so the dependencies
# keep the build flags they share with trunk and clippy.
(cd "$here" && CARGO_TARGET_DIR="$target" cargo rustc --target wasm32-unknown-unknown \
    --profile "$profile" --bin lazo-frontend --features split -- -C link-arg=--emit-relocs)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/split"
# Writes split/lazo-frontend.wasm (the main module, for wasm-bindgen), one
# split_<name>.wasm per lazy function, chunk_<n>.wasm for code that several
# of them share, and __wasm_split.js, their loader, which imports initSync
# from ./lazo-frontend.js.
"$tool" split "$target/wasm32-unknown-unknown/$profile/lazo-frontend.wasm" "$stage/split" lazo-frontend
chunks=()
for f in "$stage"/split/*.wasm; do
    [ "$(basename "$f")" = lazo-frontend.wasm ] || chunks+=("$f")
done
[ -f "$stage/split/__wasm_split.js" ] && [ "${#chunks[@]}" -gt 0 ] ||
    die "the splitter wrote no chunks (was the wasm linked with --emit-relocs?)"
# --keep-lld-exports: the main module keeps the exports the chunks import.
"$tool" bindgen "$stage/split/lazo-frontend.wasm" "$stage" lazo-frontend
grep -q 'from "./__wasm_split.js"' "$stage/lazo-frontend.js" ||
    die "lazo-frontend.js does not import ./__wasm_split.js"
# Debian's binaryen 108 silently breaks the bundle; npm's 132 is on PATH first.
# --low-memory-unused: nothing lives below address 1024 (rustc puts the stack
# first, growing down from 1 MB, then the data), so wasm-opt may fold constant
# offsets into loads and stores: 5 KB less brotli, as Emscripten does by default.
for f in "$stage/lazo-frontend_bg.wasm" "${chunks[@]}"; do
    wasm-opt -Oz --low-memory-unused --output="$stage/opt.wasm" "$f"
    mv "$stage/opt.wasm" "$f"
done

# Hashed names: the server sends them with `Cache-Control: immutable`, so a
# name must change whenever the content does.
hash() { sha256sum "$1" | cut -c1-16; }
mkdir -p "$root/target"
new=$(mktemp -d "$root/target/.dist-XXXXXX")
trap 'rm -rf "$stage" "$new"' EXIT
# Chunks: named by their content, and __wasm_split.js fetches those names.
loader=$(<"$stage/split/__wasm_split.js")
declare -A hashed
for f in "${chunks[@]}"; do
    stem=$(basename "$f" .wasm)
    name="$stem-$(hash "$f").wasm"
    [[ "$loader" == *"\"./$stem.wasm\""* ]] || die "__wasm_split.js does not fetch ./$stem.wasm"
    loader=${loader//"\"./$stem.wasm\""/"\"./$name\""}
    hashed[$stem]=$name
    cp "$f" "$new/$name"
done
# The ticket screen's files (the shared chunks it needs and its own, as the
# splitter listed them): index.html preloads them when the address is a
# ticket's, so a ticket opened from a link does not wait for the main
# module before they start.
read -r -a ticket_stems < <(sed -n 's/^lazo_ticket //p' "$stage/split/prefetch.txt")
[ "${#ticket_stems[@]}" -gt 0 ] || die "the splitter listed no files for lazo_ticket"
ticket_list=
for stem in "${ticket_stems[@]}"; do
    [ -n "${hashed[$stem]:-}" ] || die "lazo_ticket needs $stem, which the splitter did not write"
    ticket_list+="\"/${hashed[$stem]}\","
done
# The main JS and the loader import each other, so neither name can be the
# hash of the other's final text: both take the hash of both (the loader
# already naming its chunks), which changes whenever either does.
printf '%s\n' "$loader" >"$stage/split/loader.js"
both=$(cat "$stage/lazo-frontend.js" "$stage/split/loader.js" | sha256sum | cut -c1-16)
js="lazo-frontend-$both.js"
split_js="lazo-split-$both.js"
[[ "$loader" == *"from \"./lazo-frontend.js\""* ]] || die "__wasm_split.js does not import ./lazo-frontend.js"
loader=${loader//"from \"./lazo-frontend.js\""/"from \"./$js\""}
printf '%s\n' "$loader" >"$new/$split_js"
main_js=$(<"$stage/lazo-frontend.js")
main_js=${main_js//"from \"./__wasm_split.js\""/"from \"./$split_js\""}
printf '%s\n' "$main_js" >"$new/$js"
wasm="lazo-frontend-$(hash "$stage/lazo-frontend_bg.wasm")_bg.wasm"
css="style-$(hash "$here/style.css").css"
icon="favicon-$(hash "$here/favicon.svg").svg"
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
    <link rel=\"modulepreload\" href=\"/$split_js\" crossorigin=\"anonymous\" />
    <link rel=\"preload\" href=\"/$wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\" />
    <script>
      if (/^\\/tickets\\/(id\\/)?[0-9]+\\/?$/.test(location.pathname))
        [${ticket_list%,}].forEach(function (f) {
          var l = document.createElement(\"link\");
          l.rel = \"preload\"; l.as = \"fetch\"; l.type = \"application/wasm\";
          l.crossOrigin = \"anonymous\"; l.href = f;
          document.head.appendChild(l);
        });
    </script>
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
echo "built $out: $(du -b "$out/$wasm" | cut -f1) bytes of main wasm, chunks:" \
    "$(cd "$out" && for f in *.wasm; do [ "$f" = "$wasm" ] || printf '%s %s ' "$f" "$(du -b "$f" | cut -f1)"; done)"
