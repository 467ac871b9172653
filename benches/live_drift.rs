//! Drift against a real database of 1,000 tables / ~21,000 columns (target: < 2 s end
//! to end). The same SQL files are applied to a PostgreSQL started by the test harness
//! and read by migguard, so the run is clean — asserted once before measuring, so the
//! figure can never be that of an error path.
//!
//! Measured: introspection alone (the catalog queries and model building drift uses),
//! and the whole binary as a user runs it (process start, reading 1,000 migration
//! files, connect, history, introspect, replay, diff, reconcile, JSON).
//!
//! `cargo bench --bench live_drift` runs the full size; under `cargo test
//! --all-targets` (no `--bench`) a 20-table smoke run keeps CI fast.

use criterion::{criterion_group, criterion_main, Criterion};
use migguard::db::connect::{connect, runtime};
use migguard::db::introspect::introspect;
use migguard::db::ConnectOptions;
use std::process::Command;
use std::time::Duration;

#[path = "corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../tests/support/pg.rs"]
mod pg;

const COLUMNS: usize = 20;

fn bench(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let tables = if full { 1_000 } else { 20 };

    // One migration file per table: CREATE TABLE (serial PK, 19 defaulted varchar
    // columns), an index, and a foreign key to the previous table.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("m")).expect("m/");
    std::fs::write(dir.path().join("migguard.toml"), "migrations = [\"m\"]\n").expect("config");
    let history = corpus::wide_history_sql(tables, COLUMNS);
    let db = pg::cluster().create_database("bench_live_drift");
    let mut sql = String::from(
        "CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL);\n",
    );
    for (i, migration) in history.iter().enumerate() {
        let name = format!("{:04}_t{i}", i + 1);
        std::fs::write(dir.path().join("m").join(format!("{name}.sql")), migration)
            .expect("migration file");
        sql.push_str(migration);
        sql.push_str(&format!(
            "INSERT INTO migrations (timestamp, name) VALUES ({i}, '{name}');\n"
        ));
    }
    db.execute(&sql);

    let drift = || {
        let out = Command::new(env!("CARGO_BIN_EXE_migguard"))
            .args(["drift", "--database-url", &db.url, "--format", "json"])
            .current_dir(dir.path())
            .output()
            .expect("run migguard");
        assert_eq!(
            out.status.code(),
            Some(0),
            "drift must be clean: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout.len()
    };
    drift();

    let opts = ConnectOptions {
        url: Some(db.url.clone()),
        connect_timeout: Duration::from_secs(10),
        statement_timeout_ms: 30_000,
        lock_timeout_ms: 5_000,
        sslmode: None,
        sslrootcert: None,
        command_timeout: Duration::from_secs(600),
        libpq: Default::default(),
    };
    let rt = runtime().expect("runtime");
    let client = rt.block_on(connect(&opts)).expect("connect");
    let schemas = vec!["public".to_string()];
    let model = rt
        .block_on(introspect(&client, &schemas))
        .expect("introspect");
    // The history table is a table too.
    assert_eq!(model.tables.len(), tables + 1);
    let columns: usize = model.tables.values().map(|t| t.columns.len()).sum();
    eprintln!("live database: {} tables, {columns} columns", tables + 1);

    let mut g = c.benchmark_group("live_drift");
    g.sample_size(10);
    g.bench_function(format!("introspect_{tables}_tables"), |b| {
        b.iter(|| {
            rt.block_on(introspect(&client, &schemas))
                .expect("introspect")
                .tables
                .len()
        })
    });
    g.bench_function(format!("drift_whole_binary_{tables}_tables"), |b| {
        b.iter(drift)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
