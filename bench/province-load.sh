#!/usr/bin/env bash
# Bulk load of the generated province (17 cities, 100 counties, ~10.2M students, ~2M roster members) into
# PostgreSQL for identification benchmarks: the generator's import files are copied into staging tables with COPY
# and moved into the schema with set-based SQL (labels to codes, households and persons joined by number). This is
# a benchmark loader, not an import: it trusts the generator and skips the row checks the import path makes.
# ID numbers and 学籍号 are written in the forms the imports write (ADR 0011): `keys seal-csv` turns each into
# its blind index, sealed value and masked form with the benchmark's own key file ($KEYS, made on first use and
# passed to the app by bench/province-identification.sh), so no clear number reaches the database.
# It ends with a plain SQL join of roster members and enrolled persons on the ID number's index, the baseline that
# a province identification run is compared with.
# Needs: target/fuzhi.jar (mvn package -DskipTests), PostgreSQL on 127.0.0.1:5432 (user postgres, trust).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench-data-province}
DB=${DB:-fuzhi_bench_province}
PORT=${PORT:-18084}
KEYS=${KEYS:-$OUT/fuzhi-keys.json}
PG="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -d $DB"
t() { date +%s.%N; }
since() { echo "$(echo "$(t) - $1" | bc | xargs printf '%.1f')s"; }

if [ ! -f "$OUT/students.csv" ]; then
  s=$(t); java -Xmx256m -jar target/fuzhi.jar generate --scale province --out "$OUT" > /dev/null
  echo "generate: $(since "$s")"
fi
[ -f "$KEYS" ] || java -jar target/fuzhi.jar keys generate --out "$KEYS"
s=$(t)
mkdir -p "$OUT/sealed"
[ -f "$OUT/sealed/roster.csv" ] || {
java -Xmx512m -jar target/fuzhi.jar keys seal-csv --keyset "$KEYS" --in "$OUT/students.csv" \
  --out "$OUT/sealed/students.csv" --columns 学籍号:STUDENT_NO,身份证号:ID_NUMBER
java -Xmx512m -jar target/fuzhi.jar keys seal-csv --keyset "$KEYS" --in "$OUT/households.csv" \
  --out "$OUT/sealed/households.csv" --columns 成员身份证号:ID_NUMBER
java -Xmx512m -jar target/fuzhi.jar keys seal-csv --keyset "$KEYS" --in "$OUT/roster.csv" \
  --out "$OUT/sealed/roster.csv" --columns 成员身份证号:RAW_ID
}
echo "seal the ID numbers of the files (keys seal-csv): $(since "$s")"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
# The schema comes from the application's own migrations: start it once without demo data.
java -jar target/fuzhi.jar --server.port="$PORT" --fuzhi.demo.load=false --fuzhi.storage.dir="$OUT/files" \
  --fuzhi.crypto.keyset-file="$KEYS" \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$DB" --spring.datasource.username=postgres \
  --spring.datasource.password= > "$OUT/app.log" 2>&1 &
APP=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/login"; do
  kill -0 $APP 2>/dev/null || { echo "app died"; tail -30 "$OUT/app.log"; exit 1; }
  sleep 0.5
done
kill $APP; wait $APP 2>/dev/null || true

s=$(t)
$PG <<SQL
CREATE UNLOGGED TABLE stg_region (code text, name text, key_poor text, urc text);
CREATE UNLOGGED TABLE stg_school (code text, name text, type text, region text, parent text, boarding text,
  teachers text, outside text, location text);
CREATE UNLOGGED TABLE stg_member (household_no text, region text, head text, category text, identified text,
  exited text, income text, housing text, name text, id_index text, id_sealed text, id_masked text, relation text,
  gender text, birth text, ethnicity text, disability text, health text);
CREATE UNLOGGED TABLE stg_student (no_index text, no_sealed text, no_masked text, name text, id_index text,
  id_sealed text, id_masked text, gender text, birth text,
  ethnicity text, school text, stage text, grade text, class_name text, boarding text, status text,
  household_no text, relation text, left_behind text, single_parent text, orphan text, disability text);
CREATE UNLOGGED TABLE stg_roster (household_no text, village text, category text, monitoring text, identified text,
  exited text, name text, raw_index text, raw_sealed text, raw_masked text, raw_birth text, relation text,
  gender text, birth text);
\copy stg_region FROM '$OUT/regions.csv' WITH (FORMAT csv, HEADER true)
\copy stg_school FROM '$OUT/schools.csv' WITH (FORMAT csv, HEADER true)
\copy stg_member FROM '$OUT/sealed/households.csv' WITH (FORMAT csv, HEADER true)
\copy stg_student FROM '$OUT/sealed/students.csv' WITH (FORMAT csv, HEADER true)
\copy stg_roster FROM '$OUT/sealed/roster.csv' WITH (FORMAT csv, HEADER true)
SQL
echo "COPY into staging: $(since "$s")"

