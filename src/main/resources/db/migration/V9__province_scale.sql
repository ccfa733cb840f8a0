-- A re-run compares the round's new entries with its previous ones in SQL (a province round has ~1M entries, too
-- many to hold in memory); while the new ones are written, the previous ones wait here, keyed like ident_entry.
CREATE TABLE ident_entry_before (
    round_id     BIGINT      NOT NULL REFERENCES ident_round (id),
    person_id    BIGINT      NOT NULL,
    name         VARCHAR(50) NOT NULL,
    village_code CHAR(12),
    school_code  VARCHAR(10) NOT NULL,
    level        VARCHAR(20),
    PRIMARY KEY (round_id, person_id)
);

-- Record linkage blocks on the birth date (and its usual mistypings); at province scale that is a look-up in 11M
-- persons, and the review queue shows each pair's candidates by the same key.
CREATE INDEX person_birth_date ON person (birth_date);

-- The derived poverty status moves out of person into a narrow table of its own: writing it for a province's
-- two million roster members rewrote two million wide person rows and all six of their indexes (89 s on
-- PostgreSQL for one UPDATE); two columns and one key take a fraction of that, and reads join it by primary key.
CREATE TABLE person_poverty_status (
    person_id BIGINT      PRIMARY KEY REFERENCES person (id),
    category  VARCHAR(32) NOT NULL
);
INSERT INTO person_poverty_status (person_id, category)
SELECT id, roster_category FROM person WHERE roster_category IS NOT NULL;
DROP INDEX person_roster_category;
ALTER TABLE person DROP COLUMN roster_category;
