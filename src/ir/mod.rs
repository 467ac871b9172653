//! The operations IR: what a migration's `up()` does, independent of how it was written.
//!
//! Both readers — TypeORM (tree-sitter) and SQL (sqlparser, with a lexical fallback) —
//! produce the same [`Operation`]s. The classifier matches them against the rules
//! file, the replayer applies them to the schema model, the expand/contract checks
//! look at their phase. Nothing downstream ever looks at TypeScript or SQL syntax.
//!
//! The kind names (`OpKind::name`) are the snake_case names used in `rules/rules.toml`.

pub mod names;
pub mod text_map;

pub use names::{fold_ident, fold_sql_ident, QualifiedName};
pub use text_map::{Segment, TextMap};

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A source range: byte offsets plus 1-based line/column of both ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Where a migration came from and how its tool runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationFormat {
    /// TypeORM migration class (TypeScript or compiled JavaScript).
    Typeorm,
    /// `0003_add_x.sql`
    SqlPlain,
    /// `3_add_x.up.sql` (golang-migrate)
    GolangMigrate,
    /// `V3__add_x.sql` (Flyway versioned)
    FlywayVersioned,
    /// `R__x.sql` (Flyway repeatable: runs after versioned ones, when changed)
    FlywayRepeatable,
    /// `<version>_<name>/up.sql` (diesel)
    Diesel,
    /// `<timestamp>_<name>/migration.sql` (Prisma Migrate)
    Prisma,
}

/// The order key a migration tool sorts by: TypeORM timestamp, SQL version.
/// Versions compare numerically part by part (`3_1` < `3_10`, Flyway `V3_1` < `V3_2`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct MigrationOrder {
    /// Flyway repeatables sort after every versioned migration.
    pub repeatable: bool,
    /// Numeric version parts (`[3, 1]` for `V3_1`, `[1779000000000]` for TypeORM).
    pub version: Vec<u128>,
    /// Tie-breaker: the migration name.
    pub name: String,
}

/// One migration: a TypeORM class or one SQL file (its `up` side).
#[derive(Debug, Clone, Serialize)]
pub struct Migration {
    /// Identity as the migration tool records it in its history table: TypeORM class
    /// `name` property or class name; SQL: the version + name from the file name
    /// (`0003_add_x`, `V3__add_x` → version `3`, description `add x`…, see `source`).
    pub name: String,
    /// Version as the tool stores it: TypeORM timestamp (last 13 digits of the name),
    /// SQL version string (`0003`, `3`, `3.1`, `20240101120000`).
    pub version: Option<String>,
    pub order: MigrationOrder,
    pub format: MigrationFormat,
    /// Path as given/discovered (relative to the working directory where possible).
    pub file: PathBuf,
    /// The span that shows the migration: the class declaration, or the whole file.
    pub span: Span,
    /// Whether the tool wraps `up` in a transaction (TypeORM `transaction = false` opts out).
    pub transactional: bool,
    pub up: Vec<Operation>,
    pub down: Vec<Operation>,
    /// Leading comment lines of the migration (file header or directly above the
    /// class), with their spans: the raw material for annotations and file-level
    /// suppressions.
    pub header_comments: Vec<Comment>,
    /// Every comment in the file that could carry a line-level `migguard-ignore`.
    pub comments: Vec<Comment>,
    /// Problems the reader hit that are not operations (malformed source, error nodes).
    pub read_errors: Vec<ReadError>,
}

/// A source comment, text without the comment markers, one entry per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// Something a reader could not read. Fail closed: it becomes a finding, never a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadError {
    pub message: String,
    pub span: Span,
}

/// How an operation was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum OpSource {
    /// A SQL statement: a `.sql` file, or `query(...)` in a TypeORM migration.
    Sql,
    /// A TypeORM QueryRunner builder call, e.g. `dropColumn`.
    Builder { method: String },
}

/// What stands in SQL for a `${…}` the TypeORM reader could not resolve; the SQL
/// reader parses around it, so an op's fields can hold it.
pub const DYNAMIC_PLACEHOLDER: &str = "__migguard_dynamic_";

/// Why an operation might not take effect even though its migration runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Guard {
    /// In an `if` (or a DO block of several statements under an EXCEPTION handler)
    /// whose outcome only the running migration knows — a query result, an
    /// environment variable. Lint still judges the op (fail closed); replay cannot
    /// vouch for what it touches. Holds the condition as written.
    Condition(String),
    /// The only statement of a DO block whose EXCEPTION handler swallows these errors:
    /// it applies where it can and is a no-op where it would fail, exactly what
    /// replay can model. Holds the conditions (`duplicate_object`).
    Swallowed(String),
}

