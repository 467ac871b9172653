//! Table-size-aware risk against a real PostgreSQL: the same pending migration
//! blocks on a table of a million rows and warns on one of ten, in release-check
//! (live sizes) and in lint with a stats file written by `inspect --stats`.

mod support;
mod util;
use support::pg::{cluster, TestDb};
use util::*;

const TYPEORM_HISTORY: &str = r#"CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_migrations" PRIMARY KEY ("id"))"#;

/// The applied migration every project here starts from; its tables exist in the
/// shared database with their rows.
const INIT_SQL: &str = r#"CREATE TABLE "big" ("id" integer NOT NULL, "v" integer);
CREATE TABLE "small" ("id" integer NOT NULL, "v" integer);
CREATE TABLE "unanalysed" ("id" integer NOT NULL, "v" integer);
ALTER TABLE "small" ADD CONSTRAINT "small_v_nn" CHECK ("v" IS NOT NULL)"#;

/// Only in the database (no migration reads it): a partitioned table, and no
/// autovacuum, so the estimates stay what the test set.
const DB_ONLY_SQL: &str = r#"ALTER TABLE "big" SET (autovacuum_enabled = false);
ALTER TABLE "small" SET (autovacuum_enabled = false);
ALTER TABLE "unanalysed" SET (autovacuum_enabled = false);
CREATE TABLE "events" ("id" integer NOT NULL, "v" integer) PARTITION BY RANGE ("id");
CREATE TABLE "events_a" PARTITION OF "events" FOR VALUES FROM (0) TO (500) WITH (autovacuum_enabled = false);
CREATE TABLE "events_b" PARTITION OF "events" FOR VALUES FROM (500) TO (1000) WITH (autovacuum_enabled = false)"#;

fn typeorm(class: &str, statements: &[&str]) -> String {
    let body: String = statements
        .iter()
        .map(|s| format!("        await queryRunner.query(`{s}`);\n"))
        .collect();
    format!(
        "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\nexport class {class} implements MigrationInterface {{\n    public async up(queryRunner: QueryRunner): Promise<void> {{\n{body}    }}\n\n    public async down(queryRunner: QueryRunner): Promise<void> {{}}\n}}\n"
    )
}

/// One database for the whole file (a million rows take seconds to insert); the
/// tests only read it.
fn shared_db() -> &'static TestDb {
    static DB: std::sync::OnceLock<TestDb> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let db = cluster().create_database("sizes");
        db.execute(TYPEORM_HISTORY);
        db.execute(
            "INSERT INTO migrations (timestamp, name) VALUES (1700000000000, 'Init1700000000000')",
        );
        db.execute(INIT_SQL);
        db.execute(DB_ONLY_SQL);
        db.execute("INSERT INTO big SELECT g, g % 1000 FROM generate_series(1, 1000000) g");
        db.execute("INSERT INTO small SELECT g, g FROM generate_series(1, 10) g");
        db.execute("INSERT INTO unanalysed SELECT g, g FROM generate_series(1, 100) g");
        db.execute("INSERT INTO events SELECT g, g FROM generate_series(0, 999) g");
        db.execute("ANALYZE big");
        db.execute("ANALYZE small");
        db.execute("ANALYZE events_a");
        db.execute("ANALYZE events_b");
        db
    })
}

