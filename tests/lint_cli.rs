//! The `lint` command end to end: the real binary over real files.

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
    let drop = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "drop-column")
        .unwrap();
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
    let missing = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "missing-destructive-annotation")
        .unwrap_or_else(|| panic!("{v}"));
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
