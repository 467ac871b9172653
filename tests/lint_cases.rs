//! The `lint`, `rules` and `explain` commands end to end: the real binary, real files,
//! one temporary directory per case. They guard the exit-code contract (0 passed,
//! 1 gate failed, 2 migguard could not do its job) and the JSON fields CI reads.

use std::path::Path;
use std::process::{Command, Output};

/// A temp project directory; files are written relative to it and the binary runs in it.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Project {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, contents).expect("write");
        self
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in(self.dir.path(), args)
    }

    fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_migguard"))
            .args(args)
            .current_dir(cwd)
            .env_remove("GITHUB_ACTIONS")
            .env("NO_COLOR", "1")
            .output()
            .expect("run migguard");
        Run(out)
    }
}

struct Run(Output);

impl Run {
    fn code(&self) -> i32 {
        self.0.status.code().expect("exit code")
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }
    /// `(rule, status)` of every finding in JSON output.
    fn findings(&self) -> Vec<(String, String)> {
        self.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["status"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }
    fn assert_code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code(),
            expected,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

fn has(findings: &[(String, String)], rule: &str, status: &str) -> bool {
    findings.iter().any(|(r, s)| r == rule && s == status)
}

#[test]
fn additive_migrations_pass_with_exit_0() {
    let p = Project::new();
    p.file(
        "migrations/0001_create_product.sql",
        "CREATE TABLE product (id int PRIMARY KEY, name text);\nCREATE INDEX product_name_idx ON product (name);\n",
    );
    let r = p.run(&["lint", "migrations", "--format", "json"]);
    r.assert_code(0);
    let v = r.json();
    assert_eq!(v["status"], "pass");
    assert_eq!(v["command"], "lint");
    assert_eq!(v["migrations"].as_array().map(Vec::len), Some(1));
    assert!(r.findings().is_empty(), "{:?}", r.findings());
}

#[test]
fn drop_column_fails_with_exit_1_and_one_based_positions() {
    let p = Project::new();
    p.file(
        "migrations/0002_drop_legacy.sql",
        "-- tidy up\nALTER TABLE product DROP COLUMN legacy_code;\n",
    );
    let r = p.run(&["lint", "migrations", "--format", "json"]);
    r.assert_code(1);
    let v = r.json();
    assert_eq!(v["status"], "fail");
    let f = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == "drop-column"))
        .expect("drop-column finding");
    assert_eq!(f["status"], "failing");
    assert_eq!(f["severity"], "block");
    assert_eq!(f["object"], "public.product.legacy_code");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 1);
    assert_eq!(f["migration"], "0002_drop_legacy");
    assert!(f["help"].as_str().is_some_and(|h| !h.is_empty()));
}

#[test]
fn human_output_names_the_rule_and_the_file() {
    let p = Project::new();
    p.file("m/0001_x.sql", "DROP TABLE legacy;\n");
    let r = p.run(&["lint", "m", "--color", "never"]);
    r.assert_code(1);
    let out = r.stdout();
    assert!(out.contains("drop-table"), "{out}");
    assert!(out.contains("0001_x.sql"), "{out}");
}

#[test]
fn fail_on_warn_turns_warnings_into_failures() {
    let p = Project::new();
    p.file(
        "m/0003_index.sql",
        "CREATE INDEX product_sku_idx ON product (sku);\n",
    );
    let r = p.run(&["lint", "m", "--format", "json"]);
    r.assert_code(0);
    assert!(has(&r.findings(), "create-index-non-concurrent", "warning"));
    let r = p.run(&["lint", "m", "--format", "json", "--fail-on", "warn"]);
    r.assert_code(1);
    assert!(has(&r.findings(), "create-index-non-concurrent", "failing"));
}

#[test]
fn fail_on_from_config_applies_when_no_flag() {
    let p = Project::new();
    p.file(
        "migguard.toml",
        "migrations = [\"m\"]\n[lint]\nfail_on = \"warn\"\n",
    )
    .file(
        "m/0003_index.sql",
        "CREATE INDEX product_sku_idx ON product (sku);\n",
    );
    p.run(&["lint", "--format", "json"]).assert_code(1);
    // The flag wins over the config.
    p.run(&["lint", "--format", "json", "--fail-on", "block"])
        .assert_code(0);
}

