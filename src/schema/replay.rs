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

use super::model::{
    Attribute, Column, CompositeType, Constraint, EnumType, Extension, Index, SchemaModel,
    Sequence, Table, View,
};
use super::naming;
use super::normalize::{
    canonical_default, canonical_expr, default_for_type, index_key, normalize_type, serial_base,
    split_index_key,
};
use super::view_columns::{self, ctas_columns, relations_used, rename_column_in_query, view_shape};
use crate::ir::{
    ChangeMode, ColumnDef, ConstraintDef, ConstraintKind, Guard, IdentityChange, IndexDef,
    Migration, OpKind, OpSource, Operation, QualifiedName, DYNAMIC_PLACEHOLDER,
};

/// One migration that could not be applied cleanly to the model (e.g. drops a
/// column that is not there): drift reports these as `conflicts-with-pending`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub migration: String,
    pub object: String,
    pub message: String,
}

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
        conflicts: Vec::new(),
        migration: String::new(),
    };
    r.model.schemas.insert(default_schema.to_string());
    for (mi, m) in migrations.iter().enumerate() {
        r.migration = m.name.clone();
        for (oi, op) in m.up.iter().enumerate() {
            before(mi, oi, r.model);
            r.replay_op(op);
        }
    }
    r.conflicts
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
    conflicts: Vec<Conflict>,
    migration: String,
}

/// A sequence as PostgreSQL prints it in a `nextval('…'::regclass)` default
/// (`regclassout`): unqualified in the default schema or `public`, each part
/// double-quoted unless it is a plain lower-case identifier (`"User_id_seq"`, as
/// Prisma's `SERIAL` on table `"User"` gives). Keywords are not checked: a serial's
/// `<table>_<column>_seq` never is one.
fn regclass_text(seq: &QualifiedName, default_schema: &str) -> String {
    let part = |p: &str| {
        let plain = p.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
        if plain {
            p.to_string()
        } else {
            format!("\"{}\"", p.replace('"', "\"\""))
        }
    };
    if seq.schema == default_schema || seq.schema == "public" {
        part(&seq.name)
    } else {
        format!("{}.{}", part(&seq.schema), part(&seq.name))
    }
}

fn fk_action(a: &Option<String>) -> Option<String> {
    a.as_ref()
        .map(|s| s.to_ascii_uppercase())
        .filter(|s| s != "NO ACTION")
}

