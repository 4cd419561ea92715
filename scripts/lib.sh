# Shared helpers for scripts/demo.sh and scripts/test.sh: install what is
# missing, never rely on anything installed by hand. Sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/target/tools"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

BINARYEN_VERSION="132"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\nERREUR : %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "il faut être root pour : $*"; fi
}

APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The wasm-bindgen version pinned by Cargo.lock (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_build_tools() {
  command -v cargo >/dev/null || die "Rust (cargo) est requis : https://rustup.rs"
  command -v npm >/dev/null || { say "Installation de Node.js et npm"; apt_install nodejs npm; }
  (cd "$ROOT" && rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown) \
    || { say "Ajout de la cible wasm32"; (cd "$ROOT" && rustup target add wasm32-unknown-unknown); }

  # No cargo-leptos: scripts/build.sh does its release build with cargo,
  # wasm-bindgen and wasm-opt, which saves newcomers a 13-minute install.
  # wasm-bindgen-cli is installed by ensure_wasm_bindgen, which build.sh
  # runs beside the server's build.

  # wasm-opt from npm's binaryen: Debian's older binaryen silently breaks hydration.
  if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "Installation de wasm-opt (binaryen $BINARYEN_VERSION, npm)"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
  [ "$(command -v wasm-opt)" = "$TOOLS/node_modules/.bin/wasm-opt" ] || die "wasm-opt attendu dans $TOOLS"
}

ensure_wasm_bindgen() {
  local wbv; wbv="$(wasm_bindgen_version)"
  [ -n "$wbv" ] || die "version de wasm-bindgen introuvable dans Cargo.lock"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbv\$"; then
    say "Installation de wasm-bindgen-cli $wbv (même version que Cargo.lock)"
    # Without --locked: with it, a pinned dependency is missing from the registry.
    # Without default features: they only add TLS (rustls, ring) to the
    # test runner's downloads, which this build never makes.
    cargo install wasm-bindgen-cli --version "$wbv" --force --no-default-features
  fi

}

# The dependency checks of the test suite: cargo-deny (licences, duplicate
# versions, sources, and advisories when its database can be fetched) and
# cargo-machete (dependencies declared but never used), from crates.io.
CARGO_DENY_VERSION="0.20.2"
CARGO_MACHETE_VERSION="0.9.2"
ensure_dependency_checkers() {
  if ! cargo deny --version 2>/dev/null | grep -q " $CARGO_DENY_VERSION\$"; then
    say "Installation de cargo-deny $CARGO_DENY_VERSION (quelques minutes, une seule fois)"
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
  fi
  if ! cargo machete --version 2>/dev/null | grep -q "$CARGO_MACHETE_VERSION"; then
    say "Installation de cargo-machete $CARGO_MACHETE_VERSION"
    cargo install cargo-machete --version "$CARGO_MACHETE_VERSION" --locked
  fi
}

# The official territories (npm @etalab/decoupage-administratif); sets REF_DATA_DIR.
REF_PACKAGE_VERSION="6.0.0"
ensure_reference_data() {
  local pkg="$TOOLS/node_modules/@etalab/decoupage-administratif"
  if ! grep -q "\"version\": \"$REF_PACKAGE_VERSION\"" "$pkg/package.json" 2>/dev/null; then
    say "Installation du référentiel des communes (@etalab/decoupage-administratif $REF_PACKAGE_VERSION)"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent "@etalab/decoupage-administratif@$REF_PACKAGE_VERSION" >/dev/null
  fi
  export REF_DATA_DIR="$pkg/data"
}

# Python tools from PyPI, in a virtualenv under target/tools: icalendar, the
# independent parser the calendar feed tests read their feeds with; aiosmtpd,
# the SMTP server of the mail tests; moto, the S3 server of the bucket tests.
ICALENDAR_VERSION="6.3.1"
AIOSMTPD_VERSION="1.4.6"
MOTO_VERSION="5.2.6"
ensure_python_tools() {
  local py="$TOOLS/python/bin/python"
  if ! "$py" -c "import icalendar, aiosmtpd, moto, sys; sys.exit(icalendar.__version__ != '$ICALENDAR_VERSION' or aiosmtpd.__version__ != '$AIOSMTPD_VERSION' or moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    say "Installation de Python icalendar $ICALENDAR_VERSION, aiosmtpd $AIOSMTPD_VERSION et moto $MOTO_VERSION (PyPI, pour les tests des agendas, des courriels et du stockage S3)"
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv "$TOOLS/python" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$TOOLS/python"; }
    "$TOOLS/python/bin/pip" install --quiet --disable-pip-version-check "icalendar==$ICALENDAR_VERSION" "aiosmtpd==$AIOSMTPD_VERSION" "moto[s3,server]==$MOTO_VERSION"
  fi
  export MAILLAGE_PYTHON="$py"
}

ensure_browser_tools() {
  [ -x /usr/bin/chromium ] || { say "Installation de Chromium (Debian)"; apt_install chromium; }
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
    say "Installation des paquets Node des tests navigateur"
    # The browser is Debian's Chromium: never let Playwright download one.
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

# Sets PG_ADMIN_URL to a PostgreSQL server where we may create databases:
# the given TEST_DATABASE_URL/DATABASE_URL, the local one on 127.0.0.1:5432,
# or a throwaway cluster started here (binaries installed if absent).
PG_THROWAWAY_DIR=""
ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then PG_ADMIN_URL="$TEST_DATABASE_URL"; return; fi
  case "${DATABASE_URL:-}" in postgres*) PG_ADMIN_URL="$DATABASE_URL"; return;; esac
  command -v psql >/dev/null || { say "Installation du client PostgreSQL"; apt_install postgresql-client; }
  if psql "postgres://postgres@127.0.0.1:5432/postgres" -Atqc 'select 1' >/dev/null 2>&1; then
    PG_ADMIN_URL="postgres://postgres@127.0.0.1:5432/postgres"; return
  fi
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    say "Installation de PostgreSQL (binaires)"
    apt_install postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  local port=55432
  PG_THROWAWAY_DIR="$(mktemp -d /tmp/maillage-pg.XXXXXX)"
  say "Démarrage d'un PostgreSQL jetable ($PG_THROWAWAY_DIR, port $port)"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || as_root useradd --system --no-create-home postgres
    chown postgres "$PG_THROWAWAY_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bindir/initdb" -D "$PG_THROWAWAY_DIR/data" --auth=trust -U postgres >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/log" \
    -o "-p $port -k $PG_THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c fsync=off" -w start >/dev/null
  PG_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
  trap stop_postgres EXIT
}

