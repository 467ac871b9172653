-- Marquez: a UNIQUE built from an index (the index takes the constraint's name), later dropped with it.
CREATE TABLE jobs (uuid uuid NOT NULL, namespace_uuid uuid NOT NULL, name text NOT NULL, parent_job_uuid uuid);
CREATE UNIQUE INDEX unique_jobs_namespace_uuid_name_parent ON jobs (name, namespace_uuid, parent_job_uuid);
ALTER TABLE jobs ADD CONSTRAINT unique_jobs_namespace_uuid_name_parent UNIQUE USING INDEX unique_jobs_namespace_uuid_name_parent;
ALTER TABLE jobs DROP CONSTRAINT unique_jobs_namespace_uuid_name_parent;
ALTER TABLE jobs ADD CONSTRAINT unique_jobs_namespace_uuid_name_parent UNIQUE (name, namespace_uuid, parent_job_uuid);
-- A different constraint name renames the index.
CREATE UNIQUE INDEX jobs_uuid_idx ON jobs (uuid);
ALTER TABLE jobs ADD CONSTRAINT jobs_uuid_unique UNIQUE USING INDEX jobs_uuid_idx;
-- PRIMARY KEY USING INDEX sets NOT NULL; without a name the index's name is the constraint's.
CREATE TABLE runs (id int, note text);
CREATE UNIQUE INDEX runs_id_idx ON runs (id);
ALTER TABLE runs ADD PRIMARY KEY USING INDEX runs_id_idx;
-- NULLS NOT DISTINCT carries over; renaming the constraint renames its index, and back.
CREATE TABLE tags (label text);
CREATE UNIQUE INDEX tags_label_idx ON tags (label) NULLS NOT DISTINCT;
ALTER TABLE tags ADD UNIQUE USING INDEX tags_label_idx;
ALTER TABLE tags RENAME CONSTRAINT tags_label_idx TO tags_label_key;
ALTER INDEX tags_label_key RENAME TO tags_label_uq;
