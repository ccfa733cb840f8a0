-- Which import retired a roster line: the import's dry run tells what it changes (added, removed, changed). The
-- comparison looks lines up by import and household on both sides, so both are indexed.
ALTER TABLE roster_member ADD COLUMN retired_by VARCHAR(36);
CREATE INDEX roster_member_retired_by ON roster_member (retired_by, household_no);
CREATE INDEX roster_member_import ON roster_member (import_id, household_no);