/// PostgreSQL's bounds of a sequence type.
fn sequence_type_bounds(data_type: &str) -> (i64, i64) {
    match data_type {
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

/// `ALTER SEQUENCE`'s options applied as PostgreSQL applies them: `AS` moves a bound
/// that was the old type's own limit to the new type's (and only such a bound);
/// `RESTART` changes the current value, not the recorded start.
fn alter_sequence(s: &mut Sequence, o: &crate::ir::SequenceOptions, data_type: Option<String>) {
    if let Some(t) = data_type {
        let (old_min, old_max) = sequence_type_bounds(&s.data_type);
        let (new_min, new_max) = sequence_type_bounds(&t);
        if s.max_value == old_max {
            s.max_value = new_max;
        }
        if s.min_value == old_min {
            s.min_value = new_min;
        }
        s.data_type = t;
    }
    if let Some(i) = o.increment {
        s.increment = i;
    }
    if let Some(v) = o.min_value {
        s.min_value = v;
    }
    if let Some(v) = o.max_value {
        s.max_value = v;
    }
    if let Some(v) = o.start {
        s.start = v;
    }
    if let Some(v) = o.cache {
        s.cache = v;
    }
    if let Some(v) = o.cycle {
        s.cycle = v;
    }
    if let Some(owner) = &o.owned_by {
        s.owned_by = owner.clone();
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
        }
    }

    /// A schema op with parts built at run time (`vector(${dim})`, `CREATE EXTENSION
    /// ${name}`): whatever the placeholder stands for is unknown, so what the op
    /// touches is uncertain; when it is the target's *name*, the op could touch any
    /// object and is not applied (replay never invents objects). Returns whether to
    /// apply the op.
    fn replay_dynamic(&mut self, op: &Operation) -> bool {
        // Every field the SQL reader filled, names and definitions alike.
        if !format!("{:?}", op.kind).contains(DYNAMIC_PLACEHOLDER) {
            return true;
        }
        let why = format!(
            "{} in {}: part of it is built at run time and cannot be read statically",
            op.kind.name(),
            self.migration
        );
        let target = op
            .kind
            .table()
            .map(|t| t.to_string())
            .or_else(|| op.kind.object());
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
        let touched = op
            .kind
            .table()
            .map(|t| t.to_string())
            .or_else(|| op.kind.object())
            .unwrap_or_else(|| "*".into());
        let why = format!(
            "changed in {}: only if `{condition}`, which migguard cannot evaluate",
            self.migration
        );
        self.uncertain(touched, why);
    }

    fn apply(&mut self, op: &Operation) {
        let typeorm = matches!(op.source, OpSource::Builder { .. });
        match &op.kind {
            OpKind::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists,
                indexes,
                unmodelled,
                as_query,
            } => {
                if self.model.tables.contains_key(table) {
                    if !if_not_exists {
                        self.conflict(
                            table.to_string(),
                            format!("CREATE TABLE {table}: the table already exists"),
                        );
                    }
                    return;
                }
                self.model.schemas.insert(table.schema.clone());
                // `AS query` of plain columns of one table: those columns' types (a
                // permanent table of them is modelled in full).
                let derived = as_query
                    .as_deref()
                    .filter(|_| columns.is_empty())
                    .and_then(|q| ctas_columns(q, self.model, &self.ds));
                let temporary = unmodelled
                    .as_deref()
                    .is_some_and(|u| u.contains("TEMPORARY"));
                let unmodelled = match &derived {
                    Some(_) if !temporary && unmodelled.as_deref() == Some("AS query") => &None,
                    _ => unmodelled,
                };
                self.model.tables.insert(
                    table.clone(),
                    Table {
                        unmodelled: unmodelled.clone(),
                        columns: derived.unwrap_or_default(),
                        ..Table::new(table.clone())
                    },
                );
                if unmodelled.is_some() {
                    self.uncertain(
                        table.to_string(),
                        format!(
                            "CREATE TABLE in {}: created with {}",
                            self.migration,
                            unmodelled.clone().unwrap_or_default()
                        ),
                    );
                }
                let (columns, constraints) =
                    merge_duplicate_index_constraints(columns, constraints, typeorm);
                for c in &columns {
                    self.add_column(table, c, typeorm);
                }
                for c in &constraints {
                    self.add_constraint(table, c, typeorm);
                }
                for i in indexes {
                    self.create_index(i, typeorm);
                }
            }
            OpKind::DropTable {
                table, if_exists, ..
            } => self.drop_table(table, *if_exists),
            OpKind::RenameTable { table, new_name } => self.rename_table(table, new_name, typeorm),
            OpKind::AddColumn {
                table,
                column,
                if_not_exists,
            } => {
                let exists = self
                    .model
                    .tables
                    .get(table)
                    .map(|t| t.column(&column.name).is_some());
                match exists {
                    None => self.conflict(
                        table.to_string(),
                        format!("ADD COLUMN {}: table {table} does not exist", column.name),
                    ),
                    Some(true) if *if_not_exists => {}
                    Some(true) => self.conflict(
                        format!("{table}.{}", column.name),
                        format!("ADD COLUMN {}: the column already exists", column.name),
                    ),
                    Some(false) => self.add_column(table, column, typeorm),
                }
            }
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
            } => {
                let ty = self.norm_type(data_type);
                if let Some(c) = self.column_mut(table, column) {
                    c.data_type = ty;
                    // Without COLLATE, a type change takes the new type's default.
                    c.collation = None;
                }
            }
            OpKind::SetNotNull { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.not_null = true;
                }
            }
            OpKind::DropNotNull { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.not_null = false;
                }
            }
            OpKind::SetDefault {
                table,
                column,
                default,
            } => {
                let d = canonical_default(Some(default), &self.ds);
                if let Some(c) = self.column_mut(table, column) {
                    c.default = d.map(|d| default_for_type(d, &c.data_type));
                }
            }
            OpKind::DropDefault { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.default = None;
                }
            }
            OpKind::SetIdentity {
                table,
                column,
                change,
            } => {
                let Some(c) = self.column_mut(table, column) else {
                    return;
                };
                let refused = match change {
                    // PostgreSQL refuses an identity on a column with a default.
                    IdentityChange::Add { .. } if c.default.is_some() => Some("has a default"),
                    IdentityChange::Add { .. } if c.identity.is_some() => {
                        Some("is already an identity column")
                    }
                    IdentityChange::Set { .. } | IdentityChange::Drop { if_exists: false }
                        if c.identity.is_none() =>
                    {
                        Some("is not an identity column")
                    }
                    IdentityChange::Add { identity } | IdentityChange::Set { identity } => {
                        c.identity = Some(*identity);
                        c.not_null = true;
                        None
                    }
                    IdentityChange::Drop { .. } => {
                        c.identity = None;
                        None
                    }
                };
                if let Some(why) = refused {
                    self.conflict(
                        format!("{table}.{column}"),
                        format!("identity change refused: column {column} {why}"),
                    );
                }
            }
            OpKind::AddConstraint { table, constraint } => {
                if !self.model.tables.contains_key(table) {
                    self.conflict(
                        table.to_string(),
                        format!("ADD CONSTRAINT: table {table} does not exist"),
                    );
                    return;
                }
                self.add_constraint(table, constraint, typeorm);
            }
            OpKind::DropConstraint {
                table,
                name,
                if_exists,
                ..
            } => {
                let Some(t) = self.model.tables.get_mut(table) else {
                    self.conflict(
                        table.to_string(),
                        format!("DROP CONSTRAINT: table {table} does not exist"),
                    );
                    return;
                };
                let name = match name {
                    Some(n) => Some(n.clone()),
                    // dropPrimaryKey() without a name: the table's PK.
                    None => t
                        .constraints
                        .values()
                        .find(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
                        .map(|c| c.name.clone()),
                };
                match name {
                    Some(n) if t.constraints.remove(&n).is_some() => {
                        if let Some(ConstraintKind::PrimaryKey { .. }) = None::<ConstraintKind> {}
                    }
                    Some(_) if *if_exists => {}
                    Some(n) => self.conflict(
                        format!("{table}.{n}"),
                        format!("DROP CONSTRAINT {n}: no such constraint on {table}"),
                    ),
                    None if *if_exists => {}
                    None => self.conflict(
                        table.to_string(),
                        "DROP CONSTRAINT: the constraint cannot be identified",
                    ),
                }
            }
            OpKind::ValidateConstraint { table, name } => {
                if let Some(c) = self
                    .model
                    .tables
                    .get_mut(table)
                    .and_then(|t| t.constraints.get_mut(name))
                {
                    c.validated = true;
                }
            }
            OpKind::AlterConstraint {
                table,
                name,
                deferrable,
                initially_deferred,
            } => {
                let Some(t) = self.model.tables.get_mut(table) else {
                    return;
                };
                let refused = match t.constraints.get_mut(name) {
                    // PostgreSQL 15–17 alter only foreign keys this way.
                    Some(c) if matches!(c.kind, ConstraintKind::ForeignKey { .. }) => {
                        c.deferrable = *deferrable;
                        c.initially_deferred = *initially_deferred;
                        return;
                    }
                    Some(_) => "is not a foreign key constraint",
                    None => "does not exist",
                };
                self.conflict(
                    format!("{table}.{name}"),
                    format!("ALTER CONSTRAINT: constraint {name} {refused}"),
                );
            }
            OpKind::RenameConstraint {
                table,
                name,
                new_name,
            } => {
                let Some(t) = self.model.tables.get_mut(table) else {
                    return;
                };
                match t.constraints.remove(name) {
                    Some(mut c) => {
                        c.name = new_name.clone();
                        t.constraints.insert(new_name.clone(), c);
                    }
                    None => self.conflict(
                        format!("{table}.{name}"),
                        format!("RENAME CONSTRAINT {name}: no such constraint"),
                    ),
                }
            }
            OpKind::CreateIndex(def) => self.create_index(def, typeorm),
            OpKind::DropIndex {
                index, if_exists, ..
            } => {
                if self.model.indexes.remove(index).is_none() {
                    // An index backing a constraint cannot be dropped with DROP INDEX;
                    // a missing one is a conflict unless IF EXISTS.
                    if !if_exists {
                        self.conflict(
                            index.to_string(),
                            format!("DROP INDEX {index}: no such index"),
                        );
                    }
                }
            }
            OpKind::RenameIndex { index, new_name } => {
                if let Some(mut i) = self.model.indexes.remove(index) {
                    i.name = QualifiedName::new(index.schema.clone(), new_name.clone());
                    self.model.indexes.insert(i.name.clone(), i);
                } else {
                    // Renaming a constraint's index renames the constraint.
                    let renamed = self.model.tables.values_mut().find_map(|t| {
                        let c = t.constraints.remove(&index.name)?;
                        Some((t, c))
                    });
                    match renamed {
                        Some((t, mut c)) => {
                            c.name = new_name.clone();
                            t.constraints.insert(new_name.clone(), c);
                        }
                        None => self.conflict(
                            index.to_string(),
                            format!("ALTER INDEX {index} RENAME: no such index"),
                        ),
                    }
                }
            }
            OpKind::CreateTypeEnum { name, labels } => {
                if self.model.enums.contains_key(name) {
                    self.conflict(
                        name.to_string(),
                        format!("CREATE TYPE {name}: the type already exists"),
                    );
                    return;
                }
                self.model.enums.insert(
                    name.clone(),
                    EnumType {
                        name: name.clone(),
                        labels: labels.clone(),
                    },
                );
            }
            OpKind::CreateTypeComposite { name, attributes } => {
                if self.model.enums.contains_key(name) || self.model.composites.contains_key(name) {
                    self.conflict(
                        name.to_string(),
                        format!("CREATE TYPE {name}: the type already exists"),
                    );
                    return;
                }
                let attributes = attributes
                    .iter()
                    .map(|(n, t)| Attribute {
                        name: n.clone(),
                        data_type: self.norm_type(t),
                    })
                    .collect();
                self.model.composites.insert(
                    name.clone(),
                    CompositeType {
                        name: name.clone(),
                        attributes,
                    },
                );
            }
            OpKind::AddEnumValue {
                name,
                value,
                before,
                after,
                if_not_exists,
            } => {
                let Some(e) = self.model.enums.get_mut(name) else {
                    self.conflict(
                        name.to_string(),
                        format!("ALTER TYPE {name} ADD VALUE: no such type"),
                    );
                    return;
                };
                if e.labels.contains(value) {
                    if !if_not_exists {
                        self.conflict(
                            name.to_string(),
                            format!("enum label {value} already exists"),
                        );
                    }
                    return;
                }
                let pos = match (before, after) {
                    (Some(b), _) => e.labels.iter().position(|l| l == b),
                    (_, Some(a)) => e.labels.iter().position(|l| l == a).map(|p| p + 1),
                    _ => None,
                };
                match pos {
                    Some(p) => e.labels.insert(p, value.clone()),
                    None => e.labels.push(value.clone()),
                }
            }
            OpKind::RenameEnumValue {
                name,
                value,
                new_value,
            } => {
                if let Some(l) = self
                    .model
                    .enums
                    .get_mut(name)
                    .and_then(|e| e.labels.iter_mut().find(|l| *l == value))
                {
                    *l = new_value.clone();
                    // A default of the type holds the label by OID: it prints renamed.
                    let type_name = name.to_string();
                    for t in self.model.tables.values_mut() {
                        for c in &mut t.columns {
                            let array = match c.data_type.strip_prefix(type_name.as_str()) {
                                Some("") => false,
                                Some(rest) if rest.starts_with('[') => true,
                                _ => continue,
                            };
                            if let Some(d) = &mut c.default {
                                *d = rename_label_in_default(d, value, new_value, array);
                            }
                        }
                    }
                }
            }
            OpKind::RenameType { name, new_name } => self.rename_type(name, new_name),
            OpKind::DropType {
                name, if_exists, ..
            } => {
                let dropped = self.model.enums.remove(name).is_some()
                    || self.model.composites.remove(name).is_some();
                if !dropped && !if_exists {
                    self.conflict(name.to_string(), format!("DROP TYPE {name}: no such type"));
                }
            }
            // Domains are not modelled; with CASCADE the columns of the domain go too.
            OpKind::DropDomain { name, cascade, .. } => {
                if *cascade {
                    let domain = name.name.clone();
                    for table in self.model.tables.values_mut() {
                        table.columns.retain(|c| c.data_type != domain);
                    }
                }
            }
            OpKind::CreateExtension { name, schema, .. } => {
                self.model.extensions.insert(
                    name.clone(),
                    Extension {
                        name: name.clone(),
                        schema: schema.clone().or_else(|| Some(self.ds.clone())),
                    },
                );
            }
            OpKind::DropExtension {
                name, if_exists, ..
            } => {
                if self.model.extensions.remove(name).is_none() && !if_exists {
                    self.conflict(
                        name.clone(),
                        format!("DROP EXTENSION {name}: not installed"),
                    );
                }
            }
            OpKind::CreateSequence {
                name,
                options,
                if_not_exists,
            } => {
                if self.model.sequences.contains_key(name) {
                    if !if_not_exists {
                        self.conflict(
                            name.to_string(),
                            format!("CREATE SEQUENCE {name}: already exists"),
                        );
                    }
                    return;
                }
                let data_type = options
                    .data_type
                    .as_deref()
                    .map(|t| self.norm_type(t))
                    .unwrap_or_else(|| "bigint".into());
                // PostgreSQL's defaults: an ascending sequence runs from 1 to the
                // type's maximum, a descending one from -1 down to its minimum, and
                // starts at the end it counts from.
                let (type_min, type_max) = sequence_type_bounds(&data_type);
                let increment = options.increment.unwrap_or(1);
                let ascending = increment > 0;
                let min = options
                    .min_value
                    .unwrap_or(if ascending { 1 } else { type_min });
                let max = options
                    .max_value
                    .unwrap_or(if ascending { type_max } else { -1 });
                self.model.sequences.insert(
                    name.clone(),
                    Sequence {
                        name: name.clone(),
                        data_type,
                        start: options.start.unwrap_or(if ascending { min } else { max }),
                        increment,
                        min_value: min,
                        max_value: max,
                        cache: options.cache.unwrap_or(1),
                        cycle: options.cycle.unwrap_or(false),
                        owned_by: options.owned_by.clone().flatten(),
                    },
                );
            }
            OpKind::AlterSequence {
                name,
                options,
                new_name,
            } => {
                let Some(mut s) = self.model.sequences.remove(name) else {
                    self.uncertain(
                        name.to_string(),
                        "ALTER SEQUENCE on a sequence migguard does not know".into(),
                    );
                    return;
                };
                let data_type = options.data_type.as_deref().map(|t| self.norm_type(t));
                alter_sequence(&mut s, options, data_type);
                self.model.sequences.insert(s.name.clone(), s);
                if let Some(n) = new_name {
                    self.rename_sequence(name, n);
                }
            }
            OpKind::DropSequence {
                name, if_exists, ..
            } => {
                if self.model.sequences.remove(name).is_none() && !if_exists {
                    self.conflict(
                        name.to_string(),
                        format!("DROP SEQUENCE {name}: no such sequence"),
                    );
                }
            }
            OpKind::CreateView {
                name,
                materialized,
                columns,
                query,
                or_replace,
            } => {
                if self.model.views.contains_key(name) && !or_replace {
                    self.conflict(
                        name.to_string(),
                        format!("CREATE VIEW {name}: already exists"),
                    );
                }
                let shape = view_shape(query, columns, self.model, &self.ds);
                self.model.views.insert(
                    name.clone(),
                    View {
                        name: name.clone(),
                        materialized: *materialized,
                        definition: Some(shape.as_ref().map_or(query, |s| &s.query).clone()),
                        columns: shape.map(|s| s.columns),
                    },
                );
            }
            OpKind::DropView {
                name, if_exists, ..
            } => {
                if self.model.views.contains_key(name) {
                    self.drop_relation_dependents(name);
                    self.model.views.remove(name);
                } else if !if_exists {
                    self.conflict(name.to_string(), format!("DROP VIEW {name}: no such view"));
                }
            }
            OpKind::CreateSchema {
                name,
                if_not_exists,
            } => {
                if !self.model.schemas.insert(name.clone()) && !if_not_exists {
                    self.conflict(
                        name.clone(),
                        format!("CREATE SCHEMA {name}: already exists"),
                    );
                }
            }
            OpKind::DropSchema {
                name, if_exists, ..
            } => {
                if !self.model.schemas.remove(name) && !if_exists {
                    self.conflict(name.clone(), format!("DROP SCHEMA {name}: no such schema"));
                }
                let n = name.clone();
                self.model.tables.retain(|k, _| k.schema != n);
                self.model.indexes.retain(|k, _| k.schema != n);
                self.model.enums.retain(|k, _| k.schema != n);
                self.model.sequences.retain(|k, _| k.schema != n);
                self.model.views.retain(|k, _| k.schema != n);
                self.model.functions.retain(|_, f| f.name.schema != n);
            }
            OpKind::RenameSchema { name, new_name } => {
                self.uncertain(
                    name.clone(),
                    format!(
                        "ALTER SCHEMA {name} RENAME TO {new_name}: objects moved, not replayed"
                    ),
                );
            }
            OpKind::ChangeColumn {
                table,
                column,
                new_column,
                new_name: _,
                sets_not_null: _,
                mode,
            } => {
                let Some(new) = new_column else {
                    self.uncertain(
                        format!("{table}.{column}"),
                        "changeColumn with a column definition migguard cannot read".into(),
                    );
                    return;
                };
                match mode {
                    ChangeMode::InPlace | ChangeMode::Unknown => {
                        let ty = self.col_type(table, new, true);
                        let default = canonical_default(new.default.as_deref(), &self.ds);
                        if let Some(c) = self.column_mut(table, column) {
                            c.default = default.map(|d| default_for_type(d, &ty));
                            c.data_type = ty;
                            c.not_null = new.not_null;
                            c.name = new.name.clone();
                        } else {
                            self.conflict(
                                format!("{table}.{column}"),
                                "changeColumn: no such column",
                            );
                        }
                    }
                    ChangeMode::Recreate => {
                        // TypeORM's DROP COLUMN has no CASCADE.
                        self.drop_column(table, column, false, false);
                        self.add_column(table, new, true);
                    }
                }
            }
            OpKind::Unparsed { .. } | OpKind::Opaque { .. } => {
                let reason = match &op.kind {
                    OpKind::Unparsed { reason } | OpKind::Opaque { reason } => reason.clone(),
                    _ => String::new(),
                };
                let mut mentioned = self.mentioned_tables(&op.text);
                for created in created_objects(&op.text, &self.ds) {
                    if !mentioned.contains(&created) {
                        mentioned.push(created);
                    }
                }
                let why = format!("{} in {}: {reason}", op.kind.name(), self.migration);
                if mentioned.is_empty() {
                    self.uncertain("*".into(), why);
                } else {
                    for t in mentioned {
                        self.uncertain(t, why.clone());
                    }
                }
            }
            OpKind::DropDatabase { .. } => {
                self.uncertain("*".into(), format!("DROP DATABASE in {}", self.migration))
            }
            OpKind::Truncate { .. }
            | OpKind::Delete { .. }
            | OpKind::Update { .. }
            | OpKind::Insert { .. }
            | OpKind::Comment { .. }
            | OpKind::SetOption { .. }
            | OpKind::TransactionControl { .. } => {}
            OpKind::Other { what } if functions::is_routine_statement(what) => {
                self.replay_routine(op)
            }
            OpKind::Other { what } if triggers::is_trigger_statement(what) => {
                self.replay_trigger(op)
            }
            OpKind::Other { what } if policies::is_policy_statement(what) => self.replay_policy(op),
            OpKind::Other { .. } => {}
        }
    }

    /// Tables (and composite types: `ALTER TYPE … ADD ATTRIBUTE` is not read) of the
    /// model whose names appear as words in the (blanked) text.
    fn mentioned_tables(&self, text: &str) -> Vec<String> {
        // Raw text, strings included: dynamic SQL in EXECUTE '…' names tables too.
        let t = text.to_lowercase().replace('"', " ");
        let words: std::collections::BTreeSet<&str> = t
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .collect();
        self.model
            .tables
            .keys()
            .chain(self.model.composites.keys())
            .filter(|k| words.contains(k.name.to_lowercase().as_str()))
            .map(|k| k.to_string())
            .collect()
    }

    fn column_mut(&mut self, table: &QualifiedName, column: &str) -> Option<&mut Column> {
        let exists = self
            .model
            .tables
            .get(table)
            .map(|t| t.column(column).is_some());
        match exists {
            Some(true) => self
                .model
                .tables
                .get_mut(table)
                .and_then(|t| t.column_mut(column)),
            Some(false) => {
                self.conflict(
                    format!("{table}.{column}"),
                    format!("column {column} of {table} does not exist"),
                );
                None
            }
            None => {
                self.conflict(table.to_string(), format!("table {table} does not exist"));
                None
            }
        }
    }

    /// Normalised type of a column, creating TypeORM's enum type when needed.
    fn col_type(&mut self, table: &QualifiedName, c: &ColumnDef, typeorm: bool) -> String {
        if let Some(values) = &c.enum_values {
            let written = c.data_type.trim_end_matches("[]");
            let parts: Vec<String> = written
                .split('.')
                .map(|p| p.trim_matches('"').to_string())
                .collect();
            let name = match parts.as_slice() {
                [s, n] => QualifiedName::new(s.clone(), n.clone()),
                _ => QualifiedName::new(
                    table.schema.clone(),
                    parts.last().cloned().unwrap_or_default(),
                ),
            };
            if typeorm && !self.user_type_exists(&name.schema, &name.name) {
                self.model.enums.insert(
                    name.clone(),
                    EnumType {
                        name: name.clone(),
                        labels: values.clone(),
                    },
                );
            }
            let arr = if c.data_type.ends_with("[]") {
                "[]"
            } else {
                ""
            };
            return format!("{name}{arr}");
        }
        self.norm_type(&c.data_type)
    }

    fn add_column(&mut self, table: &QualifiedName, c: &ColumnDef, typeorm: bool) {
        let mut data_type = self.col_type(table, c, typeorm);
        let mut default = canonical_default(c.default.as_deref(), &self.ds);
        let mut not_null = c.not_null;
        if let Some(base) = serial_base(&c.data_type) {
            data_type = base.to_string();
            let seq_name = QualifiedName::new(
                table.schema.clone(),
                naming::pg_name(&table.name, Some(&c.name), "seq"),
            );
            let max = match base {
                "integer" => i32::MAX as i64,
                "smallint" => i16::MAX as i64,
                _ => i64::MAX,
            };
            self.model.sequences.insert(
                seq_name.clone(),
                Sequence {
                    name: seq_name.clone(),
                    data_type: base.into(),
                    start: 1,
                    increment: 1,
                    min_value: 1,
                    max_value: max,
                    cache: 1,
                    cycle: false,
                    owned_by: Some((table.clone(), c.name.clone())),
                },
            );
            let qualified = regclass_text(&seq_name, &self.ds);
            default =
                canonical_default(Some(&format!("nextval('{qualified}'::regclass)")), &self.ds);
            not_null = true;
        }
        if c.identity.is_some() {
            not_null = true;
        }
        let column = Column {
            name: c.name.clone(),
            default: default.map(|d| default_for_type(d, &data_type)),
            data_type,
            not_null,
            identity: c.identity,
            generated: c.generated.as_deref().map(|g| canonical_expr(g, &self.ds)),
            collation: c.collation.as_deref().and_then(collation_name),
        };
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        t.columns.push(column);
        for k in &c.constraints {
            self.add_constraint(table, k, typeorm);
        }
    }

    fn add_constraint(&mut self, table: &QualifiedName, c: &ConstraintDef, typeorm: bool) {
        let owned;
        let c = match &c.using_index {
            Some(index) => match self.constraint_from_index(table, c, index) {
                Some(def) => {
                    owned = def;
                    &owned
                }
                None => return,
            },
            None => c,
        };
        let tname = &table.name;
        let name = c.name.clone().unwrap_or_else(|| match (&c.kind, typeorm) {
            (ConstraintKind::PrimaryKey { columns }, true) => naming::typeorm_pk(tname, columns),
            (ConstraintKind::Unique { columns, .. }, true) => {
                naming::typeorm_unique(tname, columns)
            }
            (ConstraintKind::ForeignKey { columns, .. }, true) => {
                naming::typeorm_fk(tname, columns)
            }
            (ConstraintKind::Check { expr }, true) => naming::typeorm_check(tname, expr),
            (ConstraintKind::Exclusion { definition }, true) => {
                naming::typeorm_exclusion(tname, definition)
            }
            (ConstraintKind::PrimaryKey { .. }, false) => naming::pg_name(tname, None, "pkey"),
            (ConstraintKind::Unique { columns, .. }, false) => {
                naming::pg_name(tname, Some(&columns.join("_")), "key")
            }
            (ConstraintKind::ForeignKey { columns, .. }, false) => {
                naming::pg_name(tname, Some(&columns.join("_")), "fkey")
            }
            (ConstraintKind::Check { expr }, false) => {
                let t = self.model.tables.get(table);
                // PostgreSQL names the column only when the check uses exactly one.
                let col = t.and_then(|t| {
                    let e = canonical_expr(expr, &self.ds);
                    let used: std::collections::BTreeSet<&str> = e
                        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                        .filter(|w| t.column(w).is_some())
                        .collect();
                    match used.into_iter().collect::<Vec<_>>().as_slice() {
                        [one] => Some(one.to_string()),
                        _ => None,
                    }
                });
                naming::pg_name(tname, col.as_deref(), "check")
            }
            (ConstraintKind::Exclusion { definition }, false) => {
                let parts = naming::exclusion_name_parts(definition).join("_");
                naming::pg_name(
                    tname,
                    Some(parts.as_str()).filter(|p| !p.is_empty()),
                    "excl",
                )
            }
        });
        let kind = match &c.kind {
            ConstraintKind::Check { expr } => ConstraintKind::Check {
                expr: canonical_expr(expr, &self.ds),
            },
            ConstraintKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
            } => {
                // REFERENCES t without columns means t's primary key.
                let ref_columns = if ref_columns.is_empty() {
                    self.model
                        .tables
                        .get(ref_table)
                        .and_then(|t| {
                            t.constraints.values().find_map(|k| match &k.kind {
                                ConstraintKind::PrimaryKey { columns } => Some(columns.clone()),
                                _ => None,
                            })
                        })
                        .unwrap_or_default()
                } else {
                    ref_columns.clone()
                };
                ConstraintKind::ForeignKey {
                    columns: columns.clone(),
                    ref_table: ref_table.clone(),
                    ref_columns,
                    on_delete: fk_action(on_delete),
                    on_update: fk_action(on_update),
                }
            }
            other => other.clone(),
        };
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        if let ConstraintKind::PrimaryKey { columns } = &kind {
            for col in t
                .columns
                .iter_mut()
                .filter(|col| columns.contains(&col.name))
            {
                col.not_null = true;
            }
        }
        if t.constraints.contains_key(&name) {
            self.conflict(
                format!("{table}.{name}"),
                format!("constraint {name} already exists"),
            );
            return;
        }
        // NOT VALID is ignored inside CREATE TABLE; only ALTER TABLE ADD keeps it.
        t.constraints.insert(
            name.clone(),
            Constraint {
                name,
                kind,
                validated: !c.not_valid,
                deferrable: c.deferrable,
                initially_deferred: c.initially_deferred,
            },
        );
    }

    /// `ADD CONSTRAINT c {UNIQUE | PRIMARY KEY} USING INDEX i`: the constraint takes
    /// the index's columns and NULLS NOT DISTINCT, the index becomes the constraint's
    /// own (PostgreSQL renames it to the constraint's name, drops it with the
    /// constraint and renames the pair together), so it leaves the standalone
    /// indexes. PostgreSQL refuses an index that is not a plain unique btree on
    /// columns with the default ordering: a conflict here. `None` when refused.
    fn constraint_from_index(
        &mut self,
        table: &QualifiedName,
        c: &ConstraintDef,
        index: &str,
    ) -> Option<ConstraintDef> {
        let qname = QualifiedName::new(table.schema.clone(), index);
        let refused = match self.model.indexes.get(&qname) {
            None => Some("no such index".to_string()),
            Some(i) if i.table != *table => Some(format!("the index is not on {table}")),
            Some(i) if !i.unique || i.method != "btree" || i.predicate.is_some() => {
                Some("the index is not a plain unique btree index".to_string())
            }
            Some(i)
                if i.keys.iter().any(|k| {
                    let (head, rest) = split_index_key(k);
                    head.starts_with('(') || !rest.is_empty()
                }) =>
            {
                Some("the index has expressions or a non-default ordering".to_string())
            }
            Some(_) => None,
        };
        if let Some(why) = refused {
            self.conflict(
                qname.to_string(),
                format!("ADD CONSTRAINT … USING INDEX {index}: {why}"),
            );
            return None;
        }
        let i = self.model.indexes.remove(&qname)?;
        let columns = i.keys;
        let kind = match c.kind {
            ConstraintKind::PrimaryKey { .. } => ConstraintKind::PrimaryKey { columns },
            _ => ConstraintKind::Unique {
                columns,
                nulls_not_distinct: i.nulls_not_distinct,
            },
        };
        Some(ConstraintDef {
            name: Some(c.name.clone().unwrap_or_else(|| index.to_string())),
            kind,
            using_index: None,
            ..c.clone()
        })
    }

    /// PostgreSQL's `ChooseRelationName`: `name1_name2_label`, then `…_label1`,
    /// `…_label2`… until no relation of the schema (table, view, sequence, index,
    /// constraint index) has the name.
    fn choose_relation_name(&self, schema: &str, name1: &str, name2: &str, label: &str) -> String {
        let taken = |name: &str| {
            let q = QualifiedName::new(schema.to_string(), name.to_string());
            self.model.indexes.contains_key(&q)
                || self.model.tables.contains_key(&q)
                || self.model.views.contains_key(&q)
                || self.model.sequences.contains_key(&q)
                || self.model.tables.values().any(|t| {
                    t.name.schema == schema
                        && t.constraints.get(name).is_some_and(|c| {
                            matches!(
                                c.kind,
                                ConstraintKind::PrimaryKey { .. }
                                    | ConstraintKind::Unique { .. }
                                    | ConstraintKind::Exclusion { .. }
                            )
                        })
                })
        };
        let name2 = Some(name2).filter(|n| !n.is_empty());
        let mut pass = 0;
        loop {
            let modlabel = if pass == 0 {
                label.to_string()
            } else {
                format!("{label}{pass}")
            };
            let name = naming::pg_name(name1, name2, &modlabel);
            if !taken(&name) {
                return name;
            }
            pass += 1;
        }
    }

    fn create_index(&mut self, def: &IndexDef, typeorm: bool) {
        let cols: Vec<String> = def.keys.iter().map(|k| k.expr.clone()).collect();
        let name = def.name.clone().unwrap_or_else(|| {
            if typeorm {
                naming::typeorm_index(&def.table.name, &cols, def.predicate.as_deref())
            } else {
                let keys: Vec<(String, bool)> = def
                    .keys
                    .iter()
                    .map(|k| (k.expr.clone(), k.is_expression))
                    .collect();
                let part = naming::index_column_names(&keys, &def.include).join("_");
                self.choose_relation_name(&def.table.schema, &def.table.name, &part, "idx")
            }
        });
        let qname = QualifiedName::new(def.table.schema.clone(), name);
        if self.model.indexes.contains_key(&qname) {
            if !def.if_not_exists {
                self.conflict(
                    qname.to_string(),
                    format!("CREATE INDEX {qname}: already exists"),
                );
            }
            return;
        }
        let materialized = self
            .model
            .views
            .get(&def.table)
            .is_some_and(|v| v.materialized);
        if !self.model.tables.contains_key(&def.table) && !materialized {
            self.conflict(
                def.table.to_string(),
                format!("CREATE INDEX {qname}: table {} does not exist", def.table),
            );
            return;
        }
        let keys = def
            .keys
            .iter()
            .map(|k| {
                index_key(
                    &k.expr,
                    k.is_expression,
                    k.opclass.as_deref(),
                    k.descending,
                    k.nulls_first,
                    &self.ds,
                )
            })
            .collect();
        self.model.indexes.insert(
            qname.clone(),
            Index {
                name: qname,
                table: def.table.clone(),
                unique: def.unique,
                method: def.method.clone().unwrap_or_else(|| "btree".into()),
                keys,
                include: def.include.clone(),
                predicate: def
                    .predicate
                    .as_deref()
                    .map(|p| canonical_expr(p, &self.ds)),
                nulls_not_distinct: def.nulls_not_distinct,
            },
        );
    }

    fn rename_type(&mut self, name: &QualifiedName, new_name: &QualifiedName) {
        if let Some(mut c) = self.model.composites.remove(name) {
            c.name = new_name.clone();
            self.model.composites.insert(new_name.clone(), c);
            self.uncertain(
                new_name.to_string(),
                "columns of a renamed composite type are not followed".into(),
            );
        }
        if let Some(mut e) = self.model.enums.remove(name) {
            e.name = new_name.clone();
            self.model.enums.insert(new_name.clone(), e);
            // Columns of the type follow the rename.
            let (old, new) = (name.to_string(), new_name.to_string());
            for t in self.model.tables.values_mut() {
                for c in &mut t.columns {
                    if let Some(rest) = c.data_type.strip_prefix(&old) {
                        if rest.is_empty() || rest.starts_with('[') {
                            c.data_type = format!("{new}{rest}");
                        }
                    }
                }
            }
        }
    }

    /// What TypeORM 0.3's `renameTable` renames besides the table and the constraints
    /// with default names: indexes whose name is the naming strategy's for the old
    /// table (a partial index's name hashes TypeORM's own text of the predicate, which
    /// replay does not have: those keep their name, as they would unless it matched),
    /// each serial column's `<table>_<column>_seq`, and each enum column's type
    /// named `<table>_<column>_enum`. `t` is the table, already renamed.
    fn typeorm_rename_table_extras(&mut self, old: &QualifiedName, t: &Table) {
        let new = &t.name;
        let renamed_indexes: Vec<(QualifiedName, QualifiedName)> = self
            .model
            .indexes
            .values()
            .filter(|i| i.table == *new && i.predicate.is_none())
            .filter_map(|i| {
                let columns: Option<Vec<String>> = i
                    .keys
                    .iter()
                    .map(|k| {
                        let (head, _) = split_index_key(k);
                        (!head.starts_with('(')).then(|| head.to_string())
                    })
                    .collect();
                let columns = columns?;
                (naming::typeorm_index(&old.name, &columns, None) == i.name.name).then(|| {
                    let to = naming::typeorm_index(&new.name, &columns, None);
                    (
                        i.name.clone(),
                        QualifiedName::new(i.name.schema.clone(), to),
                    )
                })
            })
            .collect();
        for (from, to) in renamed_indexes {
            if let Some(mut i) = self.model.indexes.remove(&from) {
                i.name = to.clone();
                self.model.indexes.insert(to, i);
            }
        }
        for c in &t.columns {
            let seq =
                QualifiedName::new(old.schema.clone(), format!("{}_{}_seq", old.name, c.name));
            let owned = self
                .model
                .sequences
                .get(&seq)
                .is_some_and(|s| s.owned_by.as_ref() == Some(&(new.clone(), c.name.clone())));
            let serial = c.default.as_deref().is_some_and(|d| d.contains("nextval("));
            let to = format!("{}_{}_seq", new.name, c.name);
            if owned && serial && to.len() <= 63 {
                self.rename_sequence(&seq, &QualifiedName::new(old.schema.clone(), to));
            }
            let base = c.data_type.trim_end_matches("[]");
            let lower = c.name.to_lowercase();
            let enum_name =
                QualifiedName::new(old.schema.clone(), format!("{}_{lower}_enum", old.name));
            if base == enum_name.to_string() && self.model.enums.contains_key(&enum_name) {
                let to =
                    QualifiedName::new(old.schema.clone(), format!("{}_{lower}_enum", new.name));
                self.rename_type(&enum_name, &to);
            }
        }
    }

    /// A sequence renamed (`ALTER SEQUENCE … RENAME TO`, or TypeORM's renameTable
    /// renaming a serial's sequence): `nextval` defaults name it by OID, so PostgreSQL
    /// prints them with the new name.
    fn rename_sequence(&mut self, old: &QualifiedName, new: &QualifiedName) {
        let Some(mut s) = self.model.sequences.remove(old) else {
            return;
        };
        s.name = new.clone();
        self.model.sequences.insert(new.clone(), s);
        // As a default spells it (`normalize::canonical_expr`): unqualified in the
        // default schema or `public`, quoted where PostgreSQL quotes it.
        let spelled = |q: &QualifiedName| regclass_text(q, &self.ds);
        let (from, to) = (
            format!("nextval('{}'", spelled(old)),
            format!("nextval('{}'", spelled(new)),
        );
        for t in self.model.tables.values_mut() {
            for c in &mut t.columns {
                if let Some(d) = &mut c.default {
                    if d.contains(&from) {
                        *d = d.replace(&from, &to);
                    }
                }
            }
        }
    }

    fn drop_table(&mut self, table: &QualifiedName, if_exists: bool) {
        if self.model.tables.remove(table).is_none() {
            if !if_exists {
                self.conflict(
                    table.to_string(),
                    format!("DROP TABLE {table}: no such table"),
                );
            }
            return;
        }
        self.drop_relation_dependents(table);
        // What migguard could not vouch for about the table (created AS a query,
        // TEMPORARY…) goes with it: it exists on neither side now.
        let gone = table.to_string();
        self.model.uncertain.retain(|o, _| {
            o != &gone
                && !o
                    .strip_prefix(gone.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        });
        self.model
            .sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != table));
        // FKs of other tables pointing here go with CASCADE; without it PostgreSQL
        // refuses — either way they cannot remain.
        for t in self.model.tables.values_mut() {
            t.constraints.retain(|_, c| !matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, .. } if ref_table == table));
        }
    }

    /// What goes with a dropped table or view: its indexes, and the views that
    /// select from it (and views on those). With CASCADE PostgreSQL drops them;
    /// without it PostgreSQL refuses — either way they cannot remain.
    fn drop_relation_dependents(&mut self, relation: &QualifiedName) {
        self.model.indexes.retain(|_, i| i.table != *relation);
        let dependents: Vec<QualifiedName> = self
            .model
            .views
            .values()
            .filter(|v| {
                v.name != *relation
                    && v.definition
                        .as_deref()
                        .is_some_and(|d| relations_used(d, &self.ds).contains(relation))
            })
            .map(|v| v.name.clone())
            .collect();
        for view in dependents {
            if self.model.views.remove(&view).is_some() {
                self.drop_relation_dependents(&view);
            }
        }
    }

    fn rename_table(&mut self, table: &QualifiedName, new_name: &QualifiedName, typeorm: bool) {
        if !self.model.tables.contains_key(table) {
            if let Some(mut v) = self.model.views.remove(table) {
                // `ALTER VIEW … RENAME TO` (or ALTER TABLE on a view); a materialized
                // view's indexes follow it.
                v.name = new_name.clone();
                self.model.views.insert(new_name.clone(), v);
                for i in self
                    .model
                    .indexes
                    .values_mut()
                    .filter(|i| i.table == *table)
                {
                    i.table = new_name.clone();
                }
                return;
            }
        }
        let Some(mut t) = self.model.tables.remove(table) else {
            self.conflict(table.to_string(), format!("RENAME {table}: no such table"));
            return;
        };
        if self.model.tables.contains_key(new_name) {
            self.conflict(
                new_name.to_string(),
                format!("RENAME {table} TO {new_name}: the target exists"),
            );
        }
        t.name = new_name.clone();
        if typeorm {
            // TypeORM renames constraints and indexes that carry its default names.
            let renames: Vec<(String, String)> = t
                .constraints
                .values()
                .filter_map(|c| {
                    let expected = match &c.kind {
                        ConstraintKind::PrimaryKey { columns } => (
                            naming::typeorm_pk(&table.name, columns),
                            naming::typeorm_pk(&new_name.name, columns),
                        ),
                        ConstraintKind::Unique { columns, .. } => (
                            naming::typeorm_unique(&table.name, columns),
                            naming::typeorm_unique(&new_name.name, columns),
                        ),
                        ConstraintKind::ForeignKey { columns, .. } => (
                            naming::typeorm_fk(&table.name, columns),
                            naming::typeorm_fk(&new_name.name, columns),
                        ),
                        _ => return None,
                    };
                    (expected.0 == c.name).then_some(expected)
                })
                .collect();
            for (old, new) in renames {
                if let Some(mut c) = t.constraints.remove(&old) {
                    c.name = new.clone();
                    t.constraints.insert(new, c);
                }
            }
        }
        let renamed = typeorm.then(|| t.clone());
        self.model.tables.insert(new_name.clone(), t);
        for i in self
            .model
            .indexes
            .values_mut()
            .filter(|i| i.table == *table)
        {
            i.table = new_name.clone();
        }
        for s in self.model.sequences.values_mut() {
            if let Some((t, _)) = &mut s.owned_by {
                if t == table {
                    *t = new_name.clone();
                }
            }
        }
        if let Some(t) = renamed {
            self.typeorm_rename_table_extras(table, &t);
        }
        for t in self.model.tables.values_mut() {
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey { ref_table, .. } = &mut c.kind {
                    if ref_table == table {
                        *ref_table = new_name.clone();
                    }
                }
            }
        }
    }

    fn drop_column(&mut self, table: &QualifiedName, column: &str, if_exists: bool, cascade: bool) {
        let Some(t) = self.model.tables.get_mut(table) else {
            self.conflict(
                table.to_string(),
                format!("DROP COLUMN {column}: table {table} does not exist"),
            );
            return;
        };
        let before = t.columns.len();
        t.columns.retain(|c| c.name != column);
        if t.columns.len() == before {
            if !if_exists {
                self.conflict(
                    format!("{table}.{column}"),
                    format!("DROP COLUMN {column}: no such column on {table}"),
                );
            }
            return;
        }
        let col = column.to_string();
        t.constraints.retain(|_, c| !constraint_uses(&c.kind, &col));
        self.model
            .indexes
            .retain(|_, i| !(i.table == *table && i.keys.iter().any(|k| key_uses(k, &col))));
        self.model.sequences.retain(|_, s| {
            s.owned_by
                .as_ref()
                .is_none_or(|(t, c)| !(t == table && *c == col))
        });
        for other in self.model.tables.values_mut() {
            other.constraints.retain(|_, c| !matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, ref_columns, .. } if ref_table == table && ref_columns.contains(&col)));
        }
        // Views that read the column go with CASCADE; without it PostgreSQL refuses
        // the DROP — a conflict — and either way they cannot remain.
        let readers: Vec<QualifiedName> = self
            .model
            .views
            .values()
            .filter(|v| {
                v.definition
                    .as_deref()
                    .is_some_and(|d| view_columns::reads_column(d, table, &col, &self.ds))
            })
            .map(|v| v.name.clone())
            .collect();
        for view in readers {
            if !cascade {
                self.conflict(
                    format!("{table}.{col}"),
                    format!("DROP COLUMN {col}: view {view} depends on it (PostgreSQL refuses without CASCADE)"),
                );
            }
            if self.model.views.remove(&view).is_some() {
                self.drop_relation_dependents(&view);
            }
        }
    }

    fn rename_column(&mut self, table: &QualifiedName, column: &str, new_name: &str) {
        if let Some(v) = self.model.views.get_mut(table) {
            // A view's output column (`ALTER VIEW v RENAME COLUMN`, or ALTER TABLE).
            let Some(columns) = v.columns.as_mut() else {
                return;
            };
            match columns.iter_mut().find(|c| *c == column) {
                Some(c) => *c = new_name.to_string(),
                None => self.conflict(
                    format!("{table}.{column}"),
                    format!("RENAME COLUMN: view {table} has no column {column}"),
                ),
            }
            return;
        }
        if self.column_mut(table, column).is_none() {
            return;
        }
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        if let Some(c) = t.column_mut(column) {
            c.name = new_name.to_string();
        }
        let rename = |cols: &mut Vec<String>| {
            for c in cols.iter_mut().filter(|c| *c == column) {
                *c = new_name.to_string();
            }
        };
        for c in t.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns }
                | ConstraintKind::Unique { columns, .. }
                | ConstraintKind::ForeignKey { columns, .. } => rename(columns),
                ConstraintKind::Check { expr } => *expr = rename_in_expr(expr, column, new_name),
                // The definition is DDL text, quoted as PostgreSQL prints it.
                ConstraintKind::Exclusion { definition } => {
                    let plain = new_name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                        && new_name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    let written = if plain {
                        new_name.to_string()
                    } else {
                        format!("\"{}\"", new_name.replace('"', "\"\""))
                    };
                    *definition = replace_word(definition, column, &written);
                }
            }
        }
        for i in self
            .model
            .indexes
            .values_mut()
            .filter(|i| i.table == *table)
        {
            for k in &mut i.keys {
                let (head, rest) = split_index_key(k);
                let renamed = if head.starts_with('(') {
                    rename_in_expr(head, column, new_name)
                } else if head == column {
                    new_name.to_string()
                } else {
                    continue;
                };
                *k = std::iter::once(renamed.as_str())
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            for c in i.include.iter_mut().filter(|c| *c == column) {
                *c = new_name.to_string();
            }
            if let Some(p) = &mut i.predicate {
                *p = rename_in_expr(p, column, new_name);
            }
        }
        for other in self.model.tables.values_mut() {
            for c in other.constraints.values_mut() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &mut c.kind
                {
                    if ref_table == table {
                        rename(ref_columns);
                    }
                }
            }
        }
        // Views on this table alone keep working: their text follows the rename
        // (their output column names do not change).
        for v in self.model.views.values_mut() {
            let Some(d) = v.definition.as_deref() else {
                continue;
            };
            let used = relations_used(d, &self.ds);
            if used.len() == 1 && used.contains(table) {
                if let Some(renamed) = rename_column_in_query(d, column, new_name) {
                    v.definition = Some(renamed);
                }
            }
        }
        // A serial's sequence stays owned by the renamed column.
        for s in self.model.sequences.values_mut() {
            if let Some((t, c)) = &mut s.owned_by {
                if t == table && c == column {
                    *c = new_name.to_string();
                }
            }
        }
    }
}

