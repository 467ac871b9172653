//! The rule condition vocabulary: which conditions each op kind supports (what
//! `rules.toml` is validated against) and the values an op gives them. Kept apart
//! from the op types so a new condition is one edit here, not a hunt through them.

use serde::Serialize;
use std::collections::BTreeMap;

use super::{OpKind, OpName, Operation};

/// Value of one condition attribute of an operation (see [`Operation::attributes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AttrValue {
    Bool(bool),
    Str(String),
}

/// The condition names each kind supports, with their value type. The rules loader
/// validates `rules.toml` against this table, so a typo in a condition is an error
/// with a line number, not a rule that silently never matches. The match is
/// exhaustive: a new kind must say which conditions it has.
/// Conditions computed by the classifier from context (not stored on the op) are in
/// [`CONTEXT_CONDITIONS`].
pub fn kind_conditions(kind: OpName) -> &'static [(&'static str, AttrType)] {
    use AttrType::*;
    use OpName::*;
    const NONE: &[(&str, AttrType)] = &[];
    match kind {
        DropTable | DropSchema | DropType | DropDomain | DropSequence | DropExtension
        | DropView => &[("if_exists", Bool), ("cascade", Bool)],
        DropColumn => &[("if_exists", Bool), ("cascade", Bool)],
        AddColumn => &[
            ("not_null", Bool),
            ("has_default", Bool),
            ("volatile_default", Bool),
            ("identity", Bool),
            ("generated", Bool),
            ("char_type", Bool),
            ("timestamp_without_tz", Bool),
            ("serial", Bool),
            ("int_primary_key", Bool),
        ],
        // The column-type style conditions (see [`ColumnStyle`]): whether any column
        // the table is created with has them.
        CreateTable => &[
            ("char_type", Bool),
            ("timestamp_without_tz", Bool),
            ("serial", Bool),
            ("int_primary_key", Bool),
        ],
        AddConstraint => &[
            ("constraint", Str),
            ("not_valid", Bool),
            ("using_index", Bool),
            // A foreign key declared on a column the same ALTER TABLE adds with no
            // value: PostgreSQL skips its validation (set by the classifier).
            ("on_new_null_column", Bool),
        ],
        DropConstraint => &[("if_exists", Bool), ("cascade", Bool)],
        // `on_partitioned`: the table is partitioned in the replayed schema before the
        // op (`classify::prior`); false when not known.
        CreateIndex => &[
            ("unique", Bool),
            ("concurrently", Bool),
            ("on_partitioned", Bool),
        ],
        Vacuum => &[("full", Bool)],
        Cluster => &[("all_tables", Bool)],
        Reindex => &[("target", Str), ("concurrently", Bool)],
        DetachPartition => &[("concurrently", Bool), ("finalize", Bool)],
        SetPersistence => &[("logged", Bool)],
        TransactionControl => &[("control", Str)],
        DropIndex => &[
            ("concurrently", Bool),
            ("if_exists", Bool),
            ("cascade", Bool),
        ],
        Delete | Update => &[("has_where", Bool)],
        ChangeColumn => &[("mode", Str), ("renames", Bool), ("sets_not_null", Bool)],
        SetOption => &[("name", Str)],
        // Computed from the replayed schema before the op (`classify::prior`); false
        // when the prior type is not known.
        AlterColumnType => &[
            ("metadata_only", Bool),
            ("char_type", Bool),
            ("timestamp_without_tz", Bool),
        ],
        RenameTable | RenameColumn | SetNotNull | DropNotNull | SetDefault | DropDefault
        | SetIdentity | ValidateConstraint | AlterConstraint | RenameConstraint | RenameIndex
        | CreateTypeEnum | CreateTypeComposite | AddEnumValue | RenameEnumValue | RenameType
        | CreateExtension | CreateSequence | AlterSequence | CreateView | CreateSchema
        | RenameSchema | DropDatabase | Truncate | Insert | Comment | AttachPartition
        | SetStorage | Other | Unparsed | Opaque => NONE,
    }
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
    ("tool_transaction", AttrType::Bool),
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
                ColumnStyle::of(column, &[]).insert_into(&mut a);
            }
            OpKind::CreateTable {
                columns,
                constraints,
                ..
            } => {
                let style = columns.iter().fold(ColumnStyle::default(), |acc, c| {
                    acc.or(ColumnStyle::of(c, constraints))
                });
                style.insert_into(&mut a);
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
                // Only replay knows (`classify::prior` overwrites this).
                a.insert("on_partitioned", Bool(false));
            }
            OpKind::Vacuum { full, .. } => {
                a.insert("full", Bool(*full));
            }
            OpKind::Cluster { table } => {
                a.insert("all_tables", Bool(table.is_none()));
            }
            OpKind::Reindex {
                target,
                concurrently,
                ..
            } => {
                a.insert("target", Str(target.clone()));
                a.insert("concurrently", Bool(*concurrently));
            }
            OpKind::DetachPartition {
                concurrently,
                finalize,
                ..
            } => {
                a.insert("concurrently", Bool(*concurrently));
                a.insert("finalize", Bool(*finalize));
            }
            OpKind::SetPersistence { logged, .. } => {
                a.insert("logged", Bool(*logged));
            }
            OpKind::TransactionControl { statement } => {
                a.insert(
                    "control",
                    Str(super::TransactionEffect::of(statement).name().to_string()),
                );
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
            OpKind::AlterColumnType { data_type, .. } => {
                a.insert("metadata_only", Bool(false));
                let style = ColumnStyle::of_type(data_type);
                a.insert("char_type", Bool(style.char_type));
                a.insert("timestamp_without_tz", Bool(style.timestamp_without_tz));
            }
            _ => {}
        }
        a.insert("dynamic", Bool(self.dynamic));
        a
    }
}

