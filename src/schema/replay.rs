//! Replay of migration operations onto the schema model.
//!
//! Applies each migration's `up()` ops in run order with PostgreSQL's semantics
//! (identifier folding already done by the readers; default names, serial
//! sequences, PRIMARY KEY ⇒ NOT NULL, DROP COLUMN removing dependent indexes and
//! constraints, DROP TABLE removing what it owns) and TypeORM's for builder calls
//! (DefaultNamingStrategy names, enum types named `<table>_<column>_enum`,
//! `changeColumn` recreate vs in place). An op that cannot apply (dropping what is not
//! there, adding what exists) is a [`Conflict`], never a panic; unparsed and opaque
//! ops make the objects they mention `uncertain`. Replay never invents objects.
//!
//! One submodule per kind of object (`tables`, `columns`, `constraints`, `indexes`,
//! `types`, `sequences`, `views`, `schemas`) and one for what replay cannot read
//! (`opaque`); this module holds the entry points, the replay of guarded and dynamic
//! ops, and the dispatch of each op to its kind.

mod columns;
mod comments;
mod constraints;
mod functions;
mod indexes;
mod opaque;
mod partitions;
mod policies;
mod schemas;
mod sequences;
mod storage;
mod stored_names;
mod tables;
mod triggers;
mod types;
mod views;

use super::model::{Column, EnumType, SchemaModel};
use super::normalize::{normalize_type, DefaultCanon};
use crate::ir::{
    is_run_time, ChangeMode, ConstraintDef, Guard, Migration, OpKind, OpSource, Operation,
    QualifiedName, DYNAMIC_PLACEHOLDER,
};
use std::collections::{BTreeSet, HashSet};

/// One migration that could not be applied cleanly to the model (e.g. drops a
/// column that is not there): drift reports these as `conflicts-with-pending`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub migration: String,
    pub object: String,
    pub message: String,
}

/// The comment every database created from `template1` has on its `public` schema
/// (PostgreSQL 15, as earlier versions).
pub const PUBLIC_SCHEMA_COMMENT: &str = "standard public schema";

/// Apply migrations' `up()` ops, in the order given, onto `model`.
pub fn replay_onto(
    model: &mut SchemaModel,
    migrations: &[&Migration],
    default_schema: &str,
) -> Vec<Conflict> {
    replay_observing(model, migrations, default_schema, |_, _, _| {})
}

/// [`replay_onto`], showing `before(migration index, op index, model)` the model as
/// it is just before each op applies: what lint judges an op by (the column type an
/// `ALTER COLUMN … TYPE` starts from, the column `changeColumn` names).
pub fn replay_observing(
    model: &mut SchemaModel,
    migrations: &[&Migration],
    default_schema: &str,
    mut before: impl FnMut(usize, usize, &SchemaModel),
) -> Vec<Conflict> {
    let mut r = Replayer {
        model,
        ds: default_schema.to_string(),
        defaults: DefaultCanon::new(default_schema),
        conflicts: Vec::new(),
        migration: String::new(),
        temporary_tables: BTreeSet::new(),
        hierarchy: Default::default(),
        constraint_names: std::cell::OnceCell::new(),
    };
    if r.model.schemas.is_empty() {
        // A fresh database: its `public` schema comes with PostgreSQL's comment.
        r.model
            .schema_comments
            .insert("public".into(), PUBLIC_SCHEMA_COMMENT.into());
    }
    r.model.schemas.insert(default_schema.to_string());
    for (mi, m) in migrations.iter().enumerate() {
        r.migration = m.name.clone();
        for (oi, op) in m.up.iter().enumerate() {
            before(mi, oi, r.model);
            r.replay_op(op);
        }
    }
    r.end_of_session();
    r.conflicts
}