/// A project folder: the applied Init migration plus `pending` (class, statements).
fn project_with(pending: &[(&str, &[&str])], config: &str) -> tempfile::TempDir {
    let init_statements: Vec<&str> = INIT_SQL.split(";\n").collect();
    let mut files = vec![(
        "migrations/1700000000000-Init.ts".to_string(),
        typeorm("Init1700000000000", &init_statements),
    )];
    for (class, statements) in pending {
        let ts = &class[class.len() - 13..];
        files.push((
            format!("migrations/{ts}-{class}.ts"),
            typeorm(class, statements),
        ));
    }
    files.push((
        "migguard.toml".to_string(),
        format!("migrations = [\"migrations\"]\n{config}"),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    project(&refs)
}

const INDEXES: (&str, &[&str]) = (
    "AddIndexes1700000000001",
    &[
        r#"CREATE INDEX "idx_big_v" ON "big" ("v")"#,
        r#"CREATE INDEX "idx_small_v" ON "small" ("v")"#,
    ],
);

/// The size-aware findings of a JSON report, by table: (status, severity, stats).
fn sized(v: &serde_json::Value, rule: &str) -> Vec<(String, String, String, serde_json::Value)> {
    let mut out: Vec<_> = findings_of(v, rule)
        .into_iter()
        .map(|f| {
            (
                f["table_stats"]["table"].as_str().unwrap_or("").to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["table_stats"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn release_check(dir: &std::path::Path, db: &TestDb, format: &str) -> Run {
    run_in(
        dir,
        &[
            "release-check",
            "--database-url",
            &db.url,
            "--format",
            format,
        ],
    )
}

#[test]
fn the_same_pending_migration_blocks_on_a_million_rows_and_warns_on_ten() {
    let db = shared_db();
    let dir = project_with(&[INDEXES], "");
    let r = release_check(dir.path(), db, "json");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let found = sized(&v, "create-index-non-concurrent");
    assert_eq!(found.len(), 2, "{found:?}");
    let (big, small) = (&found[0], &found[1]);
    assert_eq!(
        (big.0.as_str(), big.1.as_str(), big.2.as_str()),
        ("public.big", "failing", "block")
    );
    let rows = big.3["rows"].as_u64().unwrap();
    assert!((900_000..=1_100_000).contains(&rows), "{rows}");
    assert!(big.3["bytes"].as_u64().unwrap() > 30 << 20, "{}", big.3);
    assert_eq!(big.3["partitioned"], false);
    assert_eq!(big.3["source"], "database");
    assert_eq!(big.3["above"], "more than 500,000 rows (block_above_rows)");
    assert_eq!(
        (small.0.as_str(), small.1.as_str(), small.2.as_str()),
        ("public.small", "warning", "warn")
    );
    assert_eq!(small.3["rows"], 10);
    assert!(small.3.get("above").is_none(), "{}", small.3);
    // The live version is what the lock rules were judged for.
    let live: u64 = db.query("SHOW server_version_num").trim().parse().unwrap();
    assert_eq!(v["history"]["postgres_version"]["server_version_num"], live);
    assert_eq!(v["history"]["postgres_version"]["major"], live / 10_000);

    // Every text format shows the numbers next to the finding.
    let human = release_check(dir.path(), db, "human");
    // miette wraps long messages: compare the words.
    let flat = human
        .stdout
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("(public.big: ~1.0M rows, ")
            && flat.contains("— more than 500,000 rows (block_above_rows): blocks)")
            && flat.contains("(public.small: 10 rows, 8192 bytes)"),
        "{}",
        human.stdout
    );
    for format in ["github", "sarif", "gitlab"] {
        let out = release_check(dir.path(), db, format).stdout;
        assert!(
            out.contains("public.big: ~1.0M rows, ") && out.contains("public.small: 10 rows, "),
            "{format}: {out}"
        );
    }
}

#[test]
fn tables_created_by_pending_migrations_count_as_empty_and_unknown_rows_are_not_zero() {
    let db = shared_db();
    let dir = project_with(
        &[
            (
                "CreateFresh1700000000001",
                &[r#"CREATE TABLE "fresh" ("id" integer NOT NULL, "v" integer)"#],
            ),
            (
                "IndexMore1700000000002",
                &[
                    r#"CREATE INDEX "idx_fresh_v" ON "fresh" ("v")"#,
                    r#"CREATE INDEX "idx_unanalysed_v" ON "unanalysed" ("v")"#,
                    r#"CREATE INDEX "idx_events_v" ON "events" ("v")"#,
                ],
            ),
        ],
        "",
    );
    let r = release_check(dir.path(), db, "json");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let found = sized(&r.json(), "create-index-non-concurrent");
    let tables: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        tables,
        ["public.events", "public.fresh", "public.unanalysed"],
        "{found:?}"
    );
    let (events, fresh, unanalysed) = (&found[0].3, &found[1].3, &found[2].3);
    assert_eq!(fresh["source"], "created-by-pending-migration");
    assert_eq!(
        (fresh["rows"].clone(), fresh["bytes"].clone()),
        (0.into(), 0.into())
    );
    // Never analysed: rows unknown (null), the bytes still read, normal severity.
    assert_eq!(unanalysed["rows"], serde_json::Value::Null, "{unanalysed}");
    assert!(unanalysed["bytes"].as_u64().unwrap() > 0);
    // A partitioned table: summed over its partitions.
    assert_eq!(events["partitioned"], true);
    assert_eq!(events["rows"], 1000, "{events}");
    assert!(events["bytes"].as_u64().unwrap() > 0);
    assert!(found.iter().all(|f| f.1 == "warning"), "{found:?}");
}

#[test]
fn release_check_uses_the_live_server_version_not_postgres_version() {
    let db = shared_db();
    // `small` has a validated CHECK (v IS NOT NULL): from PostgreSQL 12 on, SET NOT
    // NULL skips its scan. The config claims 11; release-check asks the server.
    let pending = (
        "SmallNotNull1700000000001",
        &[r#"ALTER TABLE "small" ALTER COLUMN "v" SET NOT NULL"#][..],
    );
    let dir = project_with(&[pending], "postgres_version = 11\n");
    let r = release_check(dir.path(), db, "json");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(sized(&v, "set-not-null").is_empty(), "{}", r.stdout);
    assert_eq!(v["history"]["postgres_version"]["source"], "server");
    assert_eq!(v["history"]["postgres_version"]["config"], 11);
    let human = release_check(dir.path(), db, "human");
    assert!(
        human
            .stdout
            .contains("lock rules judged for PostgreSQL 15 (the live server)")
            && human.stdout.contains(
                "postgres_version = 11 in migguard.toml is lint's setting and is not used here"
            ),
        "{}",
        human.stdout
    );
    // lint believes the config: on 11 the scan happens.
    let lint = run_in(dir.path(), &["lint", "--format", "json"]);
    let rules = rules_with_status(&lint.json(), "warning");
    assert!(rules.iter().any(|r| r == "set-not-null"), "{rules:?}");
}

#[test]
fn inspect_stats_feeds_lint_table_stats() {
    let db = shared_db();
    let dir = project_with(&[INDEXES], "");
    let stats = run_in(
        dir.path(),
        &["inspect", "--stats", "--database-url", &db.url],
    );
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    let v = stats.json();
    assert_eq!(v["format"], "migguard-table-stats");
    assert_eq!(v["version"], 1);
    let tables = v["tables"].as_array().unwrap();
    let big = tables.iter().find(|t| t["table"] == "big").unwrap();
    assert_eq!(big["schema"], "public");
    assert!(big["rows"].as_u64().unwrap() > 900_000, "{big}");
    std::fs::write(dir.path().join("stats.json"), &stats.stdout).unwrap();

    // Without sizes lint warns on both; with them it blocks on the big table.
    let plain = run_in(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(plain.code, 0, "{}", plain.stdout);
    let with = run_in(
        dir.path(),
        &["lint", "--table-stats", "stats.json", "--format", "json"],
    );
    assert_eq!(with.code, 1, "{}{}", with.stdout, with.stderr);
    let found = sized(&with.json(), "create-index-non-concurrent");
    let summary: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.3["source"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("public.big", "failing", "stats-file"),
            ("public.small", "warning", "stats-file")
        ]
    );
    let human = run_in(dir.path(), &["lint", "--table-stats", "stats.json"]);
    assert!(
        human.stdout.contains("public.big: ~1.0M rows, "),
        "{}",
        human.stdout
    );

    // A table missing from the file is of unknown size: the rule's own severity.
    let mut without_big = v.clone();
    without_big["tables"]
        .as_array_mut()
        .unwrap()
        .retain(|t| t["table"] != "big");
    std::fs::write(dir.path().join("partial.json"), without_big.to_string()).unwrap();
    let partial = run_in(
        dir.path(),
        &["lint", "--table-stats", "partial.json", "--format", "json"],
    );
    assert_eq!(partial.code, 0, "{}", partial.stdout);
    let found = sized(&partial.json(), "create-index-non-concurrent");
    assert_eq!(found[0].0, "public.big");
    assert_eq!(found[0].3["source"], "unknown");
    assert_eq!(found[0].1, "warning");

    // A missing or malformed file is exit 2 naming it.
    let missing = run_in(dir.path(), &["lint", "--table-stats", "nope.json"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("nope.json"), "{}", missing.stderr);
    std::fs::write(dir.path().join("bad.json"), "{\"tables\": 3}").unwrap();
    let bad = run_in(dir.path(), &["lint", "--table-stats", "bad.json"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("bad.json") && bad.stderr.contains("inspect --stats"),
        "{}",
        bad.stderr
    );
    let newer = stats.stdout.replace("\"version\": 1", "\"version\": 2");
    std::fs::write(dir.path().join("newer.json"), newer).unwrap();
    let newer = run_in(dir.path(), &["lint", "--table-stats", "newer.json"]);
    assert_eq!(newer.code, 2, "{}", newer.stderr);
    assert!(
        newer.stderr.contains("version 2 is not supported"),
        "{}",
        newer.stderr
    );
}

#[test]
fn a_rules_file_overrides_the_thresholds() {
    let db = shared_db();
    let dir = project_with(&[INDEXES], "rules = \"rules.toml\"\n");
    std::fs::write(
        dir.path().join("rules.toml"),
        "[[rule]]\nid = \"create-index-non-concurrent\"\nsize = { block_above_rows = 5 }\n",
    )
    .unwrap();
    let r = release_check(dir.path(), db, "json");
    let found = sized(&r.json(), "create-index-non-concurrent");
    assert!(found.iter().all(|f| f.1 == "failing"), "{found:?}");
    // `size = {}` removes the thresholds: both warn.
    std::fs::write(
        dir.path().join("rules.toml"),
        "[[rule]]\nid = \"create-index-non-concurrent\"\nsize = {}\n",
    )
    .unwrap();
    let r = release_check(dir.path(), db, "json");
    assert_eq!(r.code, 0, "{}", r.stdout);
    let found = sized(&r.json(), "create-index-non-concurrent");
    assert!(found.is_empty(), "{found:?}");
}

/// A table whose name holds a dot takes its own size: the stats file's tables are
/// (schema, table) pairs, never the `schema.table` text `public."a.b"` and
/// `"public.a".b` share.
#[test]
fn a_table_named_with_a_dot_takes_its_own_size_from_the_stats_file() {
    let stats = r#"{"format": "migguard-table-stats", "version": 1, "server_version_num": 150000, "tables": [
        {"schema": "public", "table": "a.b", "rows": 2000000, "bytes": 104857600, "partitioned": false},
        {"schema": "public.a", "table": "b", "rows": 10, "bytes": 8192, "partitioned": false}
    ]}"#;
    let dir = project(&[
        ("migguard.toml", "migrations = [\"migrations\"]\n"),
        (
            "migrations/0001_index.sql",
            "CREATE INDEX \"i\" ON \"a.b\" (\"v\");\n",
        ),
        ("stats.json", stats),
    ]);
    let r = run_in(
        dir.path(),
        &["lint", "--table-stats", "stats.json", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let found = sized(&r.json(), "create-index-non-concurrent");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].1.as_str(), found[0].2.as_str()),
        ("failing", "block")
    );
    assert_eq!(found[0].3["rows"], 2_000_000, "{}", found[0].3);
    assert_eq!(found[0].3["source"], "stats-file");
}

/// release-check reads the size of a table in a schema whose name holds a dot by
/// its (schema, table) pair, not by cutting `s.x.t` at the first dot.
#[test]
fn release_check_reads_the_size_of_a_table_in_a_schema_named_with_a_dot() {
    let db = cluster().create_database("dotted");
    db.execute(TYPEORM_HISTORY);
    db.execute(
        "INSERT INTO migrations (timestamp, name) VALUES (1700000000000, 'Init1700000000000')",
    );
    let init = [
        r#"CREATE SCHEMA "s.x""#,
        r#"CREATE TABLE "s.x"."t" ("id" integer NOT NULL, "v" integer)"#,
    ];
    for statement in init {
        db.execute(statement);
    }
    db.execute(r#"INSERT INTO "s.x"."t" SELECT g, g FROM generate_series(1, 1000) g"#);
    db.execute(r#"ANALYZE "s.x"."t""#);
    let dir = project(&[
        (
            "migguard.toml",
            "migrations = [\"migrations\"]\nrules = \"rules.toml\"\n",
        ),
        (
            "rules.toml",
            "[[rule]]\nid = \"create-index-non-concurrent\"\nsize = { block_above_rows = 100 }\n",
        ),
        (
            "migrations/1700000000000-Init.ts",
            &typeorm("Init1700000000000", &init),
        ),
        (
            "migrations/1700000000001-AddIndex.ts",
            &typeorm(
                "AddIndex1700000000001",
                &[r#"CREATE INDEX "i" ON "s.x"."t" ("v")"#],
            ),
        ),
    ]);
    let r = release_check(dir.path(), &db, "json");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let found = sized(&r.json(), "create-index-non-concurrent");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].1.as_str(), found[0].2.as_str()),
        ("failing", "block"),
        "{found:?}"
    );
    assert_eq!(found[0].3["rows"], 1000, "{}", found[0].3);
    assert_eq!(found[0].3["source"], "database");
}
