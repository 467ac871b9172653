//! Replay of partitioning and table inheritance: `CREATE TABLE … PARTITION BY`,
//! `… PARTITION OF parent FOR VALUES …`, `… INHERITS (…)`, `ATTACH`/`DETACH
//! PARTITION`, `INHERIT`/`NO INHERIT`, and what PostgreSQL 15 propagates down a
//! hierarchy (each checked against it):
//! - a child gets its parents' columns (type, NOT NULL, default, generated, collation;
//!   not identity), merged by name with the columns it declares itself;
//! - column DDL on a parent (ADD, DROP, RENAME, TYPE, SET/DROP NOT NULL, SET/DROP
//!   DEFAULT) recurses to its children; a PRIMARY KEY makes theirs NOT NULL too;
//! - indexes, PK/UNIQUE/FK and CHECK constraints of a parent are cloned onto each
//!   partition (inherited CHECKs onto inheritance children). Attached clones are left
//!   out of the model on both sides (introspection skips them), so they are not
//!   listed here; they become the table's own when it leaves the hierarchy (DETACH,
//!   NO INHERIT), and replay adds them then, under the names PostgreSQL gives them
//!   (an index or constraint the table had before ATTACH keeps its name).
//! - `DETACH … CONCURRENTLY` (and `FINALIZE`) adds a CHECK constraint copying the
//!   bound, which replay does not spell: the table is unverifiable.

use super::Replayer;
use crate::ir::{fold_sql_ident, ConstraintKind, Hierarchy, OpKind, QualifiedName};
use crate::parse::sql::lexical::{blank_comments_and_strings, tokens, Token};
use crate::schema::model::{Column, Constraint, Index, PartitionOf};
use crate::schema::naming;
use crate::schema::normalize::split_index_key;
use crate::schema::partitions::partition_key_sql;
use std::collections::{BTreeMap, BTreeSet};

/// What replay remembers about a hierarchy beyond the model.
#[derive(Debug, Default)]
pub(super) struct HierarchyState {
    /// Columns a child declares itself besides inheriting them (`attislocal`): a
    /// parent's DROP COLUMN leaves them.
    local_columns: BTreeMap<QualifiedName, BTreeSet<String>>,
    /// The indexes and constraints an attached partition had that PostgreSQL attached
    /// to its parent's at ATTACH: out of the model while attached, back under their
    /// own names at DETACH. Keyed by partition.
    attached: BTreeMap<QualifiedName, Attached>,
}

#[derive(Debug, Default)]
struct Attached {
    /// By the parent index each matched.
    indexes: BTreeMap<QualifiedName, Index>,
    constraints: Vec<Constraint>,
}

