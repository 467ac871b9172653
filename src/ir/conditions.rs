//! The rule condition vocabulary: which conditions each op kind supports (what
//! `rules.toml` is validated against) and the values an op gives them. Kept apart
//! from the op types so a new condition is one edit here, not a hunt through them.

use serde::Serialize;
use std::collections::BTreeMap;

use super::{OpKind, Operation};

/// Value of one condition attribute of an operation (see [`Operation::attributes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AttrValue {
    Bool(bool),
    Str(String),
}

/// The condition names each kind supports, with their value type. The rules loader
/// validates `rules.toml` against this table, so a typo in a condition is an error
/// with a line number, not a rule that silently never matches.
/// Conditions computed by the classifier from context (not stored on the op) are in
/// [`CONTEXT_CONDITIONS`].
pub fn kind_conditions(kind: &str) -> Option<&'static [(&'static str, AttrType)]> {
    use AttrType::*;
    const NONE: &[(&str, AttrType)] = &[];
    Some(match kind {
        "drop_table" | "drop_schema" | "drop_type" | "drop_domain" | "drop_sequence"
        | "drop_extension" | "drop_view" => &[("if_exists", Bool), ("cascade", Bool)],
        "drop_column" => &[("if_exists", Bool), ("cascade", Bool)],
        "add_column" => &[
            ("not_null", Bool),
            ("has_default", Bool),
            ("volatile_default", Bool),
            ("identity", Bool),
            ("generated", Bool),
        ],
        "add_constraint" => &[
            ("constraint", Str),
            ("not_valid", Bool),
            ("using_index", Bool),
            // A foreign key declared on a column the same ALTER TABLE adds with no
            // value: PostgreSQL skips its validation (set by the classifier).
            ("on_new_null_column", Bool),
        ],
        "drop_constraint" => &[("if_exists", Bool), ("cascade", Bool)],
        "create_index" => &[("unique", Bool), ("concurrently", Bool)],
        "drop_index" => &[
            ("concurrently", Bool),
            ("if_exists", Bool),
            ("cascade", Bool),
        ],
        "delete" | "update" => &[("has_where", Bool)],
        "change_column" => &[("mode", Str), ("renames", Bool), ("sets_not_null", Bool)],
        "set_option" => &[("name", Str)],
        // Computed from the replayed schema before the op (`classify::prior`); false
        // when the prior type is not known.
        "alter_column_type" => &[("metadata_only", Bool)],
        "rename_table"
        | "rename_column"
        | "set_not_null"
        | "drop_not_null"
        | "set_default"
        | "drop_default"
        | "set_identity"
        | "validate_constraint"
        | "alter_constraint"
        | "rename_constraint"
        | "rename_index"
        | "create_type_enum"
        | "create_type_composite"
        | "add_enum_value"
        | "rename_enum_value"
        | "rename_type"
        | "create_extension"
        | "create_sequence"
        | "alter_sequence"
        | "create_view"
        | "create_schema"
        | "rename_schema"
        | "drop_database"
        | "truncate"
        | "insert"
        | "comment"
        | "transaction_control"
        | "other"
        | "unparsed"
        | "opaque"
        | "create_table" => NONE,
        _ => return None,
    })
}

/// Conditions every op kind supports, computed by the classifier from the migration
/// around the op: `on_new_table` (the target table was created earlier in the same
/// migration), `in_transaction` (the migration runs in a transaction, or the op is
/// inside an explicit `BEGIN` block), `dynamic`, `not_null_proven` (a validated
/// `CHECK (col IS NOT NULL)` spares `SET NOT NULL` its scan on PostgreSQL 12+).
pub const CONTEXT_CONDITIONS: &[(&str, AttrType)] = &[
    ("on_new_table", AttrType::Bool),
    ("in_transaction", AttrType::Bool),
    ("dynamic", AttrType::Bool),
    ("not_null_proven", AttrType::Bool),
];

/// Every op kind name, in declaration order.
pub const ALL_KINDS: &[&str] = &[
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "rename_column",
    "alter_column_type",
    "set_not_null",
    "drop_not_null",
    "set_default",
    "drop_default",
    "set_identity",
    "add_constraint",
    "drop_constraint",
    "validate_constraint",
    "alter_constraint",
    "rename_constraint",
    "create_index",
    "drop_index",
    "rename_index",
    "create_type_enum",
    "create_type_composite",
    "add_enum_value",
    "rename_enum_value",
    "rename_type",
    "drop_type",
    "drop_domain",
    "create_extension",
    "drop_extension",
    "create_sequence",
    "alter_sequence",
    "drop_sequence",
    "create_view",
    "drop_view",
    "create_schema",
    "drop_schema",
    "rename_schema",
    "drop_database",
    "truncate",
    "delete",
    "update",
    "insert",
    "change_column",
    "comment",
    "set_option",
    "transaction_control",
    "other",
    "unparsed",
    "opaque",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    Bool,
    Str,
}

