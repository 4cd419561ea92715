#!/usr/bin/env bash
# Release build of Maillage without cargo-leptos (a 13-minute install on a
# fresh machine): the browser's wasm, the site's assets with content-hashed
# names and their brotli/gzip copies, then the server.
#
#   target/site/pkg/maillage.<hash>.{js,wasm,css} (+ .br, .gz)
#   target/site/favicon.ico
#   target/$PROFILE/maillage
#   target/$PROFILE/hash.txt   (read by Leptos next to the binary)
#
# PROFILE is server-release unless MAILLAGE_SERVER_PROFILE says otherwise
# (demo.sh and test.sh build `demo`: the same code at opt-level 1).
# The browser's side (wasm-bindgen-cli's install, the wasm, its
# post-processing) runs beside the server's build: each has long stretches
# on one core (the wasm's LTO, the `app` crate's front end) that the other
# fills. Its output goes to target/build-browser.log, shown if it fails.
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

mkdir -p "$ROOT/target"
SITE="$ROOT/target/site"
PKG="$SITE/pkg"
WASM_OUT="$ROOT/target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
SERVER_DIR="$ROOT/target/$SERVER_PROFILE"
STAGE="$(mktemp -d "$ROOT/target/site-stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

# Leptos reads these at compile time (leptos_config's option_env!): the
# server and the wasm must be built with the same ones.
export LEPTOS_OUTPUT_NAME="maillage"
export LEPTOS_SITE_ROOT="target/site"
export LEPTOS_SITE_PKG_DIR="pkg"

browser_side() {
  ensure_wasm_bindgen
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
  printf 'js: %s\nwasm: %s\ncss: %s\n' "$js_hash" "$wasm_hash" "$css_hash" > "$STAGE/hash.txt"
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
}

BROWSER_LOG="$ROOT/target/build-browser.log"
say "Compilation du navigateur (wasm, profil wasm-release), en parallèle : $BROWSER_LOG"
browser_side > "$BROWSER_LOG" 2>&1 &
BROWSER_PID=$!

say "Compilation du serveur (profil $SERVER_PROFILE)"
if ! cargo build -p server --bin maillage --profile "$SERVER_PROFILE" ${MAILLAGE_TIMINGS:+--timings}; then
  kill "$BROWSER_PID" 2>/dev/null || true
  die "la compilation du serveur a échoué"
fi
if ! wait "$BROWSER_PID"; then
  tail -n 40 "$BROWSER_LOG" >&2
  die "la compilation du navigateur a échoué (journal complet : $BROWSER_LOG)"
fi
cp "$STAGE/hash.txt" "$SERVER_DIR/hash.txt"

ls -l "$PKG" | awk 'NR > 1 { printf "  %9d  %s\n", $5, $9 }'
