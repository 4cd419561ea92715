#!/usr/bin/env bash
# Load test, run on purpose (never in the test suite): the release server on
# a fresh database with the demo data (plus LOAD_SCALE generated projects),
# signed in as the demo officer, at 1, 8, 32 and 128 connections on the
# project page (« project »: the same address, served kept between writes;
# « project-fresh »: a new address each time, always rendered), the project
# list, the dashboard, the shared page, a static
# file, a write (milestone add) on one project and writes spread over eight
# (« writes »). Prints one Markdown row per run:
# requests/s, p50/p95/p99, answers other than 200, timeouts (> 5 s),
# socket errors, the server's CPU time per answer, and its RSS idle, at
# peak and after.
#
# Usage: scripts/load.sh                      (both backends)
#        scripts/load.sh soak                 (memory: LOAD_SOAK_MINUTES, default 30,
#                                              of mixed pages at 32 connections,
#                                              RSS each minute; SQLite unless LOAD_BACKENDS)
#        LOAD_BACKENDS=sqlite LOAD_SECONDS=5 LOAD_LEVELS="8 32" scripts/load.sh
#        LOAD_TARGETS="project dashboard" LOAD_SCALE=0 scripts/load.sh
#        LOAD_BIN=/tmp/maillage-before LOAD_NO_BUILD=1 scripts/load.sh   (another build, for an A/B)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SECONDS_EACH="${LOAD_SECONDS:-10}"
LEVELS="${LOAD_LEVELS:-1 8 32 128}"
SCALE="${LOAD_SCALE:-1000}"
BACKENDS="${LOAD_BACKENDS:-sqlite postgres}"
TARGETS="${LOAD_TARGETS:-project project-fresh list dashboard shared static write writes}"

# The urlencoded form of a milestone added to project $1.
milestone_body() {
  printf 'project_id=%s&form%%5Bkind%%5D=decision&form%%5Btitle%%5D=Charge&form%%5Bdue_date%%5D=2027-06-30&form%%5Bdone_date%%5D=&form%%5Bnote%%5D=' "$1"
}
MODE="${1:-levels}"
SOAK_MINUTES="${LOAD_SOAK_MINUTES:-30}"
[ "$MODE" = soak ] && BACKENDS="${LOAD_BACKENDS:-sqlite}"

ensure_build_tools
ensure_reference_data
command -v wrk >/dev/null || { say "Installation de wrk (Debian)"; apt_install wrk; }
command -v curl >/dev/null || apt_install curl
if [ -z "${LOAD_NO_BUILD:-}" ]; then
  say "Compilation release (scripts/build.sh)"
  "$ROOT/scripts/build.sh" 2>&1 | tail -n 8
fi
BIN="${LOAD_BIN:-$(server_binary)}"
LUA="$ROOT/scripts/load/report.lua"
WORK="$(mktemp -d /tmp/maillage-load.XXXXXX)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
# The CPU time the process has used (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS_PER_SECOND="$(getconf CLK_TCK)"

# Samples the server's RSS every 0.2 s into $WORK/rss until killed.
sample_rss() {
  while kill -0 "$SERVER_PID" 2>/dev/null; do rss_mb "$SERVER_PID" >>"$WORK/rss"; echo >>"$WORK/rss"; sleep 0.2; done
}

