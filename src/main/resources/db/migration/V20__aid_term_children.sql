-- How many children of the term hold at least one item: with the 应助尽助 list, the term's coverage rate.
ALTER TABLE aid_term ADD COLUMN children INT NOT NULL DEFAULT 0;
