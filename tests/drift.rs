//! `drift` and `inspect` against a real PostgreSQL started by the harness.

mod support;
mod util;
use support::pg::{cluster, TestDb};
use util::*;

const HISTORY: &str = "CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL)";

/// A project of plain SQL migrations (TypeORM-style history rows) applied up to `applied`.
fn setup(prefix: &str, files: &[(&str, &str)], applied: usize) -> (TestDb, tempfile::TempDir) {
    setup_with(prefix, files, applied, "")
}

/// `setup` with extra `migguard.toml` lines.
fn setup_with(
    prefix: &str,
    files: &[(&str, &str)],
    applied: usize,
    config: &str,
) -> (TestDb, tempfile::TempDir) {
    let db = cluster().create_database(prefix);
    db.execute(HISTORY);
    for (i, (path, sql)) in files.iter().enumerate().take(applied) {
        db.execute(sql);
        let name = std::path::Path::new(path)
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap();
        db.execute(&format!(
            "INSERT INTO migrations (timestamp, name) VALUES ({i}, '{name}')"
        ));
    }
    let mut all: Vec<(String, String)> = files
        .iter()
        .map(|(p, s)| (format!("m/{p}"), s.to_string()))
        .collect();
    all.push((
        "migguard.toml".into(),
        format!("migrations = [\"m\"]\n{config}"),
    ));
    let refs: Vec<(&str, &str)> = all.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    (db, project(&refs))
}

const M1: (&str, &str) = ("0001_init.sql", "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE person (id serial PRIMARY KEY, name varchar(50) NOT NULL DEFAULT 'anon', mood mood);\nCREATE INDEX person_name_idx ON person (name);");
const M2: (&str, &str) = (
    "0002_email.sql",
    "ALTER TABLE person ADD COLUMN email text;",
);

fn drift(dir: &std::path::Path, db: &TestDb, extra: &[&str]) -> Run {
    let mut args = vec!["drift", "--database-url", &db.url];
    if !extra.contains(&"--format") {
        args.extend(["--format", "json"]);
    }
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn item_kinds(v: &serde_json::Value) -> Vec<(String, bool)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["reconcilable"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn clean_after_applying_the_migrations() {
    let (db, dir) = setup("d_clean", &[M1, M2], 2);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "clean", "{v}");
    assert_eq!(v["command"], "drift");
    assert_eq!(v["history"]["applied"].as_array().unwrap().len(), 2);
}

#[test]
fn each_hand_edit_is_real_drift() {
    let (db, dir) = setup("d_edits", &[M1, M2], 2);
    db.execute("ALTER TABLE person ADD COLUMN hotfix int; ALTER TABLE person ALTER COLUMN email TYPE varchar(200); DROP INDEX person_name_idx; ALTER TABLE person ALTER COLUMN name SET DEFAULT 'x'; ALTER TYPE mood ADD VALUE 'meh'; INSERT INTO migrations (timestamp, name) VALUES (9, '0009_elsewhere')");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "drift");
    let kinds = item_kinds(&v);
    for want in [
        "unexpected-column",
        "column-type-mismatch",
        "missing-index",
        "column-default-mismatch",
        "enum-values-mismatch",
        "unknown-applied-migration",
    ] {
        assert!(
            kinds.contains(&(want.to_string(), false)),
            "{want} missing in {kinds:?}"
        );
    }
    let objects: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["object"].as_str().unwrap())
        .collect();
    assert!(
        objects.contains(&"public.person.hotfix")
            && objects.contains(&"public.person_name_idx")
            && objects.contains(&"public.mood"),
        "{objects:?}"
    );
    // Human output lists real drift first.
    let h = run_in(dir.path(), &["drift", "--database-url", &db.url]);
    assert!(h.stdout.starts_with("Real drift"), "{}", h.stdout);
}

/// CHECKs are compared by expression: PostgreSQL's stored form of `IN`/`BETWEEN`
/// equals what the migration wrote (clean), a hand-edited bound does not.
#[test]
fn check_constraints_compare_by_expression() {
    let m = (
        "0001_rank.sql",
        "CREATE TABLE rank (id int PRIMARY KEY, n int, kind text, \
         CONSTRAINT rank_n CHECK (n BETWEEN 1 AND 10), \
         CONSTRAINT rank_kind CHECK (kind IN ('a', 'b') OR kind IS NULL))",
    );
    let (db, dir) = setup("d_check", &[m], 1);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    db.execute("ALTER TABLE rank DROP CONSTRAINT rank_n; ALTER TABLE rank ADD CONSTRAINT rank_n CHECK (n BETWEEN 1 AND 100)");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{v}");
    assert_eq!(items[0]["kind"], "constraint-mismatch");
    assert_eq!(items[0]["object"], "public.rank.rank_n");
    assert_eq!(items[0]["expected"], "CHECK ((n >= 1) and (n <= 10))");
    assert_eq!(items[0]["actual"], "CHECK ((n >= 1) and (n <= 100))");
}

