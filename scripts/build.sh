#!/usr/bin/env bash
# Release build of Maillage without cargo-leptos (a 13-minute install on a
# fresh machine): the browser's wasm, the site's assets with content-hashed
# names and their brotli/gzip copies, then the server.
#
#   target/site/pkg/maillage.<hash>.{js,wasm,css} (+ .br, .gz)
#   target/site/favicon.ico
#   target/server-release/maillage
#   target/server-release/hash.txt   (read by Leptos next to the binary)
#
# Developers who prefer `cargo leptos watch` keep it: Cargo.toml's
# [[workspace.metadata.leptos]] still describes the same layout (unhashed
# names, which the server also serves when hash.txt is absent).
# Sourced helpers install wasm-bindgen-cli (matching Cargo.lock) and wasm-opt.
# MAILLAGE_TIMINGS=1 adds cargo --timings (reports in target/cargo-timings).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_build_tools

SITE="$ROOT/target/site"
PKG="$SITE/pkg"
WASM_OUT="$ROOT/target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
SERVER_DIR="$ROOT/target/server-release"
STAGE="$(mktemp -d "$ROOT/target/site-stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

# Leptos reads these at compile time (leptos_config's option_env!): the
# server and the wasm must be built with the same ones.
export LEPTOS_OUTPUT_NAME="maillage"
export LEPTOS_SITE_ROOT="target/site"
export LEPTOS_SITE_PKG_DIR="pkg"

say "Compilation du navigateur (wasm, profil wasm-release)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release ${MAILLAGE_TIMINGS:+--timings}

wasm-bindgen --target web --no-typescript --out-dir "$STAGE" --out-name maillage "$WASM_OUT"
# The features rustc enables by default for wasm32-unknown-unknown.
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$STAGE/maillage_bg.wasm" -o "$STAGE/maillage.wasm"
rm "$STAGE/maillage_bg.wasm"
cp style/main.css "$STAGE/maillage.css"

# Content-hashed names: a new build never meets a stale cached file, so the
# server can tell browsers to keep them for a year.
hash_of() { sha256sum "$1" | cut -c1-16; }
js_hash="$(hash_of "$STAGE/maillage.js")"
wasm_hash="$(hash_of "$STAGE/maillage.wasm")"
css_hash="$(hash_of "$STAGE/maillage.css")"
rm -rf "$PKG"
mkdir -p "$PKG"
mv "$STAGE/maillage.js" "$PKG/maillage.$js_hash.js"
mv "$STAGE/maillage.wasm" "$PKG/maillage.$wasm_hash.wasm"
mv "$STAGE/maillage.css" "$PKG/maillage.$css_hash.css"
[ -d "$STAGE/snippets" ] && mv "$STAGE/snippets" "$PKG/snippets"
cp -r public/. "$SITE/"

# Brotli and gzip copies at their highest levels, made once here rather
# than on every request (node's zlib has both; node is already required).
node - "$PKG" <<'EOF'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
for (const file of walk(process.argv[2])) {
  if (!/\.(js|wasm|css)$/.test(file)) continue;
  const raw = fs.readFileSync(file);
  fs.writeFileSync(file + '.gz', zlib.gzipSync(raw, { level: 9 }));
  fs.writeFileSync(file + '.br', zlib.brotliCompressSync(raw, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }));
}
EOF

say "Compilation du serveur (profil server-release)"
cargo build -p server --bin maillage --profile server-release ${MAILLAGE_TIMINGS:+--timings}
printf 'js: %s\nwasm: %s\ncss: %s\n' "$js_hash" "$wasm_hash" "$css_hash" > "$SERVER_DIR/hash.txt"

ls -l "$PKG" | awk 'NR > 1 { printf "  %9d  %s\n", $5, $9 }'
