-- The overview's figures (students in school, registered-poor students by stage, households, roster households) and
-- the student list's totals for any scope, from counts kept by the registry's writers in their own transaction
-- (issue 13.2) instead of a count over every enrolment per request. A cell counts the enrolments of one school, where
-- the school stands, where the household lives, stage, status and whether the person is on the poverty roster: any
-- scope's figure is a sum of cells under the same scope condition as the base tables, so it is exact by construction.
CREATE TABLE registry_student_count (
    school_code           CHAR(10)    NOT NULL,
    school_region_code    CHAR(12),
    household_region_code CHAR(12),
    stage                 VARCHAR(20) NOT NULL,
    status                VARCHAR(20) NOT NULL,
    poor                  BOOLEAN     NOT NULL,
    students              BIGINT      NOT NULL
);
CREATE INDEX registry_student_count_school ON registry_student_count (school_code);
CREATE INDEX registry_student_count_school_region ON registry_student_count (school_region_code);
CREATE INDEX registry_student_count_household_region ON registry_student_count (household_region_code);

CREATE TABLE registry_household_count (
    region_code CHAR(12) NOT NULL,
    on_roster   BOOLEAN  NOT NULL,
    households  BIGINT   NOT NULL,
    PRIMARY KEY (region_code, on_roster)
);

-- One row, locked by every writer while it recounts its cells, so that two transactions recounting the same school
-- one after the other never both leave their cells behind.
CREATE TABLE registry_count_lock (
    id INT PRIMARY KEY
);
INSERT INTO registry_count_lock (id) VALUES (1);

INSERT INTO registry_student_count (school_code, school_region_code, household_region_code, stage, status, poor, students)
SELECT e.school_code, e.school_region_code, h.region_code, e.stage, e.status, ps.person_id IS NOT NULL, COUNT(*)
FROM enrolment e JOIN person p ON p.id = e.person_id LEFT JOIN household h ON h.id = p.household_id
LEFT JOIN person_poverty_status ps ON ps.person_id = p.id
GROUP BY e.school_code, e.school_region_code, h.region_code, e.stage, e.status, ps.person_id IS NOT NULL;

INSERT INTO registry_household_count (region_code, on_roster, households)
SELECT region_code, on_roster, COUNT(*) FROM household GROUP BY region_code, on_roster;