/// The column types the style rules (`prefer-text-over-char`, `prefer-timestamptz`,
/// `prefer-bigint-primary-key`, `prefer-identity`) ask about, read from the type as
/// written after normalising it to `format_type` spelling (`bpchar`, `char(3)` and
/// TypeORM's `character` are all `character(n)`; `character varying` is not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnStyle {
    /// `character(n)`: blank-padded, never cheaper than `text`.
    pub char_type: bool,
    /// `timestamp without time zone`: loses the offset the value was written with.
    pub timestamp_without_tz: bool,
    /// `serial`/`bigserial`/`smallserial` (TypeORM `isGenerated` with the default
    /// `increment` strategy): a sequence owned by the column, not an identity.
    pub serial: bool,
    /// A primary-key column of `integer` or `smallint` (or their serials): runs out
    /// at 2^31 - 1.
    pub int_primary_key: bool,
}

impl ColumnStyle {
    /// The style facts of a type as written.
    pub fn of_type(written: &str) -> ColumnStyle {
        let normal = crate::schema::normalize::normalize_type(written, "public", &|_, _| false);
        ColumnStyle {
            char_type: normal == "character" || normal.starts_with("character("),
            timestamp_without_tz: normal.starts_with("timestamp")
                && normal.contains("without time zone"),
            serial: crate::schema::normalize::serial_base(written).is_some(),
            int_primary_key: false,
        }
    }

    /// The style facts of `column`; `table_constraints` are the constraints of the
    /// CREATE TABLE that defines it (a table-level PRIMARY KEY may name it).
    pub fn of(
        column: &super::ColumnDef,
        table_constraints: &[super::ConstraintDef],
    ) -> ColumnStyle {
        let mut style = ColumnStyle::of_type(&column.data_type);
        let is_pk = column
            .constraints
            .iter()
            .chain(table_constraints)
            .any(|c| match &c.kind {
                super::ConstraintKind::PrimaryKey { columns } => {
                    columns.is_empty() || columns.contains(&column.name)
                }
                _ => false,
            });
        // `serial` normalises to `integer`, `smallserial` to `smallint`.
        let base =
            crate::schema::normalize::normalize_type(&column.data_type, "public", &|_, _| false);
        style.int_primary_key = is_pk && (base == "integer" || base == "smallint");
        style
    }

    fn or(self, other: ColumnStyle) -> ColumnStyle {
        ColumnStyle {
            char_type: self.char_type || other.char_type,
            timestamp_without_tz: self.timestamp_without_tz || other.timestamp_without_tz,
            serial: self.serial || other.serial,
            int_primary_key: self.int_primary_key || other.int_primary_key,
        }
    }

    fn insert_into(self, a: &mut BTreeMap<&'static str, AttrValue>) {
        a.insert("char_type", AttrValue::Bool(self.char_type));
        a.insert(
            "timestamp_without_tz",
            AttrValue::Bool(self.timestamp_without_tz),
        );
        a.insert("serial", AttrValue::Bool(self.serial));
        a.insert("int_primary_key", AttrValue::Bool(self.int_primary_key));
    }
}

