//! Replay of constraint DDL: ADD (with PostgreSQL's and TypeORM's default names and
//! `USING INDEX`), DROP, VALIDATE, ALTER and RENAME CONSTRAINT, and the merging of
//! equal key constraints inside one CREATE TABLE.

use super::{note_constraint_name, Replayer};
use crate::ir::{ColumnDef, ConstraintDef, ConstraintKind, QualifiedName};
use crate::schema::model::Constraint;
use crate::schema::naming;
use crate::schema::normalize::{canonical_expr, split_index_key};

impl Replayer<'_> {
    pub(super) fn add_constraint_to_existing(
        &mut self,
        table: &QualifiedName,
        constraint: &ConstraintDef,
        typeorm: bool,
    ) {
        if !self.model.tables.contains_key(table) {
            self.conflict(
                table.to_string(),
                format!("ADD CONSTRAINT: table {table} does not exist"),
            );
            return;
        }
        self.add_constraint(table, constraint, typeorm);
    }

    pub(super) fn drop_constraint(
        &mut self,
        table: &QualifiedName,
        name: &Option<String>,
        if_exists: bool,
    ) {
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
            Some(_) if if_exists => {}
            Some(n) => self.conflict(
                format!("{table}.{n}"),
                format!("DROP CONSTRAINT {n}: no such constraint on {table}"),
            ),
            None if if_exists => {}
            None => self.conflict(
                table.to_string(),
                "DROP CONSTRAINT: the constraint cannot be identified",
            ),
        }
    }

    pub(super) fn validate_constraint(&mut self, table: &QualifiedName, name: &str) {
        if let Some(c) = self
            .model
            .tables
            .get_mut(table)
            .and_then(|t| t.constraints.get_mut(name))
        {
            c.validated = true;
        }
    }

    pub(super) fn alter_constraint(
        &mut self,
        table: &QualifiedName,
        name: &str,
        deferrable: bool,
        initially_deferred: bool,
    ) {
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        let refused = match t.constraints.get_mut(name) {
            // PostgreSQL 15–17 alter only foreign keys this way.
            Some(c) if matches!(c.kind, ConstraintKind::ForeignKey { .. }) => {
                c.deferrable = deferrable;
                c.initially_deferred = initially_deferred;
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

    pub(super) fn rename_constraint(&mut self, table: &QualifiedName, name: &str, new_name: &str) {
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        match t.constraints.remove(name) {
            Some(mut c) => {
                c.name = new_name.to_string();
                t.constraints.insert(new_name.to_string(), c);
                note_constraint_name(&mut self.constraint_names, new_name);
            }
            None => self.conflict(
                format!("{table}.{name}"),
                format!("RENAME CONSTRAINT {name}: no such constraint"),
            ),
        }
    }

    pub(super) fn add_constraint(
        &mut self,
        table: &QualifiedName,
        c: &ConstraintDef,
        typeorm: bool,
    ) {
        let owned;
        // `USING INDEX`: the index becomes the constraint's, its comment kept.
        let index_comment = c.using_index.as_ref().and_then(|i| {
            let qname = QualifiedName::new(table.schema.clone(), i.as_str());
            self.model.indexes.get(&qname)?.comment.clone()
        });
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
        note_constraint_name(&mut self.constraint_names, &name);
        // NOT VALID is ignored inside CREATE TABLE; only ALTER TABLE ADD keeps it.
        t.constraints.insert(
            name.clone(),
            Constraint {
                comment: None,
                name,
                kind,
                validated: !c.not_valid,
                deferrable: c.deferrable,
                initially_deferred: c.initially_deferred,
                index_comment,
            },
        );
    }

    /// `ADD CONSTRAINT c {UNIQUE | PRIMARY KEY} USING INDEX i`: the constraint takes
    /// the index's columns and NULLS NOT DISTINCT, the index becomes the constraint's
    /// own (PostgreSQL renames it to the constraint's name, drops it with the
    /// constraint and renames the pair together), so it leaves the standalone
    /// indexes. PostgreSQL refuses an index that is not a plain unique btree on
    /// columns with the default ordering: a conflict here. `None` when refused.
    pub(super) fn constraint_from_index(
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
}

fn fk_action(a: &Option<String>) -> Option<String> {
    a.as_ref()
        .map(|s| s.to_ascii_uppercase())
        .filter(|s| s != "NO ACTION")
}

/// A CREATE TABLE's column and table constraints as PostgreSQL keeps them: its
/// `transformIndexConstraints` creates one index for PRIMARY KEY / UNIQUE constraints
/// that are equal (same key columns in the same order, NULLS NOT DISTINCT,
/// deferrability), keeping the primary key (considered first) or else the earliest,
/// and an unnamed kept one takes the dropped one's name. TypeORM emits such a pair for
/// a one-to-one join column that is also the primary key. `ALTER TABLE … ADD` does
/// not merge (checked on PostgreSQL 15), so only CREATE TABLE calls this. TypeORM
/// names every constraint it writes, so its unnamed ones take no name over.
pub(super) fn merge_duplicate_index_constraints(
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
