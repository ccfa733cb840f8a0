-- The kept counts again, by county (issue 13.2): the overview and the list total of a county, a city or the province
-- sum these cells instead of the school cells of V37, of which a province holds hundreds of thousands. A cell counts
-- the enrolments by the county where the school stands, the county where the household lives, stage, status and
-- roster status; the codes are a county's code padded to 12 digits, so a scope of a county or wider selects exactly
-- the same enrolments with the same condition as on the school cells. The registry's writers keep both in the same
-- transaction (registry.internal.KeptCounts).
CREATE TABLE registry_county_count (
    school_region_code    CHAR(12),
    household_region_code CHAR(12),
    stage                 VARCHAR(20) NOT NULL,
    status                VARCHAR(20) NOT NULL,
    poor                  BOOLEAN     NOT NULL,
    students              BIGINT      NOT NULL
);
CREATE INDEX registry_county_count_school_region ON registry_county_count (school_region_code);
CREATE INDEX registry_county_count_household_region ON registry_county_count (household_region_code);

INSERT INTO registry_county_count (school_region_code, household_region_code, stage, status, poor, students)
SELECT SUBSTRING(school_region_code, 1, 6) || '000000', SUBSTRING(household_region_code, 1, 6) || '000000',
       stage, status, poor, SUM(students)
FROM registry_student_count
GROUP BY SUBSTRING(school_region_code, 1, 6) || '000000', SUBSTRING(household_region_code, 1, 6) || '000000',
         stage, status, poor;
