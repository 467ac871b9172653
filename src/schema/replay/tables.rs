//! Replay of whole-relation DDL: CREATE, DROP and RENAME TABLE, with what goes along
//! with a table in PostgreSQL (its indexes, owned sequences, dependent views, foreign
//! keys pointing at it) and what TypeORM's `renameTable` renames besides.

use super::constraints::merge_duplicate_index_constraints;
use super::{note_constraint_name, Replayer};
use crate::ir::{ColumnDef, ConstraintDef, ConstraintKind, Hierarchy, IndexDef, QualifiedName};
use crate::schema::model::Table;
use crate::schema::naming;
use crate::schema::normalize::split_index_key;
use crate::schema::view_columns::{ctas_columns, relations_used};

impl Replayer<'_> {
    /// `CREATE TABLE`: one argument per field of `OpKind::CreateTable`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn create_table(
        &mut self,
        table: &QualifiedName,
        columns: &[ColumnDef],
        constraints: &[ConstraintDef],
        if_not_exists: bool,
        indexes: &[IndexDef],
        unmodelled: &Option<String>,
        hierarchy: &Hierarchy,
        as_query: &Option<String>,
        typeorm: bool,
    ) {
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
        if temporary {
            self.temporary_tables.insert(table.clone());
        }
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
        self.place_in_hierarchy(table, hierarchy);
        let (columns, constraints) =
            merge_duplicate_index_constraints(columns, constraints, typeorm);
        for c in &columns {
            let inherited = self.inherits_column(table, &c.name);
            self.add_column(table, c, typeorm);
            if inherited {
                self.merge_declared(table, &c.name);
            }
        }
        for c in &constraints {
            self.add_constraint(table, c, typeorm);
        }
        for i in indexes {
            self.create_index(i, typeorm);
        }
    }

    /// What TypeORM 0.3's `renameTable` renames besides the table and the constraints
    /// with default names: indexes whose name is the naming strategy's for the old
    /// table (a partial index's name hashes TypeORM's own text of the predicate, which
    /// replay does not have: those keep their name, as they would unless it matched),
    /// each serial column's `<table>_<column>_seq`, and each enum column's type
    /// named `<table>_<column>_enum`. `t` is the table, already renamed.
    pub(super) fn typeorm_rename_table_extras(&mut self, old: &QualifiedName, t: &Table) {
        let new = &t.name;
        let renamed_indexes: Vec<(QualifiedName, QualifiedName)> = self
            .model
            .indexes_on(new)
            .filter(|i| i.predicate.is_none())
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

    /// The migrations' session ends: its temporary tables go, with what goes with a
    /// dropped table (their indexes, the doubts about them). Drift audits the schema
    /// from another session, where they never exist.
    pub(super) fn end_of_session(&mut self) {
        for table in std::mem::take(&mut self.temporary_tables) {
            self.drop_table(&table, true);
        }
    }

    pub(super) fn drop_table(&mut self, table: &QualifiedName, if_exists: bool) {
        self.temporary_tables.remove(table);
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
    pub(super) fn drop_relation_dependents(&mut self, relation: &QualifiedName) {
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

    pub(super) fn rename_table(
        &mut self,
        table: &QualifiedName,
        new_name: &QualifiedName,
        typeorm: bool,
    ) {
        if !self.model.tables.contains_key(table) {
            if let Some(mut v) = self.model.views.remove(table) {
                // `ALTER VIEW … RENAME TO` (or ALTER TABLE on a view); a materialized
                // view's indexes follow it.
                v.name = new_name.clone();
                self.model.views.insert(new_name.clone(), v);
                for i in self.model.indexes_on_mut(table) {
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
                    note_constraint_name(&mut self.constraint_names, &new);
                    t.constraints.insert(new, c);
                }
            }
        }
        self.rename_parent(table, new_name);
        let renamed = typeorm.then(|| t.clone());
        self.model.tables.insert(new_name.clone(), t);
        for i in self.model.indexes_on_mut(table) {
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
}