impl Replayer<'_> {
    /// A created table's place in its hierarchy: before its own columns are added,
    /// the columns it inherits; then [`Replayer::add_declared_column`] merges its own.
    pub(super) fn place_in_hierarchy(&mut self, table: &QualifiedName, h: &Hierarchy) {
        let parents: Vec<QualifiedName> = match &h.partition_of {
            Some(p) => vec![p.clone()],
            None => h.inherits.clone(),
        };
        for parent in &parents {
            if self.model.tables.contains_key(parent) {
                continue;
            }
            // A parent replay could not read (PostgreSQL created it): the child's
            // columns are unknown; else PostgreSQL refuses the statement.
            let parent_name = parent.to_string();
            if self.model.uncertain.contains_key(&parent_name)
                || self.model.uncertain.contains_key("*")
            {
                self.uncertain(
                    table.to_string(),
                    format!(
                        "CREATE TABLE in {}: its parent {parent} could not be read",
                        self.migration
                    ),
                );
            } else {
                self.conflict(
                    table.to_string(),
                    format!("CREATE TABLE {table}: parent table {parent} does not exist"),
                );
            }
            return;
        }
        for parent in &parents {
            self.inherit_columns(parent, table);
        }
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        t.partition_key = h.partition_key.as_deref().map(partition_key_sql);
        match (&h.partition_of, &h.bound) {
            (Some(parent), Some(bound)) => {
                t.partition_of = Some(PartitionOf {
                    parent: parent.clone(),
                    bound: bound.clone(),
                })
            }
            (Some(_), None) => {}
            (None, _) => t.inherits = h.inherits.clone(),
        }
    }

    /// Whether `table` already has the column `name` from a parent: a column it
    /// declares itself is then merged into it (see [`Replayer::merge_declared`]).
    pub(super) fn inherits_column(&self, table: &QualifiedName, name: &str) -> bool {
        self.model
            .tables
            .get(table)
            .is_some_and(|t| t.has_parent() && t.column(name).is_some())
    }

    /// A column a child declares that it also inherits: PostgreSQL keeps one column,
    /// at the inherited position, with the declared default and NOT NULL added.
    /// `declared` is the column as `add_column` built it, appended last.
    pub(super) fn merge_declared(&mut self, table: &QualifiedName, name: &str) {
        self.hierarchy
            .local_columns
            .entry(table.clone())
            .or_default()
            .insert(name.to_string());
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        let Some(last) = t.columns.iter().rposition(|c| c.name == name) else {
            return;
        };
        let Some(first) = t.columns.iter().position(|c| c.name == name) else {
            return;
        };
        if first == last {
            return;
        }
        let declared = t.columns.remove(last);
        let inherited = &mut t.columns[first];
        inherited.not_null |= declared.not_null;
        if declared.default.is_some() {
            inherited.default = declared.default;
        }
        if declared.comment.is_some() {
            inherited.comment = declared.comment;
        }
    }

    /// The parent's columns onto the child (merged by name, at the end otherwise).
    fn inherit_columns(&mut self, parent: &QualifiedName, child: &QualifiedName) {
        let Some(columns) = self.model.tables.get(parent).map(|p| p.columns.clone()) else {
            return;
        };
        for c in columns {
            self.inherit_column(child, c);
        }
    }

    fn inherit_column(&mut self, child: &QualifiedName, c: Column) {
        let Some(t) = self.model.tables.get_mut(child) else {
            return;
        };
        match t.column_mut(&c.name) {
            Some(existing) => existing.not_null |= c.not_null,
            None => t.columns.push(Column {
                // Identity is the parent's alone (`attidentity` is empty on
                // children); its NOT NULL is inherited.
                identity: None,
                comment: None,
                ..c
            }),
        }
    }

    /// The direct children of `table` (partitions and inheritance children).
    fn children(&self, table: &QualifiedName) -> Vec<QualifiedName> {
        self.model
            .tables
            .values()
            .filter(|t| t.parents().contains(&table))
            .map(|t| t.name.clone())
            .collect()
    }

    /// Column DDL on a table recurses to its children, as PostgreSQL does without
    /// `ONLY`. Called after the op applied to `table`.
    pub(super) fn recurse_to_children(&mut self, kind: &OpKind) {
        let Some(table) = kind.table().cloned() else {
            return;
        };
        if retarget(kind, &table).is_none() {
            return;
        }
        for child in self.children(&table) {
            if !self.apply_to_child(&table, &child, kind) {
                continue;
            }
            if let Some(k) = retarget(kind, &child) {
                self.recurse_to_children(&k);
            }
        }
    }

    /// One child's share of a parent's column op; `false` when it stops there (the
    /// child keeps a column it declares itself, and so do its own children).
    fn apply_to_child(
        &mut self,
        parent: &QualifiedName,
        child: &QualifiedName,
        kind: &OpKind,
    ) -> bool {
        match kind {
            OpKind::AddColumn { column, .. } => {
                let added = self
                    .model
                    .tables
                    .get(parent)
                    .and_then(|p| p.column(&column.name))
                    .cloned();
                if let Some(c) = added {
                    self.inherit_column(child, c);
                }
            }
            OpKind::DropColumn { column, .. } => {
                let local = self
                    .hierarchy
                    .local_columns
                    .get_mut(child)
                    .is_some_and(|l| l.remove(column));
                if local {
                    return false;
                }
                self.drop_column(child, column, true, true);
            }
            OpKind::RenameColumn {
                column, new_name, ..
            } => {
                if let Some(l) = self.hierarchy.local_columns.get_mut(child) {
                    if l.remove(column) {
                        l.insert(new_name.clone());
                    }
                }
                self.rename_column(child, column, new_name)
            }
            OpKind::AlterColumnType {
                column, data_type, ..
            } => self.alter_column_type(child, column, data_type),
            OpKind::SetNotNull { column, .. } => self.set_not_null(child, column),
            OpKind::DropNotNull { column, .. } => self.drop_not_null(child, column),
            OpKind::SetDefault {
                column, default, ..
            } => self.set_default(child, column, default),
            OpKind::DropDefault { column, .. } => self.drop_default(child, column),
            OpKind::AddConstraint { constraint, .. } => {
                if let ConstraintKind::PrimaryKey { columns } = &constraint.kind {
                    for c in columns {
                        self.set_not_null(child, c);
                    }
                }
            }
            _ => {}
        }
        true
    }

    /// `ALTER TABLE parent ATTACH PARTITION partition FOR VALUES …`: the partition's
    /// indexes and constraints that match the parent's are attached to them
    /// (PostgreSQL clones the rest).
    pub(super) fn attach_partition(
        &mut self,
        parent: &QualifiedName,
        partition: &QualifiedName,
        text: &str,
    ) {
        let Some(bound) = attach_bound(text) else {
            self.uncertain(
                partition.to_string(),
                format!(
                    "ATTACH PARTITION in {}: the bound cannot be read",
                    self.migration
                ),
            );
            return;
        };
        if !self.model.tables.contains_key(parent) || !self.model.tables.contains_key(partition) {
            self.conflict(
                partition.to_string(),
                format!("ATTACH PARTITION {partition} TO {parent}: no such table"),
            );
            return;
        }
        let parent_indexes: Vec<Index> = self.model.indexes_on(parent).cloned().collect();
        let mut attached = Attached::default();
        for pi in parent_indexes {
            let matching = self
                .model
                .indexes_on(partition)
                .find(|i| same_index(i, &pi))
                .map(|i| i.name.clone());
            if let Some(name) = matching {
                if let Some(i) = self.model.indexes.remove(&name) {
                    attached.indexes.insert(pi.name.clone(), i);
                }
            }
        }
        let parent_constraints: Vec<Constraint> = self.model.tables[parent]
            .constraints
            .values()
            .cloned()
            .collect();
        if let Some(t) = self.model.tables.get_mut(partition) {
            for pc in &parent_constraints {
                let matching = t
                    .constraints
                    .values()
                    .find(|c| matches_parents(c, pc))
                    .map(|c| c.name.clone());
                if let Some(c) = matching.and_then(|n| t.constraints.remove(&n)) {
                    attached.constraints.push(c);
                }
            }
            t.partition_of = Some(PartitionOf {
                parent: parent.clone(),
                bound,
            });
            t.inherits.clear();
        }
        self.hierarchy.attached.insert(partition.clone(), attached);
    }

    /// `ALTER TABLE parent DETACH PARTITION partition`: the clones of the parent's
    /// indexes and constraints become the table's own.
    pub(super) fn detach_partition(
        &mut self,
        parent: &QualifiedName,
        partition: &QualifiedName,
        concurrently: bool,
        finalize: bool,
    ) {
        let attached_here = self
            .model
            .tables
            .get(partition)
            .and_then(|t| t.partition_of.as_ref())
            .is_some_and(|p| p.parent == *parent);
        if !attached_here {
            // FINALIZE after a concurrent detach that already ran here.
            if !finalize {
                self.conflict(
                    partition.to_string(),
                    format!("DETACH PARTITION {partition}: not a partition of {parent}"),
                );
            }
            return;
        }
        if let Some(t) = self.model.tables.get_mut(partition) {
            t.partition_of = None;
        }
        self.own_the_clones(parent, partition);
        if concurrently || finalize {
            self.uncertain(
                partition.to_string(),
                format!(
                    "DETACH PARTITION … {} in {}: PostgreSQL adds a CHECK constraint copying the bound, which migguard does not spell",
                    if concurrently { "CONCURRENTLY" } else { "FINALIZE" },
                    self.migration
                ),
            );
        }
    }

    /// `ALTER TABLE child INHERIT parent` / `NO INHERIT parent` (read from the
    /// statement's text: the SQL reader names it `alter table inherit`).
    pub(super) fn alter_inheritance(&mut self, text: &str, no: bool) {
        let Some((child, parent)) = inherit_names(text, &self.ds) else {
            self.uncertain(
                "*".into(),
                format!(
                    "ALTER TABLE … INHERIT in {}: cannot be read",
                    self.migration
                ),
            );
            return;
        };
        if !self.model.tables.contains_key(&child) || !self.model.tables.contains_key(&parent) {
            self.conflict(
                child.to_string(),
                format!("ALTER TABLE {child} INHERIT {parent}: no such table"),
            );
            return;
        }
        if no {
            let had = self
                .model
                .tables
                .get_mut(&child)
                .map(|t| {
                    let before = t.inherits.len();
                    t.inherits.retain(|p| *p != parent);
                    before != t.inherits.len()
                })
                .unwrap_or(false);
            if !had {
                self.conflict(
                    child.to_string(),
                    format!("ALTER TABLE {child} NO INHERIT {parent}: not a child of it"),
                );
                return;
            }
            // Its inherited CHECK constraints become its own (`conislocal`).
            let checks: Vec<Constraint> = self.model.tables[&parent]
                .constraints
                .values()
                .filter(|c| matches!(c.kind, ConstraintKind::Check { .. }))
                .cloned()
                .collect();
            if let Some(t) = self.model.tables.get_mut(&child) {
                for c in checks {
                    t.constraints
                        .entry(c.name.clone())
                        .or_insert(Constraint { comment: None, ..c });
                }
            }
        } else {
            // The child must already have the parent's columns and CHECKs (else
            // PostgreSQL refuses); the columns become inherited, the CHECKs merge.
            let (columns, checks): (Vec<String>, Vec<String>) = {
                let p = &self.model.tables[&parent];
                (
                    p.columns.iter().map(|c| c.name.clone()).collect(),
                    p.constraints
                        .values()
                        .filter(|c| matches!(c.kind, ConstraintKind::Check { .. }))
                        .map(|c| c.name.clone())
                        .collect(),
                )
            };
            let t = &self.model.tables[&child];
            let missing = columns
                .iter()
                .find(|c| t.column(c).is_none())
                .or_else(|| checks.iter().find(|c| !t.constraints.contains_key(*c)))
                .cloned();
            if let Some(m) = missing {
                self.conflict(
                    child.to_string(),
                    format!("ALTER TABLE {child} INHERIT {parent}: {child} lacks {m}"),
                );
                return;
            }
            let locals = self
                .hierarchy
                .local_columns
                .entry(child.clone())
                .or_default();
            locals.extend(columns);
            if let Some(t) = self.model.tables.get_mut(&child) {
                t.inherits.push(parent);
            }
        }
    }

    /// What a partition keeps when it leaves its parent: the clones of the parent's
    /// indexes and constraints, as its own (an index or constraint it had before
    /// ATTACH under its own name; else the name PostgreSQL gives a clone:
    /// `<partition>_<columns>_idx`, `<partition>_pkey`, `<partition>_<columns>_key`;
    /// CHECK and FOREIGN KEY constraints keep the parent's name).
    fn own_the_clones(&mut self, parent: &QualifiedName, partition: &QualifiedName) {
        let mut kept = self
            .hierarchy
            .attached
            .remove(partition)
            .unwrap_or_default();
        let parent_indexes: Vec<Index> = self.model.indexes_on(parent).cloned().collect();
        for pi in parent_indexes {
            let index = match kept.indexes.remove(&pi.name) {
                Some(i) => i,
                None => {
                    let keys: Vec<(String, bool)> = pi
                        .keys
                        .iter()
                        .map(|k| {
                            let (head, _) = split_index_key(k);
                            match head.strip_prefix('(').and_then(|h| h.strip_suffix(')')) {
                                Some(expr) => (expr.to_string(), true),
                                None => (head.trim_matches('"').to_string(), false),
                            }
                        })
                        .collect();
                    let part = naming::index_column_names(&keys, &pi.include).join("_");
                    let name =
                        self.choose_relation_name(&partition.schema, &partition.name, &part, "idx");
                    Index {
                        name: QualifiedName::new(partition.schema.clone(), name),
                        table: partition.clone(),
                        comment: None,
                        ..pi
                    }
                }
            };
            self.model.indexes.insert(index.name.clone(), index);
        }
        let parent_constraints: Vec<Constraint> = self.model.tables[parent]
            .constraints
            .values()
            .cloned()
            .collect();
        for pc in parent_constraints {
            let own = kept
                .constraints
                .iter()
                .position(|c| matches_parents(c, &pc))
                .map(|i| kept.constraints.remove(i));
            let c = match own {
                Some(c) => c,
                None => {
                    let name = match &pc.kind {
                        ConstraintKind::PrimaryKey { .. } => self.choose_relation_name(
                            &partition.schema,
                            &partition.name,
                            "",
                            "pkey",
                        ),
                        ConstraintKind::Unique { columns, .. } => self.choose_relation_name(
                            &partition.schema,
                            &partition.name,
                            &columns.join("_"),
                            "key",
                        ),
                        _ => pc.name.clone(),
                    };
                    Constraint {
                        name,
                        comment: None,
                        ..pc
                    }
                }
            };
            if let Some(t) = self.model.tables.get_mut(partition) {
                super::note_constraint_name(&mut self.constraint_names, &c.name);
                t.constraints.entry(c.name.clone()).or_insert(c);
            }
        }
    }

    /// Dropping a partitioned table drops its partitions (PostgreSQL needs no
    /// CASCADE for them); an inheritance child goes only with CASCADE.
    pub(super) fn drop_descendants(&mut self, table: &QualifiedName, cascade: bool) {
        let children: Vec<QualifiedName> = self
            .model
            .tables
            .values()
            .filter(|t| {
                t.partition_of.as_ref().is_some_and(|p| p.parent == *table)
                    || (cascade && t.inherits.contains(table))
            })
            .map(|t| t.name.clone())
            .collect();
        for child in children {
            self.drop_descendants(&child, cascade);
            self.drop_table(&child, true);
        }
        self.hierarchy.attached.remove(table);
        self.hierarchy.local_columns.remove(table);
    }

    /// A renamed table stays its children's parent.
    pub(super) fn rename_parent(&mut self, table: &QualifiedName, new_name: &QualifiedName) {
        for t in self.model.tables.values_mut() {
            if let Some(p) = &mut t.partition_of {
                if p.parent == *table {
                    p.parent = new_name.clone();
                }
            }
            for p in &mut t.inherits {
                if p == table {
                    *p = new_name.clone();
                }
            }
        }
        for state in [&mut self.hierarchy.local_columns] {
            if let Some(v) = state.remove(table) {
                state.insert(new_name.clone(), v);
            }
        }
        if let Some(v) = self.hierarchy.attached.remove(table) {
            self.hierarchy.attached.insert(new_name.clone(), v);
        }
    }
}

