//! Replay of index DDL: CREATE INDEX (with PostgreSQL's `ChooseRelationName` and
//! TypeORM's default names), DROP INDEX and ALTER INDEX … RENAME.

use super::{note_constraint_name, Replayer};
use crate::ir::{ConstraintKind, IndexDef, QualifiedName};
use crate::schema::model::Index;
use crate::schema::naming;
use crate::schema::normalize::{canonical_expr, index_key};

impl Replayer<'_> {
    pub(super) fn drop_index(&mut self, index: &QualifiedName, if_exists: bool) {
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

    pub(super) fn rename_index(&mut self, index: &QualifiedName, new_name: &str) {
        if let Some(mut i) = self.model.indexes.remove(index) {
            i.name = QualifiedName::new(index.schema.clone(), new_name.to_string());
            self.model.indexes.insert(i.name.clone(), i);
        } else {
            // Renaming a constraint's index renames the constraint.
            let renamed = self.model.tables.values_mut().find_map(|t| {
                let c = t.constraints.remove(&index.name)?;
                Some((t, c))
            });
            match renamed {
                Some((t, mut c)) => {
                    c.name = new_name.to_string();
                    t.constraints.insert(new_name.to_string(), c);
                    note_constraint_name(&mut self.constraint_names, new_name);
                }
                None => self.conflict(
                    index.to_string(),
                    format!("ALTER INDEX {index} RENAME: no such index"),
                ),
            }
        }
    }

    /// PostgreSQL's `ChooseRelationName`: `name1_name2_label`, then `…_label1`,
    /// `…_label2`… until no relation of the schema (table, view, sequence, index,
    /// constraint index) has the name.
    pub(super) fn choose_relation_name(
        &self,
        schema: &str,
        name1: &str,
        name2: &str,
        label: &str,
    ) -> String {
        let taken = |name: &str| {
            let q = QualifiedName::new(schema.to_string(), name.to_string());
            let constraint_index = || {
                self.model.tables.values().any(|t| {
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
            let ever_a_constraint_name = self
                .constraint_names
                .get_or_init(|| {
                    self.model
                        .tables
                        .values()
                        .flat_map(|t| t.constraints.keys().cloned())
                        .collect()
                })
                .contains(name);
            // A place that names a constraint without recording it would make names
            // collide silently: the tests (debug builds) look every time.
            debug_assert!(
                ever_a_constraint_name || !constraint_index(),
                "constraint {name} missing from constraint_names"
            );
            self.model.indexes.contains_key(&q)
                || self.model.tables.contains_key(&q)
                || self.model.views.contains_key(&q)
                || self.model.sequences.contains_key(&q)
                || (ever_a_constraint_name && constraint_index())
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

    pub(super) fn create_index(&mut self, def: &IndexDef, typeorm: bool) {
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
                comment: None,
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
                storage: def.storage.clone(),
            },
        );
    }
}
