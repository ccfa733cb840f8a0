#!/usr/bin/env bash
# Bank files of the province term (issue 11), on PostgreSQL, after bench/aid-term.sh: the generator's payee accounts
# (accounts.csv, sealed like the account import seals them) are loaded; every school's allocated aid is put into one
# approved batch with set-based SQL (a benchmark shortcut: the three people's steps are what the web tests walk, not
# what is measured here); then the province aid center writes the first bank file of every batch through the API
# (`GET /api/v1/aid/batches/{id}/bank-file.csv`, all banks in one file), $PAR requests at a time. The first file of
# a batch fixes its payment lines (one aid_payment row each), opens every card number and writes the CSV.
# Prints the files, lines and seconds, the requests' slowest times and the heap's peak (sampled by jstat).
# Needs: target/fuzhi.jar, PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-fuzhi_bench_province}
HEAP=${HEAP:-1g}
PORT=${PORT:-18087}
PAR=${PAR:-2}
OUT=${OUT:-bench-data-province}
KEYS=${KEYS:-$OUT/fuzhi-keys.json}
JAR=${JAR:-target/fuzhi.jar}
PG="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -d $DB"
t() { date +%s.%N; }
since() { echo "$(t) - $1" | bc | xargs printf '%.1f'; }

term=$($PG -At -c "SELECT MAX(id) FROM aid_term WHERE status = 'ALLOCATED'")
[ -n "$term" ] || { echo "no allocated term: run bench/aid-term.sh first"; exit 1; }
[ -f "$OUT/sealed/accounts.csv" ] || java -Xmx512m -jar "$JAR" keys seal-csv --keyset "$KEYS" \
  --in "$OUT/accounts.csv" --out "$OUT/sealed/accounts.csv" --columns 学生身份证号:ID_NUMBER,账号:BANK_ACCOUNT

s=$(t)
$PG <<SQL
DELETE FROM aid_payment; DELETE FROM aid_batch_line; DELETE FROM aid_batch;
DELETE FROM aid_ledger WHERE operation IN ('APPROVE', 'PAY', 'RETURN');
UPDATE aid_entitlement SET status = 'ALLOCATED' WHERE term_id = $term AND status IN ('APPROVED', 'PAID', 'FAILED');
DROP TABLE IF EXISTS stg_account;
CREATE UNLOGGED TABLE stg_account (id_index text, id_sealed text, id_masked text, name text, holder text,
  relation text, type text, bank text, card_index text, card_sealed text, card_masked text);
\copy stg_account FROM '$OUT/sealed/accounts.csv' CSV HEADER
DELETE FROM aid_account;
INSERT INTO aid_account (student_id, holder_name, holder_relation, account_type, bank, card_index, card_sealed,
  card_masked, updated_by, updated_at)
SELECT DISTINCT ON (e.id) e.id, a.holder, CASE a.relation WHEN '本人' THEN 'SELF' ELSE 'GUARDIAN' END,
  CASE a.type WHEN '社保卡' THEN 'SOCIAL_CARD' ELSE 'BANK_CARD' END, a.bank, a.card_index, a.card_sealed,
  a.card_masked, 'bench', now()
FROM stg_account a JOIN person p ON p.id_index = a.id_index JOIN enrolment e ON e.person_id = p.id
ORDER BY e.id;
DROP TABLE stg_account;
-- One approved batch per school of the term's fully allocated cash aid whose children all have an account (the
-- application refuses a bank file with a child missing one); the approval's ledger entries, as approve writes them.
INSERT INTO aid_batch (term_id, school_code, status, lines, total, prepared_by, prepared_at, checked_by, checked_at,
  approved_by, approved_at)
SELECT $term, e.school_code, 'APPROVED', COUNT(*), SUM(e.allocated), 'bench-clerk', now(), 'bench-reviewer', now(),
  'sheng-zhongxin', now()