/// NULLS NOT DISTINCT is part of a unique constraint's and a unique index's shape: a
/// hand-rebuilt one that treats NULLs as equal (or no longer does) is drift, with the
/// flag in the expected/actual text.
#[test]
fn nulls_not_distinct_on_a_unique_constraint_or_index_is_compared() {
    let m = (
        "0001_acct.sql",
        "CREATE TABLE acct (id int PRIMARY KEY, email text, handle text, \
         CONSTRAINT acct_email_key UNIQUE (email));\n\
         CREATE UNIQUE INDEX acct_handle_idx ON acct (lower(handle));",
    );
    let (db, dir) = setup("d_nnd", &[m], 1);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    db.execute(
        "ALTER TABLE acct DROP CONSTRAINT acct_email_key; \
         ALTER TABLE acct ADD CONSTRAINT acct_email_key UNIQUE NULLS NOT DISTINCT (email); \
         DROP INDEX acct_handle_idx; \
         CREATE UNIQUE INDEX acct_handle_idx ON acct (lower(handle)) NULLS NOT DISTINCT",
    );
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let items = v["items"].as_array().unwrap();
    let found: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap(),
                i["object"].as_str().unwrap(),
                i["expected"].as_str().unwrap_or(""),
                i["actual"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "constraint-mismatch",
                "public.acct.acct_email_key",
                "UNIQUE (email)",
                "UNIQUE NULLS NOT DISTINCT (email)",
            ),
            (
                "index-mismatch",
                "public.acct_handle_idx",
                "UNIQUE INDEX ON public.acct USING btree ((lower(handle)))",
                "UNIQUE INDEX ON public.acct USING btree ((lower(handle))) NULLS NOT DISTINCT",
            ),
        ],
        "{v}"
    );
}

#[test]
fn views_compare_by_their_output_columns() {
    let m1 = (
        "0001_people.sql",
        "CREATE TABLE people (id int PRIMARY KEY, name text); \
         CREATE VIEW people_names AS SELECT * FROM people",
    );
    let m2 = (
        "0002_nickname.sql",
        "ALTER TABLE people ADD COLUMN nick text; \
         CREATE OR REPLACE VIEW people_names AS SELECT id, name, nick FROM people",
    );
    let (db, dir) = setup("d_view", &[m1, m2], 1);
    // The view is replaced by the pending migration: reconcilable, resolved by it.
    let v = drift(dir.path(), &db, &[]).json();
    let view = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["object"] == "public.people_names")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(view["kind"], "view-mismatch");
    assert_eq!(view["expected"], "VIEW (id, name, nick)");
    assert_eq!(view["actual"], "VIEW (id, name)");
    assert_eq!(view["reconcilable"], true);
    assert_eq!(view["resolved_by"], "0002_nickname");

    // Applied as written: clean. Then a hand edit adds a column to the view.
    let (db, dir) = setup("d_view_edit", &[m1, m2], 2);
    assert_eq!(drift(dir.path(), &db, &[]).code, 0);
    db.execute(
        "CREATE OR REPLACE VIEW people_names AS SELECT id, name, nick, 1 AS debug FROM people",
    );
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(item_kinds(&v), vec![("view-mismatch".into(), false)], "{v}");
    assert_eq!(v["items"][0]["actual"], "VIEW (id, name, nick, debug)");
}

#[test]
fn pending_migration_makes_it_reconcilable() {
    let (db, dir) = setup("d_pending", &[M1, M2], 1);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "reconcilable");
    assert_eq!(
        item_kinds(&v),
        vec![
            ("missing-column".into(), true),
            ("pending-migration".into(), true)
        ]
    );
    assert_eq!(v["items"][0]["resolved_by"], "0002_email");
    assert_eq!(
        drift(dir.path(), &db, &["--allow-pending-migrations"]).code,
        0
    );
    // A hand edit on top stays real drift even with pending migrations allowed.
    db.execute("ALTER TABLE person ADD COLUMN hotfix int");
    let r = drift(dir.path(), &db, &["--allow-pending-migrations"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["status"], "drift");
}