/// A CREATE TABLE's column and table constraints as PostgreSQL keeps them: its
/// `transformIndexConstraints` creates one index for PRIMARY KEY / UNIQUE constraints
/// that are equal (same key columns in the same order, NULLS NOT DISTINCT,
/// deferrability), keeping the primary key (considered first) or else the earliest,
/// and an unnamed kept one takes the dropped one's name. TypeORM emits such a pair for
/// a one-to-one join column that is also the primary key. `ALTER TABLE … ADD` does
/// not merge (checked on PostgreSQL 15), so only CREATE TABLE calls this. TypeORM
/// names every constraint it writes, so its unnamed ones take no name over.
fn merge_duplicate_index_constraints(
    columns: &[ColumnDef],
    constraints: &[ConstraintDef],
    typeorm: bool,
) -> (Vec<ColumnDef>, Vec<ConstraintDef>) {
    let mut columns = columns.to_vec();
    let mut constraints = constraints.to_vec();
    // Where each constraint lives: (Some(column), i) for column constraints, in
    // PostgreSQL's order (columns' constraints as the columns come, then the table's).
    let mut order: Vec<(Option<usize>, usize)> = columns
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| (0..c.constraints.len()).map(move |k| (Some(ci), k)))
        .chain((0..constraints.len()).map(|k| (None, k)))
        .collect();
    let get = |cols: &[ColumnDef], cons: &[ConstraintDef], at: (Option<usize>, usize)| match at {
        (Some(ci), k) => cols[ci].constraints[k].clone(),
        (None, k) => cons[k].clone(),
    };
    let index_key = |c: &ConstraintDef| {
        c.kind
            .index_key()
            .map(|(columns, nnd)| (columns.to_vec(), nnd, c.deferrable, c.initially_deferred))
            .filter(|_| c.using_index.is_none())
    };
    if let Some(pk) = order.iter().position(|&at| {
        matches!(
            get(&columns, &constraints, at).kind,
            ConstraintKind::PrimaryKey { .. }
        )
    }) {
        let at = order.remove(pk);
        order.insert(0, at);
    }
    let mut kept: Vec<(Option<usize>, usize)> = Vec::new();
    let mut dropped: Vec<(Option<usize>, usize)> = Vec::new();
    for at in order {
        let this = get(&columns, &constraints, at);
        let Some(key) = index_key(&this) else {
            continue;
        };
        let prior = kept
            .iter()
            .copied()
            .find(|&p| index_key(&get(&columns, &constraints, p)).as_ref() == Some(&key));
        match prior {
            Some(p) => {
                if !typeorm && this.name.is_some() {
                    let slot = match p {
                        (Some(ci), k) => &mut columns[ci].constraints[k],
                        (None, k) => &mut constraints[k],
                    };
                    if slot.name.is_none() {
                        slot.name = this.name.clone();
                    }
                }
                dropped.push(at);
            }
            None => kept.push(at),
        }
    }
    // Remove from the back so the positions still to remove stay valid.
    dropped.sort_unstable_by_key(|at| std::cmp::Reverse(at.1));
    for at in dropped {
        match at {
            (Some(ci), k) => {
                columns[ci].constraints.remove(k);
            }
            (None, k) => {
                constraints.remove(k);
            }
        }
    }
    (columns, constraints)
}

