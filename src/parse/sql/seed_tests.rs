//! Snapshot and behaviour tests of the SQL reader (first written for main's seed reader).

use super::*;
use crate::ir::{Segment, TextMap};
use crate::source::SourceFile;
use std::path::PathBuf;

fn read(sql: &str) -> Vec<Operation> {
    let file = SourceFile::new(PathBuf::from("0001_test.sql"), sql.to_string());
    let map = TextMap::identity(0, sql.len());
    read_statements(
        &SqlInput {
            sql,
            map: &map,
            file: &file,
            dynamic: false,
        },
        &ReadOptions::default(),
    )
}

fn kinds(sql: &str) -> Vec<&'static str> {
    read(sql).iter().map(|o| o.kind.name()).collect()
}

#[test]
fn every_common_statement_maps_to_an_op() {
    let sql = r#"
CREATE TABLE "user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(255) NOT NULL, CONSTRAINT "UQ_e12875dfb3b1d92d7d7c5377e22" UNIQUE ("email"), CONSTRAINT "PK_cace4a159ff9f2512dd42373760" PRIMARY KEY ("id"));
CREATE TYPE "public"."order_status_enum" AS ENUM('pending', 'paid');
ALTER TYPE "public"."order_status_enum" ADD VALUE 'refunded' AFTER 'paid';
ALTER TABLE "order" ADD "note" text, DROP COLUMN "legacy", ALTER COLUMN "total" TYPE numeric(12,2), ALTER COLUMN "note" SET NOT NULL, ALTER COLUMN "note" DROP DEFAULT;
ALTER TABLE "order" ADD CONSTRAINT "FK_1" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE NOT VALID;
ALTER TABLE "order" VALIDATE CONSTRAINT "FK_1";
ALTER TABLE "order" RENAME COLUMN "amount" TO "total";
ALTER TABLE "order" RENAME TO "orders";
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "IDX_x" ON "orders" USING btree (lower("email")) WHERE deleted_at IS NULL;
DROP INDEX "IDX_y";
DROP INDEX CONCURRENTLY "IDX_z";
DROP TABLE IF EXISTS a, b CASCADE;
TRUNCATE "sessions";
DELETE FROM "sessions";
UPDATE "user" SET active = true WHERE id = 1;
INSERT INTO "user"(id) VALUES (gen_random_uuid());
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE SEQUENCE "order_no_seq";
CREATE VIEW v AS SELECT 1;
CREATE SCHEMA IF NOT EXISTS audit;
DROP SCHEMA legacy CASCADE;
COMMENT ON COLUMN "user"."email" IS 'login';
SET lock_timeout = '5s';
CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DROP TABLE x; RETURN NEW; END $$ LANGUAGE plpgsql;
DO $$ BEGIN ALTER TABLE t RENAME COLUMN a TO b; END $$;
"#;
    insta::assert_yaml_snapshot!(read(sql)
        .iter()
        .map(|o| (&o.kind, o.span.line))
        .collect::<Vec<_>>());
}

#[test]
fn comments_and_string_values_are_not_operations() {
    assert_eq!(
        kinds("-- DROP TABLE x;\nSELECT 'drop table y'"),
        vec!["other"]
    );
    assert_eq!(kinds("/* DROP TABLE x; */"), Vec::<&str>::new());
}

#[test]
fn last_statement_without_semicolon_is_kept() {
    assert_eq!(
        kinds("CREATE TABLE a (id int); DROP TABLE a"),
        vec!["create_table", "drop_table"]
    );
}

#[test]
fn junk_costs_one_unparsed_op_not_the_file() {
    let sql = "DROP TABLE a;\nDROP TABLE b;\u{a0}";
    assert_eq!(kinds(sql), vec!["drop_table", "drop_table", "unparsed"]);
}

#[test]
fn identifiers_fold_like_postgres() {
    let ops = read(r#"ALTER TABLE Public.UserAccount DROP COLUMN "LegacyCode""#);
    assert_eq!(
        ops[0].kind.object().unwrap(),
        "public.useraccount.LegacyCode"
    );
}

#[test]
fn spans_point_at_the_statement_line_and_column() {
    let ops = read("SELECT 1;\n\n  DROP TABLE t;\n");
    assert_eq!((ops[1].span.line, ops[1].span.column), (3, 3));
    assert_eq!((ops[1].span.end_line, ops[1].span.end_column), (3, 15));
}

#[test]
fn embedded_sql_spans_map_into_the_host_file() {
    // SQL assembled from a string starting at byte 20 of a .ts file.
    let host = "await queryRunner.query(`ALTER TABLE t\n  DROP COLUMN c`);";
    let file = SourceFile::new(PathBuf::from("1-x.ts"), host.to_string());
    let start = host.find("ALTER").unwrap();
    let sql = "ALTER TABLE t\n  DROP COLUMN c";
    let mut map = TextMap::default();
    map.push(Segment {
        sql_start: 0,
        sql_len: sql.len(),
        file_start: start,
        file_end: start + sql.len(),
        verbatim: true,
    });
    let ops = read_statements(
        &SqlInput {
            sql,
            map: &map,
            file: &file,
            dynamic: false,
        },
        &ReadOptions::default(),
    );
    assert_eq!(ops[0].kind.name(), "drop_column");
    assert_eq!((ops[0].span.line, ops[0].span.column), (1, start + 1));
    assert_eq!(ops[0].span.end_line, 2);
}

#[test]
fn unsupported_schema_changes_are_recognised() {
    assert_eq!(
        kinds("ALTER TABLE t SET SCHEMA archive; ALTER INDEX IF EXISTS a RENAME TO b; ALTER SEQUENCE s RENAME TO s2; REINDEX INDEX a"),
        vec!["rename_table", "rename_index", "alter_sequence", "reindex"]
    );
}
