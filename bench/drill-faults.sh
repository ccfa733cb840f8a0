#!/usr/bin/env bash
# Fault drills for long work (issue 14.3), on PostgreSQL: an import, a round and a roster linkage are each cut
# off by `kill -9` halfway; an import is cut off by a PostgreSQL restart; an import is running when the app is
# stopped gracefully (SIGTERM). After each, the script checks that nothing partial was written, that the job
# shows as failed ("interrupted") once the app is back, and that the same work then runs to the end.
# Needs target/fuzhi.jar (mvn package -DskipTests), curl, python3, psql and the right to restart PostgreSQL.
# Uses (drops and re-creates) the database fuzhi_drill. Prints one line per check; exits non-zero on the first
# that fails. About 6 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18091}
DB=fuzhi_drill
DIR=$(mktemp -d)
BASE="http://127.0.0.1:$PORT"
PG_VERSION=$(ls /etc/postgresql | head -n 1)
APP=""
trap '[ -n "$APP" ] && kill -9 $APP 2>/dev/null; rm -rf "$DIR"' EXIT

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
sql() { psql -h 127.0.0.1 -U postgres -d $DB -tAc "$1"; }
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; tail -30 "$DIR/app.log"; exit 1; }

start() {
  java -Xmx1g -jar target/fuzhi.jar --server.port=$PORT \
    --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB?reWriteBatchedInserts=true" \
    --spring.datasource.username=postgres --fuzhi.storage.dir="$DIR/files" \
    --fuzhi.crypto.keyset-file="$DIR/keys.json" --fuzhi.audit.checkpoint-file="$DIR/checkpoint.log" \
    >> "$DIR/app.log" 2>&1 &
  APP=$!
  local t0=$SECONDS
  until curl -sf -o /dev/null "$BASE/actuator/health/readiness"; do
    kill -0 $APP 2>/dev/null || fail "the app did not start"
    sleep 0.5
  done
  echo "     app up after $((SECONDS - t0)) s"
}
crash() { kill -9 $APP; wait $APP 2>/dev/null || true; APP=""; }
token() {
  curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Fuzhi@2026\"}" \
    "$BASE/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('$1'))"; }
