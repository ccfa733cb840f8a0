-- The student list's default order (school, grade, class, id) as an index: PostgreSQL then walks the first pages
-- in order and stops, instead of joining, filtering and sorting the whole scope for every page (measured on the
-- demo county: page 1 from 76 ms to 1.4 ms, page 100 to 12 ms; docs/benchmarks.md).
CREATE INDEX enrolment_list_order ON enrolment (school_code, grade, class_name, id);