#[test]
fn suppression_with_reason_passes_and_is_reported_as_suppressed() {
    let p = Project::new();
    p.file("m/0004_backfill.sql", "UPDATE product SET active = true;\n");
    // Unsuppressed, the whole-table update fails at --fail-on warn …
    p.run(&["lint", "m", "--format", "json", "--fail-on", "warn"])
        .assert_code(1);
    p.file(
        "m/0004_backfill.sql",
        "-- migguard-ignore update-without-where: product has 40 rows, checked in prod\nUPDATE product SET active = true;\n",
    );
    // … suppressed with a reason, it passes and stays in the output.
    let r = p.run(&["lint", "m", "--format", "json", "--fail-on", "warn"]);
    r.assert_code(0);
    let v = r.json();
    let f = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == "update-without-where"))
        .expect("update-without-where finding kept in output");
    assert_eq!(f["status"], "suppressed");
    assert_eq!(
        f["suppression_reason"],
        "product has 40 rows, checked in prod"
    );
}

#[test]
fn file_level_suppression_covers_every_statement() {
    let p = Project::new();
    p.file(
        "m/0004_backfill.sql",
        "-- migguard-ignore-file update-without-where: tiny lookup tables\nUPDATE a SET x = 1;\nUPDATE b SET y = 2;\n",
    );
    let r = p.run(&["lint", "m", "--format", "json", "--fail-on", "warn"]);
    r.assert_code(0);
    let suppressed = r
        .findings()
        .iter()
        .filter(|(rule, s)| rule == "update-without-where" && s == "suppressed")
        .count();
    assert_eq!(suppressed, 2, "{:?}", r.findings());
}

#[test]
fn unused_suppression_is_reported() {
    let p = Project::new();
    p.file(
        "m/0001_x.sql",
        "-- migguard-ignore drop-table: leftover\nCREATE TABLE x (id int);\n",
    );
    let r = p.run(&["lint", "m", "--format", "json", "--fail-on", "warn"]);
    r.assert_code(1);
    assert!(has(&r.findings(), "unused-suppression", "failing"));
}

#[test]
fn suppression_without_reason_fails() {
    let p = Project::new();
    p.file(
        "m/0004_trunc.sql",
        "-- migguard-ignore truncate-table\nTRUNCATE scratch;\n",
    );
    let r = p.run(&["lint", "m", "--format", "json"]);
    r.assert_code(1);
    let fs = r.findings();
    assert!(has(&fs, "suppression-without-reason", "failing"), "{fs:?}");
    assert!(has(&fs, "truncate-table", "failing"), "{fs:?}");
}

#[test]
fn annotated_contract_migration_is_acknowledged() {
    let p = Project::new();
    p.file(
        "m/0001_add_smile_code.sql",
        "ALTER TABLE product ADD COLUMN smile_code text;\n",
    )
    .file(
        "m/0002_drop_legacy.sql",
        "-- @destructive: DROP COLUMN product.legacy_code (moved to smile_code)\n-- @expand-migration: 0001_add_smile_code\nALTER TABLE product DROP COLUMN legacy_code;\n",
    );
    let r = p.run(&["lint", "m", "--format", "json"]);
    r.assert_code(0);
    assert!(has(&r.findings(), "drop-column", "acknowledged"));
}

#[test]
fn unparsed_do_block_still_raises_what_it_hides() {
    let p = Project::new();
    p.file(
        "m/0005_do.sql",
        "DO $$ BEGIN\n  DROP TABLE old_audit;\nEND $$;\n",
    );
    let r = p.run(&["lint", "m", "--format", "json"]);
    r.assert_code(1);
    let fs = r.findings();
    assert!(has(&fs, "drop-table", "failing"), "{fs:?}");
}

#[test]
fn down_side_is_never_gated() {
    let p = Project::new();
    p.file("m/3_add_x.up.sql", "CREATE TABLE x (id int);\n")
        .file("m/3_add_x.down.sql", "DROP TABLE x;\n");
    let r = p.run(&["lint", "m", "--format", "json"]);
    r.assert_code(0);
    assert!(
        !r.findings().iter().any(|(rule, _)| rule == "drop-table"),
        "{:?}",
        r.findings()
    );
}

