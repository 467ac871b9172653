//! Structural diff of two schema models (expected vs live). Pure and sorted.
//!
//! Drift needs a list of named, typed differences it can compare twice (L vs E, then
//! P vs E) and render: so every difference has a stable `kind` and an `object` name in
//! the contract's spelling (`schema.table`, `schema.table.column`,
//! `schema.table.constraint`, `schema.index`, `schema.type`). Objects the replay could
//! not vouch for (`expected.uncertain`) come out as one `unverifiable` difference that
//! absorbs the differences found under them: whatever they are, migguard cannot tell
//! whether the unreadable migration explains them, and it never calls them clean.

use super::describe::{
    column_type, describe_constraint, describe_default, describe_index, describe_sequence,
    describe_view,
};
use super::fold::fold_uncertain;
pub use super::ignore::IgnoreList;
use super::keyed::{paired, Presence};
use crate::ir::QualifiedName;
use crate::schema::model::{SchemaModel, Sequence};
use std::fmt;

/// What a difference is about; its name (`missing-column`) is the drift item's `kind`
/// in the JSON report (docs/json.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    MissingTable,
    UnexpectedTable,
    MissingColumn,
    UnexpectedColumn,
    ColumnTypeMismatch,
    ColumnNullabilityMismatch,
    ColumnDefaultMismatch,
    MissingIndex,
    UnexpectedIndex,
    IndexMismatch,
    MissingConstraint,
    UnexpectedConstraint,
    ConstraintMismatch,
    MissingEnum,
    UnexpectedEnum,
    EnumValuesMismatch,
    MissingType,
    UnexpectedType,
    TypeMismatch,
    MissingView,
    UnexpectedView,
    ViewMismatch,
    MissingSequence,
    UnexpectedSequence,
    SequenceMismatch,
    MissingExtension,
    ExtensionMismatch,
    MissingFunction,
    UnexpectedFunction,
    FunctionMismatch,
    MissingTrigger,
    UnexpectedTrigger,
    TriggerMismatch,
    RowSecurityMismatch,
    StorageMismatch,
    MissingPolicy,
    UnexpectedPolicy,
    PolicyMismatch,
    MissingComment,
    UnexpectedComment,
    CommentMismatch,
    MissingPartitionKey,
    UnexpectedPartitionKey,
    PartitionKeyMismatch,
    MissingPartitionBound,
    UnexpectedPartitionBound,
    PartitionBoundMismatch,
    MissingInheritance,
    UnexpectedInheritance,
    InheritanceMismatch,
    Unverifiable,
}

impl Kind {
    /// The name the report and docs/json.md use.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MissingTable => "missing-table",
            Kind::UnexpectedTable => "unexpected-table",
            Kind::MissingColumn => "missing-column",
            Kind::UnexpectedColumn => "unexpected-column",
            Kind::ColumnTypeMismatch => "column-type-mismatch",
            Kind::ColumnNullabilityMismatch => "column-nullability-mismatch",
            Kind::ColumnDefaultMismatch => "column-default-mismatch",
            Kind::MissingIndex => "missing-index",
            Kind::UnexpectedIndex => "unexpected-index",
            Kind::IndexMismatch => "index-mismatch",
            Kind::MissingConstraint => "missing-constraint",
            Kind::UnexpectedConstraint => "unexpected-constraint",
            Kind::ConstraintMismatch => "constraint-mismatch",
            Kind::MissingEnum => "missing-enum",
            Kind::UnexpectedEnum => "unexpected-enum",
            Kind::EnumValuesMismatch => "enum-values-mismatch",
            Kind::MissingType => "missing-type",
            Kind::UnexpectedType => "unexpected-type",
            Kind::TypeMismatch => "type-mismatch",
            Kind::MissingView => "missing-view",
            Kind::UnexpectedView => "unexpected-view",
            Kind::ViewMismatch => "view-mismatch",
            Kind::MissingSequence => "missing-sequence",
            Kind::UnexpectedSequence => "unexpected-sequence",
            Kind::SequenceMismatch => "sequence-mismatch",
            Kind::MissingExtension => "missing-extension",
            Kind::ExtensionMismatch => "extension-mismatch",
            Kind::MissingFunction => "missing-function",
            Kind::UnexpectedFunction => "unexpected-function",
            Kind::FunctionMismatch => "function-mismatch",
            Kind::MissingTrigger => "missing-trigger",
            Kind::UnexpectedTrigger => "unexpected-trigger",
            Kind::TriggerMismatch => "trigger-mismatch",
            Kind::RowSecurityMismatch => "row-security-mismatch",
            Kind::StorageMismatch => "storage-mismatch",
            Kind::MissingPolicy => "missing-policy",
            Kind::UnexpectedPolicy => "unexpected-policy",
            Kind::PolicyMismatch => "policy-mismatch",
            Kind::MissingComment => "missing-comment",
            Kind::UnexpectedComment => "unexpected-comment",
            Kind::CommentMismatch => "comment-mismatch",
            Kind::MissingPartitionKey => "missing-partition-key",
            Kind::UnexpectedPartitionKey => "unexpected-partition-key",
            Kind::PartitionKeyMismatch => "partition-key-mismatch",
            Kind::MissingPartitionBound => "missing-partition-bound",
            Kind::UnexpectedPartitionBound => "unexpected-partition-bound",
            Kind::PartitionBoundMismatch => "partition-bound-mismatch",
            Kind::MissingInheritance => "missing-inheritance",
            Kind::UnexpectedInheritance => "unexpected-inheritance",
            Kind::InheritanceMismatch => "inheritance-mismatch",
            Kind::Unverifiable => "unverifiable",
        }
    }
}