#[test]
fn pending_migration_that_conflicts_with_the_live_schema() {
    let (db, dir) = setup(
        "d_conflict",
        &[
            M1,
            ("0002_drop.sql", "ALTER TABLE person DROP COLUMN mood;"),
        ],
        1,
    );
    db.execute("ALTER TABLE person DROP COLUMN mood");
    let r = drift(dir.path(), &db, &["--allow-pending-migrations"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let kinds = item_kinds(&r.json());
    assert!(
        kinds.contains(&("conflicts-with-pending".into(), false)),
        "{kinds:?}"
    );
}

#[test]
fn a_migration_that_cannot_apply_fixes_nothing() {
    // 0002 adds a column that a hand edit already added (it fails there) and an
    // index: the missing index is not "fixed by 0002", since 0002 never commits.
    let (db, dir) = setup(
        "d_blocked",
        &[
            M1,
            (
                "0002_email.sql",
                "ALTER TABLE person ADD COLUMN email text; CREATE INDEX person_email ON person (email);",
            ),
        ],
        1,
    );
    db.execute("ALTER TABLE person ADD COLUMN email text");
    let v = drift(dir.path(), &db, &["--allow-pending-migrations"]).json();
    let index = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "missing-index")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(index["reconcilable"], false, "{index}");
    assert!(index.get("resolved_by").is_none(), "{index}");
    assert!(
        index["message"]
            .as_str()
            .unwrap()
            .contains("but 0002_email cannot apply"),
        "{index}"
    );
}

#[test]
fn inspect_prints_the_live_model() {
    let (db, dir) = setup("d_inspect", &[M1], 1);
    let r = run_json_on_db(dir.path(), &["inspect"], &db.url);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(
        v["tables"]["public.person"]["columns"][1]["data_type"],
        "character varying(50)"
    );
    assert_eq!(
        v["enums"]["public.mood"]["labels"],
        serde_json::json!(["happy", "sad"])
    );
    let r = run_in(
        dir.path(),
        &["inspect", "--database-url", &db.url, "--format", "sql"],
    );
    assert!(
        r.stdout.contains("CREATE TABLE \"public\".\"person\""),
        "{}",
        r.stdout
    );
}

const M3: (&str, &str) = (
    "0003_pets.sql",
    "CREATE TABLE pet (id int PRIMARY KEY, owner int REFERENCES person (id));\nCREATE INDEX pet_owner_idx ON pet (owner);",
);

#[test]
fn each_difference_names_the_pending_migration_that_fixes_it() {
    let (db, dir) = setup("d_resolved", &[M1, M2, M3], 1);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "reconcilable", "{v}");
    let by: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["object"].as_str().unwrap().to_string(),
                i["resolved_by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (object, migration) in [
        ("public.person.email", "0002_email"),
        ("public.pet", "0003_pets"),
        ("public.pet_owner_idx", "0003_pets"),
        ("0002_email", "0002_email"),
        ("0003_pets", "0003_pets"),
    ] {
        assert!(
            by.contains(&(object.to_string(), migration.to_string())),
            "{object} by {migration} not in {by:?}"
        );
    }
    assert_eq!(
        v["history"]["pending"],
        serde_json::json!(["0002_email", "0003_pets"])
    );
    // GitHub annotations point at the pending migration's file.
    let g = drift(dir.path(), &db, &["--format", "github"]);
    assert!(
        g.stdout
            .lines()
            .any(|l| l.starts_with("::warning file=m/0003_pets.sql,")
                && l.contains("public.pet_owner_idx")),
        "{}",
        g.stdout
    );
    let g = drift(
        dir.path(),
        &db,
        &["--format", "github", "--allow-pending-migrations"],
    );
    assert_eq!(g.code, 0);
    assert!(
        g.stdout.lines().all(|l| l.starts_with("::notice ")),
        "{}",
        g.stdout
    );
}

#[test]
fn ignore_patterns_from_the_config() {
    let (db, dir) = setup_with(
        "d_ignore",
        &[M1],
        1,
        "[drift]\nignore = [\"public.tmp_*\", \"*.audit_log\"]\n",
    );
    db.execute("CREATE TABLE tmp_import (x int); CREATE TABLE audit_log (id int); CREATE INDEX tmp_import_x ON tmp_import (x)");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean");
    // The same hand edit without the patterns is drift.
    let (db, dir) = setup("d_noignore", &[M1], 1);
    db.execute("CREATE TABLE tmp_import (x int)");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        item_kinds(&r.json()),
        vec![("unexpected-table".to_string(), false)]
    );
}

