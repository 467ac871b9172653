//! Drift analysis on hand-edited live models (no database needed).

use super::*;
use crate::ir::Migration;
use crate::parse::sql::read_sql_file;
use crate::parse::ReadOptions;
use crate::schema::replay::replay;
use crate::schema::SchemaModel;
use crate::source::SourceFile;

fn migs(files: &[(&str, &str)]) -> Vec<Migration> {
    files
        .iter()
        .flat_map(|(p, sql)| {
            read_sql_file(
                &SourceFile::new((*p).into(), sql.to_string()),
                &ReadOptions::default(),
            )
        })
        .collect()
}

const M1: (&str, &str) = ("0001_init.sql", "CREATE TYPE mood AS ENUM ('a','b'); CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x', m mood); CREATE INDEX t_name_idx ON t (name);");
const M2: (&str, &str) = ("0002_more.sql", "ALTER TABLE t ADD COLUMN extra int;");

fn live_after(ms: &[Migration]) -> SchemaModel {
    let refs: Vec<&Migration> = ms.iter().collect();
    replay(&refs, "public").0
}

fn history(applied: &[&str], pending: &[&str]) -> HistoryView {
    HistoryView {
        applied: applied.iter().map(|s| s.to_string()).collect(),
        pending: pending.iter().map(|s| s.to_string()).collect(),
        ..HistoryView::default()
    }
}

fn kinds(r: &DriftReport) -> Vec<(String, String, bool)> {
    r.items
        .iter()
        .map(|i| (i.kind.clone(), i.object.clone(), i.reconcilable))
        .collect()
}

#[test]
fn clean_when_live_matches() {
    let ms = migs(&[M1, M2]);
    let r = analyse(
        &ms,
        &live_after(&ms),
        history(&["0001_init", "0002_more"], &[]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Clean, "{:?}", r.items);
}

#[test]
fn pending_migration_differences_are_reconcilable() {
    let ms = migs(&[M1, M2]);
    let live = live_after(&ms[..1]);
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &["0002_more"]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Reconcilable);
    assert_eq!(
        kinds(&r),
        vec![
            ("missing-column".into(), "public.t.extra".into(), true),
            ("pending-migration".into(), "0002_more".into(), true)
        ]
    );
    assert_eq!(r.items[0].resolved_by.as_deref(), Some("0002_more"));
}

#[test]
fn hand_edits_are_real_drift() {
    let ms = migs(&[M1]);
    let mut live = live_after(&ms);
    let t = live
        .tables
        .get_mut(&crate::ir::QualifiedName::new("public", "t"))
        .unwrap();
    t.columns.push(crate::schema::model::Column {
        name: "hotfix".into(),
        data_type: "text".into(),
        not_null: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
    });
    t.columns[1].data_type = "character varying(50)".into();
    t.columns[1].default = Some("'y'".into());
    live.indexes.clear();
    live.enums
        .values_mut()
        .next()
        .unwrap()
        .labels
        .push("c".into());
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &[]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Drift);
    let k: Vec<String> = r.items.iter().map(|i| i.kind.clone()).collect();
    for want in [
        "unexpected-column",
        "column-type-mismatch",
        "column-default-mismatch",
        "missing-index",
        "enum-values-mismatch",
    ] {
        assert!(k.contains(&want.to_string()), "{want} not in {k:?}");
    }
    assert!(r.items.iter().all(|i| !i.reconcilable));
}

#[test]
fn pending_migration_that_cannot_apply_conflicts() {
    let ms = migs(&[M1, ("0002_drop.sql", "ALTER TABLE t DROP COLUMN name;")]);
    let mut live = live_after(&ms[..1]);
    // Someone already dropped the column by hand.
    live.tables
        .values_mut()
        .next()
        .unwrap()
        .columns
        .retain(|c| c.name != "name");
    live.indexes.clear();
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &["0002_drop"]),
        "public",
        &IgnoreList::default(),
    );
    assert!(
        r.items
            .iter()
            .any(|i| i.kind == "conflicts-with-pending" && !i.reconcilable),
        "{:?}",
        kinds(&r)
    );
    assert_eq!(r.status, DriftStatus::Drift);
}

#[test]
fn unknown_applied_and_ignore_list() {
    let ms = migs(&[M1]);
    let mut live = live_after(&ms);
    live.tables.insert(
        crate::ir::QualifiedName::new("public", "tmp_import"),
        crate::schema::model::Table::new(crate::ir::QualifiedName::new("public", "tmp_import")),
    );
    let mut h = history(&["0001_init"], &[]);
    h.unknown_applied.push("0099_elsewhere".into());
    let ignore = IgnoreList::new("migrations", "public", &["public.tmp_*".into()]);
    let r = analyse(&ms, &live, h, "public", &ignore);
    assert_eq!(
        kinds(&r),
        vec![(
            "unknown-applied-migration".into(),
            "0099_elsewhere".into(),
            false
        )]
    );
}

#[test]
fn unreadable_migrations_are_unverifiable() {
    let ms = migs(&[
        M1,
        (
            "0002_do.sql",
            "DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD x int'; END $$;",
        ),
    ]);
    let live = live_after(&ms);
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init", "0002_do"], &[]),
        "public",
        &IgnoreList::default(),
    );
    assert!(
        r.items
            .iter()
            .any(|i| i.kind == "unverifiable" && i.object == "public.t"),
        "{:?}",
        kinds(&r)
    );
}
