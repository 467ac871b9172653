//! A fidelity case: a folder of SQL migrations, the truth database psql built from
//! them, and drift's differences between their replay and the introspected truth —
//! what the object and comment fidelity tests assert on.

use super::pg::{cluster, introspect_public, TestDb};
use migguard::drift::IgnoreList;
use migguard::ir::Migration;
use migguard::schema::SchemaModel;

/// A migrations folder of SQL files and a truth database psql built from them.
pub struct Case {
    pub dir: tempfile::TempDir,
    pub truth: TestDb,
}

/// The files written under a temp dir and applied, in the order given, to a new
/// database named after `prefix`.
pub fn sql_case(prefix: &str, files: &[(&str, &str)]) -> Case {
    let dir = tempfile::tempdir().unwrap();
    for (path, sql) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, sql).unwrap();
    }
    let truth = cluster().create_database(prefix);
    for (_, sql) in files {
        truth.execute(sql);
    }
    Case { dir, truth }
}

/// The case's migrations replayed (no conflicts allowed).
pub fn replayed(c: &Case) -> SchemaModel {
    let config = migguard::config::Config::default();
    let migrations = migguard::project::load_project(&[c.dir.path().to_path_buf()], &config)
        .unwrap()
        .migrations;
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (model, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    model
}

/// Drift's differences between the replay and the truth, one line each (`kind
/// object: expected …, actual …`, then `; message` when `with_message`).
pub fn differences(c: &Case, ignore: &[&str], with_message: bool) -> Vec<String> {
    let patterns: Vec<String> = ignore.iter().map(|p| p.to_string()).collect();
    let ignore = IgnoreList::new("schema_migrations", "public", &patterns);
    migguard::drift::diff::diff(&replayed(c), &introspect_public(&c.truth.url), &ignore)
        .into_iter()
        .map(|d| {
            let line = format!(
                "{} {}: expected {:?}, actual {:?}",
                d.kind, d.object, d.expected, d.actual
            );
            if with_message {
                format!("{line}; {}", d.message)
            } else {
                line
            }
        })
        .collect()
}

/// No difference at all, or the list of them.
pub fn assert_no_drift(c: &Case) {
    let found = differences(c, &[], true);
    assert!(found.is_empty(), "false drift:\n{}", found.join("\n"));
}

/// `migguard schema --format sql` of the case applies to an empty database (named
/// after `prefix`) and rebuilds what `catalog` reads of the truth.
pub fn assert_schema_sql_rebuilds(c: &Case, prefix: &str, catalog: fn(&TestDb) -> String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_migguard"))
        .args(["schema", c.dir.path().to_str().unwrap(), "--format", "sql"])
        .current_dir(c.dir.path())
        .output()
        .unwrap();
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rebuilt = cluster().create_database(prefix);
    rebuilt.execute(&sql);
    assert_eq!(catalog(&c.truth), catalog(&rebuilt), "SQL:\n{sql}");
}
