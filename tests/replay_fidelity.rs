//! Replay fidelity against real PostgreSQL: apply migrations with psql, introspect,
//! replay the same migrations offline, and require the two models to be equal.

mod support;
mod util;
use migguard::ir::{Migration, OpSource};
use migguard::schema::SchemaModel;
use support::pg::cluster;
use util::*;

fn load(dir: &str) -> Vec<Migration> {
    let config = migguard::config::Config::default();
    migguard::commands::project::load_project(&[repo_root().join(dir)], &config)
        .unwrap()
        .migrations
}

fn introspect(url: &str) -> SchemaModel {
    migguard::db::connect::runtime().unwrap().block_on(async {
        let opts = migguard::db::ConnectOptions::from_config(
            Some(url),
            &migguard::config::Config::default(),
        );
        let client = migguard::db::connect(&opts).await.unwrap();
        migguard::db::introspect::introspect(&client, &["public".to_string()])
            .await
            .unwrap()
    })
}

/// View SQL is not compared (PostgreSQL rewrites it); their names, kinds and output
/// columns are. Expressions compare as drift compares them (their keys).
fn comparable(m: SchemaModel) -> String {
    let mut m = m.compared_form();
    for v in m.views.values_mut() {
        v.definition = None;
    }
    m.uncertain.clear();
    m.extensions.clear();
    format!("{m:#?}")
}

fn assert_same(expected: SchemaModel, live: SchemaModel) {
    let (e, l) = (comparable(expected), comparable(live));
    if e != l {
        let diff: Vec<String> = e
            .lines()
            .zip(l.lines())
            .filter(|(a, b)| a != b)
            .take(20)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "replayed model (-) differs from the live schema (+):\n{}",
            diff.join("\n")
        );
    }
}

#[test]
fn sql_migrations_replay_to_the_live_schema() {
    let db = cluster().create_database("fid_sql");
    let migrations = load("tests/fixtures/fidelity");
    for m in &migrations {
        db.execute(&std::fs::read_to_string(&m.file).unwrap());
    }
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (expected, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    // Not two empty models: the objects the migrations leave behind are all there.
    assert_eq!(expected.tables.len(), 11);
    assert_eq!(expected.indexes.len(), 8);
    assert_eq!(expected.views.len(), 8);
    // Every view's columns were named, so the comparison below checks them too.
    assert!(
        expected.views.values().all(|v| v.columns.is_some()),
        "{:?}",
        expected.views
    );
    let labels = |name: &str| {
        expected.enums[&migguard::ir::QualifiedName::new("public", name)]
            .labels
            .len()
    };
    assert_eq!((labels("order_status_enum"), labels("place_kind")), (4, 2));
    assert_eq!(expected.sequences.len(), 4);
    assert_same(expected, introspect(&db.url));
}

#[test]
fn typeorm_raw_sql_migrations_replay_to_the_live_schema() {
    // The SQL TypeORM would send: every op of the fixture migrations that came from
    // query(…) strings, statement by statement (CONCURRENTLY needs its own statement).
    let db = cluster().create_database("fid_ts");
    let migrations: Vec<Migration> = load("fixtures/src/migrations")
        .into_iter()
        .filter(|m| m.up.iter().all(|o| o.source == OpSource::Sql))
        .collect();
    assert_eq!(migrations.len(), 3);
    for m in &migrations {
        let mut last = String::new();
        for op in &m.up {
            if op.text != last {
                db.execute(&op.text);
                last = op.text.clone();
            }
        }
    }
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (expected, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_same(expected, introspect(&db.url));
}

#[test]
fn schema_sql_output_applies_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[
            "schema",
            repo_root()
                .join("tests/fixtures/fidelity")
                .to_str()
                .unwrap(),
            "--format",
            "sql",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = cluster().create_database("fid_roundtrip");
    db.execute(&r.stdout);
    let migrations = load("tests/fixtures/fidelity");
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (expected, _) = migguard::schema::replay::replay(&refs, "public");
    assert_same(expected, introspect(&db.url));
    let r = run_in(
        dir.path(),
        &[
            "schema",
            repo_root()
                .join("tests/fixtures/fidelity")
                .to_str()
                .unwrap(),
            "--format",
            "json",
        ],
    );
    let v = r.json();
    assert_eq!(v["schema_version"], 1);
    assert!(
        v["tables"]["public.order"]["columns"]
            .as_array()
            .unwrap()
            .len()
            == 6
    );
}
