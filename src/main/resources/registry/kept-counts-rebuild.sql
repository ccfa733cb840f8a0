-- Recounts every cell of the overview's kept counts from the base tables (see V37). Run by the application when a
-- change touches too many schools to recount them one by one, and by bench/province-load.sh after its bulk load.
DELETE FROM registry_student_count;
INSERT INTO registry_student_count (school_code, school_region_code, household_region_code, stage, status, poor, students)
SELECT e.school_code, e.school_region_code, h.region_code, e.stage, e.status, ps.person_id IS NOT NULL, COUNT(*)
FROM enrolment e JOIN person p ON p.id = e.person_id LEFT JOIN household h ON h.id = p.household_id
LEFT JOIN person_poverty_status ps ON ps.person_id = p.id
GROUP BY e.school_code, e.school_region_code, h.region_code, e.stage, e.status, ps.person_id IS NOT NULL;
DELETE FROM registry_household_count;
INSERT INTO registry_household_count (region_code, on_roster, households)
SELECT region_code, on_roster, COUNT(*) FROM household GROUP BY region_code, on_roster;
DELETE FROM registry_county_count;
INSERT INTO registry_county_count (school_region_code, household_region_code, stage, status, poor, students)
SELECT SUBSTRING(school_region_code, 1, 6) || '000000', SUBSTRING(household_region_code, 1, 6) || '000000',
       stage, status, poor, SUM(students)
FROM registry_student_count
GROUP BY SUBSTRING(school_region_code, 1, 6) || '000000', SUBSTRING(household_region_code, 1, 6) || '000000',
         stage, status, poor;