run_backend() {
  local backend="$1" url port base
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  base="http://127.0.0.1:$port"
  case "$backend" in
    sqlite) url="sqlite://$WORK/load.db?mode=rwc" ;;
    postgres)
      ensure_postgres
      psql "$PG_ADMIN_URL" -qc 'drop database if exists maillage_load with (force)' -c 'create database maillage_load' >/dev/null
      url="${PG_ADMIN_URL%/*}/maillage_load" ;;
  esac
  say "$backend : données de démonstration (+ $SCALE projets)"
  local scale=()
  [ "$SCALE" != 0 ] && scale=(--scale "$SCALE")
  DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$port" "$BIN" demo "${scale[@]}" >"$WORK/demo.out"
  local share
  share="$(grep -o '/partage/[0-9a-f]*' "$WORK/demo.out" | head -1)"

  # The share page is rate-limited per IP (guessing tokens): lifted here,
  # the load comes from one address.
  DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$ROOT/target/site" \
    SHARE_REQUESTS_PER_IP_PER_MINUTE=100000000 MAX_CONNECTIONS=512 \
    "$BIN" serve >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  curl -fs "$base/healthz" >/dev/null || die "le serveur ne répond pas ($WORK/server.log)"

  local cookie head_cookie project
  cookie="$(login_cookie "$base" "${LOAD_USER:-julien.moreau@cc-demo-maillage.fr}")"
  head_cookie="$(login_cookie "$base" sophie.lambert@cc-demo-maillage.fr)"
  project="$(curl -fs -H "Cookie: $cookie" "$base/projets" | grep -o 'href="/projets/[0-9]*"' | head -1 | grep -o '[0-9]*')"
  [ -n "$project" ] || die "aucun projet dans la liste"
  # The « writes » target spreads its milestones over eight projects.
  local projects
  projects="$(curl -fs -H "Cookie: $cookie" "$base/projets" | grep -o 'href="/projets/[0-9]*"' | grep -o '[0-9]*' | sort -un | head -8 | tr '\n' ' ')"

  local idle; sleep 1; idle="$(rss_mb "$SERVER_PID")"
  if [ "$MODE" = soak ]; then soak "$backend" "$base" "$cookie" "$project" "$share" "$idle"; return 0; fi
  : >"$WORK/rss"; sample_rss & local sampler=$!
  for target in $TARGETS; do
    local path expect=200 method="" body="" bodies="" who="$cookie" unique=""
    case "$target" in
      project) path="/projets/$project" ;;
      # The same page at a new address each time: rendered, never served kept.
      project-fresh) path="/projets/$project"; unique=1 ;;
      list) path="/projets" ;;
      dashboard) path="/tableau-de-bord"; who="$head_cookie" ;;
      shared) path="$share" ;;
      static) path="$(stylesheet_path)" ;;
      write) path="/api/milestones/add"; method=POST
        body="$(milestone_body "$project")" ;;
      writes) path="/api/milestones/add"; method=POST; bodies=""
        for p in $projects; do bodies="$bodies $(milestone_body "$p")"; done ;;
    esac
    for c in $LEVELS; do
      local threads=2; [ "$c" -lt 2 ] && threads=1
      local line before_cpu
      before_cpu="$(cpu_ticks "$SERVER_PID")"
      line="$(LOAD_EXPECT=$expect LOAD_METHOD=$method LOAD_BODY=$body LOAD_BODIES=$bodies LOAD_UNIQUE=$unique \
        wrk -t"$threads" -c"$c" -d"${SECONDS_EACH}s" --timeout 5s -s "$LUA" \
          -H "Cookie: $who" -H "Accept-Encoding: gzip" "$base$path" | grep '^FIGURES' || true)"
      [ -n "$line" ] || die "wrk n'a rien rendu pour $target à $c connexions"
      IFS=$'\t' read -r _ rps p50 p95 p99 bad timeouts sockets total <<<"$line"
      # The server's CPU per answer: steadier than req/s on a machine the
      # load generator shares.
      local cpu
      cpu="$(awk -v t="$(( $(cpu_ticks "$SERVER_PID") - before_cpu ))" -v n="$total" -v hz="$TICKS_PER_SECOND" \
        'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "-" }')"
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$backend" "$target" "$c" "$rps" "$p50" "$p95" "$p99" "$bad" "$timeouts" "$sockets" "$cpu" | tee -a "$WORK/table"
    done
  done
  kill "$sampler" 2>/dev/null || true
  local peak; peak="$(sort -n "$WORK/rss" | tail -1)"
  sleep 10
  local after; after="$(rss_mb "$SERVER_PID")"
  echo "RSS $backend : au repos $idle Mo, pic $peak Mo, 10 s après $after Mo" | tee -a "$WORK/rss-summary"
  { grep -ciE ' (error|panicked)' "$WORK/server.log" || true; } | sed "s/^/Lignes d'erreur dans le journal ($backend) : /"
  grep -iE ' (error|panicked)' "$WORK/server.log" | head -n 5 | cut -c1-400 || true
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  [ "$backend" = postgres ] && psql "$PG_ADMIN_URL" -qc 'drop database if exists maillage_load with (force)' >/dev/null
  return 0
}

# Mixed pages (project, list, dashboard as an officer, shared page, a
# static file) at 32 connections for SOAK_MINUTES, one minute at a time,
# with the RSS after each minute and 30 s after the end.
soak() {
  local backend="$1" base="$2" cookie="$3" project="$4" share="$5" idle="$6" line
  echo "| Minute | req/s | p99 ms | ≠ 200 | délais > 5 s | RSS Mo |"
  echo "|---|---|---|---|---|---|"
  echo "| 0 | | | | | $idle |"
  for minute in $(seq "$SOAK_MINUTES"); do
    line="$(LOAD_PATHS="/projets/$project /projets /tableau-de-bord $share $(stylesheet_path)" \
      wrk -t2 -c32 -d60s --timeout 5s -s "$LUA" \
        -H "Cookie: $cookie" -H "Accept-Encoding: gzip" "$base/" | grep '^FIGURES' || true)"
    IFS=$'\t' read -r _ rps _ _ p99 bad timeouts _ _ <<<"$line"
    echo "| $minute | $rps | $p99 | $bad | $timeouts | $(rss_mb "$SERVER_PID") |"
  done
  sleep 30
  echo "RSS $backend 30 s après la fin : $(rss_mb "$SERVER_PID") Mo (au repos avant : $idle Mo)"
}

# Signs in over HTTP; prints the session cookie as a Cookie header value.
login_cookie() {
  rm -f "$WORK/jar"
  curl -fs -c "$WORK/jar" -o /dev/null --data-urlencode "email=$2" \
    --data-urlencode "password=$(demo_password)" --data-urlencode "next=" "$1/api/auth/login" \
    || die "connexion du compte de démonstration $2 impossible"
  awk '$6 == "maillage_session" { print "maillage_session=" $7 }' "$WORK/jar"
}

demo_password() { grep -o 'mot de passe : [^)]*' "$WORK/demo.out" | head -1 | sed 's/mot de passe : //'; }

: >"$WORK/table"
: >"$WORK/rss-summary"
if [ "$MODE" != soak ]; then
  echo "| Base | Cible | Connexions | req/s | p50 ms | p95 ms | p99 ms | ≠ 200 | délais > 5 s | erreurs socket | CPU serveur ms/req |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
fi
for backend in $BACKENDS; do run_backend "$backend"; done
if [ "$MODE" != soak ]; then
  say "Résumé"
  cat "$WORK/table"
  cat "$WORK/rss-summary"
fi