impl Kind {
    /// Only the expected side (the migrations) has the object: `missing-*`.
    pub fn is_missing(self) -> bool {
        matches!(self.alone_on(), Some((Side::Expected, _)))
    }

    /// Only the live side has the object: `unexpected-*`.
    pub fn is_unexpected(self) -> bool {
        matches!(self.alone_on(), Some((Side::Live, _)))
    }

    /// What a `missing-*` or `unexpected-*` difference is about (`table`, `column`,
    /// `comment`…), as messages name it; `None` for a mismatch.
    pub fn lone_object(self) -> Option<&'static str> {
        self.alone_on().map(|(_, noun)| noun)
    }

    /// The side that alone has the object, and what the object is; `None` where both
    /// have it (a mismatch) or replay cannot tell. Exhaustive, so a new kind must be
    /// classified.
    fn alone_on(self) -> Option<(Side, &'static str)> {
        use Kind::*;
        use Side::{Expected, Live};
        Some(match self {
            MissingTable => (Expected, "table"),
            UnexpectedTable => (Live, "table"),
            MissingColumn => (Expected, "column"),
            UnexpectedColumn => (Live, "column"),
            MissingIndex => (Expected, "index"),
            UnexpectedIndex => (Live, "index"),
            MissingConstraint => (Expected, "constraint"),
            UnexpectedConstraint => (Live, "constraint"),
            MissingEnum => (Expected, "enum"),
            UnexpectedEnum => (Live, "enum"),
            MissingType => (Expected, "type"),
            UnexpectedType => (Live, "type"),
            MissingView => (Expected, "view"),
            UnexpectedView => (Live, "view"),
            MissingSequence => (Expected, "sequence"),
            UnexpectedSequence => (Live, "sequence"),
            MissingExtension => (Expected, "extension"),
            MissingFunction => (Expected, "function"),
            UnexpectedFunction => (Live, "function"),
            MissingTrigger => (Expected, "trigger"),
            UnexpectedTrigger => (Live, "trigger"),
            MissingPolicy => (Expected, "policy"),
            UnexpectedPolicy => (Live, "policy"),
            // A comment only one side has (on an object both have).
            MissingComment => (Expected, "comment"),
            UnexpectedComment => (Live, "comment"),
            // A table both sides have, in a hierarchy on one side only.
            MissingPartitionKey => (Expected, "partition key"),
            UnexpectedPartitionKey => (Live, "partition key"),
            MissingPartitionBound => (Expected, "partition bound"),
            UnexpectedPartitionBound => (Live, "partition bound"),
            MissingInheritance => (Expected, "inheritance"),
            UnexpectedInheritance => (Live, "inheritance"),
            ColumnTypeMismatch
            | ColumnNullabilityMismatch
            | ColumnDefaultMismatch
            | IndexMismatch
            | ConstraintMismatch
            | EnumValuesMismatch
            | TypeMismatch
            | ViewMismatch
            | SequenceMismatch
            | ExtensionMismatch
            | FunctionMismatch
            | TriggerMismatch
            | RowSecurityMismatch
            | StorageMismatch
            | PolicyMismatch
            | CommentMismatch
            | PartitionKeyMismatch
            | PartitionBoundMismatch
            | InheritanceMismatch
            | Unverifiable => return None,
        })
    }
}

