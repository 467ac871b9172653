//! Drift analysis on hand-edited live models (no database needed).

use super::*;
use crate::ir::Migration;
use crate::parse::sql::read_sql_texts;
use crate::schema::replay::replay;
use crate::schema::SchemaModel;

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
        .map(|i| (i.kind.to_string(), i.object.clone(), i.reconcilable))
        .collect()
}

#[test]
fn clean_when_live_matches() {
    let ms = read_sql_texts(&[M1, M2]);
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
    let ms = read_sql_texts(&[M1, M2]);
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
    let ms = read_sql_texts(&[M1]);
    let mut live = live_after(&ms);
    let t = live
        .tables
        .get_mut(&crate::ir::QualifiedName::new("public", "t"))
        .unwrap();
    t.columns.push(crate::schema::model::Column {
        comment: None,
        name: "hotfix".into(),
        data_type: "text".into(),
        not_null: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        null_default: false,
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
    let k: Vec<String> = r.items.iter().map(|i| i.kind.to_string()).collect();
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
    let ms = read_sql_texts(&[M1, ("0002_drop.sql", "ALTER TABLE t DROP COLUMN name;")]);
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
    let ms = read_sql_texts(&[M1]);
    let mut live = live_after(&ms);
    live.tables.insert(
        crate::ir::QualifiedName::new("public", "tmp_import"),
        crate::schema::model::Table::new(crate::ir::QualifiedName::new("public", "tmp_import")),
    );
    let mut h = history(&["0001_init"], &[]);
    h.unknown_applied.push("0099_elsewhere".into());
    h.unknown_applied_count = 1;
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
    let ms = read_sql_texts(&[
        M1,
        (
            "0002_do.sql",
            "DO $$ DECLARE n int; BEGIN EXECUTE 'ALTER TABLE t ADD x int'; END $$;",
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

#[test]
fn resolved_by_names_the_pending_migration_that_fixes_it() {
    // Two pending migrations touch the same table; each difference names its own.
    let ms = read_sql_texts(&[
        M1,
        M2,
        (
            "0003_other.sql",
            "ALTER TABLE t ADD COLUMN other int; CREATE INDEX t_other_idx ON t (other);",
        ),
    ]);
    let live = live_after(&ms[..1]);
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &["0002_more", "0003_other"]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Reconcilable, "{:?}", kinds(&r));
    let by = |object: &str| {
        r.items
            .iter()
            .find(|i| i.object == object)
            .and_then(|i| i.resolved_by.clone())
    };
    assert_eq!(by("public.t.extra").as_deref(), Some("0002_more"));
    assert_eq!(by("public.t.other").as_deref(), Some("0003_other"));
    assert_eq!(by("public.t_other_idx").as_deref(), Some("0003_other"));
    assert_eq!(by("0003_other").as_deref(), Some("0003_other"));
    let file = r
        .items
        .iter()
        .find(|i| i.object == "public.t.other")
        .and_then(|i| i.file.clone());
    assert_eq!(file, Some("0003_other.sql".into()));
}

#[test]
fn pending_migrations_replay_in_version_order() {
    // Listed out of order: 0003 alters the column 0002 adds. Replaying in list order
    // would conflict; in version order it reconciles.
    let ms = read_sql_texts(&[
        (
            "0003_widen.sql",
            "ALTER TABLE t ALTER COLUMN extra TYPE bigint;",
        ),
        M1,
        M2,
    ]);
    let live = live_after(&read_sql_texts(&[M1]));
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &["0002_more", "0003_widen"]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Reconcilable, "{:?}", kinds(&r));
    assert_eq!(
        r.items
            .iter()
            .find(|i| i.kind == "missing-column")
            .and_then(|i| i.resolved_by.as_deref()),
        Some("0002_more")
    );
}

#[test]
fn partly_fixed_difference_stays_real_drift() {
    // Pending 0002 adds `extra`, but someone already added it by hand with another
    // type: the migration conflicts and the type mismatch is real drift.
    let ms = read_sql_texts(&[M1, M2]);
    let mut live = live_after(&ms[..1]);
    live.tables
        .values_mut()
        .next()
        .unwrap()
        .columns
        .push(crate::schema::model::Column {
            comment: None,
            name: "extra".into(),
            data_type: "text".into(),
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            null_default: false,
        });
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &["0002_more"]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Drift);
    let k = kinds(&r);
    assert!(
        k.contains(&(
            "column-type-mismatch".into(),
            "public.t.extra".into(),
            false
        )),
        "{k:?}"
    );
    assert!(
        k.iter()
            .any(|(kind, _, rec)| kind == "conflicts-with-pending" && !rec),
        "{k:?}"
    );
    // Real drift sorts before reconcilable items.
    let first_rec = r.items.iter().position(|i| i.reconcilable).unwrap();
    assert!(r.items[..first_rec].iter().all(|i| !i.reconcilable));
    assert!(r.items[first_rec..].iter().all(|i| i.reconcilable));
}

#[test]
fn out_of_order_pending_is_reconcilable_and_names_both_migrations() {
    // Two branches merged out of timestamp order: 0002 pending while 0003 is applied.
    // TypeORM 0.3 runs it without complaint (MigrationExecutor's timestamp check is
    // commented out), so it is a warning, not real drift.
    let m3 = ("0003_other.sql", "CREATE TABLE u (id int);");
    let ms = read_sql_texts(&[M1, M2, m3]);
    let live = live_after(&[ms[0].clone(), ms[2].clone()]);
    let mut h = history(&["0001_init", "0003_other"], &["0002_more"]);
    h.out_of_order.push("0002_more".into());
    let r = analyse(&ms, &live, h, "public", &IgnoreList::default());
    assert_eq!(r.status, DriftStatus::Reconcilable, "{:?}", kinds(&r));
    let item = r
        .items
        .iter()
        .find(|i| i.kind == "out-of-order-migration")
        .unwrap();
    assert!(item.reconcilable);
    assert_eq!(item.resolved_by.as_deref(), Some("0002_more"));
    assert!(
        item.message.contains("0002_more") && item.message.contains("0003_other"),
        "{}",
        item.message
    );
    assert_eq!(item.file, Some("0002_more.sql".into()));
}

#[test]
fn unverifiable_is_never_reconcilable_even_when_pending() {
    let ms = read_sql_texts(&[
        M1,
        (
            "0002_do.sql",
            "DO $$ DECLARE n int; BEGIN EXECUTE 'ALTER TABLE t ADD x int'; END $$;",
        ),
    ]);
    let live = live_after(&ms[..1]);
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &["0002_do"]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Drift, "{:?}", kinds(&r));
    let item = r
        .items
        .iter()
        .find(|i| i.kind == "unverifiable")
        .expect("unverifiable item");
    assert!(!item.reconcilable && item.resolved_by.is_none());
    assert_eq!(item.file, Some("0002_do.sql".into()));
}

#[test]
fn fresh_database_everything_is_pending() {
    let ms = read_sql_texts(&[
        M1,
        M2,
        (
            "0003_pets.sql",
            "CREATE TABLE pet (id int PRIMARY KEY); CREATE INDEX pet_id_idx ON pet (id);",
        ),
    ]);
    let r = analyse(
        &ms,
        &SchemaModel::default(),
        history(&[], &["0001_init", "0002_more", "0003_pets"]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Reconcilable, "{:?}", kinds(&r));
    let by = |object: &str| {
        r.items
            .iter()
            .find(|i| i.object == object)
            .and_then(|i| i.resolved_by.clone())
            .unwrap_or_else(|| panic!("{object} not resolved: {:?}", kinds(&r)))
    };
    // The table counts as missing once; 0002 only adds to what 0001 created.
    assert_eq!(by("public.t"), "0001_init");
    assert_eq!(by("public.mood"), "0001_init");
    assert_eq!(by("public.t_name_idx"), "0001_init");
    assert_eq!(by("public.pet"), "0003_pets");
    assert_eq!(by("public.pet_id_idx"), "0003_pets");
}

fn sample_report() -> DriftReport {
    let ms = read_sql_texts(&[M1, M2]);
    let mut live = live_after(&ms[..1]);
    live.enums
        .values_mut()
        .next()
        .unwrap()
        .labels
        .push("c".into());
    let mut h = history(&["0001_init"], &["0002_more"]);
    h.unknown_applied.push("0099_hotfix".into());
    h.unknown_applied_count = 1;
    analyse(&ms, &live, h, "public", &IgnoreList::default())
}

fn rendered(r: &DriftReport, format: crate::report::Format, allow: bool) -> String {
    let mut out = Vec::new();
    crate::report::drift::render(r, format, allow, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn renders_human() {
    let r = sample_report();
    insta::assert_snapshot!(rendered(&r, crate::report::Format::Human, false));
}

#[test]
fn renders_json() {
    let r = sample_report();
    insta::assert_snapshot!(rendered(&r, crate::report::Format::Json, false));
}

#[test]
fn renders_github_with_allowed_pending_as_notices() {
    let r = sample_report();
    insta::assert_snapshot!(rendered(&r, crate::report::Format::Github, true));
}

#[test]
fn renders_gitlab_code_quality() {
    let r = sample_report();
    insta::assert_snapshot!(rendered(&r, crate::report::Format::Gitlab, false));
}

#[test]
fn renders_sarif() {
    let r = sample_report();
    let v: serde_json::Value =
        serde_json::from_str(&rendered(&r, crate::report::Format::Sarif, false)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), r.items.len());
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results.last().unwrap()["level"], "warning");
}

#[test]
fn clean_human_output_says_so() {
    let ms = read_sql_texts(&[M1]);
    let r = analyse(
        &ms,
        &live_after(&ms),
        history(&["0001_init"], &[]),
        "public",
        &IgnoreList::default(),
    );
    let s = rendered(&r, crate::report::Format::Human, false);
    assert!(s.starts_with("migguard drift: clean"), "{s}");
    assert!(!s.contains("what to do"), "{s}");
}

#[test]
fn step_targets_are_bounded_only_for_ops_that_stay_on_their_objects() {
    let ms = read_sql_texts(&[
        M1,
        ("0002_cascade.sql", "DROP TABLE t CASCADE;"),
        ("0003_rename.sql", "ALTER TABLE t RENAME TO u;"),
    ]);
    let t = reconcile::named_targets(&ms[0]).expect("plain DDL is bounded");
    assert!(t.contains("public.t") && t.contains("public.mood") && t.contains("public.t_name_idx"));
    assert_eq!(reconcile::named_targets(&ms[1]), None);
    assert_eq!(reconcile::named_targets(&ms[2]), None);
}

#[test]
fn reconcile_after_an_unbounded_step_still_resolves() {
    // 0003 renames a table (unbounded): every difference is re-checked at that step.
    let ms = read_sql_texts(&[M1, M2, ("0003_rename.sql", "ALTER TABLE t RENAME TO u;")]);
    let live = live_after(&ms[..1]);
    let r = analyse(
        &ms,
        &live,
        history(&["0001_init"], &["0002_more", "0003_rename"]),
        "public",
        &IgnoreList::default(),
    );
    assert_eq!(r.status, DriftStatus::Reconcilable, "{:?}", kinds(&r));
    let by = |o: &str| {
        r.items
            .iter()
            .find(|i| i.object == o)
            .and_then(|i| i.resolved_by.clone())
    };
    assert_eq!(by("public.u").as_deref(), Some("0003_rename"));
    assert_eq!(by("public.t").as_deref(), Some("0003_rename"));
}

/// `kind` is an enum, but the report spells it as it always has: the documented
/// name (docs/json.md) in JSON, and the same name, padded as asked, in text.
#[test]
fn item_kinds_are_reported_by_their_documented_names() {
    use super::diff::Kind;
    for (kind, name) in [
        (
            ItemKind::Schema(Kind::ColumnNullabilityMismatch),
            "column-nullability-mismatch",
        ),
        (ItemKind::Schema(Kind::Unverifiable), "unverifiable"),
        (ItemKind::ConflictsWithPending, "conflicts-with-pending"),
        (ItemKind::PendingMigration, "pending-migration"),
        (
            ItemKind::UnknownAppliedMigration,
            "unknown-applied-migration",
        ),
        (ItemKind::OutOfOrderMigration, "out-of-order-migration"),
    ] {
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(name));
        assert_eq!(format!("{kind:<30}|"), format!("{name:<30}|"));
        assert!(kind == name);
    }
}

#[test]
fn schemas_to_compare_puts_the_configured_schema_first_then_every_used_one() {
    let ms = read_sql_texts(&[(
        "0001_init.sql",
        "CREATE SCHEMA core; CREATE TABLE core.t (id int); CREATE TABLE t (id int);",
    )]);
    assert_eq!(
        schemas_to_compare(&[], &ms, "public", None),
        ["public", "core"]
    );
    // The entities' schemas are compared too when no `--schema` narrows it.
    let entities = SchemaModel {
        schemas: ["billing".to_string()].into(),
        ..SchemaModel::default()
    };
    assert_eq!(
        schemas_to_compare(&[], &ms, "public", Some(&entities)),
        ["public", "core", "billing"]
    );
}

#[test]
fn schemas_to_compare_keeps_only_the_requested_ones() {
    let ms = read_sql_texts(&[("0001_init.sql", "CREATE TABLE core.t (id int);")]);
    let requested = ["core".to_string(), "public".to_string()];
    // The configured schema leads when requested, whatever the order given.
    assert_eq!(
        schemas_to_compare(&requested, &ms, "public", None),
        ["public", "core"]
    );
    let entities = SchemaModel {
        schemas: ["billing".to_string()].into(),
        ..SchemaModel::default()
    };
    assert_eq!(
        schemas_to_compare(&["core".to_string()], &ms, "public", Some(&entities)),
        ["core"]
    );
}
