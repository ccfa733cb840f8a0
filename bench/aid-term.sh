#!/usr/bin/env bash
# Aid term at province scale on PostgreSQL (issue 11): on the province loaded by bench/province-load.sh and graded
# by bench/province-identification.sh (its last round is taken as final here), the province aid center opens a
# term on that round, generates it (every entry's enrolment re-checked, the catalog applied, entitlements written
# under the once-per-person-item-and-term key, the 应助尽助 list) and allocates it from a central special fund and a
# backstop by the waterfall. Both timed through the API with the heap sampled by jstat; next to them a plain
# INSERT … SELECT of the same entitlement rows into a copy of the table with the same keys, in the same run.
# Needs: target/fuzhi.jar, PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-fuzhi_bench_province}
HEAP=${HEAP:-1g}
PORT=${PORT:-18086}
OUT=${OUT:-bench-data-province}
KEYS=${KEYS:-$OUT/fuzhi-keys.json}
JAR=${JAR:-target/fuzhi.jar}
PG="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -d $DB"
round=$($PG -At -c "SELECT MAX(id) FROM ident_round")
[ -n "$round" ] || { echo "no round: run bench/province-identification.sh first"; exit 1; }
# Generation and allocation are jobs; the API is told to wait for their end (not 202 after 20 s), so that the
# request's time is the work's time.
java -Xmx"$HEAP" ${JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --fuzhi.demo.load=false --fuzhi.jobs.answer-within=3600s \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB?reWriteBatchedInserts=true" \
  --spring.datasource.username=postgres --spring.datasource.password= --fuzhi.storage.dir="$OUT/files" \
  --fuzhi.crypto.keyset-file="$KEYS" > "$OUT/aid-app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
  kill -0 $APP 2>/dev/null || { echo "app died"; tail -50 "$OUT/aid-app.log"; exit 1; }
  sleep 1
done
# Every run starts from no aid data; the round is taken as final (its verification is not what is measured).
$PG <<SQL
-- Emptied, not deleted from: rows written into the free space an earlier run's DELETE left are written where a
-- real term's are not (a real term appends after the terms before it), and cost 2-3 times as much.
TRUNCATE aid_payment, aid_batch_line, aid_batch, aid_ledger, aid_allocation, aid_missed, aid_entitlement,
  aid_request, aid_term, aid_fund;
DROP TABLE IF EXISTS bench_entitlement_copy;
UPDATE ident_round SET stage = 'FINAL' WHERE id = $round;
VACUUM (ANALYZE) aid_ledger, aid_allocation, aid_missed, aid_entitlement, aid_term, aid_fund;
SQL
PROVINCE=$($PG -At -c "SELECT code FROM region WHERE level = 'PROVINCE'")
YEAR=$($PG -At -c "SELECT school_year FROM ident_round WHERE id = $round")
HASH=$(python3 -W ignore -c "import crypt; print(crypt.crypt('Fuzhi@2026', crypt.mksalt(crypt.METHOD_BLOWFISH)))")
$PG -c "INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code)
  VALUES ('sheng-zhongxin', '$HASH', 'benchmark province aid center', 'CENTER', 'REGION', '$PROVINCE')
  ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash"
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"sheng-zhongxin","password":"Fuzhi@2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
api() { curl -sS -w ' %{http_code} %{time_total}' --max-time 3600 -X POST "http://127.0.0.1:$PORT$1" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${2:+-d "$2"}; }
check() { local code=${1% *}; code=${code##* }; [ "$code" = 200 ] || { echo "$2: ${1:0:400}"; tail -30 "$OUT/aid-app.log"; exit 1; }; }
out=$(api /api/v1/aid/funds "{\"code\":\"BENCH-CENTRAL\",\"name\":\"中央专项\",\"kind\":\"CENTRAL_SPECIAL\",\"scopeCode\":\"$PROVINCE\",\"budgetYear\":$YEAR,\"budget\":\"300000000\",\"items\":[\"BOARDING_PRIMARY\",\"DAY_PRIMARY\",\"BOARDING_JUNIOR\",\"DAY_JUNIOR\",\"SENIOR_GRANT\",\"VOC_GRANT\"]}"); check "$out" fund
out=$(api /api/v1/aid/funds "{\"code\":\"BENCH-BACKSTOP\",\"name\":\"兜底\",\"kind\":\"COUNTY_BACKSTOP\",\"scopeCode\":\"$PROVINCE\",\"budgetYear\":$YEAR,\"budget\":\"200000000\"}"); check "$out" fund
out=$(api /api/v1/aid/terms "{\"schoolYear\":$YEAR,\"term\":\"AUTUMN\",\"roundId\":$round,\"scopeCode\":\"$PROVINCE\"}"); check "$out" term
term=$(echo "$out" | sed 's/.*"id":\([0-9]*\).*/\1/' | head -c 20)

jstat -gc $APP 500 > "$OUT/aid-jstat.txt" &
JSTAT=$!
out=$(api /api/v1/aid/terms/$term/generate); check "$out" generate
generate_s=${out##* }
out=$(api /api/v1/aid/terms/$term/allocate); check "$out" allocate
allocate_s=${out##* }
kill $JSTAT 2>/dev/null || true
peak_mb=$(awk 'NR>1 && $1 ~ /^[0-9.]+$/ { u = $3 + $4 + $6 + $8; if (u > m) m = u } END { printf "%.0f", m / 1024 }' "$OUT/aid-jstat.txt")
uncovered=$(echo "$out" | sed 's/.*"uncovered":\([0-9.]*\).*/\1/' | head -c 20)

$PG -c "CREATE TABLE bench_entitlement_copy (LIKE aid_entitlement INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
s=$(date +%s.%N)
copied=$($PG -At -c "WITH c AS (INSERT INTO bench_entitlement_copy SELECT * FROM aid_entitlement WHERE term_id = $term RETURNING 1) SELECT COUNT(*) FROM c")
copy_s=$(echo "$(date +%s.%N) - $s" | bc)
$PG -c "DROP TABLE bench_entitlement_copy"

echo "== results (round $round, $($PG -At -c "SELECT COUNT(*) FROM ident_entry WHERE round_id = $round") entries, heap limit $HEAP)"
$PG -At -F ' ' -c "SELECT 'entitlements:', kind, COUNT(*), SUM(amount) FROM aid_entitlement WHERE term_id = $term GROUP BY kind ORDER BY 2"
$PG -At -F ' ' -c "SELECT 'without aid:', reason, COUNT(*) FROM aid_missed WHERE term_id = $term GROUP BY reason ORDER BY 2"
$PG -At -F ' ' -c "SELECT 'allocated from', f.code, COUNT(*), SUM(a.amount) FROM aid_allocation a JOIN aid_fund f ON f.id = a.fund_id GROUP BY f.code ORDER BY 2"
echo "uncovered: $uncovered"
echo "ledger: $(curl -sf "http://127.0.0.1:$PORT/api/v1/aid/ledger/check" -H "Authorization: Bearer $TOKEN" | head -c 60)"
echo "generate the term (re-check enrolment, apply the catalog, write entitlements and 应助尽助): ${generate_s}s"
echo "allocate it by the waterfall (lines, ledger entries, entitlement totals): ${allocate_s}s"
echo "peak heap in use: ${peak_mb} MB"
echo "plain INSERT … SELECT of the same $copied entitlement rows (same keys), same run: ${copy_s}s"