/// Objects a text that replay cannot read may create (`CREATE [OR REPLACE]
/// [MATERIALIZED] VIEW v`, `CREATE TABLE IF NOT EXISTS s.t`, `CREATE UNIQUE INDEX i`…,
/// in a Java migration's SQL strings or a PL/pgSQL `EXECUTE`), schema-qualified: the
/// model does not have them, so drift would call them unexpected; they are
/// unverifiable instead. Words only, strings included, like `mentioned_tables`.
fn created_objects(text: &str, default_schema: &str) -> Vec<String> {
    const MODIFIERS: [&str; 10] = [
        "or",
        "replace",
        "materialized",
        "unique",
        "temp",
        "temporary",
        "unlogged",
        "recursive",
        "global",
        "local",
    ];
    const KINDS: [&str; 8] = [
        "table",
        "view",
        "index",
        "sequence",
        "type",
        "function",
        "procedure",
        "trigger",
    ];
    const BEFORE_NAME: [&str; 4] = ["if", "not", "exists", "concurrently"];
    let lower = text.to_lowercase().replace('"', " ");
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let skip = |mut j: usize, set: &[&str]| {
        while words.get(j).is_some_and(|w| set.contains(w)) {
            j += 1;
        }
        j
    };
    let mut out = Vec::new();
    for (i, _) in words.iter().enumerate().filter(|(_, w)| **w == "create") {
        let j = skip(i + 1, &MODIFIERS);
        if !words.get(j).is_some_and(|w| KINDS.contains(w)) {
            continue;
        }
        let Some(name) = words.get(skip(j + 1, &BEFORE_NAME)) else {
            continue;
        };
        let name = name.trim_matches('.');
        if name.is_empty() || *name == *"on" {
            continue;
        }
        let qualified = if name.contains('.') {
            name.to_string()
        } else {
            format!("{default_schema}.{name}")
        };
        if !out.contains(&qualified) {
            out.push(qualified);
        }
    }
    out
}