/// One side of the comparison (see [`Kind::is_missing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Expected,
    Live,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub kind: Kind,
    pub object: String,
    /// The table the object belongs to (columns, constraints, indexes, owned
    /// sequences): lets an uncertain table absorb its children's differences.
    pub table: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: String,
}

/// A difference on an object of its own (a table, a type, a function): every drift
/// comparison builds its items through this and [`d_on`].
pub(super) fn d(
    kind: Kind,
    object: impl Into<String>,
    expected: Option<String>,
    actual: Option<String>,
    message: String,
) -> Difference {
    Difference {
        kind,
        object: object.into(),
        table: None,
        expected,
        actual,
        message,
    }
}

/// A difference on an object that belongs to `table`.
pub(super) fn d_on(
    table: &str,
    kind: Kind,
    object: impl Into<String>,
    expected: Option<String>,
    actual: Option<String>,
    message: String,
) -> Difference {
    Difference {
        table: Some(table.to_string()),
        ..d(kind, object, expected, actual, message)
    }
}

/// Differences between `expected` and `live`.
pub fn diff(expected: &SchemaModel, live: &SchemaModel, ignore: &IgnoreList) -> Vec<Difference> {
    // Expressions compare by their keys: PostgreSQL's casts and spellings are no drift.
    let user_types: std::collections::BTreeSet<QualifiedName> = expected
        .enums
        .keys()
        .chain(live.enums.keys())
        .cloned()
        .collect();
    let mut keys = std::collections::HashMap::new();
    let (expected, live) = (
        &expected.compared_form_with(&user_types, &mut keys),
        &live.compared_form_with(&user_types, &mut keys),
    );
    let mut out = Vec::new();
    let skip = |o: &str| ignore.matches(o);
    for (name, presence) in paired(&expected.tables, &live.tables) {
        let obj = name.to_string();
        if ignore.skips(name) {
            continue;
        }
        let (e, l) = match presence {
            Presence::Missing(_) => {
                out.push(d(
                    Kind::MissingTable,
                    obj.clone(),
                    Some(obj.clone()),
                    None,
                    format!("table {obj} is missing"),
                ));
                continue;
            }
            Presence::Unexpected(_) => {
                out.push(d(
                    Kind::UnexpectedTable,
                    obj.clone(),
                    None,
                    Some(obj.clone()),
                    format!("table {obj} exists but is not in the schema the migrations produce"),
                ));
                continue;
            }
            Presence::Both { expected, live } => (expected, live),
        };
        for ec in &e.columns {
            let cobj = format!("{obj}.{}", ec.name);
            if skip(&cobj) {
                continue;
            }
            let Some(lc) = l.column(&ec.name) else {
                out.push(d_on(
                    &obj,
                    Kind::MissingColumn,
                    cobj.clone(),
                    Some(ec.data_type.clone()),
                    None,
                    format!("column {cobj} is missing"),
                ));
                continue;
            };
            if ec.data_type != lc.data_type || ec.collation != lc.collation {
                let (et, lt) = (column_type(ec), column_type(lc));
                out.push(d_on(
                    &obj,
                    Kind::ColumnTypeMismatch,
                    cobj.clone(),
                    Some(et.clone()),
                    Some(lt.clone()),
                    format!("column {cobj} is {lt} but the migrations make it {et}"),
                ));
            }
            if ec.not_null != lc.not_null {
                let word = |b: bool| if b { "NOT NULL" } else { "NULL" };
                out.push(d_on(
                    &obj,
                    Kind::ColumnNullabilityMismatch,
                    cobj.clone(),
                    Some(word(ec.not_null).into()),
                    Some(word(lc.not_null).into()),
                    format!(
                        "column {cobj} is {} but the migrations make it {}",
                        word(lc.not_null),
                        word(ec.not_null)
                    ),
                ));
            }
            let (de, dl) = (describe_default(ec), describe_default(lc));
            if de != dl {
                out.push(d_on(
                    &obj,
                    Kind::ColumnDefaultMismatch,
                    cobj.clone(),
                    de.clone(),
                    dl.clone(),
                    format!(
                        "column {cobj} has default {} but the migrations give it {}",
                        dl.as_deref().unwrap_or("none"),
                        de.as_deref().unwrap_or("none")
                    ),
                ));
            }
        }
        for lc in &l.columns {
            let cobj = format!("{obj}.{}", lc.name);
            if e.column(&lc.name).is_none() && !skip(&cobj) {
                out.push(d_on(
                    &obj,
                    Kind::UnexpectedColumn,
                    cobj.clone(),
                    None,
                    Some(lc.data_type.clone()),
                    format!("column {cobj} exists but is not in the schema the migrations produce"),
                ));
            }
        }
        for (cname, presence) in paired(&e.constraints, &l.constraints) {
            let cobj = format!("{obj}.{cname}");
            if skip(&cobj) {
                continue;
            }
            match presence {
                Presence::Missing(ec) => out.push(d_on(
                    &obj,
                    Kind::MissingConstraint,
                    cobj.clone(),
                    Some(describe_constraint(ec)),
                    None,
                    format!("constraint {cobj} is missing"),
                )),
                Presence::Both {
                    expected: ec,
                    live: lc,
                } => {
                    let (de, dl) = (describe_constraint(ec), describe_constraint(lc));
                    if de != dl {
                        out.push(d_on(
                            &obj,
                            Kind::ConstraintMismatch,
                            cobj.clone(),
                            Some(de),
                            Some(dl),
                            format!("constraint {cobj} differs"),
                        ));
                    }
                }
                Presence::Unexpected(lc) => out.push(d_on(
                    &obj,
                    Kind::UnexpectedConstraint,
                    cobj.clone(),
                    None,
                    Some(describe_constraint(lc)),
                    format!(
                        "constraint {cobj} exists but is not in the schema the migrations produce"
                    ),
                )),
            }
        }
    }
    let table_skipped = |t: &QualifiedName| ignore.skips(t);
    for (name, presence) in paired(&expected.indexes, &live.indexes) {
        let obj = name.to_string();
        if ignore.skips(name) || table_skipped(&presence.object().table) {
            continue;
        }
        match presence {
            Presence::Missing(e) => out.push(d_on(
                &e.table.to_string(),
                Kind::MissingIndex,
                obj.clone(),
                Some(describe_index(e)),
                None,
                format!("index {obj} on {} is missing", e.table),
            )),
            Presence::Both {
                expected: e,
                live: l,
            } => {
                let (de, dl) = (describe_index(e), describe_index(l));
                if de != dl {
                    out.push(d_on(
                        &e.table.to_string(),
                        Kind::IndexMismatch,
                        obj.clone(),
                        Some(de),
                        Some(dl),
                        format!("index {obj} differs"),
                    ));
                }
            }
            Presence::Unexpected(l) => out.push(d_on(
                &l.table.to_string(),
                Kind::UnexpectedIndex,
                obj.clone(),
                None,
                Some(describe_index(l)),
                format!(
                    "index {obj} on {} exists but is not in the schema the migrations produce",
                    l.table
                ),
            )),
        }
    }
    for (name, presence) in paired(&expected.enums, &live.enums) {
        let obj = name.to_string();
        if ignore.skips(name) {
            continue;
        }
        match presence {
            Presence::Missing(e) => out.push(d(
                Kind::MissingEnum,
                obj.clone(),
                Some(e.labels.join(", ")),
                None,
                format!("enum type {obj} is missing"),
            )),
            Presence::Both {
                expected: e,
                live: l,
            } if l.labels != e.labels => out.push(d(
                Kind::EnumValuesMismatch,
                obj.clone(),
                Some(e.labels.join(", ")),
                Some(l.labels.join(", ")),
                format!(
                    "enum type {obj} has labels ({}) but the migrations give ({})",
                    l.labels.join(", "),
                    e.labels.join(", ")
                ),
            )),
            Presence::Both { .. } => {}
            Presence::Unexpected(l) => out.push(d(
                Kind::UnexpectedEnum,
                obj.clone(),
                None,
                Some(l.labels.join(", ")),
                format!("enum type {obj} exists but is not in the schema the migrations produce"),
            )),
        }
    }
    diff_composites(expected, live, ignore, &mut out);
    for (name, presence) in paired(&expected.views, &live.views) {
        let obj = name.to_string();
        if ignore.skips(name) {
            continue;
        }
        match presence {
            Presence::Missing(_) => out.push(d(
                Kind::MissingView,
                obj.clone(),
                Some(obj.clone()),
                None,
                format!("view {obj} is missing"),
            )),
            Presence::Both {
                expected: e,
                live: l,
            } => {
                // Columns count only when replay could name them (`view_columns`).
                let columns_differ =
                    matches!((&e.columns, &l.columns), (Some(a), Some(b)) if a != b);
                if columns_differ || e.materialized != l.materialized {
                    out.push(d(
                        Kind::ViewMismatch,
                        obj.clone(),
                        Some(describe_view(e)),
                        Some(describe_view(l)),
                        format!("view {obj} differs from what the migrations create"),
                    ));
                }
            }
            Presence::Unexpected(_) => out.push(d(
                Kind::UnexpectedView,
                obj.clone(),
                None,
                Some(obj.clone()),
                format!("view {obj} exists but is not in the schema the migrations produce"),
            )),
        }
    }
    let owner = |s: &Sequence| s.owned_by.as_ref().map(|(t, _)| t.to_string());
    for (name, presence) in paired(&expected.sequences, &live.sequences) {
        let obj = name.to_string();
        let owner_skipped = presence
            .object()
            .owned_by
            .as_ref()
            .is_some_and(|(t, _)| table_skipped(t));
        if ignore.skips(name) || owner_skipped {
            continue;
        }
        match presence {
            Presence::Missing(s) => out.push(Difference {
                table: owner(s),
                ..d(
                    Kind::MissingSequence,
                    obj.clone(),
                    Some(obj.clone()),
                    None,
                    format!("sequence {obj} is missing"),
                )
            }),
            Presence::Both {
                expected: s,
                live: l,
            } => {
                let (de, dl) = (describe_sequence(s), describe_sequence(l));
                if de != dl {
                    out.push(Difference {
                        table: owner(s).or_else(|| owner(l)),
                        ..d(
                            Kind::SequenceMismatch,
                            obj.clone(),
                            Some(de.clone()),
                            Some(dl.clone()),
                            format!("sequence {obj} is {dl} but the migrations make it {de}"),
                        )
                    });
                }
            }
            Presence::Unexpected(s) => out.push(Difference {
                table: owner(s),
                ..d(
                    Kind::UnexpectedSequence,
                    obj.clone(),
                    None,
                    Some(obj.clone()),
                    format!(
                        "sequence {obj} exists but is not in the schema the migrations produce"
                    ),
                )
            }),
        }
    }
    for (name, e) in &expected.extensions {
        if skip(name) {
            continue;
        }
        let Some(l) = live.extensions.get(name) else {
            out.push(d(
                Kind::MissingExtension,
                name.clone(),
                Some(name.clone()),
                None,
                format!("extension {name} is not installed"),
            ));
            continue;
        };
        // The version only where the migrations pin one.
        let describe = |x: &crate::schema::model::Extension, pinned: bool| {
            let mut s = format!("{name} in schema {}", x.schema.as_deref().unwrap_or("?"));
            if let Some(v) = x.version.as_ref().filter(|_| pinned) {
                s.push_str(&format!(" version {v}"));
            }
            s
        };
        let pinned = e.version.is_some();
        let (de, dl) = (describe(e, pinned), describe(l, pinned));
        if de != dl {
            out.push(d(
                Kind::ExtensionMismatch,
                name.clone(),
                Some(de.clone()),
                Some(dl.clone()),
                format!("extension {dl} but the migrations make it {de}"),
            ));
        }
    }
    super::hierarchy::diff_hierarchy(expected, live, ignore, &mut out);
    super::objects::diff_functions(expected, live, ignore, &mut out);
    super::objects::diff_triggers(expected, live, ignore, &mut out);
    super::objects::diff_row_security(expected, live, ignore, &mut out);
    super::comments::diff_comments(expected, live, ignore, &mut out);
    super::storage::diff_storage(expected, live, ignore, &mut out);
    let mut out = fold_uncertain(out, expected, ignore);
    out.sort();
    out
}
/// Composite types: present on both sides, with the same attributes (names and
/// types, in order).
fn diff_composites(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    let shape = |c: &crate::schema::model::CompositeType| {
        c.attributes
            .iter()
            .map(|a| format!("{} {}", a.name, a.data_type))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (name, presence) in paired(&expected.composites, &live.composites) {
        let obj = name.to_string();
        if ignore.skips(name) {
            continue;
        }
        match presence {
            Presence::Missing(e) => out.push(d(
                Kind::MissingType,
                obj.clone(),
                Some(shape(e)),
                None,
                format!("composite type {obj} is missing"),
            )),
            Presence::Both {
                expected: e,
                live: l,
            } if l.attributes != e.attributes => out.push(d(
                Kind::TypeMismatch,
                obj.clone(),
                Some(shape(e)),
                Some(shape(l)),
                format!(
                    "composite type {obj} has attributes ({}) but the migrations give ({})",
                    shape(l),
                    shape(e)
                ),
            )),
            Presence::Both { .. } => {}
            Presence::Unexpected(l) => out.push(d(
                Kind::UnexpectedType,
                obj.clone(),
                None,
                Some(shape(l)),
                format!(
                    "composite type {obj} exists but is not in the schema the migrations produce"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
