//! The SQL reader and discovery end to end through the library API: real files in
//! the fixture tree and in a temp dir per case (discovery skips, symlinks, encodings,
//! layouts and how up/down sides pair up).

use migguard::ir::{Migration, Operation};
use migguard::parse::{read_file, ReadOptions};
use migguard::source::{discover, load, FileKind};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct MigrationView {
    name: String,
    version: Option<String>,
    format: migguard::ir::MigrationFormat,
    order: Vec<u128>,
    repeatable: bool,
    transactional: bool,
    file: String,
    up: Vec<String>,
    header_comments: Vec<String>,
    comments: Vec<String>,
}

fn op_line(o: &Operation) -> String {
    format!(
        "{}:{} {} {}",
        o.span.line,
        o.span.column,
        o.kind.name(),
        o.kind.object().unwrap_or_default()
    )
}

fn view(m: &Migration) -> MigrationView {
    MigrationView {
        name: m.name.clone(),
        version: m.version.clone(),
        format: m.format,
        order: m.order.version.clone(),
        repeatable: m.order.repeatable,
        transactional: m.transactional,
        file: m.file.display().to_string().replace('\\', "/"),
        up: m.up.iter().map(op_line).collect(),
        header_comments: m
            .header_comments
            .iter()
            .map(|c| format!("{}: {}", c.span.line, c.text))
            .collect(),
        comments: m
            .comments
            .iter()
            .map(|c| format!("{}: {}", c.span.line, c.text))
            .collect(),
    }
}

/// Discover, load and read everything under `root`, in the tool's order.
fn read_tree(root: &Path) -> Vec<MigrationView> {
    let files = discover(&[root.to_path_buf()]).expect("discovery works");
    let mut migrations: Vec<Migration> = files
        .iter()
        .flat_map(|(path, kind)| {
            read_file(&load(path).expect("loads"), *kind, &ReadOptions::default())
        })
        .collect();
    migrations.sort_by(|a, b| a.order.cmp(&b.order));
    migrations.iter().map(view).collect()
}

fn layout(name: &str) -> PathBuf {
    // Relative, so snapshot paths do not depend on where the repository lives.
    PathBuf::from("tests/fixtures/sql/layouts").join(name)
}

#[test]
fn plain_numbered_layout() {
    insta::assert_yaml_snapshot!(read_tree(&layout("plain")));
}

#[test]
fn golang_migrate_layout_reads_the_up_sides() {
    insta::assert_yaml_snapshot!(read_tree(&layout("golang")));
}

#[test]
fn flyway_layout_orders_versions_numerically_and_repeatables_last() {
    insta::assert_yaml_snapshot!(read_tree(&layout("flyway")));
}

#[test]
fn diesel_layout() {
    insta::assert_yaml_snapshot!(read_tree(&layout("diesel")));
}

fn write(dir: &Path, rel: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn names(found: &[(PathBuf, FileKind)], root: &Path) -> Vec<String> {
    found
        .iter()
        .map(|(p, k)| {
            format!(
                "{} {:?}",
                p.strip_prefix(root)
                    .unwrap()
                    .display()
                    .to_string()
                    .replace('\\', "/"),
                k
            )
        })
        .collect()
}

#[test]
fn discovery_skips_and_sorts() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for rel in [
        "b/1700000000001-B.ts",
        "a/1700000000000-A.ts",
        "a/1700000000000-A.d.ts",
        "a/1700000000000-A.js.map",
        "a/x.spec.ts",
        "a/x.test.js",
        "a/1700000000002-C.cjs",
        "a/notes.txt",
        "node_modules/pkg/1_evil.up.sql",
        ".git/1_evil.sql",
        "sql/2_b.up.sql",
        "sql/2_b.down.sql",
        "sql/10_c.up.sql",
        "sql/seed.sql",
    ] {
        write(root, rel, b"SELECT 1;");
    }
    let found = discover(&[root.to_path_buf()]).unwrap();
    assert_eq!(
        names(&found, root),
        vec![
            "a/1700000000000-A.ts Typeorm",
            "a/1700000000002-C.cjs Typeorm",
            "b/1700000000001-B.ts Typeorm",
            "sql/10_c.up.sql Sql",
            "sql/2_b.up.sql Sql",
        ]
    );
}

