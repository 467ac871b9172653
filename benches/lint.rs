//! Lint 10,000 generated TypeORM migration files in process (discover, read with
//! rayon, classify, annotations, suppressions). Target: < 1 s on 2 cores.

use criterion::{criterion_group, criterion_main, Criterion};
use migguard::config::Config;
use migguard::lint::lint_project;
use migguard::project::load_project;
use migguard::ruleset::RuleSet;

#[path = "corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let n = if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        200
    };
    corpus::write_typeorm_corpus(dir.path(), n);
    let config = Config::default();
    let rules = RuleSet::builtin();
    let paths = vec![dir.path().to_path_buf()];
    let mut g = c.benchmark_group("lint");
    g.sample_size(10);
    g.bench_function(format!("{n}_typeorm_files"), |b| {
        b.iter(|| {
            let project = load_project(&paths, &config).unwrap();
            lint_project(&project, &rules, config.default_schema()).len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
