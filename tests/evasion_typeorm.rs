//! Issue 10, the TypeORM side of the attack surface at a glance: every way a
//! destructive migration was walked past migguard (unrecognised classes, symlinks,
//! other database handles, a gate more lenient than release-check) and what migguard
//! does now. Each case writes real files to a temp dir and runs the real binary;
//! release-check cases run against the PostgreSQL the test harness starts.

mod support;
mod util;
use support::pg::{cluster, TestDb};
use util::*;

/// (rule, status) of every finding of a JSON report.
fn findings(r: &Run) -> Vec<(String, String)> {
    r.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {}{}", r.stdout, r.stderr))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn lint(dir: &std::path::Path, path: &str) -> Run {
    run_in(dir, &["lint", path, "--format", "json"])
}

/// A migration file whose `up` runs `body` (TypeScript).
fn migration(class: &str, body: &str) -> String {
    format!(
        "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\
         export class {class} implements MigrationInterface {{\n\
         \x20   public async up(queryRunner: QueryRunner): Promise<void> {{\n\
         {body}\n\
         \x20   }}\n\
         \x20   public async down(queryRunner: QueryRunner): Promise<void> {{}}\n\
         }}\n"
    )
}

fn assert_code(r: &Run, code: i32) {
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

// ───────────────────────── symlinks (item 3) ─────────────────────────

#[cfg(unix)]
#[test]
fn a_symlinked_migration_file_outside_the_root_is_read() {
    let dir = project(&[
        (
            "shared/1700000000001-DropUsers.ts",
            &migration(
                "DropUsers1700000000001",
                "        await queryRunner.query(`DROP TABLE users`);",
            ),
        ),
        ("migrations/.keep", ""),
    ]);
    std::os::unix::fs::symlink(
        "../shared/1700000000001-DropUsers.ts",
        dir.path().join("migrations/1700000000001-DropUsers.ts"),
    )
    .unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(findings(&r).contains(&("drop-table".into(), "failing".into())));
}

#[cfg(unix)]
#[test]
fn a_symlinked_folder_outside_the_root_is_walked() {
    let dir = project(&[
        ("elsewhere/batch/0002_drop.sql", "DROP TABLE users;\n"),
        ("migrations/0001_init.sql", "CREATE TABLE t (id int);\n"),
    ]);
    std::os::unix::fs::symlink("../elsewhere/batch", dir.path().join("migrations/batch")).unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(findings(&r).contains(&("drop-table".into(), "failing".into())));
}

#[cfg(unix)]
#[test]
fn a_link_to_a_migration_under_another_name_is_another_migration() {
    let dir = project(&[("migrations/0001_init.sql", "CREATE TABLE t (id int);\n")]);
    std::os::unix::fs::symlink(
        "0001_init.sql",
        dir.path().join("migrations/0001_again.sql"),
    )
    .unwrap();
    let r = lint(dir.path(), "migrations");
    // golang-migrate and numbered-SQL tools run it twice, as two versions.
    assert_code(&r, 0);
    assert_eq!(r.json()["migrations"].as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_exit_2_naming_the_link() {
    let dir = project(&[("migrations/0001_init.sql", "CREATE TABLE t (id int);\n")]);
    std::os::unix::fs::symlink("..", dir.path().join("migrations/up")).unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 2);
    assert!(r.stderr.contains("migrations/up"), "{}", r.stderr);
    assert!(r.stderr.contains("loop"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_exit_2_naming_it() {
    let dir = project(&[("migrations/0001_init.sql", "CREATE TABLE t (id int);\n")]);
    std::os::unix::fs::symlink(
        "../gone/0002_drop.sql",
        dir.path().join("migrations/0002_drop.sql"),
    )
    .unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 2);
    assert!(r.stderr.contains("0002_drop.sql"), "{}", r.stderr);
    assert!(r.stderr.contains("dangling"), "{}", r.stderr);
}
