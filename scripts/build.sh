#!/usr/bin/env bash
# Release build of Maillage without cargo-leptos (a 13-minute install on a
# fresh machine): the server and the browser's wasm, compiled side by side,
# then the site's assets with content-hashed names and their brotli/gzip
# copies.
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

ensure_build_tools without_wasm_bindgen

SITE="$ROOT/target/site"
PKG="$SITE/pkg"
WASM_OUT="$ROOT/target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
SERVER_DIR="$ROOT/target/server-release"
LOGS="$ROOT/target/build-logs"
mkdir -p "$LOGS"
STAGE="$(mktemp -d "$ROOT/target/site-stage.XXXXXX")"
# A failure stops the compilations still running in the background.
trap 'jobs -p | xargs -r kill 2>/dev/null; rm -rf "$STAGE"' EXIT

# Leptos reads these at compile time (leptos_config's option_env!): the
# server and the wasm must be built with the same ones.
export LEPTOS_OUTPUT_NAME="maillage"
export LEPTOS_SITE_ROOT="target/site"
export LEPTOS_SITE_PKG_DIR="pkg"

# The long compilations run side by side: cargo builds of different
# profiles do not lock each other (nor does `cargo install`, in its own
# directory), and the stretches where one of them uses a single core (the
# app crate's front end, the wasm's link-time optimisation) leave the other
# core to the others. A first build on 2 cores: see docs/PERFORMANCE.md.
wb_pid=""
if ! wasm_bindgen_ready; then
  say "Installation de wasm-bindgen-cli, en arrière-plan ($LOGS/wasm-bindgen.log)"
  install_wasm_bindgen >"$LOGS/wasm-bindgen.log" 2>&1 &
  wb_pid=$!
fi
say "Compilation du navigateur (wasm, profil wasm-release), en arrière-plan ($LOGS/wasm.log)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
  ${MAILLAGE_TIMINGS:+--timings} >"$LOGS/wasm.log" 2>&1 &
wasm_pid=$!

say "Compilation du serveur (profil server-release)"
cargo build -p server --bin maillage --profile server-release ${MAILLAGE_TIMINGS:+--timings}

# Waits for a background step; on failure, shows the end of its log.
finish() {
  local pid="$1" log="$2" what="$3"
  wait "$pid" || { tail -n 40 "$log" >&2; die "$what a échoué (journal : $log)"; }
}
say "Attente de la compilation du navigateur"
finish "$wasm_pid" "$LOGS/wasm.log" "la compilation du navigateur"
[ -z "$wb_pid" ] || finish "$wb_pid" "$LOGS/wasm-bindgen.log" "l'installation de wasm-bindgen-cli"

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

printf 'js: %s\nwasm: %s\ncss: %s\n' "$js_hash" "$wasm_hash" "$css_hash" > "$SERVER_DIR/hash.txt"

ls -l "$PKG" | awk 'NR > 1 { printf "  %9d  %s\n", $5, $9 }'