job() { curl -sf -H "Authorization: Bearer $2" "$BASE$1"; }
# Waits until the job's field $3 satisfies the python expression $4 (v is the value), at most $5 seconds.
wait_job() {
  local url=$1 tok=$2 expr=$3 limit=$4 t0=$SECONDS
  while true; do
    local j; j=$(job "$url" "$tok" || echo '{}')
    if echo "$j" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)" 2>/dev/null; then
      echo "$j"; return 0
    fi
    [ $((SECONDS - t0)) -gt "$limit" ] && { echo "$j"; return 1; }
    sleep 0.3
  done
}
students_file() { # $1 rows, $2 school code, $3 first birth year
  python3 - "$1" "$2" "$3" > "$DIR/students.csv" <<'PY'
import sys, datetime
rows, school, year = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print("学籍号,姓名,身份证号,出生日期,学校标识码,学段,年级,学籍状态")
day = datetime.date(year, 1, 1)
for i in range(rows):
    b = day + datetime.timedelta(days=i // 400)
    body = "110102" + b.strftime("%Y%m%d") + "%03d" % (100 + i % 400)
    check = "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]
    n = body + check
    print(f"J{n},演练{i % 97},{n},{b},{school},小学,3,在读")
PY
}
import_async() { # $1 token → job url
  curl -sf -H "Authorization: Bearer $1" -H 'Prefer: respond-async' -F "file=@$DIR/students.csv" \
    "$BASE/api/v1/imports/students" | field url
}

echo "== start on an empty PostgreSQL database (the demo county loads)"
start
SCHOOL=$(sql "SELECT scope_code FROM app_user WHERE username = 'xuexiao'")
XUEXIAO=$(token xuexiao)
ZIZHU=$(token zizhu)

echo "== 1. kill -9 during an import"
students_file 150000 "$SCHOOL" 2014
BEFORE=$(sql "SELECT COUNT(*) FROM enrolment")
URL=$(import_async "$XUEXIAO")
wait_job "$URL" "$XUEXIAO" "d.get('done', 0) >= 20000" 120 >/dev/null || fail "import did not get going"
DONE=$(job "$URL" "$XUEXIAO" | field done)
crash
ok "killed the app with $DONE of 150000 rows checked"
start
T0=$SECONDS
J=$(wait_job "$URL" "$XUEXIAO" "d.get('state') == 'FAILED'" 90) || fail "job not marked failed: $J"
ok "job failed $((SECONDS - T0)) s after the restart: $(echo "$J" | field message)"
[ "$(sql "SELECT COUNT(*) FROM enrolment")" = "$BEFORE" ] && ok "students unchanged ($BEFORE)" || fail "partial import"
[ "$(sql "SELECT status FROM import_job WHERE job_id IS NOT NULL ORDER BY created_at DESC LIMIT 1")" = "FAILED" ] \
  && ok "its import is marked FAILED" || fail "import not marked failed"
URL=$(import_async "$XUEXIAO")
J=$(wait_job "$URL" "$XUEXIAO" "d.get('state') in ('SUCCEEDED','FAILED')" 300)
[ "$(echo "$J" | field state)" = "SUCCEEDED" ] && ok "started again: $(echo "$J" | field summary)" || fail "$J"
[ "$(sql "SELECT COUNT(*) FROM enrolment")" = "$((BEFORE + 150000))" ] && ok "students now $((BEFORE + 150000))" \
  || fail "count after re-import"

echo "== 2. kill -9 during a round"
BODY='{"name":"演练轮次","schoolYear":2031,"term":"AUTUMN","scopeCode":"421182000000"}'
round_async() {
  curl -sf -H "Authorization: Bearer $ZIZHU" -H 'Prefer: respond-async' -H 'Content-Type: application/json' \
    -d "$BODY" "$BASE/api/v1/identification/rounds" | field url
}
URL=$(round_async)
wait_job "$URL" "$ZIZHU" "d.get('state') == 'RUNNING'" 60 >/dev/null || fail "round did not start"
sleep 1.5
PHASE=$(job "$URL" "$ZIZHU" | field phase)
crash
ok "killed the app during the round's phase $PHASE"
start
ZIZHU=$(token zizhu)
J=$(wait_job "$URL" "$ZIZHU" "d.get('state') == 'FAILED'" 90) || fail "round job not failed: $J"
ok "round job failed: $(echo "$J" | field message)"
[ "$(sql "SELECT COUNT(*) FROM ident_round WHERE school_year = 2031")" = "0" ] && ok "no round row left" \
  || fail "a partial round"
URL=$(round_async)
J=$(wait_job "$URL" "$ZIZHU" "d.get('state') in ('SUCCEEDED','FAILED')" 300)
[ "$(echo "$J" | field state)" = "SUCCEEDED" ] && ok "started again: $(echo "$J" | field summary)" || fail "$J"
ok "round entries: $(sql "SELECT COUNT(*) FROM ident_entry e JOIN ident_round r ON r.id = e.round_id WHERE r.school_year = 2031")"

echo "== 3. kill -9 during a roster linkage"
LINKS=$(sql "SELECT COUNT(*) || '/' || COALESCE(SUM(CASE WHEN person_id IS NULL THEN 0 ELSE person_id % 1000 END), 0) FROM roster_link")
URL=$(curl -sf -X POST -H "Authorization: Bearer $ZIZHU" -H 'Prefer: respond-async' \
  "$BASE/api/v1/identification/linkage/run" | field url)
wait_job "$URL" "$ZIZHU" "d.get('state') == 'RUNNING'" 60 >/dev/null || fail "linkage did not start"
sleep 0.5
crash
ok "killed the app during the linkage"
start
ZIZHU=$(token zizhu)
J=$(wait_job "$URL" "$ZIZHU" "d.get('state') in ('FAILED','SUCCEEDED')" 90) || fail "linkage job still open: $J"
ok "linkage job: $(echo "$J" | field state) — $(echo "$J" | field message)"
[ "$(sql "SELECT COUNT(*) || '/' || COALESCE(SUM(CASE WHEN person_id IS NULL THEN 0 ELSE person_id % 1000 END), 0) FROM roster_link")" = "$LINKS" ] \
  && ok "links as before ($LINKS)" || fail "links changed by a killed run"

echo "== 4. PostgreSQL restarts during an import"
students_file 150000 "$SCHOOL" 2018
BEFORE=$(sql "SELECT COUNT(*) FROM enrolment")
URL=$(import_async "$XUEXIAO")
wait_job "$URL" "$XUEXIAO" "d.get('done', 0) >= 20000" 120 >/dev/null || fail "import did not get going"
pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main restart
ok "PostgreSQL restarted"
J=$(wait_job "$URL" "$XUEXIAO" "d.get('state') in ('FAILED','SUCCEEDED')" 120) || fail "job still open: $J"
ok "job: $(echo "$J" | field state) — $(echo "$J" | field message)"
[ "$(sql "SELECT COUNT(*) FROM enrolment")" = "$BEFORE" ] && ok "students unchanged ($BEFORE)" || fail "partial import"
curl -sf -o /dev/null "$BASE/actuator/health/readiness" && ok "the app is ready again without a restart" || fail "not ready"
URL=$(import_async "$XUEXIAO")
J=$(wait_job "$URL" "$XUEXIAO" "d.get('state') in ('SUCCEEDED','FAILED')" 300)
[ "$(echo "$J" | field state)" = "SUCCEEDED" ] && ok "started again: $(echo "$J" | field summary)" || fail "$J"

echo "== 5. graceful stop (SIGTERM) during an import"
students_file 150000 "$SCHOOL" 2016
URL=$(import_async "$XUEXIAO")
wait_job "$URL" "$XUEXIAO" "d.get('done', 0) >= 5000" 120 >/dev/null || fail "import did not get going"
T0=$SECONDS
kill -TERM $APP; wait $APP 2>/dev/null || true; APP=""
ok "stopped in $((SECONDS - T0)) s"
STATE=$(sql "SELECT state || ' — ' || COALESCE(message, summary, '') FROM job WHERE id = '${URL##*/}'")
case "$STATE" in
  SUCCEEDED*|FAILED*) ok "job left as: $STATE" ;;
  *) fail "job left open: $STATE" ;;
esac
echo "== all drills passed"