/// One schema (or data) operation with its target and source position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    pub kind: OpKind,
    /// Smallest source range that shows the operation (inside the `.ts` file for SQL
    /// in a TypeORM string).
    pub span: Span,
    /// The statement text (SQL, placeholders for unresolved `${…}`), or for a builder
    /// call the call's source text. Used for lexical patterns and messages.
    pub text: String,
    pub source: OpSource,
    /// Part of the SQL came from a `${…}` that could not be resolved.
    pub dynamic: bool,
    /// 1-based line where the construct showing the op begins: the SQL statement, or
    /// the `queryRunner.query(…)`/builder call that carries it. A `migguard-ignore`
    /// comment on the line before it applies to the op.
    pub anchor_line: usize,
    /// The op may not run, or may fail harmlessly: see [`Guard`]. `None` for an op
    /// that runs whenever its migration does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<Guard>,
}

/// A column as a CREATE TABLE / ADD COLUMN / TypeORM `TableColumn` defines it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ColumnDef {
    pub name: String,
    /// Type as written (`varchar(255)`, `int4`, `"public"."mood_enum"`, `serial`);
    /// `schema::types` normalises it to `format_type` spelling.
    pub data_type: String,
    pub not_null: bool,
    /// Default expression as SQL text, if any.
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`
    pub generated: Option<String>,
    pub collation: Option<String>,
    /// Inline `PRIMARY KEY` / `UNIQUE` / `REFERENCES` / `CHECK` on the column,
    /// expressed as table constraints on this one column.
    pub constraints: Vec<ConstraintDef>,
    /// TypeORM enum column: its labels (TypeORM creates the enum type itself).
    pub enum_values: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
}

/// What an `ALTER COLUMN` identity action does. PostgreSQL tells them apart: `ADD`
/// refuses a column that already is an identity, `SET` and `DROP` (without `IF
/// EXISTS`) refuse one that is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum IdentityChange {
    Add { identity: Identity },
    Set { identity: Identity },
    Drop { if_exists: bool },
}

/// Constraint payload: the five kinds the rules distinguish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        nulls_not_distinct: bool,
    },
    Check {
        expr: String,
    },
    ForeignKey {
        columns: Vec<String>,
        ref_table: QualifiedName,
        ref_columns: Vec<String>,
        on_delete: Option<String>,
        on_update: Option<String>,
    },
    Exclusion {
        /// The whole `EXCLUDE USING …` text.
        definition: String,
    },
}

impl ConstraintKind {
    /// For a PRIMARY KEY or UNIQUE: its key columns and NULLS NOT DISTINCT — with the
    /// deferrability, what PostgreSQL compares to merge equal index constraints of one
    /// CREATE TABLE into a single index (`transformIndexConstraints`).
    pub fn index_key(&self) -> Option<(&[String], bool)> {
        match self {
            ConstraintKind::PrimaryKey { columns } => Some((columns, false)),
            ConstraintKind::Unique {
                columns,
                nulls_not_distinct,
            } => Some((columns, *nulls_not_distinct)),
            _ => None,
        }
    }

