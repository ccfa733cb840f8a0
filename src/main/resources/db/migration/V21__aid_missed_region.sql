-- Where the child of a 应助尽助 row lives: the list is read with the same scope as the aid list (the children living
-- in the area and those taught in its schools), so a child living here and taught in another county is seen here.
ALTER TABLE aid_missed ADD COLUMN region_code CHAR(12);