/// A Flyway Java migration the project holds is known, not unknown-applied; what it
/// created (a view, from its SQL strings) is unverifiable, not unexpected drift.
#[test]
fn flyway_java_migration_objects_are_unverifiable_not_drift() {
    let db = cluster().create_database("d_flyway_java");
    db.execute("CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, success boolean NOT NULL)");
    db.execute("CREATE TABLE a (id int); CREATE VIEW a_facets_view AS SELECT id FROM a; CREATE TABLE b (id int)");
    db.execute(
        "INSERT INTO flyway_schema_history VALUES \
         (1, '1', 'init', 'SQL', 'V1__init.sql', true), \
         (2, '1.1', 'Views', 'JDBC', 'db.migration.V1_1__Views', true), \
         (3, '2', 'b', 'SQL', 'V2__b.sql', true)",
    );
    let dir = project(&[
        ("db/V1__init.sql", "CREATE TABLE a (id int);"),
        (
            "java/V1_1__Views.java",
            "public class V1_1__Views extends BaseJavaMigration {\n  public void migrate(Context c) {\n    execute(c, \"CREATE OR REPLACE VIEW a_facets_view AS \" + definition());\n  }\n}",
        ),
        ("db/V2__b.sql", "CREATE TABLE b (id int);"),
        (
            "migguard.toml",
            "migrations = [\"db\"]\n[flyway]\njava_migrations = [\"java\"]\n",
        ),
    ]);
    let r = drift(dir.path(), &db, &[]);
    let v = r.json();
    let items = v["items"].as_array().unwrap();
    assert!(
        !items
            .iter()
            .any(|i| i["kind"] == "unknown-applied-migration" || i["kind"] == "unexpected-view"),
        "{v}"
    );
    assert!(
        items
            .iter()
            .any(|i| i["kind"] == "unverifiable" && i["object"] == "public.a_facets_view"),
        "{v}"
    );
    // Fail closed: unverifiable is not clean.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // Table b, which the Java class does not name, is verified and clean.
    assert!(!items.iter().any(|i| i["object"] == "public.b"), "{v}");
}

