-- Marquez jobs_symlinks: an index INCLUDE column renamed.
CREATE TABLE jobs (uuid uuid PRIMARY KEY, name text NOT NULL, namespace_name text NOT NULL, lower_name text);
CREATE UNIQUE INDEX jobs_symlinks ON jobs (uuid) INCLUDE (name, namespace_name);
CREATE INDEX jobs_partial ON jobs (namespace_name) WHERE name IS NOT NULL;
CREATE INDEX jobs_expr ON jobs (lower(name));
ALTER TABLE jobs ADD CONSTRAINT jobs_name_check CHECK (name <> '');
CREATE TABLE runs (job_uuid uuid, job_name text, CONSTRAINT runs_job_fk FOREIGN KEY (job_uuid) REFERENCES jobs (uuid));
ALTER TABLE jobs RENAME COLUMN name TO simple_name;
ALTER TABLE jobs RENAME COLUMN uuid TO job_id;
ALTER TABLE runs RENAME COLUMN job_uuid TO job;
