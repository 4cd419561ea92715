#!/usr/bin/env bash
# The browser's side of performance, run on purpose (never in the suite):
# the release server on a fresh SQLite database with the demo data, then
# end2end/bench/first_load.mjs under Chromium's slow-4G profile, cold and
# warm cache. Figures go to docs/PERFORMANCE.md.
# Usage: scripts/bench-browser.sh   (BENCH_NO_BUILD=1 to reuse the build)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_reference_data
ensure_browser_tools
[ -n "${BENCH_NO_BUILD:-}" ] || "$ROOT/scripts/build.sh"

DIR="$(mktemp -d /tmp/maillage-bench.XXXXXX)"
export DATABASE_URL="sqlite://$DIR/bench.db?mode=rwc"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_SITE_ADDR="127.0.0.1:${BENCH_PORT:-3200}"
export RUST_LOG=warn
BIN="$(server_binary)"
"$BIN" demo >/dev/null
"$BIN" serve & SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -fsS "http://$LEPTOS_SITE_ADDR/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
(cd end2end && node bench/first_load.mjs "http://$LEPTOS_SITE_ADDR")
echo
echo "Fichiers du site (octets, brut / brotli / gzip) :"
for f in "$LEPTOS_SITE_ROOT"/pkg/*.{js,wasm,css}; do
  printf '  %-40s %9d %9d %9d\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(stat -c %s "$f.br")" "$(stat -c %s "$f.gz")"
done
