-- The poverty status is identification's (derived from the links of current roster lines; the registry only reads
-- it). Each status now names the village whose roster gave it, so a linkage run over an area replaces exactly what
-- that area's roster gave, without reading where the person lives from the registry's tables.
ALTER TABLE person_poverty_status ADD COLUMN village_code CHAR(12);
-- A status no current linked line gives (none should exist) keeps the area the old rule gave it: where the household
-- lives, else where the pupil is taught, so that the kept counts, which include it, stay true.
UPDATE person_poverty_status SET village_code = COALESCE(
    (SELECT MIN(r.village_code) FROM roster_link l JOIN roster_member r ON r.id = l.roster_member_id
     WHERE l.person_id = person_poverty_status.person_id AND l.status = 'LINKED' AND r.is_current),
    (SELECT h.region_code FROM person p JOIN household h ON h.id = p.household_id
     WHERE p.id = person_poverty_status.person_id),
    (SELECT MIN(e.school_region_code) FROM enrolment e WHERE e.person_id = person_poverty_status.person_id));
-- Left: persons with neither a household nor an enrolment, whom no count includes.
DELETE FROM person_poverty_status WHERE village_code IS NULL;
ALTER TABLE person_poverty_status ALTER COLUMN village_code SET NOT NULL;
CREATE INDEX person_poverty_status_village ON person_poverty_status (village_code);