#[test]
fn unreadable_migration_is_unverifiable_not_clean() {
    let m2 = (
        "0002_do.sql",
        "DO $$ DECLARE n int; BEGIN EXECUTE 'ALTER TABLE person ADD COLUMN x int'; END $$;",
    );
    let (db, dir) = setup("d_unverif", &[M1, m2], 2);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "drift");
    let items = v["items"].as_array().unwrap();
    // The column the DO block added folds into the unverifiable item.
    assert!(
        items.iter().any(|i| i["kind"] == "unverifiable"
            && i["object"] == "public.person"
            && i["actual"]
                .as_str()
                .is_some_and(|a| a.contains("public.person.x"))),
        "{v}"
    );
    assert!(
        !items.iter().any(|i| i["kind"] == "unexpected-column"),
        "{v}"
    );
    // Listing it under [drift] ignore after checking by hand makes it clean.
    std::fs::write(
        dir.path().join("migguard.toml"),
        "migrations = [\"m\"]\n[drift]\nignore = [\"public.person\"]\n",
    )
    .unwrap();
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn sarif_output_lists_every_item() {
    let (db, dir) = setup("d_sarif", &[M1, M2], 1);
    db.execute("ALTER TABLE person ADD COLUMN hotfix int");
    let r = drift(dir.path(), &db, &["--format", "sarif"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(v["runs"][0]["tool"]["driver"]["name"], "migguard");
    assert!(v["runs"][0].get("columnKind").is_none(), "{v}");
    let results = v["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        vec!["unexpected-column", "missing-column", "pending-migration"]
    );
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[1]["level"], "warning");
}

#[test]
fn human_output_in_github_actions_also_annotates() {
    let (db, dir) = setup("d_gha", &[M1], 1);
    db.execute("ALTER TABLE person ADD COLUMN hotfix int");
    let args = ["drift", "--database-url", &db.url];
    let plain = run_in(dir.path(), &args);
    let gha = run_env(dir.path(), &args, &[("GITHUB_ACTIONS", "true")]);
    assert_eq!((plain.code, gha.code), (1, 1), "{}", gha.stderr);
    assert!(!plain.stdout.contains("::error"), "{}", plain.stdout);
    assert!(gha.stdout.starts_with(&plain.stdout), "{}", gha.stdout);
    assert!(
        gha.stdout[plain.stdout.len()..]
            .starts_with("::error title=migguard unexpected-column::public.person.hotfix: "),
        "{}",
        gha.stdout
    );
}

#[test]
fn unreachable_database_is_an_error_without_the_password() {
    let dir = project(&[
        ("m/0001_init.sql", M1.1),
        ("migguard.toml", "migrations = [\"m\"]\n"),
    ]);
    let r = run_in(
        dir.path(),
        &[
            "drift",
            "--database-url",
            "postgres://app:s3cr3t-pw@127.0.0.1:1/app?connect_timeout=2",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("s3cr3t-pw") && !r.stdout.contains("s3cr3t-pw"));
}

#[test]
fn tables_in_other_schemas_are_compared_there() {
    let m = (
        "0002_audit.sql",
        "CREATE SCHEMA audit;\nCREATE TABLE audit.event (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());",
    );
    let (db, dir) = setup("d_schemas", &[M1, m], 2);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    db.execute("ALTER TABLE audit.event ADD COLUMN who text");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["items"][0]["object"], "audit.event.who");
    // Restricted to `public`, the audit schema is neither compared nor missing.
    let r = drift(dir.path(), &db, &["--schema", "public"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// Bug P: an edited Flyway repeatable is pending, so what its new content changes
/// is reconcilable by it rather than real drift.
#[test]
fn flyway_edited_repeatable_is_pending_in_drift() {
    let v1 = "CREATE TABLE t (id int);\nCREATE TABLE keep_me (id int);\n";
    let view = "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n";
    let db = cluster().create_database("drift_fw_repeat");
    db.execute(r#"CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INT NOT NULL, "success" BOOLEAN NOT NULL)"#);
    db.execute(v1);
    db.execute(view);
    // Checksums of `v1` and `view` as Flyway computes them (checked on the JVM).
    db.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES \
         (1, '1', 'init', 'SQL', 'V1__init.sql', -498313677, 'ci', 3, true), \
         (2, NULL, 'v', 'SQL', 'R__v.sql', -52122244, 'ci', 1, true)",
    );
    let dir = project(&[
        ("db/V1__init.sql", v1),
        ("db/R__v.sql", view),
        (
            "migguard.toml",
            "migrations = [\"db\"]\n[history]\nkind = \"flyway\"\n",
        ),
    ]);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    std::fs::write(
        dir.path().join("db/R__v.sql"),
        format!("{view}DROP TABLE keep_me;\n"),
    )
    .unwrap();
    let r = drift(dir.path(), &db, &[]);
    let v = r.json();
    assert_eq!(v["history"]["pending"], serde_json::json!(["R__v"]), "{v}");
    let kinds = item_kinds(&v);
    assert!(
        kinds.iter().all(|(_, reconcilable)| *reconcilable),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("unexpected-table".to_string(), true)),
        "{kinds:?}"
    );
}

/// A database built the way diesel builds it (each `up.sql`, then its ledger row)
/// is clean: the ledger is read by version and `__diesel_schema_migrations` itself
/// is not unexpected.
#[test]
fn diesel_database_is_clean() {
    let init = "CREATE TABLE product (id int PRIMARY KEY, legacy_code text);";
    let add = "ALTER TABLE product ADD COLUMN smile_code text;";
    let dir = project(&[
        ("migrations/2024-01-01-120000_init/up.sql", init),
        (
            "migrations/2024-01-01-120000_init/down.sql",
            "DROP TABLE product;",
        ),
        (
            "migrations/2025-11-19-091444-0000_add_smile_code/up.sql",
            add,
        ),
        ("migguard.toml", "migrations = [\"migrations\"]\n"),
    ]);
    let db = cluster().create_database("d_diesel");
    db.execute("CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
    db.execute(init);
    db.execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101120000')");
    let r = drift(dir.path(), &db, &[]);
    // The second migration is pending: its column is missing, reconcilable.
    assert_eq!(
        r.json()["history"]["pending"],
        serde_json::json!(["2025-11-19-091444-0000_add_smile_code"]),
        "{}",
        r.stdout
    );
    db.execute(add);
    db.execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('202511190914440000')");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean", "{}", r.stdout);
}

/// A database built the way `prisma migrate deploy` builds it is clean: folders
/// match `_prisma_migrations` rows by name, the ledger itself is not unexpected,
/// and `migration_lock.toml` is not a migration.
#[test]
fn prisma_database_is_clean() {
    let init = "CREATE TABLE \"User\" (\"id\" SERIAL NOT NULL, \"email\" TEXT NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");";
    let add = "ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;";
    let dir = project(&[
        ("prisma/migrations/20240101120000_init/migration.sql", init),
        (
            "prisma/migrations/20240201120000_add_name/migration.sql",
            add,
        ),
        (
            "prisma/migrations/migration_lock.toml",
            "provider = \"postgresql\"\n",
        ),
        ("migguard.toml", "migrations = [\"prisma/migrations\"]\n"),
    ]);
    let db = cluster().create_database("d_prisma");
    db.execute(r#"CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0, CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id"))"#);
    db.execute(init);
    db.execute(add);
    db.execute(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count) VALUES \
         ('a', 'x', '20240101120000_init', now(), 1), ('b', 'x', '20240201120000_add_name', now(), 1)",
    );
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean", "{}", r.stdout);
}

/// A boolean default written as a literal (`'f'`, `'yes'`, `'0'`, as crates.io's diesel
/// migrations do) is stored by PostgreSQL as `false` / `true`: clean, not a mismatch.
#[test]
fn boolean_literal_defaults_are_stored_as_true_or_false() {
    let (db, dir) = setup(
        "d_bool_literals",
        &[(
            "0001_flags.sql",
            "CREATE TABLE flags (a boolean NOT NULL DEFAULT 'f', b bool DEFAULT 'yes', c boolean DEFAULT ' Of ', d boolean DEFAULT '1', e boolean DEFAULT 'TRU')",
        )],
        1,
    );
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean", "{}", r.stdout);
}

/// A `timestamp` / `date` literal default is stored in PostgreSQL's output form
/// (`'1970-01-01'` → `'1970-01-01 00:00:00'`, `'epoch'`), as in crates.io's
/// diesel migrations: clean, not a mismatch.
#[test]
fn timestamp_literal_defaults_are_stored_in_output_form() {
    let (db, dir) = setup(
        "d_ts_literals",
        &[(
            "0001_times.sql",
            "CREATE TABLE times (a timestamp NOT NULL DEFAULT '1970-01-01', b timestamp DEFAULT 'epoch', c timestamp(0) without time zone DEFAULT '2024-02-03T04:05', d date DEFAULT 'epoch', e date DEFAULT '2024-02-03')",
        )],
        1,
    );
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean", "{}", r.stdout);
}

/// PostgreSQL stores a typed literal default in the type's output form (`'{ "a" }'` on
/// a `text[]` is `'{a}'`, `'yes'` on a boolean is `true`, `'epoch'` on a date is
/// `'1970-01-01'`): the same default, not drift. A really different literal still is.
#[test]
fn typed_literal_defaults_compare_by_their_stored_form() {
    let m = (
        "0001_literals.sql",
        r#"CREATE TABLE p (
            a text[] DEFAULT '{ "admin", "root" }',
            j jsonb DEFAULT '["follow","receiveFollowRequest"]',
            k jsonb DEFAULT '{"a":1}',
            b boolean DEFAULT 'yes',
            d date DEFAULT 'epoch',
            t timestamp DEFAULT '2020-01-01 10:00',
            u uuid DEFAULT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
            n integer[] DEFAULT '{ 1, 2 }'
        );"#,
    );
    let (db, dir) = setup("lit_defaults", &[m], 1);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean", "{}", r.stdout);
    // A hand edit to another literal is still drift.
    db.execute("ALTER TABLE p ALTER COLUMN a SET DEFAULT '{admin}'");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        item_kinds(&r.json()),
        vec![("column-default-mismatch".to_string(), false)]
    );
}

