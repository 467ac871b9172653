//! Drift at scale: diff and reconcile of a 1,000-table / 20,000-column schema.
//!
//! Drift runs against production schemas, and reconciliation diffs the whole model
//! once per pending migration; this keeps an eye on that cost. Models are built from
//! IR operations directly so the figure is drift's (replay + diff), not the parsers'.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use migguard::drift::{analyse, diff, HistoryView, IgnoreList};
use migguard::ir::{
    ColumnDef, ConstraintDef, ConstraintKind, IndexDef, IndexKey, Migration, MigrationFormat,
    MigrationOrder, OpKind, OpSource, Operation, QualifiedName, Span,
};
use migguard::schema::replay::replay;

const TABLES: usize = 1_000;
const COLUMNS: usize = 20;
const PENDING: usize = 10;

fn op(kind: OpKind) -> Operation {
    Operation {
        kind,
        span: Span::default(),
        text: String::new(),
        source: OpSource::Sql,
        dynamic: false,
        anchor_line: 1,
        guard: None,
        origin: None,
    }
}

fn migration(n: usize, up: Vec<Operation>) -> Migration {
    let name = format!("{:04}_m", n);
    Migration {
        name: name.clone(),
        version: Some(format!("{n:04}")),
        order: MigrationOrder {
            repeatable: false,
            version: vec![n as u128],
            name: name.clone(),
        },
        format: MigrationFormat::SqlPlain,
        file: format!("{name}.sql").into(),
        span: Span::default(),
        transactional: true,
        up,
        header_comments: vec![],
        comments: vec![],
        read_errors: vec![],
    }
}

fn column(name: String, i: usize) -> ColumnDef {
    ColumnDef {
        name,
        data_type: ["integer", "text", "varchar(255)", "timestamptz", "boolean"][i % 5].into(),
        not_null: i.is_multiple_of(3),
        default: i.is_multiple_of(4).then(|| "0".to_string()),
        ..ColumnDef::default()
    }
}

/// 1,000 tables of 20 columns, a PK and an index each, then `PENDING` migrations that
/// add a column to the first tables.
fn project() -> Vec<Migration> {
    let mut ops = Vec::new();
    for t in 0..TABLES {
        let table = QualifiedName::new("public", format!("t{t:04}"));
        let columns = (0..COLUMNS)
            .map(|c| column(format!("c{c:02}"), c))
            .collect();
        ops.push(op(OpKind::CreateTable {
            table: table.clone(),
            columns,
            constraints: vec![ConstraintDef {
                name: Some(format!("t{t:04}_pkey")),
                kind: ConstraintKind::PrimaryKey {
                    columns: vec!["c00".into()],
                },
                not_valid: false,
                deferrable: false,
                initially_deferred: false,
                using_index: None,
            }],
            if_not_exists: false,
            indexes: vec![],
            unmodelled: None,
            hierarchy: Default::default(),
            as_query: None,
        }));
        ops.push(op(OpKind::CreateIndex(IndexDef {
            name: Some(format!("t{t:04}_c01_idx")),
            table,
            unique: false,
            concurrently: false,
            if_not_exists: false,
            method: None,
            keys: vec![IndexKey {
                expr: "c01".into(),
                is_expression: false,
                descending: false,
                nulls_first: None,
                opclass: None,
            }],
            include: vec![],
            predicate: None,
            nulls_not_distinct: false,
            storage: vec![],
        })));
    }
    let mut ms = vec![migration(1, ops)];
    for p in 0..PENDING {
        ms.push(migration(
            p + 2,
            vec![op(OpKind::AddColumn {
                table: QualifiedName::new("public", format!("t{p:04}")),
                column: column("added".into(), p),
                if_not_exists: false,
            })],
        ));
    }
    ms
}

fn bench(c: &mut Criterion) {
    let ms = project();
    let all: Vec<&Migration> = ms.iter().collect();
    let (expected, _) = replay(&all, "public");
    // Live = only the first migration applied, plus hand edits on 1% of the tables.
    let (mut live, _) = replay(&all[..1], "public");
    for t in live.tables.values_mut().step_by(100) {
        t.columns[3].data_type = "bigint".into();
    }
    let ignore = IgnoreList::new("migrations", "public", &[]);
    assert_eq!(
        expected
            .tables
            .values()
            .map(|t| t.columns.len())
            .sum::<usize>(),
        TABLES * COLUMNS + PENDING
    );
    c.bench_function("diff 1000 tables / 20000 columns", |b| {
        b.iter(|| diff(black_box(&expected), black_box(&live), &ignore))
    });
    let history = HistoryView {
        applied: vec![ms[0].name.clone()],
        pending: ms[1..].iter().map(|m| m.name.clone()).collect(),
        ..HistoryView::default()
    };
    let mut group = c.benchmark_group("reconcile");
    group.sample_size(10);
    group.bench_function("analyse 1000 tables, 10 pending", |b| {
        b.iter(|| {
            analyse(
                black_box(&ms),
                black_box(&live),
                history.clone(),
                "public",
                &ignore,
            )
        })
    });
    // A fresh database: the same schema as 100 pending migrations of 10 tables each,
    // the worst case for step-by-step reconciliation.
    let mut fresh_ms = Vec::new();
    for (i, chunk) in ms[0].up.chunks(20).enumerate() {
        fresh_ms.push(migration(i + 1, chunk.to_vec()));
    }
    let fresh_history = HistoryView {
        pending: fresh_ms.iter().map(|m| m.name.clone()).collect(),
        ..HistoryView::default()
    };
    let empty = migguard::schema::SchemaModel::default();
    group.bench_function("analyse fresh database, 100 pending", |b| {
        b.iter(|| {
            analyse(
                black_box(&fresh_ms),
                black_box(&empty),
                fresh_history.clone(),
                "public",
                &ignore,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
