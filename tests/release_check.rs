//! `release-check` against a real PostgreSQL started by the harness.

mod support;
mod util;
use support::pg::{cluster, TestDb};
use util::*;

/// `release-check --database-url URL --format json` in `dir`.
fn release_check_json(dir: &std::path::Path, url: &str) -> Run {
    run_in(
        dir,
        &["release-check", "--database-url", url, "--format", "json"],
    )
}

const TYPEORM_HISTORY: &str = r#"CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_migrations" PRIMARY KEY ("id"))"#;

fn db_with_history(prefix: &str, applied: &[&str]) -> TestDb {
    let db = cluster().create_database(prefix);
    db.execute(TYPEORM_HISTORY);
    for name in applied {
        let ts = &name[name.len() - 13..];
        db.execute(&format!(
            "INSERT INTO migrations (timestamp, name) VALUES ({ts}, '{name}')"
        ));
    }
    db
}

fn check(db: &TestDb, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let migrations = repo_root().join("fixtures/src/migrations");
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "release-check",
        migrations.to_str().unwrap(),
        "--database-url",
        &db.url,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run_env(dir.path(), &args, env)
}

const ALL: [&str; 4] = [
    "Init1700000000000",
    "AddSmileCode1700000100000",
    "DropLegacyCode1700000200000",
    "BuilderApi1700000300000",
];

#[test]
fn nothing_pending_passes() {
    let db = db_with_history("rc_all", &ALL);
    let r = check(&db, &[], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["command"], "release-check");
    assert_eq!(v["history"]["pending"].as_array().unwrap().len(), 0);
}

#[test]
fn pending_contract_needs_permission() {
    let db = db_with_history("rc_perm", &ALL[..2]);
    let r = check(&db, &[], &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["destructive-pending"]
    );
    let r = check(&db, &["--allow-destructive"], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = check(&db, &[], &[("ALLOW_DESTRUCTIVE_MIGRATIONS", "true")]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn expand_pending_in_the_same_batch_is_not_enough() {
    let db = db_with_history("rc_batch", &ALL[..1]);
    let r = check(&db, &["--allow-destructive"], &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(rules_with_status(&v, "failing"), vec!["expand-not-applied"]);
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("still pending"), "{msg}");
}

#[test]
fn unknown_applied_migration_fails() {
    let mut applied = ALL.to_vec();
    applied.push("HotfixFromAnotherBranch1700000250000");
    let db = db_with_history("rc_unknown", &applied);
    let r = check(&db, &[], &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["unknown-applied-migration"]
    );
}

#[test]
fn missing_history_table_means_nothing_applied() {
    let db = cluster().create_database("rc_missing");
    let r = check(&db, &["--allow-destructive"], &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["table_missing"], true);
    assert_eq!(v["history"]["pending"].as_array().unwrap().len(), 4);
    assert_eq!(rules_with_status(&v, "failing"), vec!["expand-not-applied"]);
    // … with a warning every format carries.
    assert_eq!(rules_with_status(&v, "warning"), vec!["history-problem"]);
    // Human output says so.
    let dir = tempfile::tempdir().unwrap();
    let m = repo_root().join("fixtures/src/migrations");
    let r = run_in(
        dir.path(),
        &[
            "release-check",
            m.to_str().unwrap(),
            "--database-url",
            &db.url,
        ],
    );
    assert!(r.stdout.contains("does not exist"), "{}", r.stdout);
}

#[test]
fn custom_history_table_in_another_schema() {
    let db = cluster().create_database("rc_custom");
    db.execute("CREATE SCHEMA core");
    db.execute(&TYPEORM_HISTORY.replace("\"migrations\"", "core._typeorm_migrations"));
    for n in ALL {
        db.execute(&format!(
            "INSERT INTO core._typeorm_migrations (timestamp, name) VALUES ({}, '{n}')",
            &n[n.len() - 13..]
        ));
    }
    let dir = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[history]\ntable = \"core._typeorm_migrations\"\n",
            repo_root().join("fixtures/src/migrations").display()
        ),
    )]);
    let r = release_check_json(dir.path(), &db.url);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["history"]["applied"].as_array().unwrap().len(), 4);
}