/// Whether a partition's constraint `c` is the one PostgreSQL attaches to the
/// parent's `parent` (a CHECK by its name, the others by their definition).
fn matches_parents(c: &Constraint, parent: &Constraint) -> bool {
    match (&c.kind, &parent.kind) {
        (ConstraintKind::Check { .. }, ConstraintKind::Check { .. }) => c.name == parent.name,
        (a, b) => a == b,
    }
}

/// The same column op aimed at `child` (for the recursion to grandchildren); `None`
/// for an op that does not recurse.
fn retarget(kind: &OpKind, child: &QualifiedName) -> Option<OpKind> {
    let mut k = kind.clone();
    match &mut k {
        OpKind::AddColumn { table, .. }
        | OpKind::DropColumn { table, .. }
        | OpKind::RenameColumn { table, .. }
        | OpKind::AlterColumnType { table, .. }
        | OpKind::SetNotNull { table, .. }
        | OpKind::DropNotNull { table, .. }
        | OpKind::SetDefault { table, .. }
        | OpKind::DropDefault { table, .. }
        | OpKind::AddConstraint { table, .. } => *table = child.clone(),
        _ => return None,
    }
    Some(k)
}

/// Whether an ATTACHed partition's index matches its parent's (PostgreSQL attaches
/// it instead of creating a clone): same method, keys, uniqueness, predicate.
fn same_index(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.keys == b.keys
        && a.include == b.include
        && a.predicate == b.predicate
        && a.nulls_not_distinct == b.nulls_not_distinct
}