/// What TypeORM 0.3's `PostgresQueryRunner.changeColumn` does when the old column is
/// passed by name: it loads the column from the database — type as `regtype` prints
/// it (lower-cased, `enum` for an enum, the element type with `isArray` for an
/// array), length as a string for the character and bit types (`""` for the default
/// length 1) — and drops and re-adds the column when type, length or array-ness differ
/// (`!==`) or a stored generated expression appears. `None` when the answer depends on
/// what the model does not hold: a type outside the default schema, or the
/// expression of a generated column TypeORM keeps in its metadata table.
pub fn typeorm_change_mode(
    old: &Column,
    new: &crate::ir::NamedChange,
    enums: &std::collections::BTreeMap<QualifiedName, EnumType>,
    default_schema: &str,
) -> Option<ChangeMode> {
    let (element, is_array) = match old.data_type.strip_suffix("[]") {
        Some(e) => (e, true),
        None => (old.data_type.as_str(), false),
    };
    let (loaded_type, loaded_length) =
        if enums.contains_key(&QualifiedName::new(default_schema, element)) {
            ("enum".to_string(), String::new())
        } else if element.contains(['"', '.', '[']) {
            return None;
        } else {
            // `character varying(255)` → `character varying` + 255; `timestamp(3)
            // with time zone` → `timestamp with time zone`; `numeric(10,2)` → `numeric`.
            let (name, typmod) = match (element.find('('), element.find(')')) {
                (Some(open), Some(close)) if open < close => (
                    format!("{}{}", element[..open].trim_end(), &element[close + 1..]),
                    Some(&element[open + 1..close]),
                ),
                _ => (element.to_string(), None),
            };
            let with_length = ["character varying", "character", "bit", "bit varying"];
            let length = match typmod {
                Some(n) if with_length.contains(&name.as_str()) => {
                    let default_one = (name == "character" || name == "bit") && n == "1";
                    if default_one {
                        String::new()
                    } else {
                        n.to_string()
                    }
                }
                _ => String::new(),
            };
            (name, length)
        };
    let differs = loaded_type != new.type_name
        || new.length.as_deref() != Some(loaded_length.as_str())
        || new.is_array != is_array
        || (old.generated.is_none() && new.generated_stored);
    if differs {
        Some(ChangeMode::Recreate)
    } else if new.generated_stored {
        None
    } else {
        Some(ChangeMode::InPlace)
    }
}

/// `schema.table.column` when what an op builds at run time can only change that one
/// column: a new type (`vector(${dim})`), or a type modifier, default, generated
/// expression or collation of a column it adds or alters. The doubt is then about that column — it
/// follows a rename and goes with a drop (`columns`) — and a hand edit elsewhere on
/// the table stays visible. `None` when a run-time part could reach further: a table
/// or column name, an added column's type name (`serial` would add a sequence, an enum
/// label list a type) or an inline constraint (fail closed: the table is in doubt).
fn run_time_column(kind: &OpKind) -> Option<String> {
    let (table, column) = match kind {
        OpKind::AlterColumnType { table, column, .. }
        | OpKind::SetDefault { table, column, .. } => (table, column.as_str()),
        OpKind::AddColumn { table, column, .. } => {
            // What the op builds exactly (a serial's sequence, an enum type, an
            // inline constraint) is replayed exactly; only where the run-time part
            // sits matters.
            let type_name = column.data_type.split('(').next().unwrap_or_default();
            let confined = !is_run_time(type_name)
                && !column
                    .constraints
                    .iter()
                    .any(ConstraintDef::has_run_time_part)
                && !column.enum_values.iter().flatten().any(|l| is_run_time(l));
            if !confined {
                return None;
            }
            (table, column.name.as_str())
        }
        _ => return None,
    };
    let qualified = format!("{table}.{column}");
    (!is_run_time(&qualified)).then_some(qualified)
}

/// The one statement an `Other` op's text holds, as sqlparser reads it: `None` when
/// part of it is built at run time or it is not exactly one statement (the object
/// modules then mark what it touches unverifiable).
fn parse_static_statement(op: &Operation) -> Option<sqlparser::ast::Statement> {
    parse_static_sql(&op.text)
}

/// [`parse_static_statement`] of a text (an op's text with parts sqlparser cannot read
/// taken out).
fn parse_static_sql(text: &str) -> Option<sqlparser::ast::Statement> {
    if text.contains(DYNAMIC_PLACEHOLDER) {
        return None;
    }
    sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, text)
        .ok()
        .filter(|s| s.len() == 1)
        .and_then(|mut s| s.pop())
}

/// Replay migrations into an empty database's schema.
pub fn replay(migrations: &[&Migration], default_schema: &str) -> (SchemaModel, Vec<Conflict>) {
    let mut model = SchemaModel::default();
    let conflicts = replay_onto(&mut model, migrations, default_schema);
    (model, conflicts)
}

