#!/usr/bin/env bash
# Runs the whole test suite, installing whatever is missing:
# fmt, clippy (ssr + hydrate, warnings are errors), unit and integration
# tests on PostgreSQL and SQLite, then the browser tests (Playwright in
# Debian's Chromium) against the release build.
set -euo pipefail
# The browser tests run the server built with the `demo` profile (the same code
# as server-release, less optimised): less compiling in CI.
export MAILLAGE_SERVER_PROFILE="${MAILLAGE_SERVER_PROFILE:-demo}"
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
START=$(date +%s)
LOGS="$ROOT/target/test-logs"
mkdir -p "$LOGS"

# A one-shot CI build gains nothing from incremental caches, which take
# gigabytes of disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

ensure_build_tools
ensure_reference_data
ensure_browser_tools
ensure_python_tools
ensure_postgres
ensure_pg_programs
export TEST_DATABASE_URL="$PG_ADMIN_URL"
# Test databases are dropped by the tests themselves (TestDb's guard; a
# killed run's leftovers by the next run's first test).

say "Formatage (cargo fmt --check)"
cargo fmt --all --check

say "Clippy côté serveur (ssr)"
cargo clippy -p app -p migrations -p server --features app/ssr --all-targets -- -D warnings

say "Clippy côté navigateur (hydrate, wasm32)"
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

say "Dépendances (cargo deny : licences, versions en double, sources ; cargo machete : inutilisées)"
ensure_dependency_checkers
cargo deny --log-level error check bans licenses sources
# The advisory database is a git repository on GitHub: checked whenever it
# can be fetched (not from this build machine, which has no GitHub access).
if cargo deny --log-level error check advisories 2>"$LOGS/deny-advisories.log"; then
  echo "cargo deny advisories : aucune vulnérabilité connue"
elif grep -qiE "failed to (fetch|clone|open)|resolve host|advisory database" "$LOGS/deny-advisories.log"; then
  echo "cargo deny advisories : base RustSec injoignable d'ici, non vérifiée (voir $LOGS/deny-advisories.log)"
else
  cat "$LOGS/deny-advisories.log"; exit 1
fi
cargo machete

say "Tests unitaires et d'intégration (PostgreSQL : ${PG_ADMIN_URL%%@*}@…, SQLite)"
cargo test -p app -p migrations -p server --features app/ssr 2>&1 | tee "$LOGS/cargo-test.log"

say "Compilation (scripts/build.sh, serveur au profil $MAILLAGE_SERVER_PROFILE)"
"$ROOT/scripts/build.sh" 2>&1 | tail -n 12

say "Tests navigateur (Playwright, Chromium Debian)"
(cd end2end && MAILLAGE_BIN="$(server_binary)" npx playwright test 2>&1) | tee "$LOGS/playwright.log"

rust_passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$LOGS/cargo-test.log" | awk '{s+=$4} END {print s+0}')
e2e_passed=$(grep -Eo '^ +[0-9]+ passed' "$LOGS/playwright.log" | awk '{s+=$1} END {print s+0}')
elapsed=$(( $(date +%s) - START ))
echo
echo "Rust : $rust_passed tests, navigateur : $e2e_passed tests, en ${elapsed} s."
echo "suite: $((rust_passed + e2e_passed)) passed, 0 failed"