/// The bound of an `ATTACH PARTITION` statement as written: from `FOR VALUES` (or
/// `DEFAULT`) to the end.
pub(super) fn attach_bound(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let at = upper.find("ATTACH PARTITION")?;
    let rest = &text[at..];
    let rest_upper = &upper[at..];
    let bound = match rest_upper.find("FOR VALUES") {
        Some(i) => &rest[i..],
        None => {
            let i = rest_upper.rfind("DEFAULT")?;
            &rest[i..]
        }
    };
    let bound = bound.trim().trim_end_matches(';').trim();
    Some(if bound.eq_ignore_ascii_case("DEFAULT") {
        "DEFAULT".to_string()
    } else {
        bound.to_string()
    })
}

/// `ALTER TABLE [IF EXISTS] [ONLY] child [NO] INHERIT parent` → (child, parent), read
/// by the lexical layer's tokens (comments and strings blanked first).
fn inherit_names(text: &str, default_schema: &str) -> Option<(QualifiedName, QualifiedName)> {
    let blanked = blank_comments_and_strings(text);
    let toks = tokens(&blanked);
    if !(toks.first()?.is("ALTER") && toks.get(1)?.is("TABLE")) {
        return None;
    }
    let mut i = 2;
    if toks.get(i).is_some_and(|t| t.is("IF")) && toks.get(i + 1).is_some_and(|t| t.is("EXISTS")) {
        i += 2;
    }
    if toks.get(i).is_some_and(|t| t.is("ONLY")) {
        i += 1;
    }
    let child = qualified_at(&toks, i, default_schema)?;
    let at = toks.iter().position(|t| t.is("INHERIT"))?;
    let parent = qualified_at(&toks, at + 1, default_schema)?;
    Some((child, parent))
}

