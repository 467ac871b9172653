//! The diff of two models, kind by kind, with the ignore list and unverifiable folding.

use super::*;
use crate::ir::{ConstraintKind, Identity};
use crate::schema::model::{Column, Constraint, EnumType, Extension, Index, Table, View};

fn q(n: &str) -> QualifiedName {
    QualifiedName::new("public", n)
}

fn col(name: &str, ty: &str) -> Column {
    Column {
        comment: None,
        name: name.into(),
        data_type: ty.into(),
        not_null: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
    }
}

fn index(name: &str, table: &str, keys: &[&str]) -> Index {
    Index {
        comment: None,
        name: q(name),
        table: q(table),
        unique: false,
        method: "btree".into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        include: vec![],
        predicate: None,
        nulls_not_distinct: false,
        storage: vec![],
    }
}

fn fk(name: &str) -> Constraint {
    Constraint {
        comment: None,
        name: name.into(),
        kind: ConstraintKind::ForeignKey {
            columns: vec!["owner_id".into()],
            ref_table: q("person"),
            ref_columns: vec!["id".into()],
            on_delete: None,
            on_update: None,
        },
        validated: true,
        deferrable: false,
        initially_deferred: false,
    }
}

fn seq(name: &str, owner: Option<&str>) -> Sequence {
    Sequence {
        comment: None,
        name: q(name),
        data_type: "integer".into(),
        start: 1,
        increment: 1,
        min_value: 1,
        max_value: i32::MAX as i64,
        cache: 1,
        cycle: false,
        owned_by: owner.map(|t| (q(t), "id".into())),
    }
}

/// A small schema with one of everything drift compares.
fn base() -> SchemaModel {
    let mut m = SchemaModel::default();
    let mut t = Table::new(q("pet"));
    t.columns.push(Column {
        not_null: true,
        default: Some("nextval('pet_id_seq'::regclass)".into()),
        ..col("id", "integer")
    });
    t.columns.push(col("owner_id", "integer"));
    t.columns.push(col("name", "text"));
    t.constraints
        .insert("pet_owner_fk".into(), fk("pet_owner_fk"));
    m.tables.insert(q("pet"), t);
    m.indexes
        .insert(q("pet_name_idx"), index("pet_name_idx", "pet", &["name"]));
    m.enums.insert(
        q("mood"),
        EnumType {
            comment: None,
            name: q("mood"),
            labels: vec!["happy".into(), "sad".into()],
        },
    );
    m.sequences
        .insert(q("pet_id_seq"), seq("pet_id_seq", Some("pet")));
    m.views.insert(
        q("pet_names"),
        View {
            comment: None,
            name: q("pet_names"),
            materialized: false,
            definition: None,
            columns: Some(vec!["name".into()]),
        },
    );
    m.extensions.insert(
        "pgcrypto".into(),
        Extension {
            comment: None,
            version: None,
            name: "pgcrypto".into(),
            schema: None,
        },
    );
    m
}