struct Replayer<'a> {
    model: &'a mut SchemaModel,
    ds: String,
    /// Column defaults as drift compares them, each distinct text read once.
    defaults: DefaultCanon,
    conflicts: Vec<Conflict>,
    migration: String,
    /// Temporary tables created so far and not dropped: they last until the session
    /// ends, so they are never part of the schema drift audits (see
    /// [`Replayer::end_of_session`]).
    temporary_tables: BTreeSet<QualifiedName>,
    /// Partition and inheritance bookkeeping beyond the model (`partitions`).
    hierarchy: partitions::HierarchyState,
    /// Every name a constraint of the model has held since replay began (any schema,
    /// any kind): a superset of the current names, so `choose_relation_name` looks
    /// through all tables' constraints only for a name in it, not on every call
    /// (which made naming 1,000 tables' sequences and indexes quadratic). Each place
    /// that gives a constraint a name adds it here. Read from the model on first use:
    /// most replays (one migration onto a model, for lint and each pending step) never
    /// choose a name.
    constraint_names: std::cell::OnceCell<HashSet<String>>,
}

/// Records in `Replayer::constraint_names` that a constraint now has `name`; before
/// the set is first read there is nothing to record: it is read from the model then.
/// (A function of the field, so it can be called while a table is borrowed.)
fn note_constraint_name(names: &mut std::cell::OnceCell<HashSet<String>>, name: &str) {
    if let Some(names) = names.get_mut() {
        names.insert(name.to_string());
    }
}