/// The dotted name starting at token `k`, folded; an unqualified one is in
/// `default_schema` (as is the last part of a name of more than two).
fn qualified_at(toks: &[Token<'_>], mut k: usize, default_schema: &str) -> Option<QualifiedName> {
    let mut parts = Vec::new();
    loop {
        let part = toks.get(k).filter(|t| !t.is_punct())?;
        parts.push(fold_sql_ident(part.text));
        if toks.get(k + 1).is_some_and(|t| t.text == ".") {
            k += 2;
        } else {
            break;
        }
    }
    Some(match parts.as_slice() {
        [schema, name] => QualifiedName::new(schema.clone(), name.clone()),
        _ => QualifiedName::new(default_schema, parts.pop().unwrap_or_default()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{replay, Conflict};
    use crate::ir::{Migration, QualifiedName};
    use crate::parse::sql::read_sql_texts;
    use crate::schema::SchemaModel;

    fn run(sql: &str) -> (SchemaModel, Vec<Conflict>) {
        let ms = read_sql_texts(&[("1_a.up.sql", sql)]);
        let refs: Vec<&Migration> = ms.iter().collect();
        replay(&refs, "public")
    }

    fn q(name: &str) -> QualifiedName {
        QualifiedName::new("public", name)
    }

    fn columns(m: &SchemaModel, table: &str) -> Vec<String> {
        m.tables[&q(table)]
            .columns
            .iter()
            .map(|c| format!("{} {}", c.name, c.default.as_deref().unwrap_or("-")))
            .collect()
    }

    #[test]
    fn column_ddl_on_a_parent_reaches_every_descendant_but_spares_a_childs_own_column() {
        let (m, c) = run("CREATE TABLE base (a int, b text);
             CREATE TABLE child (b text, c int) INHERITS (base);
             CREATE TABLE grandchild () INHERITS (child);
             ALTER TABLE base ADD COLUMN d int;
             ALTER TABLE base DROP COLUMN b;
             ALTER TABLE base ALTER COLUMN a SET DEFAULT 5;
             ALTER TABLE base RENAME COLUMN d TO e;");
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(columns(&m, "base"), ["a 5", "e -"]);
        // `b` is child's own too (declared and inherited): it stays, for its children too.
        assert_eq!(columns(&m, "child"), ["a 5", "b -", "c -", "e -"]);
        assert_eq!(columns(&m, "grandchild"), ["a 5", "b -", "c -", "e -"]);
        assert!(m.uncertain.is_empty(), "{:?}", m.uncertain);
    }

    #[test]
    fn a_partition_gets_its_parents_columns_without_identity_and_goes_with_it() {
        let (m, c) = run("CREATE TABLE p (id int GENERATED ALWAYS AS IDENTITY, at date NOT NULL DEFAULT now()) PARTITION BY RANGE (at);
             CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             ALTER TABLE p ADD PRIMARY KEY (id, at);");
        assert!(c.is_empty(), "{c:?}");
        let p1 = &m.tables[&q("p1")];
        assert_eq!(p1.columns[0].identity, None);
        assert!(p1.columns[0].not_null);
        assert_eq!(p1.partition_of.as_ref().unwrap().parent, q("p"));
        assert_eq!(
            m.tables[&q("p")].partition_key.as_deref(),
            Some("RANGE (at)")
        );
        // The clone of the primary key is PostgreSQL's, left out while attached.
        assert!(p1.constraints.is_empty());
        let (m, c) = run("CREATE TABLE p (at date) PARTITION BY RANGE (at);
             CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             DROP TABLE p;");
        assert!(c.is_empty(), "{c:?}");
        assert!(m.tables.is_empty(), "{:?}", m.tables.keys());
    }

    #[test]
    fn a_detached_partition_owns_the_clones_under_postgresqls_names_or_its_own() {
        let (m, c) = run("CREATE TABLE p (id int, at date, v text, CONSTRAINT v_ne CHECK (v <> '')) PARTITION BY RANGE (at);
             ALTER TABLE p ADD PRIMARY KEY (id, at);
             CREATE INDEX ON p (v);
             CREATE INDEX p_lower ON p (lower(v));
             CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             CREATE TABLE p2 (id int NOT NULL, at date NOT NULL, v text, CONSTRAINT v_ne CHECK (v <> ''));
             CREATE INDEX mine ON p2 (v);
             ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
             ALTER TABLE p DETACH PARTITION p1;
             ALTER TABLE p DETACH PARTITION p2;");
        assert!(c.is_empty(), "{c:?}");
        let names =
            |t: &str| -> Vec<String> { m.indexes_on(&q(t)).map(|i| i.name.name.clone()).collect() };
        // As PostgreSQL 15 names them (checked on it).
        assert_eq!(names("p1"), ["p1_lower_idx", "p1_v_idx"]);
        assert_eq!(names("p2"), ["mine", "p2_lower_idx"]);
        for t in ["p1", "p2"] {
            let k: Vec<&String> = m.tables[&q(t)].constraints.keys().collect();
            assert_eq!(k, [&format!("{t}_pkey"), &"v_ne".to_string()], "{t}");
            assert!(m.tables[&q(t)].partition_of.is_none());
        }
        assert!(m.uncertain.is_empty(), "{:?}", m.uncertain);
    }

    #[test]
    fn a_partition_of_a_parent_replay_cannot_read_is_unverifiable_not_a_conflict() {
        // sqlparser reads no column options in `PARTITION OF p (k DEFAULT 7)`.
        let (m, c) = run("CREATE TABLE l (c text, k int) PARTITION BY LIST (c);
             CREATE TABLE l2 PARTITION OF l (k DEFAULT 7) FOR VALUES IN ('q') PARTITION BY HASH (k);
             CREATE TABLE l2a PARTITION OF l2 FOR VALUES WITH (MODULUS 2, REMAINDER 0);");
        assert!(c.is_empty(), "{c:?}");
        assert!(m.uncertain.contains_key("public.l2"), "{:?}", m.uncertain);
        assert!(
            m.uncertain["public.l2a"][0].contains("parent public.l2 could not be read"),
            "{:?}",
            m.uncertain
        );
        let (_, c) =
            run("CREATE TABLE l2a PARTITION OF l2 FOR VALUES WITH (MODULUS 2, REMAINDER 0);");
        assert_eq!(c.len(), 1, "{c:?}");
    }

    #[test]
    fn a_concurrent_detach_leaves_the_partition_unverifiable() {
        let (m, c) = run("CREATE TABLE p (at date) PARTITION BY RANGE (at);
             CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;");
        assert!(c.is_empty(), "{c:?}");
        let why = &m.uncertain["public.p1"];
        assert!(
            why[0].contains("CHECK constraint copying the bound"),
            "{why:?}"
        );
        assert!(m.tables[&q("p1")].partition_of.is_none());
    }

    #[test]
    fn inherit_and_no_inherit_are_replayed() {
        let (m, c) = run("CREATE TABLE base (id int, CONSTRAINT pos CHECK (id > 0));
             CREATE TABLE loner (id int, CONSTRAINT pos CHECK (id > 0));
             ALTER TABLE loner INHERIT base;
             CREATE TABLE orphan () INHERITS (base);
             ALTER TABLE ONLY orphan NO INHERIT public.base;");
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(m.tables[&q("loner")].inherits, [q("base")]);
        let orphan = &m.tables[&q("orphan")];
        assert!(orphan.inherits.is_empty());
        // The CHECK it inherited is its own now.
        assert!(orphan.constraints.contains_key("pos"));
        // INHERIT needs the parent's columns and CHECKs on the child.
        let (_, c) = run("CREATE TABLE base (id int, CONSTRAINT pos CHECK (id > 0));
             CREATE TABLE loner (id int);
             ALTER TABLE loner INHERIT base;");
        assert_eq!(c.len(), 1, "{c:?}");
    }

    #[test]
    fn inherit_names_fold_and_qualify_as_postgresql_does() {
        let names = |sql| super::inherit_names(sql, "app");
        let app = |n: &str| QualifiedName::new("app", n);
        assert_eq!(
            names("ALTER TABLE Loner INHERIT base"),
            Some((app("loner"), app("base")))
        );
        assert_eq!(
            names(r#"alter table if exists only "Odd ""One""" no inherit "My Schema"."Base";"#),
            Some((app("Odd \"One\""), QualifiedName::new("My Schema", "Base")))
        );
        assert_eq!(
            names("ALTER TABLE s.child INHERIT parent_$1"),
            Some((QualifiedName::new("s", "child"), app("parent_$1")))
        );
        assert_eq!(names("ALTER TABLE child INHERIT"), None);
        assert_eq!(names("ALTER INDEX child INHERIT base"), None);
    }
}
