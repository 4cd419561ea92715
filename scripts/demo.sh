#!/usr/bin/env bash
# Builds Maillage (release) and serves it on SQLite with the demo data.
# Usage: scripts/demo.sh            (http://127.0.0.1:3000)
#        PORT=8080 scripts/demo.sh
set -euo pipefail
# The server of Cargo.toml's `demo` profile (its own crates at opt-level 0, the
# dependencies at 1): minutes less to compile than server-release, for a first
# look; MAILLAGE_SERVER_PROFILE=server-release
# builds the production one.
export MAILLAGE_SERVER_PROFILE="${MAILLAGE_SERVER_PROFILE:-demo}"
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_reference_data
"$ROOT/scripts/build.sh"

export DATABASE_URL="${DATABASE_URL:-sqlite://data/maillage.db?mode=rwc}"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:${PORT:-3000}}"
# The name on the pages shared with partners.
export STRUCTURE_NAME="${STRUCTURE_NAME:-Saint-Flour Communauté}"
BIN="$(server_binary)"

say "Données de démonstration"
"$BIN" demo

say "Démarrage"
echo "Ouvrez http://$LEPTOS_SITE_ADDR/connexion et connectez-vous avec l'un des comptes ci-dessus."
echo "(Ctrl+C pour arrêter)"
exec "$BIN" serve