impl Operation {
    /// The condition attributes stored on the op (see [`kind_conditions`]).
    pub fn attributes(&self) -> BTreeMap<&'static str, AttrValue> {
        use AttrValue::*;
        let mut a = BTreeMap::new();
        match &self.kind {
            OpKind::DropTable {
                if_exists, cascade, ..
            }
            | OpKind::DropColumn {
                if_exists, cascade, ..
            }
            | OpKind::DropConstraint {
                if_exists, cascade, ..
            }
            | OpKind::DropType {
                if_exists, cascade, ..
            }
            | OpKind::DropDomain {
                if_exists, cascade, ..
            }
            | OpKind::DropSequence {
                if_exists, cascade, ..
            }
            | OpKind::DropExtension {
                if_exists, cascade, ..
            }
            | OpKind::DropView {
                if_exists, cascade, ..
            }
            | OpKind::DropSchema {
                if_exists, cascade, ..
            } => {
                a.insert("if_exists", Bool(*if_exists));
                a.insert("cascade", Bool(*cascade));
            }
            OpKind::AddColumn { column, .. } => {
                // A serial column's default is `nextval(…)`: present, and volatile.
                let serial = crate::schema::normalize::serial_base(&column.data_type).is_some();
                a.insert("not_null", Bool(column.not_null));
                a.insert("has_default", Bool(column.default.is_some() || serial));
                a.insert(
                    "volatile_default",
                    Bool(serial || column.default.as_deref().is_some_and(is_volatile_default)),
                );
                a.insert("identity", Bool(column.identity.is_some()));
                a.insert("generated", Bool(column.generated.is_some()));
            }
            OpKind::AddConstraint { constraint, .. } => {
                a.insert("constraint", Str(constraint.kind.short_name().to_string()));
                a.insert("not_valid", Bool(constraint.not_valid));
                a.insert("using_index", Bool(constraint.using_index.is_some()));
                a.insert("on_new_null_column", Bool(false));
            }
            OpKind::CreateIndex(def) => {
                a.insert("unique", Bool(def.unique));
                a.insert("concurrently", Bool(def.concurrently));
            }
            OpKind::DropIndex {
                concurrently,
                if_exists,
                cascade,
                ..
            } => {
                a.insert("concurrently", Bool(*concurrently));
                a.insert("if_exists", Bool(*if_exists));
                a.insert("cascade", Bool(*cascade));
            }
            OpKind::Delete { has_where, .. } | OpKind::Update { has_where, .. } => {
                a.insert("has_where", Bool(*has_where));
            }
            OpKind::ChangeColumn {
                mode,
                new_name,
                sets_not_null,
                ..
            } => {
                a.insert("mode", Str(mode.name().to_string()));
                a.insert("renames", Bool(new_name.is_some()));
                a.insert("sets_not_null", Bool(*sets_not_null));
            }
            OpKind::SetOption { name, .. } => {
                a.insert("name", Str(name.clone()));
            }
            // Only replay knows the type before (`classify::prior` overwrites this).
            OpKind::AlterColumnType { .. } => {
                a.insert("metadata_only", Bool(false));
            }
            _ => {}
        }
        a.insert("dynamic", Bool(self.dynamic));
        a
    }
}

/// Defaults that PostgreSQL must evaluate per row (a table rewrite on ADD COLUMN before
/// PG 11 semantics apply only to non-volatile defaults).
fn is_volatile_default(expr: &str) -> bool {
    let e = expr.to_ascii_lowercase();
    [
        "random()",
        "gen_random_uuid()",
        "uuid_generate_v4()",
        "clock_timestamp()",
        "nextval(",
    ]
    .iter()
    .any(|f| e.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{IndexDef, OpSource, QualifiedName, Span};

    #[test]
    fn every_kind_has_a_conditions_entry() {
        for k in ALL_KINDS {
            assert!(
                kind_conditions(k).is_some(),
                "{k} missing from kind_conditions"
            );
        }
        assert!(kind_conditions("drop_everything").is_none());
    }

    #[test]
    fn attributes_only_use_declared_conditions() {
        let op = Operation {
            kind: OpKind::CreateIndex(IndexDef {
                name: None,
                table: QualifiedName::new("public", "t"),
                unique: false,
                concurrently: true,
                if_not_exists: false,
                method: None,
                keys: vec![],
                include: vec![],
                predicate: None,
                nulls_not_distinct: false,
            }),
            span: Span::default(),
            text: String::new(),
            source: OpSource::Sql,
            dynamic: false,
            anchor_line: 1,
            guard: None,
            origin: None,
        };
        let declared = kind_conditions(op.kind.name()).unwrap();
        for key in op.attributes().keys() {
            assert!(
                declared.iter().any(|(n, _)| n == key)
                    || CONTEXT_CONDITIONS.iter().any(|(n, _)| n == key),
                "{key} not declared"
            );
        }
    }
}
