//! Lint 10,000 generated TypeORM migration files in process (discover, read with
//! rayon, classify, annotations, suppressions). Target: < 1 s on 2 cores.
//!
//! Two corpora (`corpus.rs`): `typeorm_files`, a history where few statements are
//! flagged, and `flagged_typeorm_files`, where almost every statement is (six per
//! file, ~4 KB files), rendered to JSON as `lint --format json` does: there the
//! findings, not the reading, are the load.
//!
//! `MIGGUARD_WRITE_CORPUS=DIR cargo bench --bench lint` writes both corpora of
//! 10,000 files to `DIR/plain` and `DIR/flagged` and exits, to time the binary on
//! them (`migguard lint DIR/flagged --format json`).

use criterion::{criterion_group, criterion_main, Criterion};
use migguard::config::Config;
use migguard::finding::Gate;
use migguard::lint::lint_project;
use migguard::project::load_project;
use migguard::report::FindingsReport;
use migguard::ruleset::RuleSet;
use std::path::Path;

#[path = "corpus.rs"]
mod corpus;

/// Writes a corpus of `n` files into a directory.
type WriteCorpus = fn(&Path, usize);

/// The two corpora: bench id and generator.
const CORPORA: [(&str, WriteCorpus); 2] = [
    ("typeorm_files", corpus::write_typeorm_corpus),
    (
        "flagged_typeorm_files",
        corpus::write_flagged_typeorm_corpus,
    ),
];

fn bench(c: &mut Criterion) {
    if let Some(dir) = std::env::var_os("MIGGUARD_WRITE_CORPUS") {
        let dir = Path::new(&dir);
        corpus::write_typeorm_corpus(&dir.join("plain"), 10_000);
        corpus::write_flagged_typeorm_corpus(&dir.join("flagged"), 10_000);
        eprintln!(
            "wrote {}/plain and {}/flagged",
            dir.display(),
            dir.display()
        );
        return;
    }
    let n = if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        200
    };
    let config = Config::default();
    let rules = RuleSet::builtin();
    let mut g = c.benchmark_group("lint");
    g.sample_size(10);
    for (name, write_corpus) in CORPORA {
        let dir = tempfile::tempdir().unwrap();
        write_corpus(dir.path(), n);
        let paths = vec![dir.path().to_path_buf()];
        g.bench_function(format!("{n}_{name}"), |b| {
            b.iter(|| {
                let mut project = load_project(&paths, &config).unwrap();
                let findings = lint_project(&mut project, &rules, config.default_schema());
                let report =
                    FindingsReport::new("lint", Gate::BLOCK, findings, &project.migrations);
                let mut json = Vec::new();
                migguard::report::json::render(&report, &mut json).unwrap();
                json.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
