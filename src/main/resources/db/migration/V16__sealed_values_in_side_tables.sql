-- The sealed ID number and 学籍号 (AES-GCM, base64, ~70 characters) move out of person and enrolment into tables of
-- their own (ADR 0011, "Cost"). They are read only to unmask, to export unmasked and by the linkage's ID
-- comparison, while every round reads person and enrolment row by row: the sealed columns made both tables 1.8x as
-- wide, so far fewer of their pages stayed in memory and the province round went from 112 s to 185 s. The blind
-- index and the masked form stay where they were: look-ups, lists and masked search use them.
CREATE TABLE person_sealed (
    person_id BIGINT       PRIMARY KEY REFERENCES person (id) ON DELETE CASCADE,
    id_sealed VARCHAR(120) NOT NULL
);
INSERT INTO person_sealed (person_id, id_sealed) SELECT id, id_sealed FROM person;
ALTER TABLE person DROP COLUMN id_sealed;

CREATE TABLE enrolment_sealed (
    enrolment_id      BIGINT       PRIMARY KEY REFERENCES enrolment (id) ON DELETE CASCADE,
    student_no_sealed VARCHAR(120) NOT NULL
);
INSERT INTO enrolment_sealed (enrolment_id, student_no_sealed) SELECT id, student_no_sealed FROM enrolment;
ALTER TABLE enrolment DROP COLUMN student_no_sealed;
