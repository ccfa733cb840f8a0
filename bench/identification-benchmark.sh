#!/usr/bin/env bash
# A full identification of the demo county through the API — link the roster, assess every student, classify
# (roster / hardship ledger / dropout cases), diff — timed on H2 and on PostgreSQL:
#   1. POST /api/v1/identification/rounds      a new county round (no earlier round: no diff)
#   2. POST /api/v1/identification/rounds/{id}/rerun   the same round again: diff against the first run
#   3. POST /api/v1/identification/rounds      the next term's round: diff against the first round
# Needs target/fuzhi.jar (mvn package -DskipTests), curl, and for PostgreSQL a local server (trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18082}
DIR=$(mktemp -d)
trap 'kill $APP 2>/dev/null || true; rm -rf "$DIR"' EXIT
APP=0
COUNTY=421182000000

bench() {
  local label=$1; shift
  java -Xmx1g -jar target/fuzhi.jar --server.port="$PORT" --fuzhi.storage.dir="$DIR/files-$label" "$@" \
    > "$DIR/app-$label.log" 2>&1 &
  APP=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
    kill -0 $APP 2>/dev/null || { echo "app died"; tail -40 "$DIR/app-$label.log"; exit 1; }
    sleep 0.5
  done
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d '{"username":"zizhu","password":"Fuzhi@2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  local out t id
  out=$(curl -sf -w ' %{time_total}' -X POST "http://127.0.0.1:$PORT/api/v1/identification/rounds" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"benchmark\",\"schoolYear\":2027,\"term\":\"AUTUMN\",\"scopeCode\":\"$COUNTY\"}")
  t=${out##* }
  id=$(echo "$out" | sed 's/^{"id":\([0-9]*\).*/\1/')
  echo "$label: new county round (link, assess, classify, open cases): ${t} s"
  out=$(curl -sf -w ' %{time_total}' -X POST "http://127.0.0.1:$PORT/api/v1/identification/rounds/$id/rerun?version=0" \
    -H "Authorization: Bearer $token")
  echo "$label: re-run with diff: ${out##* } s"
  out=$(curl -sf -w ' %{time_total}' -X POST "http://127.0.0.1:$PORT/api/v1/identification/rounds" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"benchmark 2\",\"schoolYear\":2028,\"term\":\"SPRING\",\"scopeCode\":\"$COUNTY\"}")
  echo "$label: next term's round with diff against the last one: ${out##* } s"
  curl -sf "http://127.0.0.1:$PORT/api/v1/identification/rounds/$id" -H "Authorization: Bearer $token" \
    | sed 's/.*"summary":\({[^}]*}\).*/  summary: \1/'; echo
  local rss
  rss=$(ps -o rss= -p $APP | tr -d ' ')
  echo "$label: server RSS after the runs: $((rss / 1024)) MB (-Xmx1g)"
  kill $APP
  wait $APP 2>/dev/null || true
}

bench h2 --spring.datasource.url="jdbc:h2:file:$DIR/fuzhi;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
if pg_isready -q -h 127.0.0.1 2>/dev/null; then
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS fuzhi_bench_ident" \
    -c "CREATE DATABASE fuzhi_bench_ident" >/dev/null 2>&1
  bench postgresql --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/fuzhi_bench_ident" \
    --spring.datasource.username=postgres --spring.datasource.password=
else
  echo "postgresql: skipped (no server on 127.0.0.1:5432)"
fi