impl Replayer<'_> {
    fn conflict(&mut self, object: impl Into<String>, message: impl Into<String>) {
        self.conflicts.push(Conflict {
            migration: self.migration.clone(),
            object: object.into(),
            message: message.into(),
        });
    }

    fn uncertain(&mut self, object: String, reason: String) {
        let list = self.model.uncertain.entry(object).or_default();
        if !list.contains(&reason) {
            list.push(reason);
        }
    }

    fn user_type_exists(&self, schema: &str, name: &str) -> bool {
        self.model
            .enums
            .contains_key(&QualifiedName::new(schema, name))
    }

    fn norm_type(&self, written: &str) -> String {
        let enums = &self.model.enums;
        normalize_type(written, &self.ds, &|s, n| {
            enums.contains_key(&QualifiedName::new(s, n))
        })
    }

    fn replay_op(&mut self, op: &Operation) {
        if op.dynamic && op.kind.changes_schema() && !self.replay_dynamic(op) {
            return;
        }
        match &op.guard {
            None => self.apply(op),
            Some(Guard::Swallowed(_)) => self.apply_unless_conflicting(op),
            Some(Guard::Condition(condition)) => self.apply_conditional(op, condition),
            // pg_constraint is searched by name alone: a constraint of that name on any
            // table keeps the statement from running.
            Some(Guard::ConstraintAbsent(name)) => {
                if !self
                    .model
                    .tables
                    .values()
                    .any(|t| t.constraints.contains_key(name))
                {
                    self.apply(op)
                }
            }
        }
    }

    /// A schema op with parts built at run time (`vector(${dim})`, `CREATE EXTENSION
    /// ${name}`): whatever the placeholder stands for is unknown, so what the op
    /// touches is uncertain; when it is the target's *name*, the op could touch any
    /// object and is not applied (replay never invents objects). Returns whether to
    /// apply the op.
    fn replay_dynamic(&mut self, op: &Operation) -> bool {
        // Every field the SQL reader filled, names and definitions alike.
        if !op.kind.has_run_time_part() {
            return true;
        }
        let why = format!(
            "{} in {}: part of it is built at run time and cannot be read statically",
            op.kind.name(),
            self.migration
        );
        let target = match &op.kind {
            // A comment on an object drift does not model: nothing to doubt.
            OpKind::Comment { on: None, .. } => return false,
            // A comment's text built at run time: the comment is unknown, so it is
            // not applied, and its object is unverifiable.
            OpKind::Comment { on: Some(on), .. } => {
                let object = on.object(&self.ds);
                if !object.contains(DYNAMIC_PLACEHOLDER) {
                    self.uncertain(object, why);
                    return false;
                }
                None
            }
            // Only one column's part is built at run time (its type modifier, its
            // default): the doubt is about that column, and goes with it when dropped.
            kind => run_time_column(kind)
                .or_else(|| kind.table().map(|t| t.to_string()))
                .or_else(|| kind.object()),
        };
        match target {
            Some(t) if !t.contains(DYNAMIC_PLACEHOLDER) => {
                self.uncertain(t, why);
                true
            }
            // An extension named at run time (`CREATE EXTENSION ${ext}`) adds types and
            // functions, which drift does not model: doubt about extensions only.
            _ if matches!(
                op.kind,
                OpKind::CreateExtension { .. } | OpKind::DropExtension { .. }
            ) =>
            {
                self.uncertain("extension ${…}".into(), why);
                false
            }
            _ => {
                self.uncertain("*".into(), why);
                false
            }
        }
    }

    /// An op whose failure is swallowed (a DO block's EXCEPTION handler): where it
    /// cannot apply, PostgreSQL skips it too, so that is no conflict.
    fn apply_unless_conflicting(&mut self, op: &Operation) {
        let conflicts_before = self.conflicts.len();
        self.apply(op);
        self.conflicts.truncate(conflicts_before);
    }

    /// An op under a run-time condition: replayed as a best guess, never vouched for.
    /// Where it cannot apply, the guard presumably kept it from running (`if
    /// (statusExists) DROP COLUMN status` on a database without the column), so that
    /// is no conflict; either way what it touches becomes uncertain — drift reports it
    /// as unverifiable rather than inventing or hiding a difference.
    fn apply_conditional(&mut self, op: &Operation, condition: &str) {
        self.apply_unless_conflicting(op);
        if !op.kind.changes_schema() {
            return;
        }
        let touched = match &op.kind {
            OpKind::Comment { on: Some(on), .. } => Some(on.object(&self.ds)),
            kind => kind
                .table()
                .map(|t| t.to_string())
                .or_else(|| kind.object()),
        }
        .unwrap_or_else(|| "*".into());
        let why = format!(
            "changed in {}: only if `{condition}`, which migguard cannot evaluate",
            self.migration
        );
        self.uncertain(touched, why);
    }

    /// One op, handed to the submodule of the object it changes.
    fn apply(&mut self, op: &Operation) {
        let typeorm = matches!(op.source, OpSource::Builder { .. });
        // The SQL reader folds names as the server does; builder calls pass theirs on.
        let stored;
        let kind = if typeorm {
            stored = stored_names::stored(&op.kind);
            &stored
        } else {
            &op.kind
        };
        match kind {
            OpKind::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists,
                indexes,
                unmodelled,
                hierarchy,
                as_query,
            } => self.create_table(
                table,
                columns,
                constraints,
                *if_not_exists,
                indexes,
                unmodelled,
                hierarchy,
                as_query,
                typeorm,
            ),
            OpKind::DropTable {
                table,
                if_exists,
                cascade,
            } => {
                if self.model.tables.contains_key(table) {
                    self.drop_descendants(table, *cascade);
                }
                self.drop_table(table, *if_exists)
            }
            OpKind::RenameTable { table, new_name } => self.rename_table(table, new_name, typeorm),
            OpKind::AddColumn {
                table,
                column,
                if_not_exists,
            } => self.add_column_unless_present(table, column, *if_not_exists, typeorm),
            OpKind::DropColumn {
                table,
                column,
                if_exists,
                cascade,
            } => self.drop_column(table, column, *if_exists, *cascade),
            OpKind::RenameColumn {
                table,
                column,
                new_name,
            } => self.rename_column(table, column, new_name),
            OpKind::AlterColumnType {
                table,
                column,
                data_type,
                ..
            } => self.alter_column_type(table, column, data_type),
            OpKind::SetNotNull { table, column } => self.set_not_null(table, column),
            OpKind::DropNotNull { table, column } => self.drop_not_null(table, column),
            OpKind::SetDefault {
                table,
                column,
                default,
            } => self.set_default(table, column, default),
            OpKind::DropDefault { table, column } => self.drop_default(table, column),
            OpKind::SetIdentity {
                table,
                column,
                change,
            } => self.set_identity(table, column, change),
            OpKind::ChangeColumn {
                table,
                column,
                new_column,
                new_name: _,
                sets_not_null: _,
                mode,
                by_name,
            } => {
                // Old column passed by name: TypeORM compares with the column as the
                // database has it, which the model knows.
                let resolved = by_name.as_ref().and_then(|named| {
                    let old = self.model.tables.get(table)?.column(column)?;
                    typeorm_change_mode(old, named, &self.model.enums, &self.ds)
                });
                let mode = resolved.as_ref().unwrap_or(mode);
                self.change_column(table, column, new_column, mode)
            }
            OpKind::AddConstraint { table, constraint } => {
                self.add_constraint_to_existing(table, constraint, typeorm)
            }
            OpKind::DropConstraint {
                table,
                name,
                if_exists,
                ..
            } => self.drop_constraint(table, name, *if_exists),
            OpKind::ValidateConstraint { table, name } => self.validate_constraint(table, name),
            OpKind::AlterConstraint {
                table,
                name,
                deferrable,
                initially_deferred,
            } => self.alter_constraint(table, name, *deferrable, *initially_deferred),
            OpKind::RenameConstraint {
                table,
                name,
                new_name,
            } => self.rename_constraint(table, name, new_name),
            OpKind::CreateIndex(def) => self.create_index(def, typeorm),
            OpKind::DropIndex {
                index, if_exists, ..
            } => self.drop_index(index, *if_exists),
            OpKind::RenameIndex { index, new_name } => self.rename_index(index, new_name),
            OpKind::CreateTypeEnum { name, labels } => self.create_enum(name, labels),
            OpKind::CreateTypeComposite { name, attributes } => {
                self.create_composite(name, attributes)
            }
            OpKind::AddEnumValue {
                name,
                value,
                before,
                after,
                if_not_exists,
            } => self.add_enum_value(name, value, before, after, *if_not_exists),
            OpKind::RenameEnumValue {
                name,
                value,
                new_value,
            } => self.rename_enum_value(name, value, new_value),
            OpKind::RenameType { name, new_name } => self.rename_type(name, new_name),
            OpKind::DropType {
                name, if_exists, ..
            } => self.drop_type(name, *if_exists),
            OpKind::DropDomain { name, cascade, .. } => self.drop_domain(name, *cascade),
            OpKind::CreateSequence {
                name,
                options,
                if_not_exists,
            } => self.create_sequence(name, options, *if_not_exists),
            OpKind::AlterSequence {
                name,
                options,
                new_name,
            } => self.alter_sequence(name, options, new_name),
            OpKind::DropSequence {
                name, if_exists, ..
            } => self.drop_sequence(name, *if_exists),
            OpKind::CreateView {
                name,
                materialized,
                columns,
                query,
                or_replace,
            } => self.create_view(name, *materialized, columns, query, *or_replace),
            OpKind::DropView {
                name, if_exists, ..
            } => self.drop_view(name, *if_exists),
            OpKind::CreateSchema {
                name,
                if_not_exists,
            } => self.create_schema(name, *if_not_exists),
            OpKind::DropSchema {
                name, if_exists, ..
            } => self.drop_schema(name, *if_exists),
            OpKind::RenameSchema { name, new_name } => self.rename_schema(name, new_name),
            OpKind::CreateExtension {
                name,
                schema,
                if_not_exists,
            } => self.create_extension(name, schema, *if_not_exists, &op.text),
            OpKind::DropExtension {
                name, if_exists, ..
            } => self.drop_extension(name, *if_exists),
            OpKind::Comment {
                on: Some(on), text, ..
            } => self.comment(on, text),
            // A comment on an object drift does not model (a domain, a role).
            OpKind::Comment { on: None, .. } => {}
            OpKind::Unparsed { .. } | OpKind::Opaque { .. } => self.unreadable(op),
            OpKind::DropDatabase { .. } => self.drop_database(),
            OpKind::Truncate { .. }
            | OpKind::Delete { .. }
            | OpKind::Update { .. }
            | OpKind::Insert { .. }
            | OpKind::SetOption { .. }
            | OpKind::TransactionControl { .. }
            | OpKind::Vacuum { .. }
            | OpKind::Cluster { .. }
            | OpKind::Reindex { .. } => {}
            OpKind::SetPersistence { table, logged } => self.set_persistence(table, *logged),
            OpKind::SetStorage { table, set, reset } => self.set_storage(table, set, reset),
            OpKind::AttachPartition { table, partition } => {
                self.attach_partition(table, partition, &op.text)
            }
            OpKind::DetachPartition {
                table,
                partition,
                concurrently,
                finalize,
            } => self.detach_partition(table, partition, *concurrently, *finalize),
            OpKind::Other { what } if what == "alter table inherit" => {
                self.alter_inheritance(&op.text, false)
            }
            OpKind::Other { what } if what == "alter table no inherit" => {
                self.alter_inheritance(&op.text, true)
            }
            OpKind::Other { what } if functions::is_routine_statement(what) => {
                self.replay_routine(op)
            }
            OpKind::Other { what } if triggers::is_trigger_statement(what) => {
                self.replay_trigger(op)
            }
            OpKind::Other { what } if policies::is_policy_statement(what) => self.replay_policy(op),
            OpKind::Other { what } if what == "alter extension" => self.alter_extension(&op.text),
            OpKind::Other { .. } => {}
        }
        self.recurse_to_children(kind);
    }
}

#[cfg(test)]
mod tests;