#[test]
fn non_utf8_file_is_an_error_not_a_pass() {
    let p = Project::new();
    p.file("m/0001_latin1.sql", b"-- caf\xe9\nDROP TABLE x;\n");
    let r = p.run(&["lint", "m"]);
    r.assert_code(2);
    assert!(r.stderr().contains("0001_latin1.sql"), "{}", r.stderr());
}

#[test]
fn missing_path_exits_2() {
    let p = Project::new();
    let r = p.run(&["lint", "does/not/exist"]);
    r.assert_code(2);
    assert!(r.stderr().contains("does/not/exist"), "{}", r.stderr());
}

#[test]
fn folder_without_migrations_exits_2_instead_of_passing() {
    let p = Project::new();
    p.file("dist/README.md", "build output goes here\n");
    let r = p.run(&["lint", "dist"]);
    r.assert_code(2);
    assert!(r.stderr().contains("no migration files"), "{}", r.stderr());
}

#[test]
fn no_paths_and_no_config_exits_2_saying_what_to_pass() {
    let p = Project::new();
    let r = p.run(&["lint"]);
    r.assert_code(2);
    assert!(r.stderr().contains("migrations"), "{}", r.stderr());
}

#[test]
fn config_paths_resolve_against_the_config_directory() {
    let p = Project::new();
    p.file("app/migguard.toml", "migrations = [\"db/migrations\"]\n")
        .file("app/db/migrations/0001_x.sql", "DROP TABLE x;\n")
        .file("elsewhere/.keep", "");
    let cwd = p.dir.path().join("elsewhere");
    let cfg = p.dir.path().join("app/migguard.toml");
    let r = p.run_in(
        &cwd,
        &[
            "lint",
            "--config",
            cfg.to_str().expect("utf-8 path"),
            "--format",
            "json",
        ],
    );
    r.assert_code(1);
    assert!(has(&r.findings(), "drop-table", "failing"));
}

#[test]
fn bad_config_exits_2_with_line_and_column() {
    let p = Project::new();
    p.file(
        "migguard.toml",
        "migrations = [\"m\"]\n\n[history]\ntabel = \"x\"\n",
    )
    .file("m/0001_x.sql", "CREATE TABLE x (id int);\n");
    let r = p.run(&["lint"]);
    r.assert_code(2);
    let err = r.stderr();
    assert!(err.contains("migguard.toml"), "{err}");
    assert!(err.contains("line 4, column 1"), "{err}");
    assert!(err.contains("tabel"), "{err}");
}

#[test]
fn bad_rules_file_exits_2_with_line_and_column() {
    let p = Project::new();
    p.file(
        "my-rules.toml",
        "[[rule]]\nid = \"no-drops\"\nseverity = \"block\"\ncategory = \"destructive\"\nphase = \"contract\"\nsummary = \"s\"\nwhy = \"w\"\ninstead = \"i\"\nops = [{ kind = \"drop_tabel\" }]\n",
    )
    .file("m/0001_x.sql", "CREATE TABLE x (id int);\n");
    let r = p.run(&["--rules", "my-rules.toml", "lint", "m"]);
    r.assert_code(2);
    let err = r.stderr();
    assert!(err.contains("my-rules.toml"), "{err}");
    assert!(err.contains("line 9, column"), "{err}");
    assert!(err.contains("drop_tabel"), "{err}");
}

#[test]
fn user_rules_file_changes_severity() {
    let p = Project::new();
    // Turning drop-table off must let the migration through; other required rules
    // fall back to their built-in definitions.
    p.file(
        "rules.toml",
        "[[rule]]\nid = \"drop-table\"\nseverity = \"off\"\ncategory = \"destructive\"\nphase = \"neutral\"\nsummary = \"s\"\nwhy = \"w\"\ninstead = \"i\"\nops = [{ kind = \"drop_table\" }]\n",
    )
    .file("m/0001_x.sql", "DROP TABLE x;\n");
    let r = p.run(&["--rules", "rules.toml", "lint", "m", "--format", "json"]);
    r.assert_code(0);
    assert!(!r.findings().iter().any(|(rule, _)| rule == "drop-table"));
    p.file("m/0002_y.sql", "ALTER TABLE y DROP COLUMN z;\n");
    let r = p.run(&["--rules", "rules.toml", "lint", "m", "--format", "json"]);
    r.assert_code(1);
    assert!(has(&r.findings(), "drop-column", "failing"));
}

