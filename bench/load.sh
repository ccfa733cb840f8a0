#!/usr/bin/env bash
# Load benchmark (issue 13.1): drives the running application's API with bearer tokens (the dashboard page with a
# session cookie) at 32 and 64 connections for a fixed time per endpoint with wrk, and prints requests/s and
# p50/p95/p99 per endpoint next to a trivial authenticated endpoint of the same app (/api/v1/me) as the ceiling.
#   bash bench/load.sh h2        # the demo county on an embedded H2 database (fresh, in a temporary directory)
#   bash bench/load.sh pg        # the demo county on PostgreSQL (database fuzhi_load, dropped and re-created)
#   BASE=http://127.0.0.1:8080 bash bench/load.sh running   # an application already running (e.g. a province)
# Loopback only; DURATION (default 10 s) per endpoint and connection count; SETTLE (default 0) seconds of rest after
# each row, WARMUP (default 3) seconds of warm-up per endpoint, SKIP (a regular expression) leaves endpoints out. Needs target/fuzhi.jar, wrk, curl,
# python3 (and psql for pg).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-h2}
DURATION=${DURATION:-10}
PORT=${PORT:-18093}
BASE=${BASE:-http://127.0.0.1:$PORT}
DIR=$(mktemp -d)
APP=""
trap '[ -n "$APP" ] && { kill $APP 2>/dev/null; wait $APP 2>/dev/null; }; rm -rf "$DIR"' EXIT
case "$MODE" in
  h2) DB_ARGS=(--spring.datasource.url="jdbc:h2:file:$DIR/fuzhi;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH") ;;
  pg) psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS fuzhi_load" >/dev/null
      psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE fuzhi_load" >/dev/null
      DB_ARGS=(--spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/fuzhi_load?reWriteBatchedInserts=true"
               --spring.datasource.username=postgres) ;;
  running) DB_ARGS=() ;;
  *) echo "usage: $0 h2|pg|running"; exit 2 ;;
esac
if [ "$MODE" != running ]; then
  java -Xmx1g -jar target/fuzhi.jar --server.port=$PORT "${DB_ARGS[@]}" --fuzhi.storage.dir="$DIR/files" \
    --fuzhi.crypto.keyset-file="$DIR/keys.json" --fuzhi.audit.checkpoint-file="$DIR/checkpoint.log" \
    --fuzhi.login.max-failures-per-address=100000 > "$DIR/app.log" 2>&1 &
  APP=$!
  until curl -sf -o /dev/null "$BASE/actuator/health/readiness"; do
    kill -0 $APP 2>/dev/null || { echo "the app did not start"; tail -30 "$DIR/app.log"; exit 1; }
    sleep 0.5
  done
fi
USER_NAME=${LOAD_USER:-zizhu}
TOKEN=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$USER_NAME\",\"password\":\"${LOAD_PASSWORD:-Fuzhi@2026}\"}" \
  "$BASE/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
# A session for the dashboard page, signed in through the form as a browser would.
JAR="$DIR/cookies"
CSRF=$(curl -sf -c "$JAR" "$BASE/login" | python3 -c 'import re,sys; print(re.search(r"name=\"_csrf\"[^>]*value=\"([^\"]+)\"", sys.stdin.read()).group(1))')
curl -sf -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "username=$USER_NAME" \
  --data-urlencode "password=${LOAD_PASSWORD:-Fuzhi@2026}" --data-urlencode "_csrf=$CSRF" "$BASE/login"
SESSION=$(awk '$6 == "SESSION" {print $7}' "$JAR")
get() { curl -sf -H "$AUTH" "$BASE$1"; }
TOTAL=$(get "/api/v1/students?size=20" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
LAST=$(( (TOTAL - 1) / 20 ))
FIRST=$(get "/api/v1/students?size=20" | python3 -c 'import json,sys; d=json.load(sys.stdin)["items"][0]; print(d["id"], d["name"][0])')
STUDENT=${FIRST%% *}
SURNAME=${FIRST##* }
ID_NUMBER=$(curl -sf -X POST -H "$AUTH" "$BASE/api/v1/students/$STUDENT/unmask" | python3 -c 'import json,sys; print(json.load(sys.stdin)["idNumber"])')
ROUND=$(get "/api/v1/identification/rounds" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["id"] if r else "")')
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

ENDPOINTS=(
  "ceiling (GET /api/v1/me)|/api/v1/me|$AUTH"
  "overview|/api/v1/stats/overview|$AUTH"
  "search by surname ($SURNAME)|/api/v1/students?q=$(enc "$SURNAME")&size=20|$AUTH"
  "search by ID number|/api/v1/students?q=$ID_NUMBER&size=20|$AUTH"
  "list, first page|/api/v1/students?page=0&size=20|$AUTH"
  "list, page 100|/api/v1/students?page=100&size=20|$AUTH"
  "list, last page ($LAST)|/api/v1/students?page=$LAST&size=20|$AUTH"
  "student detail|/api/v1/students/$STUDENT|$AUTH"
  "round entries|/api/v1/identification/rounds/$ROUND/entries?page=0&size=100|$AUTH"
  "dashboard page (HTML)|/|Cookie: SESSION=$SESSION"
)
if [ -n "${SKIP:-}" ]; then
  kept=()
  for e in "${ENDPOINTS[@]}"; do [[ "${e%%|*}" =~ $SKIP ]] || kept+=("$e"); done
  ENDPOINTS=("${kept[@]}")
fi
# Warm-up (JIT, caches, pool): every endpoint for a few seconds at 8 connections, not reported.
for e in "${ENDPOINTS[@]}"; do
  IFS='|' read -r name path header <<< "$e"
  wrk -t2 -c8 -d${WARMUP:-3}s --timeout 30s -H "$header" "$BASE$path" > /dev/null 2>&1 || true
done
echo "# $MODE · $(nproc) cores · $TOTAL students in $USER_NAME's scope · wrk ${DURATION}s per row · $(date -u +%F)"
echo
echo "| endpoint | conns | req/s | p50 ms | p95 ms | p99 ms | errors | share of ceiling |"
echo "|---|---|---|---|---|---|---|---|"
for conns in 32 64; do
  CEIL=""
  for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path header <<< "$e"
    out=$(wrk -t2 -c$conns -d${DURATION}s --timeout 30s -H "$header" -s bench/wrk-report.lua "$BASE$path" 2>&1)
    line=$(echo "$out" | grep '^RESULT' || true)
    non2xx=$(echo "$out" | grep -o 'Non-2xx or 3xx responses: [0-9]*' | grep -o '[0-9]*$' || echo 0)
    if [ -z "$line" ]; then
      echo "| $name | $conns | — | — | — | — | wrk failed | |"; continue
    fi
    read -r _ rps p50 p95 p99 _ sockerr _ <<< "$line"
    [ -z "$CEIL" ] && CEIL=$rps
    # An endpoint (or a ceiling) that answered nothing in the time has no share; the table goes on.
    share=$(python3 -c "print(f'{$rps / $CEIL:.2f}' if $CEIL > 0 else '—')")
    echo "| $name | $conns | $rps | $p50 | $p95 | $p99 | ${non2xx:-0} non-2xx, $sockerr socket | $share |"
    # Queries a slow endpoint's abandoned requests left running would be measured with the next row: SETTLE seconds
    # (default 0) let them end first. (The application does not yet cancel a request whose client went away.)
    sleep "${SETTLE:-0}"
  done
done
