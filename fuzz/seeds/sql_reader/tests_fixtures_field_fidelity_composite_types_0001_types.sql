-- Marquez: a composite type used by a view.
CREATE TYPE dataset_name AS (namespace_name varchar(255), name text);
CREATE TYPE "Pair" AS (a int, b numeric(10,2), tags text[], at timestamp with time zone);
CREATE TYPE gone AS (x int);
DROP TYPE gone;
CREATE TABLE datasets (uuid uuid PRIMARY KEY, namespace_name varchar(255), name text, p "Pair");
CREATE VIEW datasets_view AS SELECT uuid, (namespace_name, name)::dataset_name AS fqn FROM datasets;
