#!/usr/bin/env bash
# Import benchmark on PostgreSQL (docs/benchmarks.md):
#   1. generates the demo county plus N extra students (default 1,000,000) as import CSV files;
#   2. starts Fuzhi on an empty PostgreSQL database: the demo county is loaded through the import path
#      (per-kind rows/s are in the log) and the time to the first login page is measured;
#   3. uploads the N-row students CSV through POST /api/v1/imports/students, sampling the heap with jstat;
#   4. loads the same file with PostgreSQL COPY into a plain table, for comparison.
# Needs: target/fuzhi.jar (mvn package -DskipTests), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
HEAP=${HEAP:-1g}
PORT=${PORT:-18080}
OUT=${OUT:-bench-data}
DB=fuzhi_bench
PG="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"

rm -rf "$OUT" && mkdir -p "$OUT"
java -jar target/fuzhi.jar generate --scale county --out "$OUT" --extra-students "$N"
$PG -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"

start=$(date +%s.%N)
java -Xmx"$HEAP" -jar target/fuzhi.jar --server.port="$PORT" \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB?reWriteBatchedInserts=true" --spring.datasource.username=postgres \
  --spring.datasource.password= --fuzhi.storage.dir="$OUT/files" > "$OUT/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
  kill -0 $APP 2>/dev/null || { echo "app died"; tail -50 "$OUT/app.log"; exit 1; }
  sleep 0.2
done
first_page=$(echo "$(date +%s.%N) - $start" | bc)

TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"zizhu","password":"Fuzhi@2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')

jstat -gc $APP 500 > "$OUT/jstat.txt" &
JSTAT=$!
t0=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $TOKEN" -F "file=@$OUT/students-extra.csv" -F dryRun=false \
  "http://127.0.0.1:$PORT/api/v1/imports/students" > "$OUT/import-result.json"
t1=$(date +%s.%N)
kill $JSTAT 2>/dev/null || true
import_s=$(echo "$t1 - $t0" | bc)
# Peak heap in use = survivor + eden + old generation occupancy (columns S0U S1U EU OU), in MB.
peak_mb=$(awk 'NR>1 && $1 ~ /^[0-9.]+$/ { u = $3 + $4 + $6 + $8; if (u > m) m = u } END { printf "%.0f", m / 1024 }' "$OUT/jstat.txt")

$PG -d $DB -c "CREATE TABLE copy_bench (student_no text, name text, id_number text, gender text, birth_date text,
  ethnicity text, school_code text, stage text, grade text, class_name text, boarding text, status text,
  household_no text, relation text, left_behind text, single_parent text, orphan text, disability text)"
c0=$(date +%s.%N)
$PG -d $DB -c "\\copy copy_bench FROM '$OUT/students-extra.csv' WITH (FORMAT csv, HEADER true)"
c1=$(date +%s.%N)
copy_s=$(echo "$c1 - $c0" | bc)

echo "== results (N=$N, heap limit $HEAP)"
grep -E "Demo import|Demo county" "$OUT/app.log" | sed 's/.*INFO [0-9]* --- \[fuzhi\] \[ *main\] //'
echo "time to first page (fresh PostgreSQL, demo county loaded first): ${first_page}s"
echo "import result: $(cat "$OUT/import-result.json" | head -c 200)"
echo "students import via API: ${import_s}s, $(echo "$N / $import_s" | bc) rows/s, peak heap in use ${peak_mb} MB"
echo "PostgreSQL COPY of the same file: ${copy_s}s, $(echo "$N / $copy_s" | bc) rows/s"
