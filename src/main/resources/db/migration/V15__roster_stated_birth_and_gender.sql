-- Record linkage uses every field of a roster line (issue 10): the birth date and gender columns as the roster
-- states them, next to those read from the ID number (birth_date and gender keep the ID's where it is valid).
ALTER TABLE roster_member ADD COLUMN stated_birth_date DATE;
ALTER TABLE roster_member ADD COLUMN stated_gender CHAR(1);