    /// The value of the `constraint` condition: `pk | unique | check | fk | exclusion`.
    pub fn short_name(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey { .. } => "pk",
            ConstraintKind::Unique { .. } => "unique",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::ForeignKey { .. } => "fk",
            ConstraintKind::Exclusion { .. } => "exclusion",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstraintDef {
    /// Explicit name, if given (PostgreSQL or TypeORM naming fills it in on replay).
    pub name: Option<String>,
    pub kind: ConstraintKind,
    pub not_valid: bool,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `ADD CONSTRAINT … UNIQUE USING INDEX idx` / `PRIMARY KEY USING INDEX`.
    pub using_index: Option<String>,
}

/// One key of an index: a column or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexKey {
    /// Folded column name, or the expression text (parenthesised) for expression keys.
    pub expr: String,
    pub is_expression: bool,
    pub descending: bool,
    pub nulls_first: Option<bool>,
    pub opclass: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexDef {
    /// Explicit name; `None` lets PostgreSQL/TypeORM name it on replay.
    pub name: Option<String>,
    pub table: QualifiedName,
    pub unique: bool,
    pub concurrently: bool,
    pub if_not_exists: bool,
    /// Access method (`btree` when not written).
    pub method: Option<String>,
    pub keys: Vec<IndexKey>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SequenceOptions {
    pub data_type: Option<String>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub start: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// `OWNED BY table.column` (`None` inside = `OWNED BY NONE`).
    pub owned_by: Option<Option<(QualifiedName, String)>>,
}

/// What TypeORM's `changeColumn` will do with the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeMode {
    /// Drops the column and adds it again: type, length, isArray or a stored
    /// generated expression changed. Data is lost.
    Recreate,
    /// ALTER COLUMN statements only.
    InPlace,
    /// Old column definition unknown (e.g. passed by name): cannot be shown to be
    /// in place, so treated as possibly recreating.
    Unknown,
}

/// The closed set of operations. Kind names (snake_case) are what `rules.toml` uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpKind {
    /// `CREATE TABLE` / `queryRunner.createTable(new Table({...}))`
    CreateTable {
        table: QualifiedName,
        columns: Vec<ColumnDef>,
        constraints: Vec<ConstraintDef>,
        if_not_exists: bool,
        /// TypeORM `new Table({ indices: [...] })` and similar indexes created with it.
        indexes: Vec<IndexDef>,
        /// `PARTITION BY …`, `INHERITS`, `LIKE`, `AS SELECT` etc. we keep but do not model.
        unmodelled: Option<String>,
        /// `CREATE TABLE … AS <query>`: the query, whose output columns replay derives
        /// the table's from where it can.
        #[serde(skip_serializing_if = "Option::is_none")]
        as_query: Option<String>,
    },
    /// `DROP TABLE` / `dropTable` (one op per table)
    DropTable {
        table: QualifiedName,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER TABLE t RENAME TO u`, `ALTER TABLE t SET SCHEMA s` / `renameTable`
    RenameTable {
        table: QualifiedName,
        new_name: QualifiedName,
    },
    /// `ALTER TABLE t ADD COLUMN` / `addColumn(s)`
    AddColumn {
        table: QualifiedName,
        column: ColumnDef,
        if_not_exists: bool,
    },
    /// `ALTER TABLE t DROP COLUMN` / `dropColumn(s)`
    DropColumn {
        table: QualifiedName,
        column: String,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER TABLE t RENAME COLUMN a TO b` / `renameColumn`
    RenameColumn {
        table: QualifiedName,
        column: String,
        new_name: String,
    },
    /// `ALTER TABLE t ALTER COLUMN c TYPE x [USING …]`
    AlterColumnType {
        table: QualifiedName,
        column: String,
        data_type: String,
        using: Option<String>,
    },
    /// `ALTER COLUMN c SET NOT NULL`
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    /// `ALTER COLUMN c DROP NOT NULL`
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    /// `ALTER COLUMN c SET DEFAULT expr`
    SetDefault {
        table: QualifiedName,
        column: String,
        default: String,
    },
    /// `ALTER COLUMN c DROP DEFAULT`
    DropDefault {
        table: QualifiedName,
        column: String,
    },
    /// `ALTER COLUMN c ADD GENERATED … AS IDENTITY`, `SET GENERATED …`, `DROP
    /// IDENTITY [IF EXISTS]`
    SetIdentity {
        table: QualifiedName,
        column: String,
        change: IdentityChange,
    },
    /// `ALTER TABLE t ADD CONSTRAINT …` / `createPrimaryKey`, `createUniqueConstraint`,
    /// `createCheckConstraint`, `createExclusionConstraint`, `createForeignKey(s)`
    AddConstraint {
        table: QualifiedName,
        constraint: ConstraintDef,
    },
    /// `ALTER TABLE t DROP CONSTRAINT c` / `dropPrimaryKey`, `dropUniqueConstraint`, …
    DropConstraint {
        table: QualifiedName,
        /// `None` when a builder call names it by a TableForeignKey etc. we could not resolve.
        name: Option<String>,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER TABLE t VALIDATE CONSTRAINT c`
    ValidateConstraint { table: QualifiedName, name: String },
    /// `ALTER TABLE t ALTER CONSTRAINT c [NOT] DEFERRABLE [INITIALLY …]`: PostgreSQL
    /// sets both attributes, an omitted one to its default (`INITIALLY DEFERRED`
    /// implies `DEFERRABLE`).
    AlterConstraint {
        table: QualifiedName,
        name: String,
        deferrable: bool,
        initially_deferred: bool,
    },
    /// `ALTER TABLE t RENAME CONSTRAINT a TO b`
    RenameConstraint {
        table: QualifiedName,
        name: String,
        new_name: String,
    },
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY]` / `createIndex`, `createIndices`
    CreateIndex(IndexDef),
    /// `DROP INDEX [CONCURRENTLY]` / `dropIndex`
    DropIndex {
        index: QualifiedName,
        concurrently: bool,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER INDEX a RENAME TO b`
    RenameIndex {
        index: QualifiedName,
        new_name: String,
    },
    /// `CREATE TYPE t AS ENUM (...)`
    CreateTypeEnum {
        name: QualifiedName,
        labels: Vec<String>,
    },
    /// `CREATE TYPE t AS (a int, b text)`: attribute names and types as written.
    CreateTypeComposite {
        name: QualifiedName,
        attributes: Vec<(String, String)>,
    },
    /// `ALTER TYPE t ADD VALUE 'x' [BEFORE|AFTER 'y']`
    AddEnumValue {
        name: QualifiedName,
        value: String,
        before: Option<String>,
        after: Option<String>,
        if_not_exists: bool,
    },
    /// `ALTER TYPE t RENAME VALUE 'a' TO 'b'`
    RenameEnumValue {
        name: QualifiedName,
        value: String,
        new_value: String,
    },
    /// `ALTER TYPE t RENAME TO u` / `SET SCHEMA`
    RenameType {
        name: QualifiedName,
        new_name: QualifiedName,
    },
    /// `DROP TYPE`
    DropType {
        name: QualifiedName,
        if_exists: bool,
        cascade: bool,
    },
    /// `DROP DOMAIN`: with CASCADE it drops every column of that domain.
    DropDomain {
        name: QualifiedName,
        if_exists: bool,
        cascade: bool,
    },
    /// `CREATE EXTENSION`
    CreateExtension {
        name: String,
        schema: Option<String>,
        if_not_exists: bool,
    },
    /// `DROP EXTENSION`
    DropExtension {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    /// `CREATE SEQUENCE`
    CreateSequence {
        name: QualifiedName,
        options: SequenceOptions,
        if_not_exists: bool,
    },
    /// `ALTER SEQUENCE` (options, OWNED BY, RENAME via `new_name`)
    AlterSequence {
        name: QualifiedName,
        options: SequenceOptions,
        new_name: Option<QualifiedName>,
    },
    /// `DROP SEQUENCE`
    DropSequence {
        name: QualifiedName,
        if_exists: bool,
        cascade: bool,
    },
    /// `CREATE [OR REPLACE] [MATERIALIZED] VIEW` / `createView`
    CreateView {
        name: QualifiedName,
        materialized: bool,
        or_replace: bool,
        /// `CREATE VIEW v (a, b) AS …`: names for the first output columns.
        columns: Vec<String>,
        query: String,
    },
    /// `DROP [MATERIALIZED] VIEW` / `dropView`
    DropView {
        name: QualifiedName,
        materialized: bool,
        if_exists: bool,
        cascade: bool,
    },
    /// `CREATE SCHEMA` / `createSchema`
    CreateSchema { name: String, if_not_exists: bool },
    /// `DROP SCHEMA` / `dropSchema`
    DropSchema {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER SCHEMA s RENAME TO n`: every object in it changes its qualified name.
    RenameSchema { name: String, new_name: String },
    /// `DROP DATABASE` / `dropDatabase`, `clearDatabase`
    DropDatabase { name: Option<String> },
    /// `TRUNCATE` / `clearTable` (one op per table)
    Truncate { table: QualifiedName },
    /// `DELETE FROM t [WHERE …]`
    Delete {
        table: QualifiedName,
        has_where: bool,
    },
    /// `UPDATE t SET … [WHERE …]`
    Update {
        table: QualifiedName,
        has_where: bool,
    },
    /// `INSERT INTO t …`
    Insert { table: QualifiedName },
    /// TypeORM `changeColumn(s)`: `new_column` is the target definition.
    ChangeColumn {
        table: QualifiedName,
        column: String,
        new_column: Option<ColumnDef>,
        /// Set when the new column has a different name (a rename through changeColumn).
        new_name: Option<String>,
        mode: ChangeMode,
        /// In place, from `isNullable: true` to NOT NULL: TypeORM runs `ALTER COLUMN
        /// … SET NOT NULL`, with the same full-table scan.
        sets_not_null: bool,
    },
    /// `COMMENT ON …` / `changeTableComment`
    Comment { target: String },
    /// `SET lock_timeout = …`, `SET statement_timeout = …`, other `SET`s
    SetOption { name: String, value: String },
    /// `BEGIN`, `COMMIT`, `ROLLBACK`, `START TRANSACTION`, `SAVEPOINT`
    TransactionControl { statement: String },
    /// A statement migguard parsed and knows to be outside the schema model
    /// (CREATE FUNCTION/TRIGGER/POLICY, GRANT, SELECT, …). `what` names it.
    Other { what: String },
    /// SQL the parser could not read; lexical patterns still apply to `Operation::text`.
    Unparsed { reason: String },
    /// Schema work that cannot be read statically (helper returning SQL, loop, …).
    Opaque { reason: String },
}

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
        "rename_table"
        | "rename_column"
        | "alter_column_type"
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

impl OpKind {
    /// The snake_case kind name used by `rules.toml` (matches the serde tag).
    /// Whether the op can change the schema model: data statements, comments, session
    /// settings and statements outside the model cannot.
    pub fn changes_schema(&self) -> bool {
        !matches!(
            self,
            OpKind::Insert { .. }
                | OpKind::Update { .. }
                | OpKind::Delete { .. }
                | OpKind::Truncate { .. }
                | OpKind::Comment { .. }
                | OpKind::SetOption { .. }
                | OpKind::TransactionControl { .. }
                | OpKind::Other { .. }
        )
    }

    pub fn name(&self) -> &'static str {
        match self {
            OpKind::CreateTable { .. } => "create_table",
            OpKind::DropTable { .. } => "drop_table",
            OpKind::RenameTable { .. } => "rename_table",
            OpKind::AddColumn { .. } => "add_column",
            OpKind::DropColumn { .. } => "drop_column",
            OpKind::RenameColumn { .. } => "rename_column",
            OpKind::AlterColumnType { .. } => "alter_column_type",
            OpKind::SetNotNull { .. } => "set_not_null",
            OpKind::DropNotNull { .. } => "drop_not_null",
            OpKind::SetDefault { .. } => "set_default",
            OpKind::DropDefault { .. } => "drop_default",
            OpKind::SetIdentity { .. } => "set_identity",
            OpKind::AddConstraint { .. } => "add_constraint",
            OpKind::DropConstraint { .. } => "drop_constraint",
            OpKind::ValidateConstraint { .. } => "validate_constraint",
            OpKind::AlterConstraint { .. } => "alter_constraint",
            OpKind::RenameConstraint { .. } => "rename_constraint",
            OpKind::CreateIndex(_) => "create_index",
            OpKind::DropIndex { .. } => "drop_index",
            OpKind::RenameIndex { .. } => "rename_index",
            OpKind::CreateTypeEnum { .. } => "create_type_enum",
            OpKind::CreateTypeComposite { .. } => "create_type_composite",
            OpKind::AddEnumValue { .. } => "add_enum_value",
            OpKind::RenameEnumValue { .. } => "rename_enum_value",
            OpKind::RenameType { .. } => "rename_type",
            OpKind::DropType { .. } => "drop_type",
            OpKind::DropDomain { .. } => "drop_domain",
            OpKind::CreateExtension { .. } => "create_extension",
            OpKind::DropExtension { .. } => "drop_extension",
            OpKind::CreateSequence { .. } => "create_sequence",
            OpKind::AlterSequence { .. } => "alter_sequence",
            OpKind::DropSequence { .. } => "drop_sequence",
            OpKind::CreateView { .. } => "create_view",
            OpKind::DropView { .. } => "drop_view",
            OpKind::CreateSchema { .. } => "create_schema",
            OpKind::DropSchema { .. } => "drop_schema",
            OpKind::RenameSchema { .. } => "rename_schema",
            OpKind::DropDatabase { .. } => "drop_database",
            OpKind::Truncate { .. } => "truncate",
            OpKind::Delete { .. } => "delete",
            OpKind::Update { .. } => "update",
            OpKind::Insert { .. } => "insert",
            OpKind::ChangeColumn { .. } => "change_column",
            OpKind::Comment { .. } => "comment",
            OpKind::SetOption { .. } => "set_option",
            OpKind::TransactionControl { .. } => "transaction_control",
            OpKind::Other { .. } => "other",
            OpKind::Unparsed { .. } => "unparsed",
            OpKind::Opaque { .. } => "opaque",
        }
    }

    /// The table the operation acts on, if it acts on one.
    pub fn table(&self) -> Option<&QualifiedName> {
        match self {
            OpKind::CreateTable { table, .. }
            | OpKind::DropTable { table, .. }
            | OpKind::RenameTable { table, .. }
            | OpKind::AddColumn { table, .. }
            | OpKind::DropColumn { table, .. }
            | OpKind::RenameColumn { table, .. }
            | OpKind::AlterColumnType { table, .. }
            | OpKind::SetNotNull { table, .. }
            | OpKind::DropNotNull { table, .. }
            | OpKind::SetDefault { table, .. }
            | OpKind::DropDefault { table, .. }
            | OpKind::SetIdentity { table, .. }
            | OpKind::AddConstraint { table, .. }
            | OpKind::DropConstraint { table, .. }
            | OpKind::ValidateConstraint { table, .. }
            | OpKind::AlterConstraint { table, .. }
            | OpKind::RenameConstraint { table, .. }
            | OpKind::Truncate { table }
            | OpKind::Delete { table, .. }
            | OpKind::Update { table, .. }
            | OpKind::Insert { table }
            | OpKind::ChangeColumn { table, .. } => Some(table),
            OpKind::CreateIndex(def) => Some(&def.table),
            _ => None,
        }
    }

    /// The object named in findings and drift items: `schema.table`,
    /// `schema.table.column`, `schema.table.constraint`, `schema.index`, `schema.type`.
    pub fn object(&self) -> Option<String> {
        Some(match self {
            OpKind::CreateTable { table, .. }
            | OpKind::DropTable { table, .. }
            | OpKind::RenameTable { table, .. }
            | OpKind::Truncate { table }
            | OpKind::Delete { table, .. }
            | OpKind::Update { table, .. }
            | OpKind::Insert { table } => table.to_string(),
            OpKind::AddColumn { table, column, .. } => format!("{table}.{}", column.name),
            OpKind::DropColumn { table, column, .. }
            | OpKind::RenameColumn { table, column, .. }
            | OpKind::AlterColumnType { table, column, .. }
            | OpKind::SetNotNull { table, column }
            | OpKind::DropNotNull { table, column }
            | OpKind::SetDefault { table, column, .. }
            | OpKind::DropDefault { table, column }
            | OpKind::SetIdentity { table, column, .. }
            | OpKind::ChangeColumn { table, column, .. } => format!("{table}.{column}"),
            OpKind::AddConstraint { table, constraint } => match &constraint.name {
                Some(n) => format!("{table}.{n}"),
                None => table.to_string(),
            },
            OpKind::DropConstraint { table, name, .. } => match name {
                Some(n) => format!("{table}.{n}"),
                None => table.to_string(),
            },
            OpKind::ValidateConstraint { table, name }
            | OpKind::AlterConstraint { table, name, .. }
            | OpKind::RenameConstraint { table, name, .. } => format!("{table}.{name}"),
            OpKind::CreateIndex(def) => match &def.name {
                Some(n) => format!("{}.{n}", def.table.schema),
                None => def.table.to_string(),
            },
            OpKind::DropIndex { index, .. } | OpKind::RenameIndex { index, .. } => {
                index.to_string()
            }
            OpKind::CreateTypeEnum { name, .. }
            | OpKind::CreateTypeComposite { name, .. }
            | OpKind::AddEnumValue { name, .. }
            | OpKind::RenameEnumValue { name, .. }
            | OpKind::RenameType { name, .. }
            | OpKind::DropType { name, .. }
            | OpKind::DropDomain { name, .. }
            | OpKind::CreateSequence { name, .. }
            | OpKind::AlterSequence { name, .. }
            | OpKind::DropSequence { name, .. }
            | OpKind::CreateView { name, .. }
            | OpKind::DropView { name, .. } => name.to_string(),
            OpKind::CreateExtension { name, .. }
            | OpKind::DropExtension { name, .. }
            | OpKind::CreateSchema { name, .. }
            | OpKind::DropSchema { name, .. }
            | OpKind::RenameSchema { name, .. } => name.clone(),
            OpKind::DropDatabase { name } => name.clone()?,
            OpKind::Comment { target } => target.clone(),
            _ => return None,
        })
    }
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
                let m = match mode {
                    ChangeMode::Recreate => "recreate",
                    ChangeMode::InPlace => "in_place",
                    ChangeMode::Unknown => "unknown",
                };
                a.insert("mode", Str(m.to_string()));
                a.insert("renames", Bool(new_name.is_some()));
                a.insert("sets_not_null", Bool(*sets_not_null));
            }
            OpKind::SetOption { name, .. } => {
                a.insert("name", Str(name.clone()));
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