FROM aid_entitlement e WHERE e.term_id = $term AND e.kind = 'CASH' AND e.status = 'ALLOCATED'
GROUP BY e.school_code
HAVING COUNT(*) = COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM aid_account a WHERE a.student_id = e.student_id));
INSERT INTO aid_batch_line (batch_id, entitlement_id, amount)
SELECT b.id, e.id, e.allocated FROM aid_entitlement e JOIN aid_batch b ON b.term_id = e.term_id
  AND b.school_code = e.school_code
WHERE e.term_id = $term AND e.kind = 'CASH' AND e.status = 'ALLOCATED';
INSERT INTO aid_ledger (fund_id, debit, credit, amount, operation, term_id, actor, at)
SELECT a.fund_id, 'PAYABLE', 'ALLOCATED', SUM(a.amount), 'APPROVE', $term, 'sheng-zhongxin', now()
FROM aid_batch_line l JOIN aid_allocation a ON a.entitlement_id = l.entitlement_id GROUP BY a.fund_id;
UPDATE aid_entitlement SET status = 'APPROVED' WHERE id IN (SELECT entitlement_id FROM aid_batch_line);
VACUUM (ANALYZE) aid_account, aid_batch, aid_batch_line, aid_payment, aid_entitlement;
SQL
echo "accounts loaded and batches made (SQL): $(since "$s")s"

java -Xmx"$HEAP" -jar "$JAR" --server.port="$PORT" --fuzhi.demo.load=false \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB?reWriteBatchedInserts=true" \
  --spring.datasource.username=postgres --spring.datasource.password= --fuzhi.storage.dir="$OUT/files" \
  --fuzhi.crypto.keyset-file="$KEYS" > "$OUT/bank-app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
  kill -0 $APP 2>/dev/null || { echo "app died"; tail -50 "$OUT/bank-app.log"; exit 1; }
  sleep 1
done
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"sheng-zhongxin","password":"Fuzhi@2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
$PG -At -c "SELECT id FROM aid_batch WHERE term_id = $term ORDER BY id" > "$OUT/bank-batches.txt"

jstat -gc $APP 500 > "$OUT/bank-jstat.txt" &
JSTAT=$!
s=$(t)
xargs -P "$PAR" -I{} curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' --max-time 600 \
  -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/aid/batches/{}/bank-file.csv" \
  < "$OUT/bank-batches.txt" > "$OUT/bank-answers.txt"
total_s=$(since "$s")
kill $JSTAT 2>/dev/null || true
peak_mb=$(awk 'NR>1 && $1 ~ /^[0-9.]+$/ { u = $3 + $4 + $6 + $8; if (u > m) m = u } END { printf "%.0f", m / 1024 }' "$OUT/bank-jstat.txt")

echo "== results (term $term, heap limit $HEAP, $PAR requests at a time)"
echo "accounts: $($PG -At -c "SELECT COUNT(*) FROM aid_account")"
$PG -At -F ' ' -c "SELECT 'batches:', COUNT(*), 'lines:', SUM(lines), 'total:', SUM(total) FROM aid_batch WHERE term_id = $term"
$PG -At -F ' ' -c "SELECT 'allocated cash aid left out (a child without an account):', COUNT(*) FROM aid_entitlement WHERE term_id = $term AND kind = 'CASH' AND status = 'ALLOCATED'"
awk '{ n[$1]++; b += $3 } END { for (c in n) printf "HTTP %s: %d files\n", c, n[c]; printf "bytes written: %d\n", b }' "$OUT/bank-answers.txt"
echo "payment lines fixed: $($PG -At -c "SELECT COUNT(*) FROM aid_payment")"
sort -k2 -n "$OUT/bank-answers.txt" | awk '{ t[NR] = $2 } END { printf "request time: median %.3f s, p99 %.3f s, max %.3f s\n", t[int(NR/2)+1], t[int(NR*0.99)], t[NR] }'
lines=$($PG -At -c "SELECT COUNT(*) FROM aid_payment")
echo "all bank files written: ${total_s}s ($(echo "$lines / $total_s" | bc) lines/s)"
echo "peak heap in use: ${peak_mb} MB"
echo "ledger: $(curl -sf "http://127.0.0.1:$PORT/api/v1/aid/ledger/check" -H "Authorization: Bearer $TOKEN" | head -c 60)"
