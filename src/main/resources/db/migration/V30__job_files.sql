-- A job may leave a file behind (a large export): kept sealed under the files directory, downloaded by the
-- job's owner, and deleted a day later by the job ticker.
ALTER TABLE job ADD COLUMN file_path VARCHAR(500);
ALTER TABLE job ADD COLUMN file_name VARCHAR(300);
ALTER TABLE job ADD COLUMN file_type VARCHAR(120);
