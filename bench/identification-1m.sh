#!/usr/bin/env bash
# Identification at 1M+ students on PostgreSQL (docs/benchmarks.md): the demo county plus N extra students
# (default 1,000,000, loaded through the students import API), then one county round — link the roster,
# assess every student, classify, open cases — timed through the API with the heap sampled by jstat, next to a
# plain SQL join of the same two tables (roster members × registry persons on the ID number).
# Needs: target/fuzhi.jar (mvn package -DskipTests), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
HEAP=${HEAP:-1g}
PORT=${PORT:-18083}
OUT=${OUT:-bench-data-ident}
DB=fuzhi_bench_1m
PG="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"

rm -rf "$OUT" && mkdir -p "$OUT"
java -jar target/fuzhi.jar generate --scale county --out "$OUT" --extra-students "$N" > /dev/null
$PG -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
java -Xmx"$HEAP" -jar target/fuzhi.jar --server.port="$PORT" \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB?reWriteBatchedInserts=true" \
  --spring.datasource.username=postgres --spring.datasource.password= --fuzhi.storage.dir="$OUT/files" \
  > "$OUT/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
  kill -0 $APP 2>/dev/null || { echo "app died"; tail -50 "$OUT/app.log"; exit 1; }
  sleep 0.5
done
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"zizhu","password":"Fuzhi@2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
curl -sf -H "Authorization: Bearer $TOKEN" -F "file=@$OUT/students-extra.csv" -F dryRun=false \
  "http://127.0.0.1:$PORT/api/v1/imports/students" | head -c 120; echo
$PG -d $DB -c "ANALYZE"
students=$($PG -d $DB -At -c "SELECT COUNT(*) FROM enrolment WHERE status = 'IN_SCHOOL'")

jstat -gc $APP 250 > "$OUT/jstat.txt" &
JSTAT=$!
out=$(curl -sf -w ' %{time_total}' -X POST "http://127.0.0.1:$PORT/api/v1/identification/rounds" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"benchmark","schoolYear":2027,"term":"AUTUMN","scopeCode":"421182000000"}')
kill $JSTAT 2>/dev/null || true
round_s=${out##* }
peak_mb=$(awk 'NR>1 && $1 ~ /^[0-9.]+$/ { u = $3 + $4 + $6 + $8; if (u > m) m = u } END { printf "%.0f", m / 1024 }' "$OUT/jstat.txt")

j0=$(date +%s.%N)
joined=$($PG -d $DB -At -c "SELECT COUNT(*) FROM roster_member r JOIN person p ON p.id_index = r.id_index
  JOIN enrolment e ON e.person_id = p.id WHERE r.is_current")
j1=$(date +%s.%N)

echo "== results (in-school students: $students, heap limit $HEAP)"
echo "county round (link 15,492 roster members, assess, classify, open cases): ${round_s}s, peak heap in use ${peak_mb} MB"
echo "plain SQL join roster_member x person x enrolment on the ID number: $(echo "$j1 - $j0" | bc)s ($joined rows)"
