#!/usr/bin/env bash
# Time from `java -jar` to the first login page on the embedded H2 database: once on an empty database
# (the demo county is generated and imported before the server accepts requests) and once on restart.
# Needs target/fuzhi.jar (mvn package -DskipTests) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
run() {
  local start app
  start=$(date +%s.%N)
  java -jar target/fuzhi.jar --server.port="$PORT" --fuzhi.storage.dir="$DIR/files" \
    --spring.datasource.url="jdbc:h2:file:$DIR/fuzhi;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH" \
    > "$DIR/app-$1.log" 2>&1 &
  app=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
    kill -0 $app 2>/dev/null || { echo "app died"; tail -40 "$DIR/app-$1.log"; exit 1; }
    sleep 0.2
  done
  echo "$1: first page after $(echo "$(date +%s.%N) - $start" | bc) s"
  grep -E "Demo import|Demo county" "$DIR/app-$1.log" | sed 's/.*DemoLoader *: //' || true
  kill $app
  wait $app 2>/dev/null || true
}
run fresh
run restart