fn found(diffs: &[Difference]) -> Vec<(String, String)> {
    diffs
        .iter()
        .map(|d| (d.kind.to_string(), d.object.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn identical_models_have_no_differences() {
    assert!(diff(&base(), &base(), &IgnoreList::default()).is_empty());
}

#[test]
fn a_lone_object_is_named_by_its_kind_and_a_mismatch_names_none() {
    for (kind, noun) in [
        (Kind::MissingTable, Some("table")),
        (Kind::UnexpectedColumn, Some("column")),
        (Kind::MissingView, Some("view")),
        (Kind::UnexpectedPolicy, Some("policy")),
        (Kind::MissingComment, Some("comment")),
        (Kind::UnexpectedComment, Some("comment")),
        (Kind::ColumnTypeMismatch, None),
        (Kind::RowSecurityMismatch, None),
        (Kind::Unverifiable, None),
    ] {
        assert_eq!(kind.lone_object(), noun, "{kind}");
        assert_eq!(
            kind.is_missing() || kind.is_unexpected(),
            noun.is_some(),
            "{kind}"
        );
    }
}

#[test]
fn every_missing_object_kind() {
    let e = base();
    let mut l = base();
    l.tables.get_mut(&q("pet")).unwrap().columns.pop();
    l.tables.get_mut(&q("pet")).unwrap().constraints.clear();
    l.indexes.clear();
    l.enums.clear();
    l.sequences.clear();
    l.views.clear();
    l.extensions.clear();
    let mut e2 = e.clone();
    e2.tables.insert(q("toy"), Table::new(q("toy")));
    assert_eq!(
        found(&diff(&e2, &l, &IgnoreList::default())),
        pairs(&[
            ("missing-table", "public.toy"),
            ("missing-column", "public.pet.name"),
            ("missing-index", "public.pet_name_idx"),
            ("missing-constraint", "public.pet.pet_owner_fk"),
            ("missing-enum", "public.mood"),
            ("missing-view", "public.pet_names"),
            ("missing-sequence", "public.pet_id_seq"),
            ("missing-extension", "pgcrypto"),
        ])
    );
}

#[test]
fn every_unexpected_object_kind() {
    // The same models the other way round: what E lacks is unexpected in L.
    let mut e = base();
    e.tables.get_mut(&q("pet")).unwrap().columns.pop();
    e.tables.get_mut(&q("pet")).unwrap().constraints.clear();
    e.indexes.clear();
    e.enums.clear();
    e.sequences.clear();
    e.views.clear();
    let mut l = base();
    l.tables.insert(q("toy"), Table::new(q("toy")));
    let got = found(&diff(&e, &l, &IgnoreList::default()));
    assert_eq!(
        got,
        pairs(&[
            ("unexpected-table", "public.toy"),
            ("unexpected-column", "public.pet.name"),
            ("unexpected-index", "public.pet_name_idx"),
            ("unexpected-constraint", "public.pet.pet_owner_fk"),
            ("unexpected-enum", "public.mood"),
            ("unexpected-view", "public.pet_names"),
            ("unexpected-sequence", "public.pet_id_seq"),
        ])
    );
}

#[test]
fn views_differ_by_columns_only_when_replay_could_name_them() {
    let e = base();
    let mut l = base();
    let v = l.views.get_mut(&q("pet_names")).unwrap();
    v.columns = Some(vec!["name".into(), "added_by_hand".into()]);
    let ds = diff(&e, &l, &IgnoreList::default());
    assert_eq!(found(&ds), pairs(&[("view-mismatch", "public.pet_names")]));
    assert_eq!(ds[0].expected.as_deref(), Some("VIEW (name)"));
    assert_eq!(ds[0].actual.as_deref(), Some("VIEW (name, added_by_hand)"));
    // Replay could not name the columns: compared by name (and kind) only.
    let mut e = base();
    e.views.get_mut(&q("pet_names")).unwrap().columns = None;
    assert!(diff(&e, &l, &IgnoreList::default()).is_empty());
    l.views.get_mut(&q("pet_names")).unwrap().materialized = true;
    let ds = diff(&e, &l, &IgnoreList::default());
    assert_eq!(
        ds[0].actual.as_deref(),
        Some("MATERIALIZED VIEW (name, added_by_hand)")
    );
}

#[test]
fn column_mismatches_carry_expected_and_actual() {
    let e = base();
    let mut l = base();
    let t = l.tables.get_mut(&q("pet")).unwrap();
    t.columns[2].data_type = "character varying(50)".into();
    t.columns[2].not_null = true;
    t.columns[1].default = Some("0".into());
    t.columns[0].default = None;
    t.columns[0].identity = Some(Identity::ByDefault);
    let ds = diff(&e, &l, &IgnoreList::default());
    assert_eq!(
        found(&ds),
        pairs(&[
            ("column-type-mismatch", "public.pet.name"),
            ("column-nullability-mismatch", "public.pet.name"),
            ("column-default-mismatch", "public.pet.id"),
            ("column-default-mismatch", "public.pet.owner_id"),
        ])
    );
    assert_eq!(ds[0].expected.as_deref(), Some("text"));
    assert_eq!(ds[0].actual.as_deref(), Some("character varying(50)"));
    assert_eq!(ds[1].expected.as_deref(), Some("NULL"));
    assert_eq!(ds[1].actual.as_deref(), Some("NOT NULL"));
    assert_eq!(
        ds[2].actual.as_deref(),
        Some("GENERATED BY DEFAULT AS IDENTITY")
    );
    assert_eq!(ds[3].expected, None);
    assert_eq!(ds[3].actual.as_deref(), Some("0"));
    assert!(ds.iter().all(|d| d.table.as_deref() == Some("public.pet")));
}

#[test]
fn composite_types_missing_unexpected_and_mismatched() {
    use crate::schema::model::{Attribute, CompositeType};
    let composite = |name: &str, attrs: &[(&str, &str)]| CompositeType {
        comment: None,
        name: q(name),
        attributes: attrs
            .iter()
            .map(|(n, t)| Attribute {
                name: n.to_string(),
                data_type: t.to_string(),
            })
            .collect(),
    };
    let mut e = base();
    let mut l = base();
    e.composites.insert(
        q("fqn"),
        composite("fqn", &[("ns", "text"), ("name", "text")]),
    );
    e.composites
        .insert(q("pair"), composite("pair", &[("a", "integer")]));
    l.composites.insert(
        q("fqn"),
        composite("fqn", &[("name", "text"), ("ns", "text")]),
    );
    l.composites
        .insert(q("extra"), composite("extra", &[("x", "integer")]));
    let ds = diff(&e, &l, &IgnoreList::default());
    assert_eq!(
        found(&ds),
        pairs(&[
            ("missing-type", "public.pair"),
            ("unexpected-type", "public.extra"),
            ("type-mismatch", "public.fqn"),
        ])
    );
    assert_eq!(ds[2].expected.as_deref(), Some("ns text, name text"));
    assert_eq!(ds[2].actual.as_deref(), Some("name text, ns text"));
    assert!(diff(&e, &e, &IgnoreList::default()).is_empty());
}

#[test]
fn index_constraint_and_enum_mismatches() {
    let e = base();
    let mut l = base();
    let i = l.indexes.get_mut(&q("pet_name_idx")).unwrap();
    i.unique = true;
    i.predicate = Some("(name IS NOT NULL)".into());
    let c = l
        .tables
        .get_mut(&q("pet"))
        .unwrap()
        .constraints
        .get_mut("pet_owner_fk")
        .unwrap();
    c.validated = false;
    l.enums
        .get_mut(&q("mood"))
        .unwrap()
        .labels
        .push("meh".into());
    let ds = diff(&e, &l, &IgnoreList::default());
    assert_eq!(
        found(&ds),
        pairs(&[
            ("index-mismatch", "public.pet_name_idx"),
            ("constraint-mismatch", "public.pet.pet_owner_fk"),
            ("enum-values-mismatch", "public.mood"),
        ])
    );
    assert_eq!(
        ds[0].actual.as_deref(),
        Some("UNIQUE INDEX ON public.pet USING btree (name) WHERE name is not null")
    );
    assert!(ds[1].actual.as_deref().unwrap().ends_with("NOT VALID"));
    assert_eq!(ds[2].actual.as_deref(), Some("happy, sad, meh"));
}

#[test]
fn index_keys_and_method_matter() {
    let e = base();
    for change in [
        |i: &mut Index| i.keys = vec!["lower(name)".into()],
        |i: &mut Index| i.method = "hash".into(),
        |i: &mut Index| i.include = vec!["owner_id".into()],
    ] {
        let mut l = base();
        change(l.indexes.get_mut(&q("pet_name_idx")).unwrap());
        assert_eq!(
            found(&diff(&e, &l, &IgnoreList::default())),
            pairs(&[("index-mismatch", "public.pet_name_idx")])
        );
    }
}

#[test]
fn ignore_list_default_and_user_patterns() {
    let e = base();
    let mut l = base();
    for t in [
        "migrations",
        "typeorm_metadata",
        "tmp_import",
        "x_audit_log",
    ] {
        l.tables.insert(q(t), Table::new(q(t)));
    }
    l.tables
        .get_mut(&q("pet"))
        .unwrap()
        .columns
        .push(col("scratch", "text"));
    l.indexes.insert(
        q("tmp_import_idx"),
        index("tmp_import_idx", "tmp_import", &["a"]),
    );
    let ignore = IgnoreList::new(
        "migrations",
        "public",
        &[
            "public.tmp_*".into(),
            "*_audit_log".into(),
            "public.pet.scratch".into(),
        ],
    );
    assert!(diff(&e, &l, &ignore).is_empty());
    // Without the user patterns only the history and metadata tables are ignored.
    let ignore = IgnoreList::new("migrations", "public", &[]);
    assert_eq!(
        found(&diff(&e, &l, &ignore)),
        pairs(&[
            ("unexpected-table", "public.tmp_import"),
            ("unexpected-table", "public.x_audit_log"),
            ("unexpected-column", "public.pet.scratch"),
            ("unexpected-index", "public.tmp_import_idx"),
        ])
    );
}

#[test]
fn schema_qualified_history_table_is_ignored() {
    let e = base();
    let mut l = base();
    let h = QualifiedName::new("core", "_typeorm_migrations");
    l.tables.insert(h.clone(), Table::new(h));
    let ignore = IgnoreList::new("core._typeorm_migrations", "public", &[]);
    assert!(diff(&e, &l, &ignore).is_empty());
    let ignore = IgnoreList::new("migrations", "public", &[]);
    assert_eq!(diff(&e, &l, &ignore).len(), 1);
}

#[test]
fn only_compared_schemas_count() {
    let mut e = base();
    let audit = QualifiedName::new("audit", "log");
    e.tables.insert(audit.clone(), Table::new(audit));
    e.uncertain.insert("audit.log".into(), vec!["DO".into()]);
    let mut l = base();
    let other = QualifiedName::new("scratch", "t");
    l.tables.insert(other.clone(), Table::new(other));
    let scoped = IgnoreList::default().with_schemas(&["public".into()]);
    assert!(diff(&e, &l, &scoped).is_empty());
    assert_eq!(
        found(&diff(&e, &l, &IgnoreList::default())),
        pairs(&[
            ("unexpected-table", "scratch.t"),
            ("unverifiable", "audit.log")
        ])
    );
}

#[test]
fn uncertain_table_absorbs_its_differences_and_is_never_clean() {
    let mut e = base();
    e.uncertain.insert(
        "public.pet".into(),
        vec!["opaque in 0002_x: helper call".into()],
    );
    // Even identical models report the uncertain object.
    let ds = diff(&e, &base(), &IgnoreList::default());
    assert_eq!(found(&ds), pairs(&[("unverifiable", "public.pet")]));
    assert!(ds[0].message.contains("helper call"));
    assert_eq!(ds[0].actual, None);

    let mut l = base();
    l.tables
        .get_mut(&q("pet"))
        .unwrap()
        .columns
        .push(col("x", "int"));
    l.indexes.clear();
    l.enums.clear();
    let ds = diff(&e, &l, &IgnoreList::default());
    // The column and the pet index fold into the unverifiable item; the enum,
    // unrelated to the uncertain table, stays a difference of its own.
    assert_eq!(
        found(&ds),
        pairs(&[
            ("missing-enum", "public.mood"),
            ("unverifiable", "public.pet")
        ])
    );
    assert_eq!(
        ds[1].actual.as_deref(),
        Some("unexpected-column public.pet.x; missing-index public.pet_name_idx")
    );
}

#[test]
fn uncertain_everything_keeps_differences_visible() {
    let mut e = base();
    e.uncertain
        .insert("*".into(), vec!["DROP DATABASE in 0003".into()]);
    let mut l = base();
    l.enums.clear();
    let ds = diff(&e, &l, &IgnoreList::default());
    assert_eq!(
        found(&ds),
        pairs(&[("missing-enum", "public.mood"), ("unverifiable", "*")])
    );
}

#[test]
fn ignored_uncertain_object_is_not_reported() {
    let mut e = base();
    e.uncertain
        .insert("public.tmp_load".into(), vec!["DO block".into()]);
    let ignore = IgnoreList::new("migrations", "public", &["public.tmp_*".into()]);
    assert!(diff(&e, &base(), &ignore).is_empty());
}

/// Which side alone has the object is part of the kind, not read back from its name;
/// the two agree for every kind a diff produces.
#[test]
fn missing_and_unexpected_kinds_are_classified_by_the_kind() {
    let table = |name: &str, columns: &[(&str, &str)]| {
        let mut t = Table::new(q(name));
        t.columns = columns.iter().map(|(c, ty)| col(c, ty)).collect();
        (q(name), t)
    };
    let expected = SchemaModel {
        tables: [
            table("gone", &[("a", "integer")]),
            table("both", &[("e_only", "text"), ("typed", "text")]),
        ]
        .into(),
        ..SchemaModel::default()
    };
    let live = SchemaModel {
        tables: [
            table("extra", &[("a", "integer")]),
            table("both", &[("l_only", "text"), ("typed", "integer")]),
        ]
        .into(),
        ..SchemaModel::default()
    };
    let found = diff(&expected, &live, &IgnoreList::default());
    let kinds: Vec<Kind> = found.iter().map(|d| d.kind).collect();
    for k in [
        Kind::MissingTable,
        Kind::UnexpectedTable,
        Kind::MissingColumn,
    ]
    .into_iter()
    .chain([Kind::UnexpectedColumn, Kind::ColumnTypeMismatch])
    {
        assert!(kinds.contains(&k), "{k} not produced: {kinds:?}");
    }
    for k in kinds.into_iter().chain([
        Kind::UnexpectedPolicy,
        Kind::MissingExtension,
        Kind::Unverifiable,
        Kind::RowSecurityMismatch,
    ]) {
        let name = k.as_str();
        assert_eq!(k.is_missing(), name.starts_with("missing-"), "{name}");
        assert_eq!(k.is_unexpected(), name.starts_with("unexpected-"), "{name}");
    }
    assert!(super::super::ItemKind::Schema(Kind::MissingView).is_missing());
    assert!(!super::super::ItemKind::PendingMigration.is_missing());
}
