//! release-check against a 500-migration TypeORM history (target: < 300 ms after
//! connect). Measures what a deploy waits for once the connection is up — the one
//! history read, matching and the checks of the pending migrations — and, for
//! reference, the whole binary (process start, reading 500 files, connect, render).
//!
//! `cargo bench --bench release_check` runs the full size; under `cargo test
//! --all-targets` (no `--bench`) a 20-migration smoke run keeps CI fast.

use criterion::{criterion_group, criterion_main, Criterion};
use migguard::config::Config;
use migguard::db::connect::{connect, describe, runtime};
use migguard::db::history::{compare, read, HistoryKind};
use migguard::db::ConnectOptions;
use migguard::project::load_project;
use migguard::release::check;
use migguard::ruleset::RuleSet;
use std::process::Command;
use std::time::Duration;

#[path = "corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../tests/support/pg.rs"]
mod pg;

fn bench(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { 500 } else { 20 };
    // The last 10 % are pending (every tenth corpus migration is an annotated
    // contract migration, so the checks have real work).
    let applied = n - n / 10;
    let dir = tempfile::tempdir().expect("temp dir");
    corpus::write_typeorm_corpus(dir.path(), n);

    let db = pg::cluster().create_database("bench_release_check");
    let mut sql = String::from(
        "CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL);\n\
         INSERT INTO migrations (timestamp, name) VALUES ",
    );
    let rows: Vec<String> = (0..applied)
        .map(|i| {
            let ts = 1_600_000_000_000u64 + i as u64 * 1000;
            format!("({ts}, 'Gen{ts}')")
        })
        .collect();
    sql.push_str(&rows.join(","));
    db.execute(&sql);

    let config = Config::default();
    let rules = RuleSet::builtin();
    let project = load_project(&[dir.path().to_path_buf()], &config).expect("corpus loads");
    assert_eq!(project.migrations.len(), n, "corpus migrations");
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

    let mut g = c.benchmark_group("release_check");
    g.sample_size(10);
    g.bench_function(format!("after_connect_{n}"), |b| {
        b.iter(|| {
            let history = rt
                .block_on(read(&client, HistoryKind::Typeorm, "migrations", |e| {
                    describe(e, "bench")
                }))
                .expect("history");
            let cmp = compare(&project.migrations, &history);
            assert_eq!(cmp.pending.len(), n - applied);
            let prior = migguard::classify::prior::prior_facts(&project.migrations, "public");
            check(&project.migrations, &prior, &cmp, &rules, false)
        })
    });
    g.bench_function(format!("whole_binary_{n}"), |b| {
        b.iter(|| {
            let out = Command::new(env!("CARGO_BIN_EXE_migguard"))
                .arg("release-check")
                .arg(dir.path())
                .args(["--database-url", &db.url, "--format", "json"])
                .current_dir(dir.path())
                .output()
                .expect("run migguard");
            // Pending contract migrations without permission: the gate fails (1).
            assert_eq!(
                out.status.code(),
                Some(1),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
