//! The SQL reader and discovery through the real binary: each case writes migrations
//! to its own temp dir and runs `migguard lint` on it.

mod util;
use std::path::Path;
use util::*;

/// `migguard lint ARGS --format json` in `dir`.
fn lint(dir: &Path, args: &[&str]) -> Run {
    let args: Vec<&str> = std::iter::once("lint")
        .chain(args.iter().copied())
        .chain(["--format", "json"])
        .collect();
    run_in(dir, &args)
}

#[test]
fn junk_after_the_last_statement_costs_one_finding_not_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sql = String::new();
    for i in 0..100 {
        sql.push_str(&format!("DROP TABLE legacy_{i};\n"));
    }
    sql.push('\u{a0}');
    std::fs::create_dir(tmp.path().join("m")).unwrap();
    std::fs::write(tmp.path().join("m/0001_drop.sql"), sql).unwrap();
    let out = lint(tmp.path(), &["m"]);
    let r = rule_ids(&out.json());
    assert_eq!(r.iter().filter(|r| *r == "drop-table").count(), 100);
    assert_eq!(r.iter().filter(|r| *r == "unparsed-sql").count(), 1);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
}

#[test]
fn comments_and_strings_never_raise_findings() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("m")).unwrap();
    std::fs::write(
        tmp.path().join("m/0001_log.sql"),
        "-- DROP TABLE users;\n/* TRUNCATE users; */\nINSERT INTO audit (note) VALUES ('drop table users; truncate users');\n",
    )
    .unwrap();
    let out = lint(tmp.path(), &["m"]);
    assert_eq!(
        rule_ids(&out.json()),
        Vec::<String>::new(),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn missing_path_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = lint(tmp.path(), &["does-not-exist"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let stderr = &out.stderr;
    assert!(stderr.contains("no such file or directory"), "{stderr}");
}

#[test]
fn non_utf8_migration_exits_2_naming_the_position() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("m")).unwrap();
    std::fs::write(tmp.path().join("m/0001_x.sql"), b"SELECT 1;\n-- caf\xe9\n").unwrap();
    let out = lint(tmp.path(), &["m"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let stderr = &out.stderr;
    assert!(
        stderr.contains("line 2") && stderr.contains("byte offset 16"),
        "{stderr}"
    );
}

#[test]
fn do_block_bodies_are_read_or_classified_by_their_text() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("m")).unwrap();
    // A plain body is SQL: read exactly, no unparsed finding.
    std::fs::write(
        tmp.path().join("m/0001_do.sql"),
        "DO $$ BEGIN ALTER TABLE users RENAME COLUMN a TO b; \
         EXCEPTION WHEN undefined_column THEN NULL; END $$;\n",
    )
    .unwrap();
    let r = rule_ids(&lint(tmp.path(), &["m"]).json());
    assert!(r.iter().any(|r| r == "rename-column"), "{r:?}");
    assert!(!r.iter().any(|r| r == "unparsed-sql"), "{r:?}");

    // PL/pgSQL cannot be read, but it runs: the rules' patterns still see the drop.
    std::fs::write(
        tmp.path().join("m/0002_do.sql"),
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'old') THEN \
         DROP TABLE old; END IF; END $$;\n",
    )
    .unwrap();
    let r = rule_ids(&lint(tmp.path(), &["m"]).json());
    assert!(r.iter().any(|r| r == "unparsed-sql"), "{r:?}");
    assert!(r.iter().any(|r| r == "drop-table"), "{r:?}");
}

/// Bug O: diesel runs migrations in the order of their version *strings* (the
/// directory name before the first `_`, dashes removed), so diesel 2.2's
/// `…-0000_` names sort before a later day's older-style name.
#[test]
fn diesel_migrations_replay_in_version_string_order() {
    let dir = tempfile::tempdir().unwrap();
    for (name, sql) in [
        (
            "m/2025-11-19-091444-0000_create_t",
            "CREATE TABLE t (id int);",
        ),
        (
            "m/2026-01-20-162913_add_b",
            "ALTER TABLE t ADD COLUMN b int;",
        ),
    ] {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
        std::fs::write(dir.path().join(name).join("up.sql"), sql).unwrap();
    }
    let out = run_in(dir.path(), &["schema", "m", "--format", "json"]);
    let stderr = &out.stderr;
    assert_eq!(out.code, 0, "{stderr}");
    assert!(!stderr.contains("does not exist"), "{stderr}");
    let v: serde_json::Value = out.json();
    let columns: Vec<&str> = v["tables"]["public.t"]["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, vec!["id", "b"]);
}

/// Bug L: comment statements sqlparser rejects change no modelled object: they are
/// read as comments, not as unparsed SQL.
#[test]
fn comment_on_constraint_and_function_are_comments() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("m/0001_c.sql"),
        "CREATE TABLE dv (id int, CONSTRAINT dv_ck CHECK (id > 0));\n\
         COMMENT ON CONSTRAINT dv_ck ON dv IS 'why; really';\n\
         CREATE FUNCTION rs(int4) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;\n\
         COMMENT ON FUNCTION rs(int4) IS 'random';\n\
         COMMENT ON FUNCTION public.rs(integer) IS NULL;\n",
    )
    .unwrap();
    let out = lint(dir.path(), &["m"]);
    let found = rule_ids(&out.json());
    assert!(
        !found.iter().any(|r| r == "unparsed-sql"),
        "{found:?} {}",
        &out.stdout
    );
    let v: serde_json::Value = out.json();
    assert_eq!(v["migrations"].as_array().map(Vec::len), Some(1), "{v}");
}