#[test]
fn golang_migrate_and_flyway_ledgers() {
    let sql = repo_root().join("fixtures/sql");
    let db = cluster().create_database("rc_golang");
    db.execute("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, false)");
    let dir = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[history]\nkind = \"golang-migrate\"\n",
            sql.display()
        ),
    )]);
    let r = release_check_json(dir.path(), &db.url);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(
        v["history"]["pending"],
        serde_json::json!(["000003_drop_legacy_flag"])
    );
    assert_eq!(
        rules_with_status(&v, "failing"),
        vec!["destructive-pending"]
    );
    // The bundled example names no history kind: the golang-migrate layout of every
    // migration says which ledger to read.
    let r = run_json_on_db(
        &repo_root().join("fixtures"),
        &["--config", "sql.toml", "release-check"],
        &db.url,
    );
    assert_eq!(
        r.json()["history"]["table"],
        "schema_migrations",
        "{}",
        r.stdout
    );
    assert_eq!(
        r.json()["history"]["pending"],
        serde_json::json!(["000003_drop_legacy_flag"])
    );
    assert_eq!(
        run_in(
            dir.path(),
            &[
                "release-check",
                "--database-url",
                &db.url,
                "--allow-destructive"
            ]
        )
        .code,
        0
    );
    db.execute("UPDATE schema_migrations SET dirty = true");
    let r = run_in(
        dir.path(),
        &[
            "release-check",
            "--database-url",
            &db.url,
            "--allow-destructive",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["history-problem"]
    );

    let fw = project(&[
        ("db/V1__init.sql", "CREATE TABLE a (id int);"),
        (
            "db/V1_1__drop.sql",
            "-- @destructive: DROP TABLE a\n-- @expand-migration: NONE (unused)\nDROP TABLE a;",
        ),
    ]);
    let db = cluster().create_database("rc_flyway");
    db.execute("CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200), script varchar(1000), success boolean NOT NULL); INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'V1__init.sql', true)");
    std::fs::write(
        fw.path().join("migguard.toml"),
        "migrations = [\"db\"]\n[history]\nkind = \"flyway\"\n",
    )
    .unwrap();
    let r = release_check_json(fw.path(), &db.url);
    assert_eq!(
        r.json()["history"]["pending"],
        serde_json::json!(["V1_1__drop"])
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        run_in(
            fw.path(),
            &[
                "release-check",
                "--database-url",
                &db.url,
                "--allow-destructive"
            ]
        )
        .code,
        0
    );
}

/// Flyway's real table shape: a `BASELINE` row stands for every version up to it (no
/// file needed, not unknown), an undone version is pending again, and a failed row
/// blocks the release.
#[test]
fn flyway_baseline_undo_and_failed_rows() {
    const FLYWAY_HISTORY: &str = r#"CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INT NOT NULL, "success" BOOLEAN NOT NULL)"#;
    let fw = project(&[
        ("db/V1__init.sql", "CREATE TABLE a (id int);"),
        ("db/V2__more.sql", "CREATE TABLE b (id int);"),
        ("db/V3__add.sql", "ALTER TABLE a ADD COLUMN x int;"),
        ("db/V4__add_y.sql", "ALTER TABLE a ADD COLUMN y int;"),
        (
            "migguard.toml",
            "migrations = [\"db\"]\n[history]\nkind = \"flyway\"\n",
        ),
    ]);
    let db = cluster().create_database("rc_flyway_baseline");
    db.execute(FLYWAY_HISTORY);
    db.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES \
         (1, '2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', 'ci', 0, true), \
         (2, '3', 'add', 'SQL', 'V3__add.sql', 'ci', 5, true), \
         (3, '3', 'add', 'UNDO_SQL', 'U3__add.sql', 'ci', 5, true)",
    );
    let run = || release_check_json(fw.path(), &db.url);
    let r = run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let h = &r.json()["history"];
    assert_eq!(h["applied"], serde_json::json!(["V1__init", "V2__more"]));
    assert_eq!(h["pending"], serde_json::json!(["V3__add", "V4__add_y"]));
    assert_eq!(h["unknown_applied"], serde_json::json!([]));

    db.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES \
         (4, '3', 'add', 'SQL', 'V3__add.sql', 'ci', 5, false)",
    );
    let r = run();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["history-problem"]
    );
}

