//! One positive and one negative case per op-based rule (squawk's `lint_errors` /
//! `lint_ok` style), over SQL read by the real SQL reader.

use super::*;
use crate::finding::{Gate, Status};
use crate::ir::test_support::MigrationBuilder;
use crate::ir::{Span, TextMap};
use crate::parse::sql::{read_statements, SqlInput};
use crate::parse::ReadOptions;
use crate::source::SourceFile;
use std::path::PathBuf;

pub(crate) fn migration(sql: &str, transactional: bool) -> Migration {
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
    MigrationBuilder::sql("0002_test")
        .file(file.path.clone())
        .transactional(transactional)
        .up(up)
        .build()
}

/// Rule ids raised by `sql` (in a transactional migration), sorted, deduplicated.
fn lint_errors(sql: &str) -> Vec<String> {
    let mut ids: Vec<String> = classify(&migration(sql, true), &RuleSet::builtin())
        .findings
        .into_iter()
        .map(|f| f.rule.to_string())
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
    // A data-modifying CTE runs as much as a plain statement does.
    assert_raises(
        "WITH gone AS (DELETE FROM sessions RETURNING id) SELECT count(*) FROM gone",
        "delete-without-where",
    );
    assert_raises(
        "WITH a AS (WITH b AS (UPDATE users SET x = 1 RETURNING id) SELECT * FROM b) SELECT 1",
        "update-without-where",
    );
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
    // Nobody reads a table created earlier in the same migration: no rewrite risk.
    assert_not_raised(
        "CREATE TABLE u (a int); ALTER TABLE u ALTER COLUMN a TYPE bigint",
        "alter-column-type",
    );
    assert_raises("ALTER TABLE u ALTER COLUMN a SET NOT NULL", "set-not-null");
    assert_not_raised("ALTER TABLE u ALTER COLUMN a DROP NOT NULL", "set-not-null");
}

#[test]
fn constraints_added_inline_with_a_column_are_classified_as_constraints() {
    for (sql, rule) in [
        (
            "ALTER TABLE o ADD COLUMN p int DEFAULT 1 REFERENCES p (id)",
            "add-foreign-key-validating",
        ),
        (
            "ALTER TABLE o ADD COLUMN c text UNIQUE",
            "add-unique-constraint",
        ),
        (
            "ALTER TABLE o ADD COLUMN n int CHECK (n > 0)",
            "add-check-validating",
        ),
    ] {
        assert_raises(sql, rule);
        // On a table the migration creates there is nothing to scan or lock.
        assert_not_raised(&format!("CREATE TABLE o (id int); {sql}"), rule);
    }
    assert_not_raised("ALTER TABLE o ADD COLUMN n int", "add-check-validating");
}

#[test]
fn a_foreign_key_on_a_column_added_without_values_is_not_validated() {
    let rule = "add-foreign-key-validating";
    assert_not_raised("ALTER TABLE o ADD COLUMN p int REFERENCES p (id)", rule);
    assert_not_raised(
        "ALTER TABLE o ADD COLUMN p int REFERENCES p (id), ADD COLUMN d int DEFAULT 1",
        rule,
    );
    for sql in [
        "ALTER TABLE o ADD COLUMN p int DEFAULT NULL REFERENCES p (id)",
        "ALTER TABLE o ADD COLUMN p serial REFERENCES p (id)",
        "ALTER TABLE o ADD COLUMN p int GENERATED ALWAYS AS IDENTITY REFERENCES p (id)",
        "ALTER TABLE o ADD COLUMN p int GENERATED ALWAYS AS (id) STORED REFERENCES p (id)",
        // Another foreign key in the statement: PostgreSQL validates.
        "ALTER TABLE o ADD COLUMN p int REFERENCES p (id), ADD CONSTRAINT f FOREIGN KEY (q) REFERENCES p (id)",
        // Separate statements: the ADD CONSTRAINT scans the (all-NULL) column.
        "ALTER TABLE o ADD COLUMN p int; ALTER TABLE o ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id)",
    ] {
        assert_raises(sql, rule);
    }
    // Other inline constraints on such a column keep their rules.
    assert_raises(
        "ALTER TABLE o ADD COLUMN c text UNIQUE",
        "add-unique-constraint",
    );
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
    // serial fills existing rows from its sequence.
    assert_not_raised(
        "ALTER TABLE u ADD COLUMN a bigserial NOT NULL",
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
        "ALTER TABLE t ALTER CONSTRAINT c NOT DEFERRABLE INITIALLY DEFERRED",
        "unparsed-sql",
    );
    assert_not_raised(
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
    );
    assert!(c.phases.contains(&Phase::Expand) && c.phases.contains(&Phase::Contract));
    assert!(c.contract_objects.contains("public.u.a"));
}

