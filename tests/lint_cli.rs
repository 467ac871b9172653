//! The `lint`, `rules` and `explain` commands end to end: the real binary over real
//! files, one temporary directory per case. They guard the exit-code contract (0
//! passed, 1 gate failed, 2 migguard could not do its job) and the JSON fields CI
//! reads.

mod util;
use util::*;

#[test]
fn bundled_example_passes_with_the_contract_acknowledged() {
    let r = run_in(
        &repo_root(),
        &[
            "lint",
            "--config",
            "fixtures/migguard.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["command"], "lint");
    assert_eq!(v["status"], "pass");
    assert_eq!(v["migrations"].as_array().unwrap().len(), 4);
    assert_eq!(rules_with_status(&v, "acknowledged"), vec!["drop-column"]);
    let names: Vec<&str> = v["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "Init1700000000000",
            "AddSmileCode1700000100000",
            "DropLegacyCode1700000200000",
            "BuilderApi1700000300000"
        ]
    );
}

#[test]
fn every_json_finding_has_the_contract_fields() {
    let r = run_in(
        &repo_root(),
        &[
            "lint",
            "--config",
            "fixtures/bad/migguard.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "fail");
    for f in v["findings"].as_array().unwrap() {
        for key in [
            "rule",
            "severity",
            "category",
            "status",
            "migration",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "object",
            "message",
            "help",
        ] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
    }
    let failing = rules_with_status(&v, "failing");
    for id in [
        "drop-column",
        "delete-without-where",
        "suppression-without-reason",
        "missing-destructive-annotation",
        "missing-expand-annotation",
        "mixed-expand-contract",
    ] {
        assert!(
            failing.contains(&id.to_string()),
            "{id} not failing: {failing:?}"
        );
    }
    // The non-concurrent index is a warning at the default --fail-on block ...
    assert!(rules_with_status(&v, "warning").contains(&"create-index-non-concurrent".to_string()));
    // ... and the DROP COLUMN points into the .ts file, at the SQL inside the template.
    let drop = finding_of(&v, "drop-column");
    assert_eq!(
        (drop["line"].as_u64(), drop["column"].as_u64()),
        (Some(5), Some(34))
    );
}

#[test]
fn fail_on_warn_fails_on_warnings() {
    let dir = project(&[("m/0001_idx.sql", "CREATE INDEX i ON t (a);")]);
    assert_eq!(run_in(dir.path(), &["lint", "m"]).code, 0);
    assert_eq!(
        run_in(dir.path(), &["lint", "m", "--fail-on", "warn"]).code,
        1
    );
}

#[test]
fn sarif_has_the_2_1_0_structure() {
    let r = run_in(
        &repo_root(),
        &[
            "lint",
            "--config",
            "fixtures/bad/migguard.toml",
            "--format",
            "sarif",
        ],
    );
    let v = r.json();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "migguard");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        let region = &res["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with(".ts")
        );
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
    }
}

#[test]
fn github_annotations() {
    let r = run_in(
        &repo_root(),
        &[
            "lint",
            "--config",
            "fixtures/bad/migguard.toml",
            "--format",
            "github",
        ],
    );
    assert_eq!(r.code, 1);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("title=migguard drop-column"))
        .unwrap();
    assert!(
        line.starts_with(
            "::error file=fixtures/bad/migrations/1700000400000-Cleanup.ts,line=5,col=34,"
        ),
        "{line}"
    );
    assert!(r
        .stdout
        .lines()
        .any(|l| l.starts_with("::warning ") && l.contains("create-index-non-concurrent")));
    assert!(r.stdout.lines().all(|l| !l.contains('\n')));
}

#[test]
fn human_output_shows_a_code_frame_in_the_ts_file() {
    let r = run_in(
        &repo_root(),
        &[
            "lint",
            "--config",
            "fixtures/bad/migguard.toml",
            "--color",
            "never",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("migguard::drop-column"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("[fixtures/bad/migrations/1700000400000-Cleanup.ts:5:34]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("FAILED"));
}

#[test]
fn comments_strings_and_down_only_drops_are_not_findings() {
    let dir = project(&[(
        "m/1700000000000-Safe.ts",
        r#"export class Safe1700000000000 {
    async up(queryRunner) {
        // await queryRunner.query(`DROP TABLE users`);
        await queryRunner.query(`INSERT INTO notes (body) VALUES ('drop table users; delete from x')`);
    }
    async down(queryRunner) {
        await queryRunner.query(`DROP TABLE notes`);
    }
}"#,
    )]);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.json()["findings"].as_array().unwrap().is_empty(),
        "{}",
        r.stdout
    );
}

#[test]
fn malformed_typescript_fails_closed() {
    let dir = project(&[("m/1700000000000-Bad.ts", "export class Bad1700000000000 {\n  async up(queryRunner) {\n    await queryRunner.query(`DROP TABLE x`;\n  }\n}\n")]);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert!(rules_with_status(&r.json(), "failing").contains(&"read-error".to_string()));
}

#[test]
fn files_beside_the_migrations_are_skipped_unless_they_look_like_one() {
    let good = "export class A1700000000001 {\n  async up(queryRunner) {\n    await queryRunner.query(`CREATE TABLE a (id int)`);\n  }\n}\n";
    let dir = project(&[
        ("m/1700000000001-A.ts", good),
        // A barrel and a constants module, as tsc also copies them into dist/.
        ("m/index.ts", "import { A1700000000001 } from \"./1700000000001-A\";\nexport default [A1700000000001];\n"),
        ("m/constants.ts", "export const TABLE = \"a\";\n"),
    ]);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.json()["findings"].as_array().unwrap().len(),
        0,
        "{}",
        r.stdout
    );

    // Code that uses a query runner but holds no migration class fails closed,
    // with a position every output format can show.
    let dir = project(&[
        ("m/1700000000001-A.ts", good),
        (
            "m/helpers.ts",
            "// shared\nexport const drop = (queryRunner) => queryRunner.query(`DROP TABLE a`);\n",
        ),
    ]);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "read-error");
    assert!(f["file"].as_str().unwrap().ends_with("helpers.ts"), "{f}");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(1))
    );
    let human = run_in(dir.path(), &["lint", "m", "--color", "never"]);
    assert!(human.stdout.contains("helpers.ts:1:1"), "{}", human.stdout);
}