s=$(t)
$PG <<'SQL'
CREATE TEMP TABLE labels (kind text, label text, code text);
INSERT INTO labels VALUES
 ('stage','学前','KINDERGARTEN'),('stage','小学','PRIMARY'),('stage','初中','JUNIOR'),('stage','普通高中','SENIOR'),
 ('stage','中职','VOCATIONAL'),('stage','高职','HIGHER_VOCATIONAL'),('stage','本科','UNDERGRADUATE'),
 ('stage','研究生','POSTGRADUATE'),
 ('status','在读','IN_SCHOOL'),('status','休学','SUSPENDED'),('status','转出','TRANSFERRED_OUT'),
 ('status','辍学','DROPPED_OUT'),('status','毕业','GRADUATED'),
 ('category','脱贫户','LIFTED'),('category','脱贫不稳定户','UNSTABLE'),('category','边缘易致贫户','MARGINAL'),
 ('category','突发严重困难户','SUDDEN_HARDSHIP'),('category','农村低保户','RURAL_DIBAO'),
 ('category','特困供养','EXTREME_POVERTY'),('category','孤儿/事实无人抚养','ORPHAN'),('category','残疾人家庭','DISABILITY'),
 ('school','幼儿园','KINDERGARTEN'),('school','小学','PRIMARY'),('school','教学点','TEACHING_POINT'),
 ('school','初中','JUNIOR'),('school','九年一贯制学校','NINE_YEAR'),('school','完全中学','COMPLETE_SECONDARY'),
 ('school','普通高中','SENIOR'),('school','中职学校','VOCATIONAL'),('school','高等学校','UNIVERSITY'),
 ('school','特殊教育学校','SPECIAL');

INSERT INTO region (code, name, level, parent_code, path, key_poor_village, urban_rural_class)
SELECT code, name,
  CASE WHEN substr(code,3)='0000000000' THEN 'PROVINCE' WHEN substr(code,5)='00000000' THEN 'CITY'
       WHEN substr(code,7)='000000' THEN 'COUNTY' WHEN substr(code,10)='000' THEN 'TOWNSHIP' ELSE 'VILLAGE' END,
  CASE WHEN substr(code,3)='0000000000' THEN NULL WHEN substr(code,5)='00000000' THEN substr(code,1,2)||'0000000000'
       WHEN substr(code,7)='000000' THEN substr(code,1,4)||'00000000' WHEN substr(code,10)='000' THEN substr(code,1,6)||'000000'
       ELSE substr(code,1,9)||'000' END,
  CASE WHEN substr(code,3)='0000000000' THEN substr(code,1,2) WHEN substr(code,5)='00000000' THEN substr(code,1,4)
       WHEN substr(code,7)='000000' THEN substr(code,1,6) WHEN substr(code,10)='000' THEN substr(code,1,9) ELSE code END,
  key_poor = '是', NULLIF(urc, '')
FROM stg_region;

INSERT INTO school (code, name, school_type, region_code, parent_school_code, boarding, teacher_count, out_of_county, location)
SELECT s.code, s.name, l.code, NULLIF(s.region,''), NULLIF(s.parent,''), s.boarding = '是',
  COALESCE(NULLIF(s.teachers,'')::int, 0), s.outside = '是', NULLIF(s.location,'')
FROM stg_school s JOIN labels l ON l.kind = 'school' AND l.label = s.type;

INSERT INTO household (household_no, region_code, head_name, poverty_category, on_roster, identified_year, exited_year,
  income_per_head, housing_safe)
SELECT DISTINCT ON (m.household_no) m.household_no, m.region, m.head, l.code,
  l.code IN ('LIFTED','UNSTABLE','MARGINAL','SUDDEN_HARDSHIP'), NULLIF(m.identified,'')::int, NULLIF(m.exited,'')::int,
  NULLIF(m.income,'')::numeric, CASE m.housing WHEN '是' THEN TRUE WHEN '否' THEN FALSE END
FROM stg_member m LEFT JOIN labels l ON l.kind = 'category' AND l.label = m.category
ORDER BY m.household_no;

-- Persons in the order an import by county writes them (household by household): the blind index is random, and
-- ordering by it scattered each county's persons over the whole table (the round read 2.5x slower).
INSERT INTO person (id_index, id_masked, name, gender, birth_date, ethnicity, household_id, relation,
  disability, health)
SELECT * FROM (
  SELECT DISTINCT ON (m.id_index) m.id_index, m.id_masked, m.name,
    CASE m.gender WHEN '男' THEN 'M' ELSE 'F' END, m.birth::date AS birth_date, NULLIF(m.ethnicity,''),
    h.id AS hid, NULLIF(m.relation,''), m.disability = '是', NULLIF(m.health,'')
  FROM stg_member m JOIN household h ON h.household_no = m.household_no
  ORDER BY m.id_index) d
