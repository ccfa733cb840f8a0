-- Scope of import reports, one open dropout case per child, one round per area and term.

-- The importer's scope, and the region it belongs to (a school user's: the school's), so that an aid center reads
-- the import reports of its own area only — its schools' too. Earlier reports get their importer's present scope.
ALTER TABLE import_job ADD COLUMN scope_type VARCHAR(16);
ALTER TABLE import_job ADD COLUMN scope_code VARCHAR(12);
ALTER TABLE import_job ADD COLUMN scope_region CHAR(12);
UPDATE import_job SET scope_type = (SELECT u.scope_type FROM app_user u WHERE u.username = import_job.created_by),
                      scope_code = (SELECT u.scope_code FROM app_user u WHERE u.username = import_job.created_by);
UPDATE import_job SET scope_region = scope_code WHERE scope_type = 'REGION';
UPDATE import_job SET scope_region = (SELECT s.region_code FROM school s WHERE s.code = import_job.scope_code)
WHERE scope_type = 'SCHOOL';
CREATE INDEX import_job_region ON import_job (scope_region, created_at);

-- While a case is open it holds the child's key (the registry person, or the roster family and name for a child
-- the registry does not know); closing clears it. A unique index then makes a second open case impossible, also
-- when a re-imported roster gives the same child a new roster member row. (H2 has no partial index.)
ALTER TABLE dropout_case ADD COLUMN open_key VARCHAR(120);
UPDATE dropout_case SET open_key = CASE WHEN person_id IS NOT NULL THEN 'P:' || CAST(person_id AS VARCHAR(20))
    ELSE 'H:' || (SELECT m.household_no FROM roster_member m WHERE m.id = dropout_case.roster_member_id) || ':' || name
         || ':' || CAST(birth_date AS VARCHAR(10)) END
WHERE status <> 'CLOSED';
-- Twins the old rule already opened stay open for a person to close, but only the first holds the key.
UPDATE dropout_case SET open_key = NULL
WHERE open_key IS NOT NULL
  AND EXISTS (SELECT 1 FROM dropout_case d WHERE d.open_key = dropout_case.open_key AND d.id < dropout_case.id);
CREATE UNIQUE INDEX dropout_case_open_key ON dropout_case (open_key);

-- Two centers (or two clicks) creating the same round at once: the second insert fails instead of making a twin.
-- Twins the old check let through (it could race) keep a number of their own so that the key can be created; new
-- rounds are all number 0, so a second one for the same area and term is refused.
ALTER TABLE ident_round ADD COLUMN twin_no INT NOT NULL DEFAULT 0;
UPDATE ident_round SET twin_no = (SELECT COUNT(*) FROM ident_round r WHERE r.scope_code = ident_round.scope_code
    AND r.school_year = ident_round.school_year AND r.term = ident_round.term AND r.id < ident_round.id);
CREATE UNIQUE INDEX ident_round_area_term ON ident_round (scope_code, school_year, term, twin_no);

-- The region an audit event belongs to (the actor's region, or the region of the actor's school), so that a
-- center or an evaluator reads the events of its own area only. Not part of the hash: it is derived from the scope.
ALTER TABLE audit_event ADD COLUMN scope_region CHAR(12);
UPDATE audit_event SET scope_region = SUBSTRING(scope, 8, 12) WHERE scope LIKE 'REGION:%';
UPDATE audit_event SET scope_region = (SELECT s.region_code FROM school s WHERE 'SCHOOL:' || s.code = audit_event.scope)
WHERE scope LIKE 'SCHOOL:%';
CREATE INDEX audit_event_region ON audit_event (scope_region, id);
