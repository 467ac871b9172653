//! The op kind names, written once. `rules.toml` names kinds by them, the rules
//! loader lists them, the classifier matches on them, and the JSON and snapshot
//! output tag each op with them (`OpKind`'s serde tag, pinned to these by a test):
//! one enum whose serde renames and `as_str` come from the same list.

use serde::{Deserialize, Serialize};

macro_rules! op_names {
    ($($variant:ident => $name:literal,)*) => {
        /// The kind of an [`OpKind`](super::OpKind) without its fields: what a rule names.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum OpName {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl OpName {
            /// Every kind, in declaration order.
            pub const ALL: &'static [OpName] = &[$(OpName::$variant,)*];
            /// Every kind's name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name,)*];

            /// The snake_case name `rules.toml` and the JSON output use.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(OpName::$variant => $name,)*
                }
            }

            /// The kind `name` spells, if any.
            pub fn from_name(name: &str) -> Option<OpName> {
                match name {
                    $($name => Some(OpName::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

op_names! {
    CreateTable => "create_table",
    DropTable => "drop_table",
    RenameTable => "rename_table",
    AddColumn => "add_column",
    DropColumn => "drop_column",
    RenameColumn => "rename_column",
    AlterColumnType => "alter_column_type",
    SetNotNull => "set_not_null",
    DropNotNull => "drop_not_null",
    SetDefault => "set_default",
    DropDefault => "drop_default",
    SetIdentity => "set_identity",
    AddConstraint => "add_constraint",
    DropConstraint => "drop_constraint",
    ValidateConstraint => "validate_constraint",
    AlterConstraint => "alter_constraint",
    RenameConstraint => "rename_constraint",
    CreateIndex => "create_index",
    DropIndex => "drop_index",
    RenameIndex => "rename_index",
    CreateTypeEnum => "create_type_enum",
    CreateTypeComposite => "create_type_composite",
    AddEnumValue => "add_enum_value",
    RenameEnumValue => "rename_enum_value",
    RenameType => "rename_type",
    DropType => "drop_type",
    DropDomain => "drop_domain",
    CreateExtension => "create_extension",
    DropExtension => "drop_extension",
    CreateSequence => "create_sequence",
    AlterSequence => "alter_sequence",
    DropSequence => "drop_sequence",
    CreateView => "create_view",
    DropView => "drop_view",
    CreateSchema => "create_schema",
    DropSchema => "drop_schema",
    RenameSchema => "rename_schema",
    DropDatabase => "drop_database",
    Truncate => "truncate",
    Delete => "delete",
    Update => "update",
    Insert => "insert",
    ChangeColumn => "change_column",
    Comment => "comment",
    SetOption => "set_option",
    TransactionControl => "transaction_control",
    Vacuum => "vacuum",
    Cluster => "cluster",
    Reindex => "reindex",
    AttachPartition => "attach_partition",
    DetachPartition => "detach_partition",
    SetPersistence => "set_persistence",
    SetStorage => "set_storage",
    Other => "other",
    Unparsed => "unparsed",
    Opaque => "opaque",
}

impl std::fmt::Display for OpName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_from_name_and_as_str_agree() {
        assert_eq!(OpName::ALL.len(), OpName::NAMES.len());
        for (kind, name) in OpName::ALL.iter().zip(OpName::NAMES) {
            assert_eq!(kind.as_str(), *name);
            assert_eq!(OpName::from_name(name), Some(*kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(name.to_string())
            );
        }
        assert_eq!(OpName::from_name("drop_everything"), None);
    }

    /// `OpKind`'s serde tag (`op`, in the JSON and the snapshots) is the kind's name.
    #[test]
    fn the_serde_tag_of_every_op_read_is_its_name() {
        let sql = "CREATE TABLE t (id int PRIMARY KEY, a text); DROP TABLE IF EXISTS x; \
            ALTER TABLE t RENAME TO u; ALTER TABLE u ADD COLUMN b int; ALTER TABLE u DROP COLUMN b; \
            ALTER TABLE u RENAME COLUMN a TO c; ALTER TABLE u ALTER COLUMN c TYPE varchar(9); \
            ALTER TABLE u ALTER COLUMN c SET NOT NULL; ALTER TABLE u ALTER COLUMN c DROP NOT NULL; \
            ALTER TABLE u ALTER COLUMN c SET DEFAULT 'x'; ALTER TABLE u ALTER COLUMN c DROP DEFAULT; \
            ALTER TABLE u ADD CONSTRAINT k CHECK (id > 0) NOT VALID; ALTER TABLE u VALIDATE CONSTRAINT k; \
            ALTER TABLE u RENAME CONSTRAINT k TO k2; ALTER TABLE u DROP CONSTRAINT k2; \
            CREATE INDEX i ON u (c); ALTER INDEX i RENAME TO j; DROP INDEX j; \
            CREATE TYPE m AS ENUM ('a'); ALTER TYPE m ADD VALUE 'b'; ALTER TYPE m RENAME VALUE 'b' TO 'c'; \
            ALTER TYPE m RENAME TO n; DROP TYPE n; CREATE TYPE p AS (x int); DROP DOMAIN d; \
            CREATE EXTENSION e; DROP EXTENSION e; CREATE SEQUENCE s; ALTER SEQUENCE s RESTART; DROP SEQUENCE s; \
            CREATE VIEW v AS SELECT 1; DROP VIEW v; CREATE SCHEMA sc; ALTER SCHEMA sc RENAME TO sd; DROP SCHEMA sd; \
            TRUNCATE u; DELETE FROM u; UPDATE u SET c = 'y'; INSERT INTO u VALUES (1); \
            COMMENT ON TABLE u IS 'z'; SET lock_timeout = '1s'; BEGIN; COMMIT; DROP DATABASE db; GRANT SELECT ON u TO r;";
        let file = crate::source::SourceFile::new("0001_all.sql".into(), sql.to_string());
        let ops: Vec<crate::ir::Operation> =
            crate::parse::sql::read_sql_file(&file, &crate::parse::ReadOptions::default())
                .into_iter()
                .flat_map(|m| m.up)
                .collect();
        let mut seen = std::collections::BTreeSet::new();
        for op in &ops {
            let json = serde_json::to_value(&op.kind).unwrap();
            assert_eq!(json["op"], op.kind.name(), "{json}");
            assert_eq!(OpName::from_name(op.kind.name()), Some(op.kind.op_name()));
            seen.insert(op.kind.op_name());
        }
        // The statements above reach most kinds; each one read was checked.
        assert!(seen.len() >= 40, "{seen:?}");
    }
}
