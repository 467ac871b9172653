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
    /// Runs only when no constraint of this name exists in the database (`IF NOT
    /// EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '…')` in a DO block): replay
    /// answers it from its model. Holds the name as the literal writes it.
    ConstraintAbsent(String),
}

/// What a `COMMENT ON` names, in the schema model's terms (names folded, the
/// default schema filled in). PostgreSQL checks the kind: `COMMENT ON TABLE` on a
/// view is an error, so each kind names its own map of the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommentOn {
    Table {
        name: QualifiedName,
    },
    /// `VIEW` or `MATERIALIZED VIEW` (`materialized`).
    View {
        name: QualifiedName,
        materialized: bool,
    },
    /// A column of a table (a view's columns are not modelled).
    Column {
        table: QualifiedName,
        column: String,
    },
    Index {
        name: QualifiedName,
    },
    Sequence {
        name: QualifiedName,
    },
    /// An enum or composite type.
    Type {
        name: QualifiedName,
    },
    Constraint {
        table: QualifiedName,
        name: String,
    },
    Trigger {
        table: QualifiedName,
        name: String,
    },
    Policy {
        table: QualifiedName,
        name: String,
    },
    /// `FUNCTION|PROCEDURE|ROUTINE name[(argument types)]`: `signature` is the text
    /// after the keyword, resolved by replay as `DROP FUNCTION` resolves it.
    Function {
        signature: String,
    },
    Schema {
        name: String,
    },
    Extension {
        name: String,
    },
}

impl CommentOn {
    /// The table the commented object belongs to (a table's own comment included).
    pub fn table(&self) -> Option<&QualifiedName> {
        match self {
            CommentOn::Table { name } => Some(name),
            CommentOn::Column { table, .. }
            | CommentOn::Constraint { table, .. }
            | CommentOn::Trigger { table, .. }
            | CommentOn::Policy { table, .. } => Some(table),
            _ => None,
        }
    }

    /// The commented object as drift names it (`schema.table.column`,
    /// `schema.index`, `schema.table.trigger`; a routine by its name, which covers
    /// every signature).
    pub fn object(&self, default_schema: &str) -> String {
        match self {
            CommentOn::Table { name }
            | CommentOn::View { name, .. }
            | CommentOn::Index { name }
            | CommentOn::Sequence { name }
            | CommentOn::Type { name } => name.to_string(),
            CommentOn::Column {
                table,
                column: name,
            }
            | CommentOn::Constraint { table, name }
            | CommentOn::Trigger { table, name }
            | CommentOn::Policy { table, name } => format!("{table}.{name}"),
            CommentOn::Function { signature } => {
                let bare = signature.split('(').next().unwrap_or_default().trim();
                let parts: Vec<String> = bare.split('.').map(super::fold_sql_ident).collect();
                match parts.as_slice() {
                    [.., s, n] => format!("{s}.{n}"),
                    [n] => format!("{default_schema}.{n}"),
                    [] => default_schema.to_string(),
                }
            }
            CommentOn::Schema { name } | CommentOn::Extension { name } => name.clone(),
        }
    }
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
    /// Where the op is written when that is inside a helper (a method of the same
    /// class, or a function imported from another file) rather than in `up()`
    /// itself. `span` and `anchor_line` stay at the call in `up()`: that is where a
    /// reviewer reads the migration and where a `migguard-ignore` goes. `None` for
    /// an op written where it is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Box<Origin>>,
}

impl Operation {
    /// Which statement (or builder call) produced the op: several ops of one
    /// statement share it (`DROP INDEX a, b`, `TRUNCATE a, b`). The ops of one helper
    /// call share the call's span; their origin tells the helper's statements apart.
    pub fn statement(&self) -> (Span, Option<(&std::path::Path, Span)>) {
        (
            self.span,
            self.origin.as_ref().map(|o| (o.file.as_path(), o.span)),
        )
    }
}

/// Where inside a helper an [`Operation`] is written (see [`Operation::origin`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file holding the helper: the migration's own file for a same-class
    /// helper, the imported module otherwise.
    pub file: std::path::PathBuf,
    /// The statement (or builder call) inside the helper.
    pub span: Span,
    /// The line of the `query(…)`/builder call inside the helper that carries it: a
    /// `migguard-ignore` above it applies when the helper is in the migration's file.
    pub anchor_line: usize,
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
    /// PRIMARY KEY, UNIQUE and EXCLUDE constraints are backed by an index of their
    /// name.
    pub fn has_index(&self) -> bool {
        matches!(
            self,
            ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. }
        )
    }

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

