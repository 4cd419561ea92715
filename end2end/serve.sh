#!/usr/bin/env bash
# Started by Playwright: the release binary on a fresh SQLite file with the demo data.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$(mktemp -d /tmp/maillage-e2e.XXXXXX)"
export DATABASE_URL="sqlite://$DIR/e2e.db?mode=rwc"
export DOCUMENTS_DIR="$DIR/documents"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_SITE_ADDR="127.0.0.1:${E2E_PORT:-3100}"
# A generous IP budget: every test logs in from 127.0.0.1.
export LOGIN_ATTEMPTS_PER_IP_PER_MINUTE=1000
# The mail scheduler ticks every two seconds: a reminder reaches the outbox while the test looks.
export MAIL_TICK_SECONDS=2
# Warnings and errors only: a line per request would flood the test log.
export RUST_LOG="${RUST_LOG:-warn}"
BIN="${MAILLAGE_BIN:-$ROOT/target/server-release/maillage}"
export REF_DATA_DIR="${REF_DATA_DIR:-$ROOT/target/tools/node_modules/@etalab/decoupage-administratif/data}"
"$BIN" demo >/dev/null
exec "$BIN" serve