#[test]
fn fail_on_warn_makes_warnings_failing() {
    let m = migration("CREATE INDEX i ON u (a)", true);
    let c = classify(&m, &RuleSet::builtin());
    let warn = Gate {
        fail_on: Severity::Warn,
    };
    assert_eq!(Gate::BLOCK.status(&c.findings[0]), Status::Warning);
    assert_eq!(warn.status(&c.findings[0]), Status::Failing);
}

#[test]
fn rendered_finding_snapshot() {
    let c = classify(
        &migration(
            "SELECT 1;\nALTER TABLE product DROP COLUMN legacy_code;",
            true,
        ),
        &RuleSet::builtin(),
    );
    insta::assert_yaml_snapshot!(c.findings);
}

// ── Ops built directly from the IR: kinds only the TypeORM reader produces, and
// context the classifier computes. Independent of either reader.

use crate::ir::{ChangeMode, ColumnDef, OpSource, ReadError};

fn op(kind: OpKind, text: &str) -> Operation {
    Operation {
        kind,
        span: Span {
            start: 0,
            end: text.len(),
            line: 5,
            column: 9,
            end_line: 5,
            end_column: 9 + text.len(),
        },
        text: text.to_string(),
        source: OpSource::Builder {
            method: "changeColumn".into(),
        },
        dynamic: false,
        anchor_line: 5,
        guard: None,
        origin: None,
    }
}

fn with_up(up: Vec<Operation>) -> Migration {
    let mut m = migration("", true);
    m.up = up;
    m
}

