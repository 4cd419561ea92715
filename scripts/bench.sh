#!/usr/bin/env bash
# Runs the benchmarks on purpose (not part of the test suite) and prints
# Markdown rows to copy into docs/PERFORMANCE.md. Installs the reference
# data if missing; uses PostgreSQL on 127.0.0.1:5432 when it is there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_reference_data
say "Recherche de communes (liste officielle complète)"
cargo bench -p server --bench communes --profile server-release
say "Tableau de bord, liste et fiche projet à 1 000 et 100 000 projets (BENCH_SIZES pour changer)"
cargo bench -p server --bench dashboard --profile server-release
say "Import d'un tableur de 10 000 lignes : aperçu, confirmation, réimport, annulation (BENCH_ROWS pour changer)"
cargo bench -p server --bench import --profile server-release