#[test]
fn an_sql_comment_inside_a_query_string_suppresses_the_statement_below_it() {
    let dir = project(&[(
        "m/1700000000001-Backfill.ts",
        "export class Backfill1700000000001 {\n  async up(queryRunner) {\n    await queryRunner.query(`\n      -- migguard-ignore update-without-where: lookup table, 5 rows\n      UPDATE a SET x = 1;\n      UPDATE b SET x = 1;\n    `);\n  }\n}\n",
    )]);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    let v = r.json();
    let seen: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("update-without-where".into(), "suppressed".into(), 5),
            ("update-without-where".into(), "warning".into(), 6)
        ],
        "{v}"
    );
    assert_eq!(
        v["findings"][0]["suppression_reason"],
        "lookup table, 5 rows"
    );
}

#[test]
fn a_contract_match_in_unparsed_sql_says_it_cannot_name_the_object() {
    let dir = project(&[(
        "m/0001_a.sql",
        "DO $$ BEGIN IF true THEN DROP TABLE real_drop; END IF; END $$;\n",
    )]);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    assert_eq!(r.code, 1);
    let v = r.json();
    let missing = finding_of(&v, "missing-destructive-annotation");
    assert_eq!(
        missing["message"],
        "`0001_a` drops, renames or empties objects migguard cannot name (unparsed or run-time SQL) but has no `@destructive:` annotation"
    );
}