/// The built-in functions a column default may call that PostgreSQL 15 marks volatile
/// (`pg_proc.provolatile = 'v'`, checked on a PostgreSQL 15 server with the
/// `uuid-ossp` and `pgcrypto` extensions). `now()`, `CURRENT_TIMESTAMP`,
/// `statement_timestamp()` and `transaction_timestamp()` are stable, not volatile:
/// ADD COLUMN stores them once in the catalog (no rewrite).
pub const VOLATILE_DEFAULT_FUNCTIONS: &[&str] = &[
    "random",
    "setseed",
    "clock_timestamp",
    "timeofday",
    "gen_random_uuid",
    "gen_random_bytes",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "nextval",
];

/// Whether a default expression calls a volatile function, which PostgreSQL must
/// evaluate once per row: ADD COLUMN with it rewrites the table (a non-volatile
/// default is stored in the catalog since PostgreSQL 11). A call is a name (possibly
/// schema-qualified) followed by `(`; names inside string literals and comments do
/// not count (`DEFAULT 'random()'` is a constant).
fn is_volatile_default(expr: &str) -> bool {
    let code = crate::parse::sql::lexical::blank_for_patterns(expr);
    let bytes = code.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = code[start..i].to_ascii_lowercase();
        let next = code[i..].trim_start_matches([' ', '\t', '\n', '\r', '"']);
        if next.starts_with('(') && VOLATILE_DEFAULT_FUNCTIONS.contains(&word.as_str()) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        ColumnDef, ConstraintDef, ConstraintKind, IndexDef, OpSource, QualifiedName, Span,
    };

    #[test]
    fn volatile_defaults_are_calls_of_volatile_functions() {
        for volatile in [
            "random()",
            "gen_random_uuid()",
            "public.uuid_generate_v4()",
            "\"uuid_generate_v4\"()",
            "NEXTVAL ('s'::regclass)",
            "(clock_timestamp() + interval '1 day')",
            "() => \"gen_random_uuid()\"",
        ] {
            assert!(is_volatile_default(volatile), "{volatile}");
        }
        for stable in [
            "now()",
            "CURRENT_TIMESTAMP",
            "statement_timestamp()",
            "'random()'",
            "my_random()",
            "0",
            "'{}'::jsonb",
        ] {
            assert!(!is_volatile_default(stable), "{stable}");
        }
    }

    #[test]
    fn column_style_reads_the_type_as_postgresql_stores_it() {
        let t = ColumnStyle::of_type;
        assert!(t("char(3)").char_type && t("CHARACTER").char_type && t("bpchar").char_type);
        assert!(
            !t("varchar(3)").char_type && !t("character varying").char_type && !t("text").char_type
        );
        assert!(
            t("timestamp").timestamp_without_tz
                && t("timestamp(3) without time zone").timestamp_without_tz
        );
        assert!(
            !t("timestamptz").timestamp_without_tz
                && !t("timestamp with time zone").timestamp_without_tz
        );
        assert!(t("serial").serial && t("BIGSERIAL").serial && !t("integer").serial);
        let pk = |ty: &str| ColumnDef {
            name: "id".into(),
            data_type: ty.into(),
            constraints: vec![ConstraintDef {
                name: None,
                kind: ConstraintKind::PrimaryKey {
                    columns: vec!["id".into()],
                },
                not_valid: false,
                deferrable: false,
                initially_deferred: false,
                using_index: None,
            }],
            ..ColumnDef::default()
        };
        assert!(ColumnStyle::of(&pk("int"), &[]).int_primary_key);
        assert!(ColumnStyle::of(&pk("serial"), &[]).int_primary_key);
        assert!(!ColumnStyle::of(&pk("bigint"), &[]).int_primary_key);
        assert!(!ColumnStyle::of(&pk("bigserial"), &[]).int_primary_key);
        let plain = ColumnDef {
            constraints: vec![],
            ..pk("int")
        };
        assert!(!ColumnStyle::of(&plain, &[]).int_primary_key);
        assert!(ColumnStyle::of(&plain, &pk("int").constraints).int_primary_key);
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
                storage: vec![],
            }),
            span: Span::default(),
            text: String::new(),
            source: OpSource::Sql,
            dynamic: false,
            anchor_line: 1,
            guard: None,
            origin: None,
        };
        let declared = kind_conditions(op.kind.op_name());
        for key in op.attributes().keys() {
            assert!(
                declared.iter().any(|(n, _)| n == key)
                    || CONTEXT_CONDITIONS.iter().any(|(n, _)| n == key),
                "{key} not declared"
            );
        }
    }
}