/// Where a created table sits in a partition or inheritance hierarchy, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Hierarchy {
    /// `PARTITION BY` key: `RANGE(at)`, `LIST(lower(label))`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// `PARTITION OF parent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<QualifiedName>,
    /// The partition's bound: `FOR VALUES …` or `DEFAULT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<String>,
    /// `INHERITS (parent, …)`, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualifiedName>,
}

impl Hierarchy {
    pub fn is_empty(&self) -> bool {
        *self == Hierarchy::default()
    }
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

/// What a transaction-control statement does to the transaction it runs in, from its
/// leading words (`START TRANSACTION`, `END`, `ABORT`, `ROLLBACK TO SAVEPOINT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionEffect {
    /// `BEGIN`, `START TRANSACTION`
    Begin,
    /// `COMMIT`, `END` (with `AND CHAIN` a new transaction follows)
    Commit,
    /// `ROLLBACK`, `ABORT`
    Rollback,
    /// `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`: the transaction goes on.
    Savepoint,
}

impl TransactionEffect {
    pub fn of(statement: &str) -> TransactionEffect {
        let mut words = statement.split_whitespace().map(str::to_ascii_uppercase);
        let first = words.next().unwrap_or_default();
        let second = words.next().unwrap_or_default();
        match (first.as_str(), second.as_str()) {
            ("BEGIN" | "START", _) => TransactionEffect::Begin,
            ("ROLLBACK" | "ABORT", "TO") => TransactionEffect::Savepoint,
            ("COMMIT" | "END", _) => TransactionEffect::Commit,
            ("ROLLBACK" | "ABORT", _) => TransactionEffect::Rollback,
            _ => TransactionEffect::Savepoint,
        }
    }

