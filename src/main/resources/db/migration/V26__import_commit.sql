-- A dry run's rows imported without choosing the file again: the dry run records the import that took its file,
-- so a second click cannot import it twice.
ALTER TABLE import_job ADD COLUMN committed_as VARCHAR(36);