#[test]
fn explicit_file_is_taken_as_is() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = write(tmp.path(), "seed.sql", b"DELETE FROM users");
    let found = discover(&[seed.clone(), seed.clone()]).unwrap();
    assert_eq!(found, vec![(seed.clone(), FileKind::Sql)]);
    let migrations = read_file(
        &load(&seed).unwrap(),
        FileKind::Sql,
        &ReadOptions::default(),
    );
    assert_eq!(migrations[0].name, "seed");
    assert_eq!(migrations[0].version, None);
    assert_eq!(migrations[0].up[0].kind.name(), "delete");
}

#[test]
fn missing_path_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = discover(&[tmp.path().join("nope")]).unwrap_err();
    assert!(matches!(err, migguard::error::Error::Input { .. }), "{err}");
    assert!(
        err.to_string().contains("no such file or directory"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_like_the_migration_tools_follow_them() {
    let outside = tempfile::tempdir().unwrap();
    let secret = write(outside.path(), "1_secret.up.sql", b"DROP TABLE x;");
    let outside_dir = write(outside.path(), "d/2_x.up.sql", b"DROP TABLE y;");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "3_in.up.sql", b"SELECT 1;");
    std::os::unix::fs::symlink(&secret, root.join("1_secret.up.sql")).unwrap();
    std::os::unix::fs::symlink(outside_dir.parent().unwrap(), root.join("d")).unwrap();
    std::os::unix::fs::symlink(root.join("3_in.up.sql"), root.join("4_alias.up.sql")).unwrap();
    let found = discover(&[root.to_path_buf()]).unwrap();
    // Issue 10: golang-migrate runs what the links point to, even outside the tree.
    assert_eq!(
        names(&found, root),
        vec![
            "1_secret.up.sql Sql",
            "3_in.up.sql Sql",
            "4_alias.up.sql Sql",
            "d/2_x.up.sql Sql"
        ]
    );
}

#[test]
fn load_rejects_non_utf8_and_binary_with_position() {
    let tmp = tempfile::tempdir().unwrap();
    let latin1 = write(tmp.path(), "1_x.sql", b"SELECT 1;\n-- caf\xe9\n");
    let err = load(&latin1).unwrap_err().to_string();
    assert!(
        err.contains("line 2") && err.contains("byte offset 16"),
        "{err}"
    );
    let bin = write(tmp.path(), "2_x.sql", b"\x00\x01\x02");
    let err = load(&bin).unwrap_err().to_string();
    assert!(err.contains("binary"), "{err}");
    // An empty migration is a mistake to report, not a migration that does nothing.
    let empty = write(tmp.path(), "3_x.sql", b" \n");
    let err = load(&empty).unwrap_err().to_string();
    assert!(err.contains("empty file"), "{err}");
    // A comment-only file is not empty: it loads and has no operations.
    let comment = write(tmp.path(), "4_x.sql", b"-- nothing yet\n");
    let m = read_file(
        &load(&comment).unwrap(),
        FileKind::Sql,
        &ReadOptions::default(),
    );
    assert!(m[0].up.is_empty());
    assert_eq!(m[0].comments.len(), 1);
}

/// Statements of several kinds, repeated to `target` bytes.
fn big_sql(target: usize) -> String {
    let block = "CREATE TABLE t_{n} (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT 'x');\n\
                 ALTER TABLE t_{n} ADD COLUMN c int, DROP COLUMN d;\n\
                 -- a comment; with a semicolon\n\
                 INSERT INTO t_{n} (name) VALUES ('a;b'), ('c');\n\
                 DROP INDEX CONCURRENTLY idx_{n};\n";
    let mut s = String::with_capacity(target + block.len());
    let mut i = 0;
    while s.len() < target {
        s.push_str(&block.replace("{n}", &i.to_string()));
        i += 1;
    }
    s
}

#[test]
fn big_file_reads_in_linear_time() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(tmp.path(), "1_big.sql", big_sql(2_000_000).as_bytes());
    let started = std::time::Instant::now();
    let file = load(&path).unwrap();
    let m = read_file(&file, FileKind::Sql, &ReadOptions::default());
    let elapsed = started.elapsed();
    let statements = file.text.matches(";\n").count();
    // 4 statements per block yield 5 ops (the ALTER has two actions).
    assert_eq!(m[0].up.len(), statements / 4 * 5);
    assert!(m[0].up.iter().all(|o| o.kind.name() != "unparsed"));
    assert!(elapsed.as_secs() < 60, "2 MB took {elapsed:?}");
}

