-- Which import retired a roster line: the import's dry run tells what it changes (added, removed, changed).
ALTER TABLE roster_member ADD COLUMN retired_by VARCHAR(36);