/// The database ahead of the build (an older image redeployed): every unknown applied
/// migration is newer than the build's newest, so the objects only this build does not
/// know are theirs — a rollback warning naming them, not drift. What this build
/// expects and the database lacks stays real drift, as do interleaved unknowns.
#[test]
fn database_ahead_of_the_build_is_a_rollback_warning() {
    let (db, dir) = setup("d_rollback", &[M1, M2], 2);
    // Two newer migrations, applied by the newer image: additive only.
    db.execute("ALTER TABLE person ADD COLUMN nickname text; CREATE TABLE badge (id int); INSERT INTO migrations (timestamp, name) VALUES (3, 'AddNickname1700000000000'), (4, 'AddBadge1700000000001')");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "ahead-of-build", "{v}");
    assert_eq!(v["history"]["ahead_of_build"], true);
    let rollback: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["rollback"] == true && i["reconcilable"] == false)
        .map(|i| {
            (
                i["kind"].as_str().unwrap().into(),
                i["object"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rollback,
        vec![
            (
                "unexpected-column".to_string(),
                "public.person.nickname".to_string()
            ),
            ("unexpected-table".into(), "public.badge".into()),
            (
                "unknown-applied-migration".into(),
                "AddBadge1700000000001".into()
            ),
            (
                "unknown-applied-migration".into(),
                "AddNickname1700000000000".into()
            ),
        ],
        "{v}"
    );
    let column = &v["items"][0]["message"].as_str().unwrap();
    assert!(
        column.contains("AddNickname1700000000000, AddBadge1700000000001"),
        "{column}"
    );
    let h = run_in(dir.path(), &["drift", "--database-url", &db.url]);
    assert_eq!(h.code, 0, "{}", h.stdout);
    assert!(
        h.stdout.contains("ahead of the build (rollback)"),
        "{}",
        h.stdout
    );

    // Something this build expects is gone: real drift beside the rollback warnings.
    db.execute("DROP INDEX person_name_idx");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "drift");
    let real: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["rollback"] != true && i["reconcilable"] == false)
        .map(|i| i["kind"].as_str().unwrap().into())
        .collect();
    assert_eq!(real, vec!["missing-index"], "{v}");

    // A column the older code's inserts cannot omit: PostgreSQL rejects them, so it
    // is real drift even in a rollback.
    db.execute("CREATE INDEX person_name_idx ON person (name); ALTER TABLE person ADD COLUMN tenant int NOT NULL DEFAULT 1; ALTER TABLE person ALTER COLUMN tenant DROP DEFAULT");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let real: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["rollback"] != true && i["reconcilable"] == false)
        .map(|i| i["object"].as_str().unwrap())
        .collect();
    assert_eq!(real, vec!["public.person.tenant"], "{v}");

    // An unknown migration older than the build's newest is no rollback: all real drift.
    let (db, dir) = setup("d_interleaved", &[M1, M2], 2);
    db.execute("ALTER TABLE person ADD COLUMN nickname text; INSERT INTO migrations (timestamp, name) VALUES (3, 'AddNickname1700000000000'), (4, 'Elsewhere0000000000001')");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "drift");
    assert_eq!(v["history"]["ahead_of_build"], false);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["rollback"] != true),
        "{v}"
    );
    assert_eq!(
        item_kinds(&v),
        vec![
            ("unexpected-column".to_string(), false),
            ("unknown-applied-migration".into(), false),
            ("unknown-applied-migration".into(), false),
        ]
    );
}