fn constraint_uses(kind: &ConstraintKind, col: &str) -> bool {
    match kind {
        ConstraintKind::PrimaryKey { columns }
        | ConstraintKind::Unique { columns, .. }
        | ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == col),
        ConstraintKind::Check { expr } => expr
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == col),
        ConstraintKind::Exclusion { definition } => definition.contains(col),
    }
}

/// A column's `COLLATE` as `pg_collation.collname` has it (`"C"` → `C`, `pg_catalog."POSIX"`
/// → `POSIX`); `default` is no collation of its own.
fn collation_name(written: &str) -> Option<String> {
    let last = written.rsplit('.').next().unwrap_or(written);
    let name = crate::ir::fold_sql_ident(last);
    (name != "default").then_some(name)
}

/// `expr` (a stored expression, `normalize::canonical_expr`) with the column `old`
/// renamed to `new`, as PostgreSQL rewrites the expressions that use a renamed column:
/// a bare (folded) or quoted identifier equal to `old` becomes `"new"`, quoted, so its
/// case survives. String literals are left alone.
fn rename_in_expr(expr: &str, old: &str, new: &str) -> String {
    let quoted_new = format!("\"{}\"", new.replace('"', "\"\""));
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word == old {
            out.push_str(&quoted_new);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' || c == '$' {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        if c == '\'' || c == '"' {
            let mut inner = String::new();
            while let Some(d) = chars.next() {
                if d == c {
                    if chars.peek() == Some(&c) {
                        chars.next();
                        inner.push(c);
                        continue;
                    }
                    break;
                }
                inner.push(d);
            }
            if c == '"' && inner == old {
                out.push_str(&quoted_new);
            } else {
                let escaped = inner.replace(c, &format!("{c}{c}"));
                out.push(c);
                out.push_str(&escaped);
                out.push(c);
            }
            continue;
        }
        out.push(c);
    }
    flush(&mut word, &mut out);
    out
}