ORDER BY d.hid, d.birth_date;

INSERT INTO person (id_index, id_masked, name, gender, birth_date, ethnicity, household_id, relation,
  disability, left_behind, single_parent, orphan)
SELECT s.id_index, s.id_masked, s.name, CASE s.gender WHEN '男' THEN 'M' ELSE 'F' END, s.birth::date, NULLIF(s.ethnicity,''),
  h.id, NULLIF(s.relation,''), s.disability = '是', s.left_behind = '是', s.single_parent = '是', s.orphan = '是'
FROM stg_student s LEFT JOIN household h ON h.household_no = NULLIF(s.household_no,'')
ON CONFLICT (id_index) DO UPDATE SET left_behind = EXCLUDED.left_behind, single_parent = EXCLUDED.single_parent,
  orphan = EXCLUDED.orphan;

-- The sealed values in their side tables (V16), in the order of the rows they belong to.
INSERT INTO person_sealed (person_id, id_sealed)
SELECT p.id, v.id_sealed FROM person p JOIN (
  SELECT DISTINCT ON (id_index) id_index, id_sealed FROM (
    SELECT id_index, id_sealed FROM stg_member UNION ALL SELECT id_index, id_sealed FROM stg_student) a
  ORDER BY id_index) v ON v.id_index = p.id_index
ORDER BY p.id;

-- Enrolments in the order the schools' imports write them (school by school). Joined on the random blind index, the
-- rows came out in no order at all (enrolment.person_id correlation 0.002), a table no import produces; each
-- person-ID part of the round then read pages from the whole table (measured: 136 s against 104 s in school order).
INSERT INTO enrolment (person_id, student_no_index, student_no_masked, school_code, school_region_code, outside_county, stage, grade, class_name,
  boarding, status)
SELECT p.id, s.no_index, s.no_masked, s.school, sc.region_code, sc.out_of_county, st.code, NULLIF(s.grade,'')::int,
  NULLIF(s.class_name,''), s.boarding = '是', ss.code
FROM stg_student s JOIN person p ON p.id_index = s.id_index JOIN school sc ON sc.code = s.school
JOIN labels st ON st.kind = 'stage' AND st.label = s.stage JOIN labels ss ON ss.kind = 'status' AND ss.label = s.status
ORDER BY s.school, st.code, s.grade, s.class_name;

INSERT INTO enrolment_sealed (enrolment_id, student_no_sealed)
SELECT e.id, s.no_sealed FROM enrolment e JOIN stg_student s ON s.no_index = e.student_no_index ORDER BY e.id;

-- The roster keeps the raw ID sealed; the index is of the normalised number (keys seal-csv parses it as the import
-- does), the birth date the one its digits hold.
INSERT INTO roster_member (import_id, source, household_no, village_code, category, monitoring_status, identified_year,
  exited_year, name, id_raw_sealed, id_raw_masked, id_index, gender, birth_date, relation, is_current, imported_at)
SELECT 'bulk', 'POVERTY', r.household_no, r.village, l.code, NULLIF(r.monitoring,''), NULLIF(r.identified,'')::int,
  NULLIF(r.exited,'')::int, replace(r.name,' ',''), r.raw_sealed, r.raw_masked, NULLIF(r.raw_index, ''),
  CASE r.gender WHEN '男' THEN 'M' WHEN '女' THEN 'F' END,
  NULLIF(r.raw_birth, '')::date,
  NULLIF(r.relation,''), TRUE, now()
FROM stg_roster r JOIN labels l ON l.kind = 'category' AND l.label = r.category;

DROP TABLE stg_region, stg_school, stg_member, stg_student, stg_roster;
ANALYZE;
SQL
echo "move into the schema (set-based SQL, indexes and constraints on): $(since "$s")"
# The overview's kept counts (V37) are written by the application's writers; this bulk load bypasses them.
s=$(t)
$PG -f src/main/resources/registry/kept-counts-rebuild.sql
echo "recount the overview's kept counts: $(since "$s")"

$PG -At -c "SELECT 'regions ' || (SELECT COUNT(*) FROM region) || ', schools ' || (SELECT COUNT(*) FROM school)
  || ', households ' || (SELECT COUNT(*) FROM household) || ', persons ' || (SELECT COUNT(*) FROM person)
  || ', students in school ' || (SELECT COUNT(*) FROM enrolment WHERE status = 'IN_SCHOOL')
  || ', roster members ' || (SELECT COUNT(*) FROM roster_member)"
s=$(t)
joined=$($PG -At -c "SELECT COUNT(*) FROM roster_member r JOIN person p ON p.id_index = r.id_index
  JOIN enrolment e ON e.person_id = p.id WHERE r.is_current")
echo "plain SQL join roster_member x person x enrolment on the ID number: $(since "$s") ($joined rows)"
