#!/usr/bin/env bash
# Province identification on PostgreSQL (docs/benchmarks.md, issue 3): on the province loaded by
# bench/province-load.sh (run it first; it is skipped here when the database is already there), a province aid
# center creates a province round through the API — link the 1.97M roster members, assess the 10.2M students in
# school with the published model, classify, write the entries, open the dropout cases, set up each county's
# verification tasks — and then re-runs it (the same plus the diff against the first run). Both are timed through
# the API with the heap sampled by jstat, next to a plain SQL join of the same tables measured in the same run.
# Needs: target/fuzhi.jar (mvn package -DskipTests), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl,
# python3 (to hash the benchmark account's password).
# PGOPTS: the JDBC URL's options (default reWriteBatchedInserts=true).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-fuzhi_bench_province}
HEAP=${HEAP:-1g}
PORT=${PORT:-18085}
OUT=${OUT:-bench-data-province}
KEYS=${KEYS:-$OUT/fuzhi-keys.json}
PG="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -d $DB"
t() { date +%s.%N; }

if ! psql -h 127.0.0.1 -U postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  bash bench/province-load.sh
fi
mkdir -p "$OUT"
# JAVA_OPTS: e.g. -XX:StartFlightRecording=filename=/tmp/round.jfr to see where the time goes.
java -Xmx"$HEAP" ${JAVA_OPTS:-} -jar "${JAR:-target/fuzhi.jar}" --server.port="$PORT" --fuzhi.demo.load=false \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB?${PGOPTS:-reWriteBatchedInserts=true}" \
  --spring.datasource.username=postgres --spring.datasource.password= --fuzhi.storage.dir="$OUT/files" \
  --fuzhi.crypto.keyset-file="$KEYS" \
  > "$OUT/ident-app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
  kill -0 $APP 2>/dev/null || { echo "app died"; tail -50 "$OUT/ident-app.log"; exit 1; }
  sleep 1
done
# The app has migrated the schema. Every run starts from the loaded data: no rounds, links, cases or derived statuses from an earlier run.
$PG <<'SQL'
DELETE FROM dropout_visit; DELETE FROM dropout_case; DELETE FROM ident_change; DELETE FROM ident_task;
DELETE FROM survey_check; DELETE FROM survey_missing;
DELETE FROM ident_entry; DELETE FROM ident_entry_before WHERE TRUE; DELETE FROM ident_round; DELETE FROM roster_link;
DELETE FROM person_poverty_status;
SQL
PROVINCE=$($PG -At -c "SELECT code FROM region WHERE level = 'PROVINCE'")
HASH=$(python3 -W ignore -c "import crypt; print(crypt.crypt('Fuzhi@2026', crypt.mksalt(crypt.METHOD_BLOWFISH)))")
$PG -c "INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code)
  VALUES ('sheng-zhongxin', '$HASH', 'benchmark province aid center', 'CENTER', 'REGION', '$PROVINCE')
  ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash"

# Dead rows of the previous run's links, statuses and entries out of the way (this machine's PostgreSQL runs with
# autovacuum off; without this each run read through the bloat of all earlier ones and came out slower).
$PG -c "VACUUM (ANALYZE) roster_link, person_poverty_status, ident_entry, ident_entry_before, ident_change, ident_task,
  dropout_case, dropout_visit, person, enrolment, household, roster_member" -c "ANALYZE"
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"sheng-zhongxin","password":"Fuzhi@2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
students=$($PG -At -c "SELECT COUNT(*) FROM enrolment WHERE status = 'IN_SCHOOL'")
members=$($PG -At -c "SELECT COUNT(*) FROM roster_member WHERE is_current")

jstat -gc $APP 500 > "$OUT/jstat.txt" &
JSTAT=$!
# A round is long work: after 20 s the API answers 202 with its job (ADR 0014). The job is followed to its end and
# the round read from its result; the time is from the request to the job's end (polled every half second).
follow() {
  local out=$1 start=$2 code job j
  code=${out% *}; code=${code##* }
  if [ "$code" != 202 ]; then echo "$out"; return; fi
  job=$(echo "$out" | sed 's/.*"id":"\([^"]*\)".*/\1/' | head -c 40)
  while :; do
    j=$(curl -sf "http://127.0.0.1:$PORT/api/v1/jobs/$job" -H "Authorization: Bearer $TOKEN")
    case "$j" in
      *'"state":"SUCCEEDED"'*) break ;;
      *'"state":"FAILED"'*|*'"state":"CANCELLED"'*) echo "${j:0:300} 500 0"; return ;;
    esac
    sleep 0.5
  done
  local took; took=$(echo "$(t) - $start" | bc)
  echo "$(curl -sf "http://127.0.0.1:$PORT$(echo "$j" | sed 's/.*"apiUrl":"\([^"]*\)".*/\1/')" \
    -H "Authorization: Bearer $TOKEN") 200 $took"
}
s=$(t)
out=$(curl -sS -w ' %{http_code} %{time_total}' --max-time 3600 -X POST \
  "http://127.0.0.1:$PORT/api/v1/identification/rounds" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"benchmark\",\"schoolYear\":2027,\"term\":\"AUTUMN\",\"scopeCode\":\"$PROVINCE\"}")