/// Flyway Java migrations (`JDBC` rows): one whose class the project holds (under
/// the migration paths or `[flyway] java_migrations`) is known; one with no class
/// stays unknown and the message says how to point migguard at it; a pending one
/// cannot be read, so it blocks like any unreadable pending migration.
#[test]
fn flyway_java_migrations_are_known_when_their_class_is_found() {
    const FLYWAY_HISTORY: &str = r#"CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INT NOT NULL, "success" BOOLEAN NOT NULL)"#;
    let fw = project(&[
        ("db/V1__init.sql", "CREATE TABLE a (id int);"),
        // In the migration directory, named the BaseJavaMigration way.
        ("db/V1_1__Seed.java", "public class V1_1__Seed extends BaseJavaMigration {}"),
        // Elsewhere, with a version declared that differs from the class name.
        (
            "api/java/V1_2__Backfill.java",
            "public class V1_2__Backfill implements JavaMigration {\n  public MigrationVersion getVersion() { return MigrationVersion.fromVersion(\"1.3\"); }\n}",
        ),
        (
            "migguard.toml",
            "migrations = [\"db\"]\n[history]\nkind = \"flyway\"\n",
        ),
    ]);
    let db = cluster().create_database("rc_flyway_java");
    db.execute(FLYWAY_HISTORY);
    db.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES \
         (1, '1', 'init', 'SQL', 'V1__init.sql', 'ci', 5, true), \
         (2, '1.1', 'Seed', 'JDBC', 'db.migration.V1_1__Seed', 'ci', 5, true), \
         (3, '1.3', 'Backfill', 'SPRING_JDBC', 'db.migration.V1_2__Backfill', 'ci', 5, true)",
    );
    let run = || release_check_json(fw.path(), &db.url);
    // 1.3's class is not under the migration paths: unknown, and the message says why.
    let r = run();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["unknown_applied"], serde_json::json!(["1.3"]));
    assert_eq!(
        v["history"]["applied"],
        serde_json::json!(["V1__init", "V1_1__Seed"])
    );
    let text = v.to_string();
    assert!(
        text.contains("Flyway Java migration") && text.contains("[flyway] java_migrations"),
        "{text}"
    );

    std::fs::write(
        fw.path().join("migguard.toml"),
        "migrations = [\"db\"]\n[history]\nkind = \"flyway\"\n[flyway]\njava_migrations = [\"api/java\"]\n",
    )
    .unwrap();
    let r = run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.json()["history"]["unknown_applied"],
        serde_json::json!([])
    );

    // A pending Java migration (a compiled class, too) cannot be read: it blocks.
    std::fs::write(
        fw.path().join("db/V2__Later.class"),
        [0xca, 0xfe, 0xba, 0xbe],
    )
    .unwrap();
    let r = run();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["pending"], serde_json::json!(["V2__Later"]));
    assert_eq!(
        rules_with_status(&v, "failing"),
        vec!["destructive-pending"]
    );
}

