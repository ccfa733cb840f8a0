-- Encryption at rest (ADR 0011). Where the clear ID number or 学籍号 stood, its keyed blind index now stands (18
-- characters, so the unique keys, the look-ups and the roster ⋈ registry join keep their columns and indexes);
-- beside it the sealed value (AES-256-GCM, base64) and the masked form that lists show and masked search matches.
-- V14 seals the rows already there and drops the clear columns of what was written as uploaded.
ALTER TABLE person RENAME COLUMN id_number TO id_index;
ALTER TABLE person ADD COLUMN id_sealed VARCHAR(120);
ALTER TABLE person ADD COLUMN id_masked CHAR(18);
CREATE INDEX person_id_masked ON person (id_masked);

ALTER TABLE enrolment RENAME COLUMN student_no TO student_no_index;
ALTER TABLE enrolment ADD COLUMN student_no_sealed VARCHAR(120);
ALTER TABLE enrolment ADD COLUMN student_no_masked VARCHAR(19);

-- Roster and department lists: the index of the normalised number (when the cell held a valid one) and the number
-- as written, sealed, with its masked form for the review queue.
ALTER TABLE roster_member RENAME COLUMN id_number TO id_index;
ALTER TABLE roster_member ADD COLUMN id_raw_sealed VARCHAR(300);
ALTER TABLE roster_member ADD COLUMN id_raw_masked VARCHAR(40);

ALTER TABLE source_list_member RENAME COLUMN id_number TO id_index;
ALTER TABLE source_list_member ADD COLUMN id_raw_sealed VARCHAR(300);
ALTER TABLE source_list_member ADD COLUMN id_raw_masked VARCHAR(40);

-- One value sealed and indexed with the keys the data was written with: a start with other keys stops with a
-- message instead of writing rows no one can find again.
CREATE TABLE key_check (
    id          INT          PRIMARY KEY,
    sealed      VARCHAR(200) NOT NULL,
    index_value CHAR(18)     NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