    /// The value of the `control` condition: `begin | commit | rollback | savepoint`.
    pub fn name(self) -> &'static str {
        match self {
            TransactionEffect::Begin => "begin",
            TransactionEffect::Commit => "commit",
            TransactionEffect::Rollback => "rollback",
            TransactionEffect::Savepoint => "savepoint",
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
        /// `LIKE`, `AS SELECT`, `TEMPORARY` etc. we keep but do not model.
        unmodelled: Option<String>,
        /// `PARTITION BY`, `PARTITION OF … FOR VALUES`, `INHERITS (…)`.
        #[serde(default, skip_serializing_if = "Hierarchy::is_empty")]
        hierarchy: Hierarchy,
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
    /// `COMMENT ON …` / `changeTableComment` / a TypeORM `comment:` option.
    Comment {
        /// The object as written (`column public.user.email`), for findings.
        target: String,
        /// The object in the schema model's terms; `None` for kinds drift does not
        /// model (a domain, a role, a column of a view…).
        #[serde(skip_serializing_if = "Option::is_none")]
        on: Option<CommentOn>,
        /// The comment set; `None` removes it (`IS NULL`, and `IS ''`, which
        /// PostgreSQL treats the same).
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// `SET lock_timeout = …`, `SET statement_timeout = …`, other `SET`s
    SetOption { name: String, value: String },
    /// `BEGIN`, `COMMIT`, `ROLLBACK`, `START TRANSACTION`, `SAVEPOINT`
    TransactionControl { statement: String },
    /// `VACUUM [FULL] [tables]` (`VACUUM (FULL) t`, `VACUUM FULL ANALYZE t`): FULL
    /// rewrites each table under ACCESS EXCLUSIVE; any VACUUM refuses to run in a
    /// transaction block. No tables: the whole database.
    Vacuum {
        tables: Vec<QualifiedName>,
        full: bool,
    },
    /// `CLUSTER [VERBOSE] [t [USING i]]`: rewrites the table in index order under
    /// ACCESS EXCLUSIVE. Without a table it reclusters every clustered table of the
    /// database and refuses to run in a transaction block.
    Cluster { table: Option<QualifiedName> },
    /// `REINDEX [(…)] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM [CONCURRENTLY] name`.
    Reindex {
        /// `index | table | schema | database | system`, lower case.
        target: String,
        /// The index or table (schema-qualified); a schema or database name as a
        /// bare name in `name.name`.
        name: QualifiedName,
        concurrently: bool,
    },
    /// `ALTER TABLE parent ATTACH PARTITION partition FOR VALUES …`
    AttachPartition {
        table: QualifiedName,
        partition: QualifiedName,
    },
    /// `ALTER TABLE parent DETACH PARTITION partition [CONCURRENTLY | FINALIZE]`
    DetachPartition {
        table: QualifiedName,
        partition: QualifiedName,
        concurrently: bool,
        /// `FINALIZE`: completes an interrupted concurrent detach, with the same
        /// locks as its last step, and (measured on PostgreSQL 15) also inside a
        /// transaction block.
        finalize: bool,
    },
    /// `ALTER TABLE t SET LOGGED` / `SET UNLOGGED`: a rewrite of the table.
    SetPersistence { table: QualifiedName, logged: bool },
    /// `ALTER TABLE t SET (fillfactor = 70)` / `RESET (…)`, and the `WITH (…)` of a
    /// `CREATE TABLE`: storage parameters as `reloptions` keeps them (`name=value`,
    /// the TOAST table's prefixed `toast.`), names only for `reset`.
    SetStorage {
        table: QualifiedName,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        set: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        reset: Vec<String>,
    },
    /// A statement migguard parsed and knows to be outside the schema model
    /// (CREATE FUNCTION/TRIGGER/POLICY, GRANT, SELECT, …). `what` names it.
    Other { what: String },
    /// SQL the parser could not read; lexical patterns still apply to `Operation::text`.
    Unparsed { reason: String },
    /// Schema work that cannot be read statically (helper returning SQL, loop, …).
    Opaque { reason: String },
}

impl OpKind {
    /// Whether the op can change the schema model: data statements, session
    /// settings and statements outside the model cannot.
    pub fn changes_schema(&self) -> bool {
        !matches!(
            self,
            OpKind::Insert { .. }
                | OpKind::Update { .. }
                | OpKind::Delete { .. }
                | OpKind::Truncate { .. }
                | OpKind::SetOption { .. }
                | OpKind::TransactionControl { .. }
                | OpKind::Vacuum { .. }
                | OpKind::Cluster { .. }
                | OpKind::Reindex { .. }
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
            OpKind::Vacuum { .. } => OpName::Vacuum,
            OpKind::Cluster { .. } => OpName::Cluster,
            OpKind::Reindex { .. } => OpName::Reindex,
            OpKind::AttachPartition { .. } => OpName::AttachPartition,
            OpKind::DetachPartition { .. } => OpName::DetachPartition,
            OpKind::SetPersistence { .. } => OpName::SetPersistence,
            OpKind::SetStorage { .. } => OpName::SetStorage,
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
            | OpKind::ChangeColumn { table, .. }
            | OpKind::DetachPartition { table, .. }
            | OpKind::SetPersistence { table, .. }
            | OpKind::SetStorage { table, .. } => Some(table),
            OpKind::CreateIndex(def) => Some(&def.table),
            // The table ATTACH scans (and locks ACCESS EXCLUSIVE) is the partition:
            // one created earlier in the same migration is empty.
            OpKind::AttachPartition { partition, .. } => Some(partition),
            OpKind::Vacuum { tables, .. } => tables.first(),
            OpKind::Cluster { table } => table.as_ref(),
            OpKind::Reindex { target, name, .. } if target == "table" => Some(name),
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
            | OpKind::Insert { table }
            | OpKind::SetPersistence { table, .. } => table.to_string(),
            OpKind::AttachPartition { table, partition }
            | OpKind::DetachPartition {
                table, partition, ..
            } => format!("{table} partition {partition}"),
            OpKind::Vacuum { tables, .. } if !tables.is_empty() => tables
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            OpKind::Cluster { table: Some(table) } => table.to_string(),
            OpKind::Reindex { target, name, .. } => match target.as_str() {
                "index" | "table" => name.to_string(),
                _ => format!("{target} {}", name.name),
            },
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
            OpKind::Comment { target, .. } => target.clone(),
            _ => return None,
        })
    }
}