/// Fail closed: a pending migration migguard cannot read statically (a helper call,
/// a `DO` block it cannot see into) may be destructive, so it needs the same
/// permission as a contract migration; with permission it passes.
#[test]
fn unreadable_pending_migration_needs_permission() {
    let p = project(&[
        (
            "migrations/1700000000000-Init.ts",
            "import { MigrationInterface, QueryRunner } from \"typeorm\";\nexport class Init1700000000000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`CREATE TABLE \"a\" (\"id\" integer)`);\n    }\n    public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n",
        ),
        (
            "migrations/1700000100000-Helper.ts",
            "import { MigrationInterface, QueryRunner } from \"typeorm\";\nimport { cleanup } from \"./helpers\";\nexport class Helper1700000100000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await cleanup(queryRunner);\n    }\n    public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n",
        ),
    ]);
    let db = db_with_history("rc_opaque", &["Init1700000000000"]);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "release-check",
            "migrations",
            "--database-url",
            &db.url,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run_in(p.path(), &args)
    };
    let r = run(&[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(
        rules_with_status(&v, "failing"),
        vec!["destructive-pending"]
    );
    let f = finding_of(&v, "destructive-pending");
    assert_eq!(f["migration"], "Helper1700000100000");
    // Points at the helper call, not just the class.
    assert_eq!(f["line"], 5, "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("cannot read statically"),
        "{f}"
    );
    let r = run(&["--allow-destructive"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // Applied, it no longer matters.
    db.execute(
        "INSERT INTO migrations (timestamp, name) VALUES (1700000100000, 'Helper1700000100000')",
    );
    assert_eq!(run(&[]).code, 0);
}

/// A configured history table whose schema does not exist yet (first deploy of a
/// project that keeps TypeORM's table in `core`) is "nothing applied", like a missing
/// table — not an error; and the same for golang-migrate and Flyway ledgers.
#[test]
fn missing_history_schema_means_nothing_applied() {
    let db = cluster().create_database("rc_noschema");
    for (kind, table) in [
        ("typeorm", "core._typeorm_migrations"),
        ("golang-migrate", "schema_migrations"),
        ("flyway", "flyway_schema_history"),
    ] {
        let dir = project(&[
            ("db/V1__init.sql", "CREATE TABLE a (id int);"),
            (
                "migguard.toml",
                &format!(
                    "migrations = [\"db\"]\n[history]\nkind = \"{kind}\"\ntable = \"{table}\"\n"
                ),
            ),
        ]);
        let r = release_check_json(dir.path(), &db.url);
        assert_eq!(r.code, 0, "{kind}: {}{}", r.stdout, r.stderr);
        let h = &r.json()["history"];
        assert_eq!(h["table_missing"], true, "{kind}");
        assert_eq!(h["pending"], serde_json::json!(["V1__init"]), "{kind}");
    }
}

#[test]
fn allow_destructive_env_is_strict() {
    // Additive-only release: only BuilderApi (creates a table) is pending.
    let additive = db_with_history("rc_env_add", &ALL[..3]);
    let r = check(&additive, &[], &[("ALLOW_DESTRUCTIVE_MIGRATIONS", "")]);
    assert_eq!(r.code, 0, "empty = unset: {}{}", r.stdout, r.stderr);
    // A contract migration pending: only `true` (any case) grants.
    let contract = db_with_history("rc_env_contract", &ALL[..2]);
    for granted in ["true", "TRUE", "True"] {
        let r = check(&contract, &[], &[("ALLOW_DESTRUCTIVE_MIGRATIONS", granted)]);
        assert_eq!(r.code, 0, "{granted}: {}{}", r.stdout, r.stderr);
    }
    for denied in ["false", "FALSE", "0", ""] {
        let r = check(&contract, &[], &[("ALLOW_DESTRUCTIVE_MIGRATIONS", denied)]);
        assert_eq!(r.code, 1, "{denied:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(
            rules_with_status(&r.json(), "failing"),
            vec!["destructive-pending"]
        );
    }
    for ambiguous in ["1", "yes", "on", "y", "enable", " true"] {
        let r = check(
            &contract,
            &[],
            &[("ALLOW_DESTRUCTIVE_MIGRATIONS", ambiguous)],
        );
        assert_eq!(r.code, 2, "{ambiguous:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("ALLOW_DESTRUCTIVE_MIGRATIONS") && r.stderr.contains("`true`"),
            "{}",
            r.stderr
        );
        // Same refusal for an additive-only release: the setting is wrong either way.
        let r = check(
            &additive,
            &[],
            &[("ALLOW_DESTRUCTIVE_MIGRATIONS", ambiguous)],
        );
        assert_eq!(r.code, 2, "{ambiguous:?}: {}{}", r.stdout, r.stderr);
    }
}

/// A database where every fixture migration ran (its schema replayed by `migguard
/// schema`, the history rows TypeORM writes).
fn db_with_full_schema(prefix: &str) -> TestDb {
    let db = db_with_history(prefix, &ALL);
    let dir = tempfile::tempdir().unwrap();
    let m = repo_root().join("fixtures/src/migrations");
    let r = run_in(
        dir.path(),
        &["schema", m.to_str().unwrap(), "--format", "sql"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    db.execute(&r.stdout);
    db
}

/// An older image: only the first `n` fixture migrations.
fn older_image(n: usize) -> tempfile::TempDir {
    let src = repo_root().join("fixtures/src/migrations");
    let mut files: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("m")).unwrap();
    for f in files.iter().take(n) {
        std::fs::copy(f, dir.path().join("m").join(f.file_name().unwrap())).unwrap();
    }
    dir
}

fn check_image(image: &tempfile::TempDir, db: &TestDb, env: &[(&str, &str)]) -> Run {
    run_env(
        image.path(),
        &[
            "release-check",
            "m",
            "--database-url",
            &db.url,
            "--format",
            "json",
        ],
        env,
    )
}

#[test]
fn older_image_redeployed_is_a_warning() {
    let db = db_with_full_schema("rc_rollback");
    // The image before BuilderApi: the database is one (additive) migration ahead.
    let r = check_image(&older_image(3), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(
        rules_with_status(&v, "warning"),
        vec!["unknown-applied-migration"]
    );
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("rollback") && msg.contains("BuilderApi1700000300000"),
        "{msg}"
    );
    assert_eq!(v["history"]["ahead_of_build"], true);
}

#[test]
fn rollback_past_a_contract_migration_blocks_naming_what_was_dropped() {
    let db = db_with_full_schema("rc_rollback_contract");
    // The image before DropLegacyCode: its code still reads product.legacy_code.
    let r = check_image(&older_image(2), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let failing: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failing")
        .collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0]["object"], "public.product.legacy_code");
    let msg = failing[0]["message"].as_str().unwrap();
    assert!(msg.contains("DropLegacyCode1700000200000"), "{msg}");
    // The migrations it does not know about are listed as warnings.
    assert_eq!(
        rules_with_status(&v, "warning"),
        vec!["unknown-applied-migration", "unknown-applied-migration"]
    );
}

#[test]
fn out_of_order_pending_is_a_warning() {
    // AddSmileCode merged late: pending while DropLegacyCode and BuilderApi are applied.
    let db = db_with_history("rc_ooo", &[ALL[0], ALL[3]]);
    let r = check(&db, &[], &[]);
    let v = r.json();
    let warnings: Vec<String> = findings_of(&v, "history-problem")
        .into_iter()
        .map(|f| format!("{} {}", f["status"], f["message"]))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .all(|w| w.contains("\"warning\"") && w.contains("BuilderApi1700000300000")),
        "{warnings:?}"
    );
    assert!(
        warnings[0].contains("AddSmileCode1700000100000"),
        "{warnings:?}"
    );
}

#[test]
fn allowed_destructive_migrations_are_listed_in_every_format() {
    let db = db_with_history("rc_audit", &ALL[..2]);
    let r = check(&db, &["--allow-destructive"], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let allowed = &v["history"]["allowed_destructive"];
    assert_eq!(allowed.as_array().unwrap().len(), 1, "{allowed}");
    let a = &allowed[0];
    assert_eq!(a["migration"], "DropLegacyCode1700000200000");
    assert_eq!(
        a["drops"],
        serde_json::json!(["public.product.legacy_code"])
    );
    assert_eq!(a["expand_migration"], "AddSmileCode1700000100000");
    // TypeORM's ledger does not record when a migration ran.
    assert!(a["expand_applied_at"].is_null());
    assert!(
        a["expand_applied"]
            .as_str()
            .unwrap()
            .contains("not recorded"),
        "{a}"
    );
    let f: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "acknowledged")
        .collect();
    assert_eq!(f.len(), 1, "{}", r.stdout);
    assert_eq!(f[0]["rule"], "destructive-pending");
    assert_eq!(f[0]["object"], "public.product.legacy_code");
    // BuilderApi (additive) is not in the trail.
    assert!(!r
        .stdout
        .contains("allowed destructive migration `BuilderApi"));

    let fmt = |format: &str| {
        let m = repo_root().join("fixtures/src/migrations");
        let dir = tempfile::tempdir().unwrap();
        let r = run_in(
            dir.path(),
            &[
                "release-check",
                m.to_str().unwrap(),
                "--database-url",
                &db.url,
                "--allow-destructive",
                "--format",
                format,
            ],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        r.stdout
    };
    let human = fmt("human");
    assert!(
        human.contains("allowed destructive migration `DropLegacyCode1700000200000`: drops, renames or empties public.product.legacy_code; expand: `AddSmileCode1700000100000` is applied; when is not recorded"),
        "{human}"
    );
    let github = fmt("github");
    assert!(
        github.lines().any(|l| l.starts_with("::notice ")
            && l.contains("title=migguard destructive-pending")
            && l.contains("allowed destructive migration `DropLegacyCode1700000200000`")),
        "{github}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&fmt("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let audit = results
        .iter()
        .find(|r| r["ruleId"] == "destructive-pending")
        .expect("audit result");
    assert!(audit["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .contains("--allow-destructive"));
    // Without the permission nothing is "allowed".
    let r = check(&db, &[], &[]);
    assert_eq!(
        r.json()["history"]["allowed_destructive"],
        serde_json::json!([])
    );
}

#[test]
fn flyway_records_when_the_expand_migration_was_applied() {
    const FLYWAY_HISTORY: &str = r#"CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INT NOT NULL, "success" BOOLEAN NOT NULL)"#;
    let fw = project(&[
        ("db/V1__init.sql", "CREATE TABLE product (id int PRIMARY KEY, legacy_code text);"),
        ("db/V2__add_smile_code.sql", "ALTER TABLE product ADD COLUMN smile_code text;"),
        (
            "db/V3__drop_legacy_code.sql",
            "-- @destructive: DROP COLUMN product.legacy_code (moved to smile_code)\n-- @expand-migration: V2__add_smile_code\nALTER TABLE product DROP COLUMN legacy_code;",
        ),
        ("migguard.toml", "migrations = [\"db\"]\n"),
    ]);
    let db = cluster().create_database("rc_flyway_audit");
    db.execute(FLYWAY_HISTORY);
    db.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, installed_on, execution_time, success) VALUES \
         (1, '1', 'init', 'SQL', 'V1__init.sql', 'ci', '2026-11-01 09:00:00', 5, true), \
         (2, '2', 'add smile code', 'SQL', 'V2__add_smile_code.sql', 'ci', '2026-11-20 14:30:00', 5, true)",
    );
    let r = run_in(
        fw.path(),
        &[
            "release-check",
            "--database-url",
            &db.url,
            "--allow-destructive",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let a = &r.json()["history"]["allowed_destructive"][0];
    assert_eq!(a["migration"], "V3__drop_legacy_code");
    assert_eq!(a["expand_migration"], "V2__add_smile_code");
    assert_eq!(a["expand_applied_at"], "2026-11-20T14:30:00");
    assert!(
        a["expand_applied"]
            .as_str()
            .unwrap()
            .contains("2026-11-20T14:30:00"),
        "{a}"
    );
}

/// `tsc --target es2020 --module commonjs --sourceMap` output (TypeScript 5.6) of a
/// contract migration whose annotations sat above its type-only import: tsc dropped
/// them with the import.
const COMPILED_DROP: &str = "\"use strict\";\nObject.defineProperty(exports, \"__esModule\", { value: true });\nexports.DropLegacyCode1700000200000 = void 0;\nclass DropLegacyCode1700000200000 {\n    constructor() {\n        this.name = 'DropLegacyCode1700000200000';\n    }\n    async up(queryRunner) {\n        await queryRunner.query(`ALTER TABLE \"product\" DROP COLUMN \"legacy_code\"`);\n    }\n    async down(queryRunner) { }\n}\nexports.DropLegacyCode1700000200000 = DropLegacyCode1700000200000;\n//# sourceMappingURL=1700000200000-DropLegacyCode.js.map\n";
const COMPILED_ADD: &str = "\"use strict\";\nObject.defineProperty(exports, \"__esModule\", { value: true });\nexports.AddSmileCode1700000100000 = void 0;\nclass AddSmileCode1700000100000 {\n    constructor() {\n        this.name = 'AddSmileCode1700000100000';\n    }\n    async up(queryRunner) {\n        await queryRunner.query(`ALTER TABLE \"product\" ADD \"smile_code\" character varying(32)`);\n    }\n    async down(queryRunner) { }\n}\nexports.AddSmileCode1700000100000 = AddSmileCode1700000100000;\n";

fn compiled_release(prefix: &str, files: &[(&str, String)]) -> (Run, tempfile::TempDir) {
    let db = db_with_history(prefix, &[]);
    let mut all: Vec<(&str, &str)> = vec![
        ("dist/1700000100000-AddSmileCode.js", COMPILED_ADD),
        ("dist/1700000200000-DropLegacyCode.js", COMPILED_DROP),
    ];
    all.extend(files.iter().map(|(p, c)| (*p, c.as_str())));
    let dir = project(&all);
    let r = run_in(
        dir.path(),
        &[
            "release-check",
            "dist",
            "--database-url",
            &db.url,
            "--allow-destructive",
            "--format",
            "json",
        ],
    );
    (r, dir)
}

#[test]
fn compiled_js_annotations_are_read_from_the_typescript() {
    let ts = std::fs::read_to_string(
        repo_root().join("fixtures/src/migrations/1700000200000-DropLegacyCode.ts"),
    )
    .unwrap();
    // The header placement tsc drops: annotations above the import.
    let header_first = {
        let (import, rest) = ts.split_once('\n').unwrap();
        let (annotations, class) = rest.split_once("export class").unwrap();
        format!(
            "{}{import}\n\nexport class{class}",
            annotations.trim_start()
        )
    };
    assert!(header_first.starts_with("// @destructive"));
    let map = |content: Option<&str>| {
        serde_json::json!({
            "version": 3,
            "file": "1700000200000-DropLegacyCode.js",
            "sourceRoot": "",
            "sources": ["../src/migrations/1700000200000-DropLegacyCode.ts"],
            "sourcesContent": [content],
            "names": [],
            "mappings": ";;;AAIA",
        })
        .to_string()
    };
    let expand_checked = |r: &Run, via: &str| {
        // The annotations were found, so the expand check ran: AddSmileCode is
        // pending in the same batch, which is refused.
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        let v = r.json();
        assert_eq!(rules_with_status(&v, "failing"), vec!["expand-not-applied"]);
        let sources = &v["history"]["annotation_sources"];
        assert_eq!(sources[0]["migration"], "DropLegacyCode1700000200000");
        assert_eq!(sources[0]["via"], via, "{sources}");
    };
    // 1. sourcesContent in the map (tsc --inlineSources), no TypeScript shipped.
    let (r, _d) = compiled_release(
        "rc_js_map_content",
        &[(
            "dist/1700000200000-DropLegacyCode.js.map",
            map(Some(&header_first)),
        )],
    );
    expand_checked(&r, "source map sourcesContent");
    // 2. The map's source file, shipped in the image.
    let (r, _d) = compiled_release(
        "rc_js_map_file",
        &[
            ("dist/1700000200000-DropLegacyCode.js.map", map(None)),
            (
                "src/migrations/1700000200000-DropLegacyCode.ts",
                header_first.clone(),
            ),
        ],
    );
    expand_checked(&r, "the source map's source file");
    // 3. Nothing to read them from: unannotated (warnings), and the report says so.
    let (r, _d) = compiled_release("rc_js_none", &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["annotation_sources"], serde_json::json!([]));
    assert_eq!(
        rules_with_status(&v, "warning"),
        vec![
            "missing-destructive-annotation",
            "missing-expand-annotation"
        ]
    );
}

/// Flyway 9/10's history table, as Flyway creates it.
const FLYWAY_TABLE: &str = r#"CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INT NOT NULL, "success" BOOLEAN NOT NULL); ALTER TABLE "flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank")"#;
const FW_V1: &str = "CREATE TABLE t (id int);\nCREATE TABLE keep_me (id int);\n";
const FW_R: &str = "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n";
/// The checksums Flyway records for `FW_V1` and `FW_R` (computed with Flyway's
/// algorithm on the JVM: `java.util.zip.CRC32` over `BufferedReader` lines).
const FW_V1_SUM: i32 = -498313677;
const FW_R_SUM: i32 = -52122244;

/// A database on which Flyway applied `FW_V1` and `FW_R`.
fn flyway_applied_db(prefix: &str) -> TestDb {
    let db = cluster().create_database(prefix);
    db.execute(FLYWAY_TABLE);
    db.execute(FW_V1);
    db.execute(FW_R);
    db.execute(&format!(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES \
         (1, '1', 'init', 'SQL', 'V1__init.sql', {FW_V1_SUM}, 'ci', 3, true), \
         (2, NULL, 'v', 'SQL', 'R__v.sql', {FW_R_SUM}, 'ci', 1, true)"
    ));
    db
}

/// Field trial (hmpps, real Flyway 8.0.0): Flyway runs pending versioned scripts, then
/// repeatables, so a new versioned script is never "older than" an applied repeatable
/// and an edited repeatable is never out of order; Flyway applied both without
/// `outOfOrder`. release-check warned "Flyway refuses it unless `outOfOrder = true`" on
/// every ordinary release of a project with repeatables.
#[test]
fn flyway_repeatables_never_make_a_migration_out_of_order() {
    let db = flyway_applied_db("rc_fw_order");
    let fw = project(&[
        ("db/V1__init.sql", FW_V1),
        ("db/R__v.sql", FW_R),
        ("db/V2__next.sql", "CREATE TABLE next_one (id int);\n"),
        (
            "migguard.toml",
            "migrations = [\"db\"]\n[history]\nkind = \"flyway\"\n",
        ),
    ]);
    let r = release_check_json(fw.path(), &db.url);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["pending"], serde_json::json!(["V2__next"]));
    assert_eq!(v["history"]["out_of_order"], serde_json::json!([]), "{v}");
    assert!(rules_with_status(&v, "warning").is_empty(), "{v}");
}

/// Bug P: Flyway re-runs a repeatable whose checksum changed, so an edited `R__`
/// script is pending and its `DROP TABLE` needs permission; an edited applied
/// versioned script makes Flyway refuse to migrate (a history problem naming it).
#[test]
fn flyway_edited_repeatable_is_pending_and_edited_versioned_is_a_problem() {
    let db = flyway_applied_db("rc_fw_repeat");
    let fw = project(&[
        ("db/V1__init.sql", FW_V1),
        ("db/R__v.sql", FW_R),
        (
            "migguard.toml",
            "migrations = [\"db\"]\n[history]\nkind = \"flyway\"\n",
        ),
    ]);
    let run = || release_check_json(fw.path(), &db.url);
    let r = run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.json()["history"]["applied"],
        serde_json::json!(["V1__init", "R__v"])
    );

    std::fs::write(
        fw.path().join("db/R__v.sql"),
        format!("{FW_R}DROP TABLE keep_me;\n"),
    )
    .unwrap();
    let r = run();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["history"]["pending"], serde_json::json!(["R__v"]));
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["destructive-pending"]
    );

    // Placeholders are replaced before Flyway checksums a repeatable: unknowable,
    // so pending (its DROP needs permission).
    std::fs::write(
        fw.path().join("db/R__v.sql"),
        "CREATE OR REPLACE VIEW v AS SELECT id FROM ${schema}.t;\nDROP TABLE keep_me;\n",
    )
    .unwrap();
    let r = run();
    assert_eq!(r.json()["history"]["pending"], serde_json::json!(["R__v"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);

    std::fs::write(fw.path().join("db/R__v.sql"), FW_R).unwrap();
    std::fs::write(
        fw.path().join("db/V1__init.sql"),
        format!("{FW_V1}CREATE TABLE extra (id int);\n"),
    )
    .unwrap();
    let r = run();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(rules_with_status(&v, "failing"), vec!["history-problem"]);
    assert!(
        v["findings"].to_string().contains("V1__init was edited"),
        "{v}"
    );
}

/// The ledger diesel creates (`diesel_migrations` 2.x, PostgreSQL).
const DIESEL_HISTORY: &str = "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)";

fn diesel_project() -> tempfile::TempDir {
    project(&[
        (
            "migrations/2024-01-01-120000_init/up.sql",
            "CREATE TABLE product (id int PRIMARY KEY, legacy_code text);",
        ),
        ("migrations/2024-01-01-120000_init/down.sql", "DROP TABLE product;"),
        (
            "migrations/2024-02-01-120000_add_smile_code/up.sql",
            "ALTER TABLE product ADD COLUMN smile_code text;",
        ),
        (
            "migrations/2024-03-01-120000_drop_legacy_code/up.sql",
            "-- @destructive: DROP COLUMN product.legacy_code (moved to smile_code)\n-- @expand-migration: 2024-02-01-120000_add_smile_code\nALTER TABLE product DROP COLUMN legacy_code;",
        ),
        ("migguard.toml", "migrations = [\"migrations\"]\n"),
    ])
}

/// A diesel layout reads `__diesel_schema_migrations` without configuration: rows
/// match folders by version, `run_on` dates the expand migration, and a row no
/// folder has is an unknown applied migration.
#[test]
fn diesel_ledger_by_version_with_run_on() {
    let dir = diesel_project();
    let db = cluster().create_database("rc_diesel");
    db.execute(DIESEL_HISTORY);
    db.execute(
        "INSERT INTO __diesel_schema_migrations VALUES \
         ('20240101120000', '2026-11-01 09:00:00'), ('20240201120000', '2026-11-20 14:30:00')",
    );
    let r = run_json_on_db(dir.path(), &["release-check"], &db.url);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["table"], "__diesel_schema_migrations", "{v}");
    assert_eq!(
        v["history"]["pending"],
        serde_json::json!(["2024-03-01-120000_drop_legacy_code"])
    );
    assert_eq!(
        rules_with_status(&v, "failing"),
        vec!["destructive-pending"]
    );
    let r = run_json_on_db(
        dir.path(),
        &["release-check", "--allow-destructive"],
        &db.url,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let a = &r.json()["history"]["allowed_destructive"][0];
    assert_eq!(a["expand_migration"], "2024-02-01-120000_add_smile_code");
    assert_eq!(a["expand_applied_at"], "2026-11-20T14:30:00");
    db.execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('20231231000000')");
    let r = run_json_on_db(
        dir.path(),
        &["release-check", "--allow-destructive"],
        &db.url,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["unknown-applied-migration"]
    );
}

/// A ledger whose columns are not the configured kind's is an error (exit 2) that
/// names the kind assumed, the columns it expected and how to configure it.
#[test]
fn ledger_of_another_kind_is_an_error_that_says_how_to_configure_it() {
    let dir = diesel_project();
    std::fs::write(
        dir.path().join("migguard.toml"),
        "migrations = [\"migrations\"]\n[history]\nkind = \"typeorm\"\ntable = \"__diesel_schema_migrations\"\n",
    )
    .unwrap();
    let db = cluster().create_database("rc_ledger_mismatch");
    db.execute(DIESEL_HISTORY);
    let r = run_in(dir.path(), &["release-check", "--database-url", &db.url]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    for said in [
        "kind \"typeorm\"",
        "id, timestamp, name",
        "[history]",
        "kind = \"diesel\"",
    ] {
        assert!(r.stderr.contains(said), "{said}: {}", r.stderr);
    }
}

/// The ledger Prisma Migrate creates on PostgreSQL.
const PRISMA_HISTORY: &str = r#"CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0, CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id"))"#;

/// A Prisma layout reads `_prisma_migrations` without configuration: finished rows
/// are applied (`finished_at` dates the expand migration), a failed row is a
/// blocking history problem naming it, and rolling it back withdraws it.
#[test]
fn prisma_ledger_finished_failed_and_rolled_back_rows() {
    let dir = project(&[
        (
            "prisma/migrations/20240101120000_init/migration.sql",
            "CREATE TABLE product (id int PRIMARY KEY, legacy_code text);",
        ),
        (
            "prisma/migrations/20240201120000_add_smile_code/migration.sql",
            "ALTER TABLE product ADD COLUMN smile_code text;",
        ),
        (
            "prisma/migrations/20240301120000_drop_legacy_code/migration.sql",
            "-- @destructive: DROP COLUMN product.legacy_code (moved to smile_code)\n-- @expand-migration: 20240201120000_add_smile_code\nALTER TABLE product DROP COLUMN legacy_code;",
        ),
        (
            "prisma/migrations/migration_lock.toml",
            "provider = \"postgresql\"\n",
        ),
        ("migguard.toml", "migrations = [\"prisma/migrations\"]\n"),
    ]);
    let db = cluster().create_database("rc_prisma");
    db.execute(PRISMA_HISTORY);
    db.execute(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES \
         ('a', 'x', '20240101120000_init', '2026-11-01 09:00:00+00', '2026-11-01 09:00:01+00', 1), \
         ('b', 'x', '20240201120000_add_smile_code', '2026-11-20 14:30:00+00', '2026-11-20 14:30:00+00', 1)",
    );
    let r = run_json_on_db(dir.path(), &["release-check"], &db.url);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["table"], "_prisma_migrations", "{v}");
    assert_eq!(
        v["history"]["pending"],
        serde_json::json!(["20240301120000_drop_legacy_code"])
    );
    assert_eq!(
        rules_with_status(&v, "failing"),
        vec!["destructive-pending"]
    );
    let r = run_json_on_db(
        dir.path(),
        &["release-check", "--allow-destructive"],
        &db.url,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let a = &r.json()["history"]["allowed_destructive"][0];
    assert_eq!(a["expand_migration"], "20240201120000_add_smile_code");
    assert!(
        a["expand_applied_at"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-11-20T14:30:00")),
        "{a}"
    );
    // `prisma migrate deploy` failed halfway through the contract migration.
    db.execute(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, logs) VALUES \
         ('c', 'x', '20240301120000_drop_legacy_code', '2026-11-21 10:00:00+00', 'error')",
    );
    let r = run_json_on_db(
        dir.path(),
        &["release-check", "--allow-destructive"],
        &db.url,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["history-problem"]
    );
    assert!(
        r.stdout
            .contains("failed migration 20240301120000_drop_legacy_code"),
        "{}",
        r.stdout
    );
    // `prisma migrate resolve --rolled-back`: withdrawn, pending again.
    db.execute("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = 'c'");
    let r = run_json_on_db(
        dir.path(),
        &["release-check", "--allow-destructive"],
        &db.url,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.json()["history"]["pending"],
        serde_json::json!(["20240301120000_drop_legacy_code"])
    );
}