# The PostgreSQL programs the tests run themselves (initdb and pg_ctl for a
# cluster they restart, pg_dump and pg_restore): installs them if absent and
# exports MAILLAGE_PG_BINDIR.
ensure_pg_programs() {
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_dump" ]; then
    say "Installation des programmes PostgreSQL (initdb, pg_ctl, pg_dump)"
    apt_install postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  export MAILLAGE_PG_BINDIR="$bindir"
}

stop_postgres() {
  if [ -n "$PG_THROWAWAY_DIR" ]; then
    local bindir; bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$bindir/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    else
      "$bindir/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_THROWAWAY_DIR"
  fi
}

# The cargo profile of the server scripts/build.sh builds: server-release
# (production, benchmarks) unless the caller chose another; demo.sh and the
# test suite choose `demo` (same code at opt-level 1, half the compiling).
SERVER_PROFILE="${MAILLAGE_SERVER_PROFILE:-server-release}"
export MAILLAGE_SERVER_PROFILE="$SERVER_PROFILE"

# Path of the server binary built by scripts/build.sh.
server_binary() {
  echo "$ROOT/target/$SERVER_PROFILE/maillage"
}

# URL path of the built stylesheet (content-hashed by scripts/build.sh).
stylesheet_path() {
  local hash; hash="$(awk -F': ' '$1 == "css" { print $2 }' "$ROOT/target/$SERVER_PROFILE/hash.txt" 2>/dev/null)"
  if [ -n "$hash" ]; then echo "/pkg/maillage.$hash.css"; else echo "/pkg/maillage.css"; fi
}