#[test]
fn missing_rules_file_exits_2() {
    let p = Project::new();
    p.file("m/0001_x.sql", "CREATE TABLE x (id int);\n");
    p.run(&["--rules", "nope.toml", "lint", "m"]).assert_code(2);
}

#[test]
fn rules_lists_every_required_id() {
    let p = Project::new();
    let r = p.run(&["rules"]);
    r.assert_code(0);
    let out = r.stdout();
    for id in [
        "drop-table",
        "drop-column",
        "rename-column",
        "change-column-recreate",
        "concurrent-index-in-transaction",
        "unparsed-sql",
        "opaque-operation",
        "suppression-without-reason",
        "unknown-applied-migration",
    ] {
        assert!(out.contains(id), "{id} missing from:\n{out}");
    }
}

#[test]
fn rules_json_has_the_fields_of_each_rule() {
    let p = Project::new();
    let r = p.run(&["rules", "--format", "json"]);
    r.assert_code(0);
    let v = r.json();
    let rules = v.as_array().expect("array of rules");
    let drop = rules
        .iter()
        .find(|r| r["id"] == "drop-table")
        .expect("drop-table");
    assert_eq!(drop["severity"], "block");
    assert_eq!(drop["category"], "destructive");
    assert_eq!(drop["phase"], "contract");
    assert!(drop["summary"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(drop["why"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(drop["instead"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(drop["ops"][0], "drop_table");
}

#[test]
fn explain_prints_why_and_instead() {
    let p = Project::new();
    let r = p.run(&["explain", "create-index-non-concurrent"]);
    r.assert_code(0);
    let out = r.stdout();
    assert!(out.contains("CONCURRENTLY"), "{out}");
    assert!(out.contains("Why"), "{out}");
    assert!(out.contains("create_index"), "{out}");
}

#[test]
fn explain_unknown_rule_exits_2_with_did_you_mean() {
    let p = Project::new();
    let r = p.run(&["explain", "drop-colum"]);
    r.assert_code(2);
    assert!(r.stderr().contains("`drop-column`"), "{}", r.stderr());
}

#[test]
fn typeorm_drop_column_fails() {
    let p = Project::new();
    p.file(
        "src/migrations/1779000000000-DropLegacy.ts",
        "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\nexport class DropLegacy1779000000000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.dropColumn(\"product\", \"legacy_code\");\n    }\n    public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n",
    );
    let r = p.run(&["lint", "src/migrations", "--format", "json"]);
    r.assert_code(1);
    assert!(has(&r.findings(), "drop-column", "failing"));
}

/// A size threshold raises a finding's severity, never its disposition: above the
/// threshold an unsuppressed non-concurrent index fails, while a suppressed one is
/// still shown with its size and `block` severity but stays suppressed and passes.
#[test]
fn a_size_raised_finding_keeps_its_suppression() {
    let p = Project::new();
    p.file(
        "stats.json",
        r#"{"format": "migguard-table-stats", "version": 1, "server_version_num": null,
            "tables": [{"schema": "public", "table": "big", "rows": 2000000, "bytes": null, "partitioned": false}]}"#,
    );
    let sized = |r: &Run| {
        r.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .find(|f| f["rule"] == "create-index-non-concurrent")
            .cloned()
            .expect("create-index-non-concurrent finding")
    };
    let lint = [
        "lint",
        "m",
        "--table-stats",
        "stats.json",
        "--format",
        "json",
    ];
    p.file("m/0001_index.sql", "CREATE INDEX big_v ON big (v);\n");
    let r = p.run(&lint);
    r.assert_code(1);
    let f = sized(&r);
    assert_eq!(
        (&f["status"], &f["severity"]),
        (&"failing".into(), &"block".into())
    );
    p.file(
        "m/0001_index.sql",
        "-- migguard-ignore create-index-non-concurrent: built in the maintenance window\nCREATE INDEX big_v ON big (v);\n",
    );
    let r = p.run(&lint);
    r.assert_code(0);
    let f = sized(&r);
    assert_eq!(
        (&f["status"], &f["severity"], &f["suppression_reason"]),
        (
            &"suppressed".into(),
            &"block".into(),
            &"built in the maintenance window".into()
        )
    );
    assert_eq!(f["table_stats"]["rows"], 2000000, "{f}");
}
