//! End to end with the real client: TypeORM itself (0.3, via ts-node) runs the
//! bundled example's migrations — raw SQL and builder calls — against the test
//! PostgreSQL and writes its own history table. Then migguard must find no drift and
//! release-check must pass: the replay of TypeORM's builder semantics (naming
//! strategy, serial, enum types, FKs) is checked against what TypeORM really did.

mod support;
mod util;
use support::pg::cluster;
use util::*;

#[test]
fn typeorm_runs_the_fixtures_then_drift_is_clean_and_release_check_passes() {
    let db = cluster().create_database("e2e_typeorm");
    let stdout = support::node::run_typeorm(&db.url, &["fixtures/src/migrations/*.ts"], &[]);
    assert!(stdout.contains("ran 4 migrations"));
    // TypeORM's own history table.
    assert_eq!(db.execute("SELECT count(*) FROM migrations").trim(), "4");

    let r = run_json_on_db(
        &repo_root(),
        &["drift", "--config", "fixtures/migguard.toml"],
        &db.url,
    );
    assert_eq!(
        r.code, 0,
        "drift after TypeORM ran the migrations:\n{}{}",
        r.stdout, r.stderr
    );
    assert_eq!(r.json()["status"], "clean");

    let r = run_json_on_db(
        &repo_root(),
        &["release-check", "--config", "fixtures/migguard.toml"],
        &db.url,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["history"]["pending"].as_array().unwrap().len(), 0);
}

/// Runs TypeORM on `migrations` (files or globs, relative to the repository root),
/// writing its history into `table`; returns its stdout.
fn typeorm_run(url: &str, table: &str, migrations: &[&str]) -> String {
    support::node::run_typeorm(url, migrations, &[("MIGRATIONS_TABLE", table)])
}

/// The deploy flow release-check guards, step by step, with TypeORM's history in a
/// custom schema-qualified table: a contract migration is refused while its expand
/// migration only would run in the same batch, refused without permission once the
/// expand is applied, allowed with permission, and nothing is pending at the end.
#[test]
fn expand_contract_deploy_flow_with_a_custom_history_table() {
    let db = cluster().create_database("e2e_flow");
    db.execute("CREATE SCHEMA core");
    let table = "core._typeorm_migrations";
    let project = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[history]\ntable = \"{table}\"\n",
            repo_root().join("fixtures/src/migrations").display()
        ),
    )]);
    let check = |allow: &str| {
        run_env(
            project.path(),
            &[
                "release-check",
                "--database-url",
                &db.url,
                "--format",
                "json",
            ],
            &[("ALLOW_DESTRUCTIVE_MIGRATIONS", allow)],
        )
    };

    // Release 1 only ran Init: AddSmileCode (expand) and DropLegacyCode (contract)
    // would run in the same batch — refused even with permission.
    let ran = typeorm_run(
        &db.url,
        table,
        &["fixtures/src/migrations/1700000000000-Init.ts"],
    );
    assert!(ran.contains("ran 1 migrations"), "{ran}");
    assert_eq!(
        db.query("SELECT name FROM core._typeorm_migrations").trim(),
        "Init1700000000000"
    );
    let r = check("true");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["expand-not-applied"]
    );
    assert_eq!(r.json()["history"]["table_missing"], false);

    // Release 2 ran the expand migration: the contract is allowed only with permission.
    typeorm_run(
        &db.url,
        table,
        &[
            "fixtures/src/migrations/1700000000000-Init.ts",
            "fixtures/src/migrations/1700000100000-AddSmileCode.ts",
        ],
    );
    let r = check("false");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        rules_with_status(&r.json(), "failing"),
        vec!["destructive-pending"]
    );
    let r = check("true");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // Release 3 ran everything: nothing pending, passes without permission.
    let ran = typeorm_run(&db.url, table, &["fixtures/src/migrations/*.ts"]);
    assert!(ran.contains("ran 2 migrations"), "{ran}");
    let r = check("false");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.json()["history"]["pending"]
        .as_array()
        .unwrap()
        .is_empty());
    // TypeORM wrote only its own table in `core`: the default one was never created.
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'migrations'")
            .trim(),
        "0"
    );
}

/// Issue 11, bug 1, with TypeORM itself: `renameTable` renames the default-named PK,
/// index, serial sequence and enum type; replay must follow it exactly (drift clean).
#[test]
fn typeorm_rename_table_then_drift_is_clean() {
    let db = cluster().create_database("e2e_rename_table");
    let ran = typeorm_run(
        &db.url,
        "migrations",
        &["tests/fixtures/typeorm_rename_table/*.ts"],
    );
    assert!(ran.contains("ran 2 migrations"), "{ran}");
    // TypeORM did rename the index, the sequence and the enum type.
    assert_eq!(
        db.query(
            "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class \
             WHERE relnamespace = 'public'::regnamespace AND relkind IN ('i', 'S') \
             AND relname NOT LIKE 'migrations%' AND NOT EXISTS (SELECT 1 FROM pg_index i \
             WHERE i.indexrelid = pg_class.oid AND i.indrelid = 'migrations'::regclass)"
        )
        .trim(),
        "IDX_065f8f08dcb2f997e88bbf5758,PK_b7295e2e7bc37310a7df0d8a850,\
         UQ_3b1e7cb6e6a2b2e8f4b2a7e6f1c,entity_subscription_id_seq,subscription_owner_idx"
    );
    let dir = repo_root().join("tests/fixtures/typeorm_rename_table");
    let r = run_json_on_db(&repo_root(), &["drift", dir.to_str().unwrap()], &db.url);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean");
}
