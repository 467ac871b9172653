//! The operations themselves: [`Operation`], the closed set of [`OpKind`]s and the
//! definitions they carry (columns, constraints, indexes, sequences). What the rules
//! can ask of an op is in `conditions`.

use serde::Serialize;

use super::{OpName, QualifiedName, Span};

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
    /// `schema::normalize::normalize_type` normalises it to `format_type` spelling.
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
    /// Storage parameters (`WITH (fillfactor = 70)`) as `reloptions` keeps them:
    /// `fillfactor=70`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<String>,
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

/// The new column of a TypeORM `changeColumn` whose old column is passed by name, as
/// `PostgresQueryRunner.changeColumn` compares it: TypeORM then loads the old column
/// from the database (type as `regtype` prints it, length as a string) and recreates
/// the column when type, length or array-ness differ with `!==` — so `type: "varchar"`
/// differs from the loaded `character varying`, and `length: 255` (a number) from `"255"`.
/// Replay knows the old column; `schema::replay::typeorm_change_mode` decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedChange {
    /// `type` as written.
    pub type_name: String,
    /// `length` as TypeORM keeps it: the string written, `""` when absent or falsy;
    /// `None` for a number, which never equals the loaded string.
    pub length: Option<String>,
    pub is_array: bool,
    /// `generatedType: "STORED"`
    pub generated_stored: bool,
    pub nullable: bool,
}

impl ChangeMode {
    /// The value of the `mode` condition: `recreate | in_place | unknown`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeMode::Recreate => "recreate",
            ChangeMode::InPlace => "in_place",
            ChangeMode::Unknown => "unknown",
        }
    }
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
        /// Old column passed by name, new one a readable `new TableColumn`: what
        /// TypeORM compares, for replay to decide the mode (`mode` stays `unknown`).
        #[serde(skip_serializing_if = "Option::is_none")]
        by_name: Option<NamedChange>,
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

impl OpKind {
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

    /// The snake_case kind name used by `rules.toml` (matches the serde tag).
    pub fn name(&self) -> &'static str {
        self.op_name().as_str()
    }

    /// The kind without its fields.
    pub fn op_name(&self) -> OpName {
        match self {
            OpKind::CreateTable { .. } => OpName::CreateTable,
            OpKind::DropTable { .. } => OpName::DropTable,
            OpKind::RenameTable { .. } => OpName::RenameTable,
            OpKind::AddColumn { .. } => OpName::AddColumn,
            OpKind::DropColumn { .. } => OpName::DropColumn,
            OpKind::RenameColumn { .. } => OpName::RenameColumn,
            OpKind::AlterColumnType { .. } => OpName::AlterColumnType,
            OpKind::SetNotNull { .. } => OpName::SetNotNull,
            OpKind::DropNotNull { .. } => OpName::DropNotNull,
            OpKind::SetDefault { .. } => OpName::SetDefault,
            OpKind::DropDefault { .. } => OpName::DropDefault,
            OpKind::SetIdentity { .. } => OpName::SetIdentity,
            OpKind::AddConstraint { .. } => OpName::AddConstraint,
            OpKind::DropConstraint { .. } => OpName::DropConstraint,
            OpKind::ValidateConstraint { .. } => OpName::ValidateConstraint,
            OpKind::AlterConstraint { .. } => OpName::AlterConstraint,
            OpKind::RenameConstraint { .. } => OpName::RenameConstraint,
            OpKind::CreateIndex(_) => OpName::CreateIndex,
            OpKind::DropIndex { .. } => OpName::DropIndex,
            OpKind::RenameIndex { .. } => OpName::RenameIndex,
            OpKind::CreateTypeEnum { .. } => OpName::CreateTypeEnum,
            OpKind::CreateTypeComposite { .. } => OpName::CreateTypeComposite,
            OpKind::AddEnumValue { .. } => OpName::AddEnumValue,
            OpKind::RenameEnumValue { .. } => OpName::RenameEnumValue,
            OpKind::RenameType { .. } => OpName::RenameType,
            OpKind::DropType { .. } => OpName::DropType,
            OpKind::DropDomain { .. } => OpName::DropDomain,
            OpKind::CreateExtension { .. } => OpName::CreateExtension,
            OpKind::DropExtension { .. } => OpName::DropExtension,
            OpKind::CreateSequence { .. } => OpName::CreateSequence,
            OpKind::AlterSequence { .. } => OpName::AlterSequence,
            OpKind::DropSequence { .. } => OpName::DropSequence,
            OpKind::CreateView { .. } => OpName::CreateView,
            OpKind::DropView { .. } => OpName::DropView,
            OpKind::CreateSchema { .. } => OpName::CreateSchema,
            OpKind::DropSchema { .. } => OpName::DropSchema,
            OpKind::RenameSchema { .. } => OpName::RenameSchema,
            OpKind::DropDatabase { .. } => OpName::DropDatabase,
            OpKind::Truncate { .. } => OpName::Truncate,
            OpKind::Delete { .. } => OpName::Delete,
            OpKind::Update { .. } => OpName::Update,
            OpKind::Insert { .. } => OpName::Insert,
            OpKind::ChangeColumn { .. } => OpName::ChangeColumn,
            OpKind::Comment { .. } => OpName::Comment,
            OpKind::SetOption { .. } => OpName::SetOption,
            OpKind::TransactionControl { .. } => OpName::TransactionControl,
            OpKind::Other { .. } => OpName::Other,
            OpKind::Unparsed { .. } => OpName::Unparsed,
            OpKind::Opaque { .. } => OpName::Opaque,
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
