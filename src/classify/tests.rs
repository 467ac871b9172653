//! One positive and one negative case per op-based rule (squawk's `lint_errors` /
//! `lint_ok` style), over SQL read by the real SQL reader.

use super::*;
use crate::ir::{MigrationFormat, MigrationOrder, Span, TextMap};
use crate::parse::sql::{read_statements, SqlInput};
use crate::parse::ReadOptions;
use crate::source::SourceFile;
use std::path::PathBuf;

fn migration(sql: &str, transactional: bool) -> Migration {
    let file = SourceFile::new(PathBuf::from("0002_test.sql"), sql.to_string());
    let map = TextMap::identity(0, sql.len());
    let up = read_statements(
        &SqlInput {
            sql,
            map: &map,
            file: &file,
            dynamic: false,
        },
        &ReadOptions::default(),
    );
    Migration {
        name: "0002_test".into(),
        version: Some("0002".into()),
        order: MigrationOrder {
            repeatable: false,
            version: vec![2],
            name: "0002_test".into(),
        },
        format: MigrationFormat::SqlPlain,
        file: file.path.clone(),
        span: Span::default(),
        transactional,
        up,
        down: vec![],
        header_comments: vec![],
        comments: vec![],
        read_errors: vec![],
    }
}

/// Rule ids raised by `sql` (in a transactional migration), sorted, deduplicated.
fn lint_errors(sql: &str) -> Vec<String> {
    let mut ids: Vec<String> =
        classify(&migration(sql, true), &RuleSet::builtin(), Severity::Block)
            .findings
            .into_iter()
            .map(|f| f.rule)
            .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn assert_raises(sql: &str, rule: &str) {
    let ids = lint_errors(sql);
    assert!(
        ids.iter().any(|i| i == rule),
        "expected {rule} for {sql:?}, got {ids:?}"
    );
}

fn assert_not_raised(sql: &str, rule: &str) {
    let ids = lint_errors(sql);
    assert!(
        !ids.iter().any(|i| i == rule),
        "did not expect {rule} for {sql:?}, got {ids:?}"
    );
}

#[test]
fn drop_table() {
    assert_raises("DROP TABLE users", "drop-table");
    assert_raises("DO $$ BEGIN DROP TABLE users; END $$", "drop-table");
    assert_not_raised("CREATE TABLE users (id int)", "drop-table");
    assert_not_raised(
        "-- DROP TABLE users\nSELECT 'drop table users'",
        "drop-table",
    );
}

#[test]
fn drop_column() {
    assert_raises("ALTER TABLE u DROP COLUMN legacy", "drop-column");
    assert_not_raised("ALTER TABLE u ADD COLUMN legacy int", "drop-column");
}

#[test]
fn rename_column() {
    assert_raises("ALTER TABLE u RENAME COLUMN a TO b", "rename-column");
    assert_raises(
        "DO $$ BEGIN ALTER TABLE u RENAME a TO b; END $$",
        "rename-column",
    );
    assert_not_raised("ALTER TABLE u RENAME CONSTRAINT a TO b", "rename-column");
}

#[test]
fn rename_table() {
    assert_raises("ALTER TABLE u RENAME TO users", "rename-table");
    assert_raises("ALTER TABLE u SET SCHEMA archive", "rename-table");
    assert_not_raised("ALTER TABLE u RENAME COLUMN a TO b", "rename-table");
}

#[test]
fn drop_schema_database_truncate() {
    assert_raises("DROP SCHEMA legacy CASCADE", "drop-schema");
    assert_not_raised("CREATE SCHEMA legacy", "drop-schema");
    assert_raises("DROP DATABASE app", "drop-database");
    assert_raises("TRUNCATE sessions", "truncate-table");
    assert_not_raised(
        "DELETE FROM sessions WHERE expires < now()",
        "truncate-table",
    );
}

#[test]
fn delete_and_update_without_where() {
    assert_raises("DELETE FROM sessions", "delete-without-where");
    assert_not_raised("DELETE FROM sessions WHERE id = 1", "delete-without-where");
    assert_raises("UPDATE users SET active = true", "update-without-where");
    assert_not_raised(
        "UPDATE users SET active = true WHERE id < 1000",
        "update-without-where",
    );
}

#[test]
fn alter_column_type_and_set_not_null() {
    assert_raises(
        "ALTER TABLE u ALTER COLUMN a TYPE bigint",
        "alter-column-type",
    );
    assert_not_raised(
        "ALTER TABLE u ALTER COLUMN a SET DEFAULT 1",
        "alter-column-type",
    );
    assert_raises("ALTER TABLE u ALTER COLUMN a SET NOT NULL", "set-not-null");
    assert_not_raised("ALTER TABLE u ALTER COLUMN a DROP NOT NULL", "set-not-null");
}

#[test]
fn add_column_not_null_without_default() {
    assert_raises(
        "ALTER TABLE u ADD COLUMN a int NOT NULL",
        "add-column-not-null-without-default",
    );
    assert_not_raised(
        "ALTER TABLE u ADD COLUMN a int NOT NULL DEFAULT 0",
        "add-column-not-null-without-default",
    );
    assert_not_raised(
        "ALTER TABLE u ADD COLUMN a int",
        "add-column-not-null-without-default",
    );
    assert_not_raised(
        "CREATE TABLE u (id int); ALTER TABLE u ADD COLUMN a int NOT NULL",
        "add-column-not-null-without-default",
    );
}

#[test]
fn index_rules() {
    assert_raises("CREATE INDEX i ON u (a)", "create-index-non-concurrent");
    assert_not_raised(
        "CREATE TABLE u (a int); CREATE INDEX i ON u (a)",
        "create-index-non-concurrent",
    );
    assert_not_raised(
        "CREATE INDEX CONCURRENTLY i ON u (a)",
        "create-index-non-concurrent",
    );
    assert_raises("DROP INDEX i", "drop-index-non-concurrent");
    assert_not_raised("DROP INDEX CONCURRENTLY i", "drop-index-non-concurrent");
}

#[test]
fn concurrent_index_in_transaction() {
    assert_raises(
        "CREATE INDEX CONCURRENTLY i ON u (a)",
        "concurrent-index-in-transaction",
    );
    assert_raises(
        "DROP INDEX CONCURRENTLY i",
        "concurrent-index-in-transaction",
    );
    let outside = classify(
        &migration("CREATE INDEX CONCURRENTLY i ON u (a)", false),
        &RuleSet::builtin(),
        Severity::Block,
    );
    assert!(outside
        .findings
        .iter()
        .all(|f| f.rule != "concurrent-index-in-transaction"));
}

#[test]
fn constraint_rules() {
    let fk = "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES u (id)";
    assert_raises(fk, "add-foreign-key-validating");
    assert_not_raised(&format!("{fk} NOT VALID"), "add-foreign-key-validating");
    assert_raises(
        "ALTER TABLE o ADD CONSTRAINT c CHECK (a > 0)",
        "add-check-validating",
    );
    assert_not_raised(
        "ALTER TABLE o ADD CONSTRAINT c CHECK (a > 0) NOT VALID",
        "add-check-validating",
    );
    assert_raises(
        "ALTER TABLE o ADD CONSTRAINT uq UNIQUE (a)",
        "add-unique-constraint",
    );
    assert_not_raised(
        "CREATE TABLE o (a int); ALTER TABLE o ADD CONSTRAINT uq UNIQUE (a)",
        "add-unique-constraint",
    );
    assert_raises("ALTER TABLE o DROP CONSTRAINT uq", "drop-constraint");
    assert_not_raised("ALTER TABLE o VALIDATE CONSTRAINT uq", "drop-constraint");
}

#[test]
fn drop_type_and_unparsed() {
    assert_raises("DROP TYPE mood", "drop-type");
    assert_not_raised("CREATE TYPE mood AS ENUM ('a')", "drop-type");
    assert_raises(
        "ALTER TABLE t ALTER CONSTRAINT c DEFERRABLE",
        "unparsed-sql",
    );
    assert_not_raised("SELECT 1", "unparsed-sql");
}

#[test]
fn phases_mark_expand_and_contract() {
    let c = classify(
        &migration(
            "ALTER TABLE u ADD COLUMN b int; ALTER TABLE u DROP COLUMN a",
            true,
        ),
        &RuleSet::builtin(),
        Severity::Block,
    );
    assert!(c.phases.contains(&Phase::Expand) && c.phases.contains(&Phase::Contract));
    assert!(c.contract_objects.contains("public.u.a"));
}

#[test]
fn fail_on_warn_makes_warnings_failing() {
    let m = migration("CREATE INDEX i ON u (a)", true);
    let at_block = classify(&m, &RuleSet::builtin(), Severity::Block);
    let at_warn = classify(&m, &RuleSet::builtin(), Severity::Warn);
    assert_eq!(at_block.findings[0].status, Status::Warning);
    assert_eq!(at_warn.findings[0].status, Status::Failing);
}

#[test]
fn rendered_finding_snapshot() {
    let c = classify(
        &migration(
            "SELECT 1;\nALTER TABLE product DROP COLUMN legacy_code;",
            true,
        ),
        &RuleSet::builtin(),
        Severity::Block,
    );
    insta::assert_yaml_snapshot!(c.findings);
}