out=$(follow "$out" "$s")
round_s=${out##* }; rest=${out% *}; code=${rest##* }
[ "$code" = 200 ] || { echo "round: HTTP $code ${out:0:300}"; tail -40 "$OUT/ident-app.log"; exit 1; }
id=$(echo "$out" | sed 's/.*"id":\([0-9]*\).*/\1/' | head -c 20)
version=$(echo "$out" | sed 's/.*"version":\([0-9]*\).*/\1/' | head -c 20)
s=$(t)
out=$(curl -sS -w ' %{http_code} %{time_total}' --max-time 3600 -X POST \
  "http://127.0.0.1:$PORT/api/v1/identification/rounds/$id/rerun?version=$version" -H "Authorization: Bearer $TOKEN")
out=$(follow "$out" "$s")
rerun_s=${out##* }; rest=${out% *}; code=${rest##* }
kill $JSTAT 2>/dev/null || true
[ "$code" = 200 ] || { echo "re-run: HTTP $code ${out:0:300}"; tail -40 "$OUT/ident-app.log"; exit 1; }
peak_mb=$(awk 'NR>1 && $1 ~ /^[0-9.]+$/ { u = $3 + $4 + $6 + $8; if (u > m) m = u } END { printf "%.0f", m / 1024 }' "$OUT/jstat.txt")

s=$(t)
joined=$($PG -At -c "SELECT COUNT(*) FROM roster_member r JOIN person p ON p.id_index = r.id_index
  JOIN enrolment e ON e.person_id = p.id WHERE r.is_current")
join_s=$(echo "$(t) - $s" | bc)

# Linkage quality against the generator's truth (not timed): a link is right when it points at the person whose
# ID number the member really has. The truth is sealed like the roster (ADR 0011) and met line by line on the
# household, the masked raw number and its index.
[ -f "$OUT/sealed/roster-truth.csv" ] || java -Xmx512m -jar target/fuzhi.jar keys seal-csv --keyset "$KEYS" \
  --in "$OUT/roster-truth.csv" --out "$OUT/sealed/roster-truth.csv" \
  --columns rosterIdNumber:RAW_ID,trueIdNumber:ID_NUMBER > /dev/null
quality=$($PG -At -F ' ' <<SQL
CREATE TEMP TABLE truth (household_no text, raw_index text, raw_sealed text, raw_masked text, raw_birth text,
  true_index text, true_sealed text, true_masked text, noise text);
\copy truth FROM '$OUT/sealed/roster-truth.csv' WITH (FORMAT csv, HEADER true)
SELECT COUNT(*), COUNT(*) FILTER (WHERE l.status = 'LINKED'),
       COUNT(*) FILTER (WHERE l.status = 'LINKED' AND p.id_index = t.true_index),
       COUNT(*) FILTER (WHERE l.status = 'REVIEW')
FROM roster_member r JOIN truth t ON t.household_no = r.household_no AND t.raw_masked = r.id_raw_masked
  AND COALESCE(t.raw_index, '') = COALESCE(r.id_index, '')
LEFT JOIN roster_link l ON l.roster_member_id = r.id LEFT JOIN person p ON p.id = l.person_id WHERE r.is_current;
SQL
)
read -r q_members q_linked q_right q_review <<< "$quality"

echo "== results ($students students in school, $members roster members, heap limit $HEAP)"
$PG -At -F ' ' -c "SELECT 'links:', status, method, COUNT(*) FROM roster_link GROUP BY status, method ORDER BY 2, 3"
$PG -At -F ' ' -c "SELECT 'entries:', source, COUNT(*) FROM ident_entry WHERE round_id = $id GROUP BY source ORDER BY 2"
$PG -At -F ' ' -c "SELECT 'tasks:', step, COUNT(*) FROM ident_task WHERE round_id = $id GROUP BY step ORDER BY 2"
$PG -At -F ' ' -c "SELECT 'changes of the re-run:', kind, COUNT(*) FROM ident_change WHERE round_id = $id AND run_no = 2 GROUP BY kind ORDER BY 2"
$PG -At -c "SELECT 'dropout cases opened: ' || COUNT(*) FROM dropout_case"
echo "linkage against the truth: $q_members members, $q_linked linked, $q_right of them right, $q_review in review; precision $(echo "scale=4; $q_right / $q_linked" | bc), recall $(echo "scale=4; $q_right / $q_members" | bc)"
echo "province round (link, assess, classify, entries, tasks, cases): ${round_s}s"
echo "re-run of the round (the same plus the diff against the first run): ${rerun_s}s"
echo "peak heap in use: ${peak_mb} MB"
echo "plain SQL join roster_member x person x enrolment on the ID number: ${join_s}s ($joined rows)"
