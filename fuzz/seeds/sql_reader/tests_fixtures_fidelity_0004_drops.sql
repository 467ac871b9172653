CREATE TABLE scratch (id int PRIMARY KEY, code text UNIQUE, ref int);
CREATE INDEX scratch_ref_idx ON scratch (ref);
ALTER TABLE scratch DROP COLUMN code;
ALTER TABLE scratch DROP COLUMN ref;
CREATE TABLE gone (id serial PRIMARY KEY);
DROP TABLE gone;
ALTER TABLE "customer" ALTER COLUMN "name" SET NOT NULL;
ALTER TABLE "order" ALTER COLUMN "total" TYPE numeric(14,2);