/// `[drift] ignore` at column granularity: `schema.table.column` patterns hide only the
/// columns they match, so a later hand-added column on the same table is still drift —
/// also on a table an unreadable migration made unverifiable.
#[test]
fn a_column_pattern_ignores_only_those_columns() {
    let m = (
        "0001_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY, audit_at timestamptz, audit_by text);",
    );
    let ignore = "[drift]\nignore = [\"public.t.audit_*\"]\n";
    let (db, dir) = setup_with("d_ignore_col", &[m], 1, ignore);
    db.execute("ALTER TABLE t ALTER COLUMN audit_at TYPE timestamp; ALTER TABLE t DROP COLUMN audit_by; ALTER TABLE t ADD COLUMN audit_note text");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean");
    db.execute("ALTER TABLE t ADD COLUMN extra int");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "drift");
    assert_eq!(
        item_kinds(&v),
        vec![("unexpected-column".to_string(), false)],
        "{v}"
    );
    assert_eq!(v["items"][0]["object"], "public.t.extra");

    // A DO block migguard cannot read makes the table unverifiable: the hand-added
    // column is still named among what it absorbs, the ignored ones are not.
    let opaque = (
        "0002_do.sql",
        "DO $$ DECLARE n int; BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN audit_ip inet'; END $$;",
    );
    let (db, dir) = setup_with("d_ignore_col_opaque", &[m, opaque], 2, ignore);
    db.execute("ALTER TABLE t ADD COLUMN audit_tz text; ALTER TABLE t ADD COLUMN extra int");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let items = v["items"].as_array().unwrap();
    let unverifiable: Vec<&serde_json::Value> = items
        .iter()
        .filter(|i| i["kind"] == "unverifiable")
        .collect();
    assert_eq!(unverifiable.len(), 1, "{v}");
    assert_eq!(unverifiable[0]["object"], "public.t");
    let absorbed = unverifiable[0]["actual"].as_str().unwrap();
    assert!(absorbed.contains("public.t.extra"), "{absorbed}");
    assert!(!absorbed.contains("audit_"), "{absorbed}");
}