fn ids_of(m: &Migration, rules: &RuleSet) -> Vec<String> {
    let mut ids: Vec<String> = classify(m, rules)
        .findings
        .into_iter()
        .map(|f| f.rule.to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn change_column(mode: ChangeMode, new_name: Option<&str>) -> Operation {
    op(
        OpKind::ChangeColumn {
            table: QualifiedName::new("public", "product"),
            column: "price".into(),
            new_column: Some(ColumnDef {
                name: new_name.unwrap_or("price").into(),
                data_type: "numeric(12,2)".into(),
                ..ColumnDef::default()
            }),
            new_name: new_name.map(String::from),
            mode,
            sets_not_null: false,
            by_name: None,
        },
        "queryRunner.changeColumn(\"product\", \"price\", col)",
    )
}

#[test]
fn change_column_recreate_and_unknown_block_in_place_does_not() {
    let rules = RuleSet::builtin();
    for mode in [ChangeMode::Recreate, ChangeMode::Unknown] {
        let ids = ids_of(&with_up(vec![change_column(mode, None)]), &rules);
        assert!(
            ids.contains(&"change-column-recreate".to_string()),
            "{mode:?}: {ids:?}"
        );
    }
    let ids = ids_of(
        &with_up(vec![change_column(ChangeMode::InPlace, None)]),
        &rules,
    );
    assert!(
        !ids.contains(&"change-column-recreate".to_string()),
        "{ids:?}"
    );
    assert!(!ids.contains(&"rename-column".to_string()), "{ids:?}");
}

#[test]
fn change_column_with_a_new_name_is_a_rename() {
    let ids = ids_of(
        &with_up(vec![change_column(ChangeMode::InPlace, Some("amount"))]),
        &RuleSet::builtin(),
    );
    assert!(ids.contains(&"rename-column".to_string()), "{ids:?}");
}

#[test]
fn change_column_that_sets_not_null_is_set_not_null() {
    let mut op = change_column(ChangeMode::InPlace, None);
    let ids = ids_of(&with_up(vec![op.clone()]), &RuleSet::builtin());
    assert!(!ids.contains(&"set-not-null".to_string()), "{ids:?}");
    if let OpKind::ChangeColumn { sets_not_null, .. } = &mut op.kind {
        *sets_not_null = true;
    }
    let ids = ids_of(&with_up(vec![op]), &RuleSet::builtin());
    assert!(ids.contains(&"set-not-null".to_string()), "{ids:?}");
}

#[test]
fn builder_finding_names_object_method_and_help() {
    let c = classify(
        &with_up(vec![change_column(ChangeMode::Recreate, None)]),
        &RuleSet::builtin(),
    );
    let f = c
        .findings
        .iter()
        .find(|f| f.rule == "change-column-recreate")
        .expect("finding");
    assert_eq!(f.object.as_deref(), Some("public.product.price"));
    assert!(
        f.message.contains("queryRunner.changeColumn()"),
        "{}",
        f.message
    );
    assert_eq!(f.span.map(|s| (s.line, s.column)), Some((5, 9)));
    assert_eq!(Gate::BLOCK.status(f), Status::Failing);
    assert!(f.help.as_deref().is_some_and(|h| h.contains("USING")));
}

#[test]
fn opaque_is_reported_and_searched_for_destructive_text() {
    let rules = RuleSet::builtin();
    let harmless = op(
        OpKind::Opaque {
            reason: "helper call".into(),
        },
        "await addAuditColumns(queryRunner)",
    );
    let ids = ids_of(&with_up(vec![harmless]), &rules);
    assert_eq!(ids, vec!["opaque-operation".to_string()]);
    let hiding = op(
        OpKind::Opaque {
            reason: "loop".into(),
        },
        "for (const t of tables) await queryRunner.query(`DROP TABLE ${t}`)",
    );
    let ids = ids_of(&with_up(vec![hiding]), &rules);
    assert!(ids.contains(&"opaque-operation".to_string()), "{ids:?}");
    assert!(ids.contains(&"drop-table".to_string()), "{ids:?}");
}

#[test]
fn read_errors_fail_closed() {
    let mut m = with_up(vec![]);
    m.read_errors.push(ReadError {
        message: "syntax error".into(),
        span: Span::default(),
    });
    let c = classify(&m, &RuleSet::builtin());
    assert_eq!(c.findings.len(), 1);
    assert_eq!(c.findings[0].rule, "read-error");
    assert_eq!(Gate::BLOCK.status(&c.findings[0]), Status::Failing);
    assert!(c.findings[0].message.contains("syntax error"));
}

#[test]
fn severity_off_produces_nothing() {
    let mut text = DEFAULT_RULES_FOR_TEST
        .replace("severity = \"block\"", "severity = \"off\"")
        .replace("severity = \"warn\"", "severity = \"off\"");
    // What migguard cannot read is always `block` (the loader refuses less).
    for rule in crate::ruleset::UNREADABLE_RULES {
        let id = rule.id();
        text = text.replace(
            &format!("id = \"{id}\"\nseverity = \"off\""),
            &format!("id = \"{id}\"\nseverity = \"block\""),
        );
    }
    let rules = RuleSet::load(&text, "test").expect("valid rules");
    assert!(ids_of(&migration("DROP TABLE x", true), &rules).is_empty());
    // Off rules still mark the phase: the migration is a contract one.
    let c = classify(&migration("DROP TABLE x", true), &rules);
    assert!(c.phases.contains(&Phase::Contract));
}

const DEFAULT_RULES_FOR_TEST: &str = crate::ruleset::DEFAULT_RULES;

#[test]
fn dynamic_drop_is_flagged_as_dynamic() {
    let mut m = migration("DROP TABLE x", true);
    m.up[0].dynamic = true;
    let c = classify(&m, &RuleSet::builtin());
    let dynamic = c
        .findings
        .iter()
        .find(|f| f.rule == "dynamic-sql")
        .expect("dynamic-sql");
    assert_eq!(Gate::BLOCK.status(dynamic), Status::Warning);
    let drop = c.findings.iter().find(|f| f.rule == "drop-table").unwrap();
    assert!(
        drop.message.contains("built at run time"),
        "{}",
        drop.message
    );
}

#[test]
fn table_created_then_renamed_is_still_new() {
    assert_not_raised(
        "CREATE TABLE a (x int); ALTER TABLE a RENAME TO b; CREATE INDEX i ON b (x)",
        "create-index-non-concurrent",
    );
    // A table created in another migration is not new.
    assert_raises(
        "CREATE TABLE a (x int); CREATE INDEX i ON b (x)",
        "create-index-non-concurrent",
    );
}