#[test]
fn verbose_lists_quiet_findings_and_every_migration_read() {
    let r = run_in(
        &repo_root().join("fixtures"),
        &["lint", "-v", "--color", "never"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("acknowledged  drop-column"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("read Init1700000000000") && r.stdout.contains("1700000000000-Init.ts"),
        "{}",
        r.stdout
    );
    let quiet = run_in(&repo_root().join("fixtures"), &["lint", "--color", "never"]);
    assert!(
        !quiet.stdout.contains("read Init1700000000000"),
        "{}",
        quiet.stdout
    );
}

#[test]
fn every_format_counts_columns_in_characters() {
    let dir = project(&[("m/0001_a.sql", "/* é 🚀 */ UPDATE a SET x = 1;\n")]);
    let json = run_in(dir.path(), &["lint", "m", "--format", "json"]).json();
    assert_eq!(json["findings"][0]["column"], 11, "{json}");
    let human = run_in(dir.path(), &["lint", "m", "--color", "never"]);
    assert!(
        human.stdout.contains("0001_a.sql:1:11]"),
        "{}",
        human.stdout
    );
    let sarif = run_in(dir.path(), &["lint", "m", "--format", "sarif"]).json();
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(
        run["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        11
    );
    let github = run_in(dir.path(), &["lint", "m", "--format", "github"]);
    assert!(github.stdout.contains("col=11"), "{}", github.stdout);
}

#[test]
fn bad_inputs_exit_2_with_a_clear_message() {
    let dir = project(&[
        ("bad_rules.toml", "[[rule]]\nid = \"x\"\nseverity = \"fatal\"\ncategory = \"locking\"\nphase = \"neutral\"\nsummary = \"s\"\nwhy = \"w\"\ninstead = \"i\"\n"),
        ("bad_config.toml", "migrations = [\"m\"]\nmigratons = 1\n"),
        ("m/1_ok.up.sql", "SELECT 1;"),
        ("empty/1700000000000-Empty.ts", ""),
    ]);
    std::fs::create_dir_all(dir.path().join("latin1")).unwrap();
    std::fs::write(dir.path().join("latin1/0001_x.sql"), b"SELECT '\xe9';").unwrap();
    std::fs::create_dir_all(dir.path().join("huge")).unwrap();
    std::fs::write(
        dir.path().join("huge/0001_big.sql"),
        "SELECT 1;\n".repeat(5_000_000),
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["lint", "does/not/exist"], "no such file or directory"),
        (
            vec!["lint", "m", "--rules", "bad_rules.toml"],
            "line 3, column 12",
        ),
        (
            vec!["lint", "--config", "bad_config.toml"],
            "line 2, column 1",
        ),
        (vec!["lint", "latin1"], "not valid UTF-8"),
        (vec!["lint", "empty"], "empty file"),
        (vec!["lint", "huge"], "larger than"),
        (vec!["lint"], "no migrations to read"),
        (vec!["explain", "drop-colum"], "did you mean `drop-column`"),
        (vec!["lint", "m", "--format", "yaml"], "invalid value"),
    ];
    for (args, expected) in cases {
        let r = run_in(dir.path(), &args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(expected),
            "{args:?}: stderr was {}",
            r.stderr
        );
    }
}

#[test]
fn rules_and_explain() {
    let r = run_in(&repo_root(), &["rules", "--format", "json"]);
    assert_eq!(r.code, 0);
    let ids: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    for id in [
        "drop-column",
        "concurrent-index-in-transaction",
        "expand-not-applied",
        "unknown-applied-migration",
    ] {
        assert!(ids.contains(&id.to_string()), "{id}");
    }
    let r = run_in(&repo_root(), &["explain", "create-index-non-concurrent"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("CONCURRENTLY") && r.stdout.contains("transaction = false"),
        "{}",
        r.stdout
    );
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
    let f = finding_of(&v, "drop-column");
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
    let out = r.stdout;
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
    let f = finding_of(&v, "update-without-where");
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

/// `down()` is never gated and its operations are not kept, but a suppression in
/// one of its SQL strings (written there, or in a helper method it calls) still
/// silences nothing and is reported, and so is a misspelled one.
#[test]
fn suppressions_in_the_sql_of_down_are_reported_as_unused_or_misspelled() {
    let p = Project::new();
    p.file(
        "m/1700000000000-Down.ts",
        r#"export class Down1700000000000 {
    async up(queryRunner) {
        await queryRunner.query(`CREATE TABLE x (id int)`);
    }
    async down(queryRunner) {
        await queryRunner.query(`-- migguard-ignore drop-table: rollback only
DROP TABLE x`);
        await this.tidy(queryRunner);
    }
    async tidy(queryRunner) {
        await queryRunner.query(`-- migguard-ignroe drop-table: rollback only
DROP TABLE y`);
    }
}"#,
    );
    let r = p.run(&["lint", "m", "--format", "json", "--fail-on", "warn"]);
    r.assert_code(1);
    let json = r.json();
    let fs = json["findings"].as_array().unwrap();
    let lines_of = |rule: &str| -> Vec<u64> {
        fs.iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines_of("unused-suppression"), vec![6], "{fs:?}");
    assert_eq!(lines_of("invalid-annotation"), vec![11], "{fs:?}");
    assert!(lines_of("drop-table").is_empty(), "{fs:?}");
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
    assert!(r.stderr.contains("0001_latin1.sql"), "{}", r.stderr);
}

#[test]
fn missing_path_exits_2() {
    let p = Project::new();
    let r = p.run(&["lint", "does/not/exist"]);
    r.assert_code(2);
    assert!(r.stderr.contains("does/not/exist"), "{}", r.stderr);
}

#[test]
fn folder_without_migrations_exits_2_instead_of_passing() {
    let p = Project::new();
    p.file("dist/README.md", "build output goes here\n");
    let r = p.run(&["lint", "dist"]);
    r.assert_code(2);
    assert!(r.stderr.contains("no migration files"), "{}", r.stderr);
}

#[test]
fn no_paths_and_no_config_exits_2_saying_what_to_pass() {
    let p = Project::new();
    let r = p.run(&["lint"]);
    r.assert_code(2);
    assert!(r.stderr.contains("migrations"), "{}", r.stderr);
}

#[test]
fn config_paths_resolve_against_the_config_directory() {
    let p = Project::new();
    p.file("app/migguard.toml", "migrations = [\"db/migrations\"]\n")
        .file("app/db/migrations/0001_x.sql", "DROP TABLE x;\n")
        .file("elsewhere/.keep", "");
    let cwd = p.dir.path().join("elsewhere");
    let cfg = p.dir.path().join("app/migguard.toml");
    let r = run_in(
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
    let err = r.stderr;
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
    let err = r.stderr;
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
    let out = r.stdout;
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
    let out = r.stdout;
    assert!(out.contains("CONCURRENTLY"), "{out}");
    assert!(out.contains("Why"), "{out}");
    assert!(out.contains("create_index"), "{out}");
}

#[test]
fn explain_unknown_rule_exits_2_with_did_you_mean() {
    let p = Project::new();
    let r = p.run(&["explain", "drop-colum"]);
    r.assert_code(2);
    assert!(r.stderr.contains("`drop-column`"), "{}", r.stderr);
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