/// A TypeORM project whose helpers add columns of `t` with a default or generated
/// expression only known at run time: an imported helper (`query()` with `${expr}`)
/// and a same-class helper (`addColumn` with `default`/`asExpression` read from
/// arguments). The live table has all three columns as the helpers built them.
fn helper_columns_project(prefix: &str, config: &str) -> (TestDb, tempfile::TempDir) {
    let db = cluster().create_database(prefix);
    db.execute(HISTORY);
    db.execute("CREATE TABLE t (id integer PRIMARY KEY, audited_at timestamptz NOT NULL DEFAULT now(), tenant text NOT NULL DEFAULT 'acme', total integer GENERATED ALWAYS AS (id * 2) STORED)");
    db.execute(
        "INSERT INTO migrations (timestamp, name) VALUES (1700000000001, 'AddAudit1700000000001')",
    );
    let migration = "import { MigrationInterface, QueryRunner, TableColumn } from \"typeorm\";\n\
        import { addAuditColumn } from \"../helpers/audit\";\n\
        export class AddAudit1700000000001 implements MigrationInterface {\n\
        \x20   public async up(queryRunner: QueryRunner): Promise<void> {\n\
        \x20       await queryRunner.query(`CREATE TABLE \"t\" (\"id\" integer PRIMARY KEY)`);\n\
        \x20       await addAuditColumn(queryRunner, \"t\", process.env.AUDIT_DEFAULT);\n\
        \x20       await this.addTenant(queryRunner, process.env.DEFAULT_TENANT);\n\
        \x20   }\n\
        \x20   private async addTenant(queryRunner: QueryRunner, tenant: string): Promise<void> {\n\
        \x20       await queryRunner.addColumn(\"t\", new TableColumn({ name: \"tenant\", type: \"text\", default: tenant }));\n\
        \x20       await queryRunner.addColumn(\"t\", new TableColumn({ name: \"total\", type: \"integer\", isNullable: true, generatedType: \"STORED\", asExpression: totalExpression() }));\n\
        \x20   }\n\
        \x20   public async down(queryRunner: QueryRunner): Promise<void> {}\n\
        }\n";
    let helper = "import { QueryRunner } from \"typeorm\";\n\
        export async function addAuditColumn(queryRunner: QueryRunner, table: string, expr: string) {\n\
        \x20   await queryRunner.query(`ALTER TABLE \"${table}\" ADD \"audited_at\" timestamptz NOT NULL DEFAULT ${expr}`);\n\
        }\n";
    let dir = project(&[
        ("migrations/1700000000001-AddAudit.ts", migration),
        ("helpers/audit.ts", helper),
        (
            "migguard.toml",
            &format!("migrations = [\"migrations\"]\n{config}"),
        ),
    ]);
    (db, dir)
}

/// Issue 12: a helper that adds `t.col` with a default or expression built at run
/// time makes only `t.col` unverifiable — not the table — so `[drift] ignore` of the
/// column after checking it by hand is enough, and a later hand-added column on the
/// same table is still real drift.
#[test]
fn a_helper_column_with_a_run_time_default_is_unverifiable_alone() {
    let (db, dir) = helper_columns_project("d_helper_col", "");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let mut objects: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["object"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    objects.sort();
    let unverifiable = |o: &str| ("unverifiable".to_string(), o.to_string());
    assert_eq!(
        objects,
        vec![
            unverifiable("public.t.audited_at"),
            unverifiable("public.t.tenant"),
            unverifiable("public.t.total"),
        ],
        "{v}"
    );

    let ignore =
        "[drift]\nignore = [\"public.t.audited_at\", \"public.t.tenant\", \"public.t.total\"]\n";
    let (db, dir) = helper_columns_project("d_helper_col_ign", ignore);
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean");
    db.execute("ALTER TABLE t ADD COLUMN extra int");
    let r = drift(dir.path(), &db, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(
        item_kinds(&v),
        vec![("unexpected-column".to_string(), false)],
        "{v}"
    );
    assert_eq!(v["items"][0]["object"], "public.t.extra", "{v}");
}