#[test]
fn transaction_mode_follows_each_tool() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cases: &[(&str, &str, bool)] = &[
        // golang-migrate: one statement runs alone, several form an implicit transaction.
        (
            "go/1_a.up.sql",
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            false,
        ),
        (
            "go/2_b.up.sql",
            "CREATE INDEX CONCURRENTLY i ON t (a); SELECT 1;",
            true,
        ),
        // Flyway runs scripts with non-transactional statements outside a transaction.
        (
            "fw/V1__a.sql",
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            false,
        ),
        ("fw/V2__b.sql", "CREATE INDEX i ON t (a);", true),
        // … but refuses a script that mixes them (`mixed = false`, its default).
        (
            "fw/V4__d.sql",
            "SET lock_timeout = '5s'; CREATE INDEX CONCURRENTLY i ON t (a); DROP INDEX CONCURRENTLY j;",
            false,
        ),
        (
            "fw/V5__e.sql",
            "ALTER TABLE t ADD y int; CREATE INDEX CONCURRENTLY j ON t (y);",
            true,
        ),
        ("conf/V3__c.sql", "CREATE INDEX i ON t (a);", false),
        (
            "diesel/2024-01-01-000000_x/up.sql",
            "CREATE INDEX i ON t (a);",
            false,
        ),
        (
            "diesel/2024-01-02-000000_y/up.sql",
            "CREATE INDEX i ON t (a);",
            true,
        ),
        // Prisma sends migration.sql as one script, like golang-migrate (PostgreSQL 15:
        // a multi-statement script with CONCURRENTLY fails and rolls back).
        (
            "prisma/migrations/20240101000000_a/migration.sql",
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            false,
        ),
        (
            "prisma/migrations/20240102000000_b/migration.sql",
            "-- CreateIndex\nCREATE INDEX CONCURRENTLY i ON t (a);\nCREATE INDEX CONCURRENTLY j ON t (b);",
            true,
        ),
        // Unknown tool: assumed transactional.
        (
            "plain/0001_a.sql",
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            true,
        ),
    ];
    write(
        root,
        "conf/V3__c.sql.conf",
        b"executeInTransaction = false\n",
    );
    write(
        root,
        "diesel/2024-01-01-000000_x/metadata.toml",
        b"run_in_transaction = false\n",
    );
    for (rel, sql, expected) in cases {
        let path = write(root, rel, sql.as_bytes());
        let m = read_file(
            &load(&path).unwrap(),
            FileKind::Sql,
            &ReadOptions::default(),
        );
        assert_eq!(m[0].transactional, *expected, "{rel}");
    }
}

#[test]
fn one_huge_line_is_not_quadratic() {
    // 40,000 statements on one line: every span's column must not rescan the line.
    let sql = "DELETE FROM t WHERE id = 1;".repeat(40_000);
    let tmp = tempfile::tempdir().unwrap();
    let path = write(tmp.path(), "1_line.sql", sql.as_bytes());
    let started = std::time::Instant::now();
    let m = read_file(
        &load(&path).unwrap(),
        FileKind::Sql,
        &ReadOptions::default(),
    );
    let elapsed = started.elapsed();
    assert_eq!(m[0].up.len(), 40_000);
    assert_eq!(m[0].up[39_999].span.column, 27 * 39_999 + 1);
    assert!(elapsed.as_secs() < 30, "took {elapsed:?}");
}