/// Every whole word `old` outside string literals replaced by `replacement`.
fn replace_word(expr: &str, old: &str, replacement: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut word = String::new();
    let mut in_str = false;
    let flush = |word: &mut String, out: &mut String| {
        if word.eq_ignore_ascii_case(old) {
            out.push_str(replacement);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in expr.chars() {
        if !in_str && (c.is_alphanumeric() || c == '_') {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        if c == '\'' {
            in_str = !in_str;
        }
        out.push(c);
    }
    flush(&mut word, &mut out);
    out
}

/// A default's enum literals (`'a'`, `'a'::mood`, an array's `'{a,b}'`) with the
/// label `old` renamed to `new`.
fn rename_label_in_default(default: &str, old: &str, new: &str, array: bool) -> String {
    let quote = |s: &str| s.replace('\'', "''");
    if !array {
        return default.replace(&format!("'{}'", quote(old)), &format!("'{}'", quote(new)));
    }
    let Some(start) = default.find("'{") else {
        return default.to_string();
    };
    let Some(len) = default[start..].find("}'") else {
        return default.to_string();
    };
    let inner = &default[start + 2..start + len];
    let renamed: Vec<String> = inner
        .split(',')
        .map(|e| {
            let bare = e.trim().trim_matches('"');
            if bare == quote(old) {
                quote(new)
            } else {
                e.to_string()
            }
        })
        .collect();
    format!(
        "{}'{{{}}}'{}",
        &default[..start],
        renamed.join(","),
        &default[start + len + 2..]
    )
}

fn key_uses(key: &str, col: &str) -> bool {
    key.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == col)
}

mod functions;
mod policies;
mod triggers;

#[cfg(test)]
mod tests;
