-- @destructive: drops legacy tables
-- @expand-migration: NONE (fixture)
/* every statement kind the SQL reader maps */
CREATE TABLE "Core"."UserAccount" (
    id serial PRIMARY KEY,
    "Email" varchar(255) NOT NULL UNIQUE,
    org_id integer REFERENCES org (id) ON DELETE CASCADE,
    score int CHECK (score > 0) DEFAULT 0,
    code bigint GENERATED ALWAYS AS IDENTITY,
    total numeric GENERATED ALWAYS AS (score * 2) STORED,
    name text COLLATE "C",
    CONSTRAINT uq_name UNIQUE NULLS NOT DISTINCT (name),
    EXCLUDE USING gist (org_id WITH =)
);
CREATE TABLE IF NOT EXISTS measurements (at timestamptz NOT NULL) PARTITION BY RANGE (at);
DROP TABLE IF EXISTS a, b CASCADE;
ALTER TABLE product RENAME TO item;
ALTER TABLE product
    ADD COLUMN IF NOT EXISTS smile_code text NOT NULL DEFAULT gen_random_uuid(),
    DROP COLUMN legacy_code,
    ALTER COLUMN price TYPE numeric(12, 2) USING price::numeric,
    ALTER COLUMN price SET NOT NULL,
    ALTER COLUMN price DROP NOT NULL,
    ALTER COLUMN price SET DEFAULT 0,
    ALTER COLUMN price DROP DEFAULT;
ALTER TABLE product RENAME COLUMN title TO name;
ALTER TABLE product ADD CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES org (id) NOT VALID;
ALTER TABLE product ADD CONSTRAINT ck_price CHECK (price >= 0) NOT VALID;
ALTER TABLE product ADD CONSTRAINT pk_product PRIMARY KEY USING INDEX product_pkey_idx;
ALTER TABLE product DROP CONSTRAINT IF EXISTS fk_old CASCADE;
ALTER TABLE product VALIDATE CONSTRAINT fk_org;
ALTER TABLE product RENAME CONSTRAINT fk_org TO fk_org2;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "IDX_product_code" ON product USING btree (lower(code) DESC NULLS LAST, org_id text_pattern_ops) INCLUDE (name) WHERE deleted_at IS NULL;
CREATE INDEX ON product (org_id);
DROP INDEX IF EXISTS core.idx_old;
ALTER INDEX idx_a RENAME TO idx_b;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok';
ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
ALTER TYPE mood RENAME TO feeling;
DROP TYPE IF EXISTS feeling;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" SCHEMA public;
DROP EXTENSION IF EXISTS pg_trgm CASCADE;
CREATE SEQUENCE IF NOT EXISTS order_no_seq INCREMENT BY 5 START WITH 100 OWNED BY orders.no;
DROP SEQUENCE order_no_seq;
CREATE OR REPLACE VIEW active_users AS SELECT * FROM users WHERE active;
CREATE MATERIALIZED VIEW stats AS SELECT count(*) FROM users;
DROP MATERIALIZED VIEW stats;
DROP VIEW IF EXISTS active_users;
CREATE SCHEMA IF NOT EXISTS audit;
DROP SCHEMA audit CASCADE;
DROP DATABASE legacy;
TRUNCATE TABLE a, core.b;
DELETE FROM sessions;
DELETE FROM sessions WHERE expires_at < now();
UPDATE users SET active = true;
UPDATE users SET active = false WHERE id = 1;
INSERT INTO settings (key, value) VALUES ('a', 'b');
COMMENT ON COLUMN users.email IS 'login';
COMMENT ON TABLE users IS 'people';
SET lock_timeout = '5s';
SET statement_timeout TO 0;
BEGIN;
COMMIT;
CREATE FUNCTION bump() RETURNS trigger AS $$ BEGIN DROP TABLE users; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER t_bump BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bump();
GRANT SELECT ON users TO reader;
SELECT setval('order_no_seq', 1000)
