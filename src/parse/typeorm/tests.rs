//! Snapshot tests of the TypeORM reader over the fixtures in tests/fixtures/typeorm.

use super::*;
use std::fmt::Write;
use std::path::PathBuf;

fn read_fixture(name: &str) -> (SourceFile, Vec<Migration>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/typeorm")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let file = SourceFile::new(PathBuf::from(name), text);
    let ms = read_typeorm_file(&file, &ReadOptions::default());
    (file, ms)
}

/// A compact, reviewable rendering: one line per op.
fn summary(ms: &[Migration]) -> String {
    let mut s = String::new();
    for m in ms {
        writeln!(
            s,
            "migration {} version={:?} transactional={} line={}",
            m.name, m.version, m.transactional, m.span.line
        )
        .unwrap();
        for c in &m.header_comments {
            writeln!(s, "  header {}: {}", c.span.line, c.text).unwrap();
        }
        for e in &m.read_errors {
            writeln!(s, "  read-error {}: {}", e.span.line, e.message).unwrap();
        }
        for (side, ops) in [("up", &m.up), ("down", &m.down)] {
            for op in ops {
                let via = match &op.source {
                    OpSource::Builder { method } => format!("builder {method}"),
                    OpSource::Sql => "sql".into(),
                };
                let extra = match &op.kind {
                    OpKind::Opaque { reason } | OpKind::Unparsed { reason } => {
                        format!(" ({reason})")
                    }
                    OpKind::ChangeColumn { mode, new_name, .. } => {
                        format!(" mode={mode:?} new_name={new_name:?}")
                    }
                    OpKind::AddColumn { column, .. } => format!(
                        " type={} not_null={} default={:?}",
                        column.data_type, column.not_null, column.default
                    ),
                    OpKind::CreateTable {
                        columns,
                        constraints,
                        indexes,
                        ..
                    } => format!(
                        " columns=[{}] constraints={} indexes={}",
                        columns
                            .iter()
                            .map(|c| format!(
                                "{} {}{}{}",
                                c.name,
                                c.data_type,
                                if c.not_null { " not null" } else { "" },
                                c.default
                                    .as_ref()
                                    .map(|d| format!(" default {d}"))
                                    .unwrap_or_default()
                            ))
                            .collect::<Vec<_>>()
                            .join(", "),
                        constraints.len(),
                        indexes.len()
                    ),
                    _ => String::new(),
                };
                writeln!(
                    s,
                    "  {side} {}:{}-{}:{} anchor={} {} {} {}{}{}",
                    op.span.line,
                    op.span.column,
                    op.span.end_line,
                    op.span.end_column,
                    op.anchor_line,
                    op.kind.name(),
                    op.kind.object().unwrap_or_default(),
                    via,
                    if op.dynamic { " dynamic" } else { "" },
                    extra
                )
                .unwrap();
            }
        }
    }
    s
}

#[test]
fn raw_sql_migration() {
    let (file, ms) = read_fixture("1700000000000-RawSql.ts");
    insta::assert_snapshot!(summary(&ms));
    // The DROP COLUMN span is the statement inside the template literal, in the .ts file.
    let drop = &ms[0].up[0];
    assert_eq!(
        &file.text[drop.span.start..drop.span.end],
        "ALTER TABLE \"${TABLE}\" DROP COLUMN \"${LEGACY}\""
    );
}

#[test]
fn builder_migration() {
    let (_, ms) = read_fixture("1700000000001-Builder.ts");
    insta::assert_snapshot!(summary(&ms));
}

#[test]
fn compiled_javascript() {
    let (_, ms) = read_fixture("1700000000002-compiled.js");
    insta::assert_snapshot!(summary(&ms));
    assert_eq!(ms.len(), 2);
    assert!(!ms[0].transactional);
}

#[test]
fn malformed_source_reports_read_errors() {
    let (_, ms) = read_fixture("1700000000004-Broken.ts");
    insta::assert_snapshot!(summary(&ms));
    assert!(ms.iter().any(|m| !m.read_errors.is_empty()));
}

#[test]
fn timestamps_are_the_last_13_digits() {
    assert_eq!(timestamp_of("AddX1700000000000"), Some(1_700_000_000_000));
    assert_eq!(timestamp_of("AddX17000"), None);
}
