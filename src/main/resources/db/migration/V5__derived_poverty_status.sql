-- A person's poverty status is derived from the roster members linked to them (identification module),
-- replacing the interim "household is flagged on the roster" rule for counting registered poor students.
ALTER TABLE person ADD COLUMN roster_category VARCHAR(32);
CREATE INDEX person_roster_category ON person (roster_category);
