#!/usr/bin/env bash
# Backup and restore drill (docs/deployment.md): starts the jar on a fresh PostgreSQL database (the demo county
# loads), stops it, backs up the three things a deployment must keep — the database (pg_dump -Fc), the key file
# and the files directory — restores them into a second database and directory, starts the jar on the copy and
# checks that it is the same county: row counts of the main tables, an account signs in, an ID number opens
# (the keys match), and the audit chain verifies against its checkpoint.
# Needs target/fuzhi.jar, curl, python3, pg_dump/pg_restore/psql. Uses the databases fuzhi_backup_src and
# fuzhi_restore (dropped and re-created). About 2 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18092}
DIR=$(mktemp -d)
APP=""
trap '[ -n "$APP" ] && kill $APP 2>/dev/null; rm -rf "$DIR"' EXIT
PG="-h 127.0.0.1 -U postgres"
for db in fuzhi_backup_src fuzhi_restore; do
  psql $PG -qc "DROP DATABASE IF EXISTS $db" >/dev/null
done
psql $PG -qc "CREATE DATABASE fuzhi_backup_src" >/dev/null

start() { # $1 database, $2 directory
  java -jar target/fuzhi.jar --server.port=$PORT \
    --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$1" --spring.datasource.username=postgres \
    --fuzhi.storage.dir="$2/files" --fuzhi.crypto.keyset-file="$2/keys.json" \
    --fuzhi.audit.checkpoint-file="$2/files/audit-checkpoint.log" >> "$DIR/app.log" 2>&1 &
  APP=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/actuator/health/readiness"; do
    kill -0 $APP 2>/dev/null || { echo "FAIL the app did not start"; tail -30 "$DIR/app.log"; exit 1; }
    sleep 0.5
  done
}
stop() { kill $APP; wait $APP 2>/dev/null || true; APP=""; }
counts() {
  psql $PG -d "$1" -tAc "SELECT (SELECT COUNT(*) FROM enrolment) || ' students, ' || (SELECT COUNT(*) FROM person)
    || ' persons, ' || (SELECT COUNT(*) FROM roster_member) || ' roster lines, ' || (SELECT COUNT(*) FROM ident_entry)
    || ' round entries, ' || (SELECT COUNT(*) FROM audit_event) || ' audit events'"
}
check() { # signs in, opens one ID number, verifies the audit chain
  local tok id
  tok=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"zizhu","password":"Fuzhi@2026"}' \
    "http://127.0.0.1:$PORT/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  id=$(psql $PG -d "$1" -tAc "SELECT id FROM enrolment ORDER BY id LIMIT 1")
  curl -sf -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$PORT/api/v1/students/$id/unmask" \
    | python3 -c 'import json,sys,re; d=json.load(sys.stdin); print("ok   an ID number opens with the key file:", bool(re.fullmatch(r"\d{17}[0-9X]", d["idNumber"])))'
  local auditor
  auditor=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"pinggu","password":"Fuzhi@2026"}' \
    "http://127.0.0.1:$PORT/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  curl -sf -H "Authorization: Bearer $auditor" "http://127.0.0.1:$PORT/api/v1/audit-events/verify" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print("ok   audit chain intact:", d.get("intact"), "·", d.get("checked"), "events checked")'
}

T0=$SECONDS
echo "== source: a fresh database with the demo county"
start fuzhi_backup_src "$DIR/src"
check fuzhi_backup_src
stop
SRC=$(counts fuzhi_backup_src)
echo "   $SRC"

echo "== backup: database, key file, files directory"
pg_dump $PG -Fc -f "$DIR/fuzhi.dump" fuzhi_backup_src
mkdir -p "$DIR/backup"
cp "$DIR/src/keys.json" "$DIR/backup/keys.json"
tar -C "$DIR/src" -czf "$DIR/backup/files.tar.gz" files
echo "   dump $(du -h "$DIR/fuzhi.dump" | cut -f1), files $(du -h "$DIR/backup/files.tar.gz" | cut -f1)"

echo "== restore into fuzhi_restore and a new directory"
psql $PG -qc "CREATE DATABASE fuzhi_restore" >/dev/null
pg_restore $PG -d fuzhi_restore --no-owner "$DIR/fuzhi.dump"
mkdir -p "$DIR/restored"
cp "$DIR/backup/keys.json" "$DIR/restored/keys.json"
tar -C "$DIR/restored" -xzf "$DIR/backup/files.tar.gz"
DST=$(counts fuzhi_restore)
[ "$SRC" = "$DST" ] && echo "ok   same rows: $DST" || { echo "FAIL rows differ: $DST"; exit 1; }

echo "== start on the copy"
start fuzhi_restore "$DIR/restored"
check fuzhi_restore
stop
echo "== restore drill passed in $((SECONDS - T0)) s"
