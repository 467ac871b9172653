//! Replay a 1,000-table / 20,000-column migration history (target < 200 ms), and
//! diff + reconcile two models of that size (drift's pure part).

use criterion::{criterion_group, criterion_main, Criterion};
use migguard::drift::{analyse, HistoryView, IgnoreList};
use migguard::ir::Migration;
use migguard::parse::sql::read_sql_file;
use migguard::parse::ReadOptions;
use migguard::schema::replay::replay;
use migguard::source::SourceFile;

#[path = "corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let (tables, cols) = if full { (1000, 20) } else { (50, 20) };
    let migrations: Vec<Migration> = corpus::wide_history_sql(tables, cols)
        .into_iter()
        .enumerate()
        .flat_map(|(i, sql)| {
            read_sql_file(
                &SourceFile::new(format!("{:06}_t{i}.sql", i + 1).into(), sql),
                &ReadOptions::default(),
            )
        })
        .collect();
    let refs: Vec<&Migration> = migrations.iter().collect();
    let mut g = c.benchmark_group("schema");
    g.sample_size(10);
    g.bench_function(
        format!("replay_{tables}_tables_{}_columns", tables * cols),
        |b| b.iter(|| replay(&refs, "public").0.tables.len()),
    );
    let (live, _) = replay(&refs, "public");
    let history = HistoryView {
        applied: migrations.iter().map(|m| m.name.clone()).collect(),
        ..HistoryView::default()
    };
    g.bench_function(format!("drift_analyse_{tables}_tables"), |b| {
        b.iter(|| {
            analyse(
                &migrations,
                &live,
                history.clone(),
                "public",
                &IgnoreList::default(),
            )
            .items
            .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
