//! What the schema looks like just before each op: lint judged by replay.
//!
//! An op alone does not say whether `ALTER COLUMN c TYPE text` rewrites the table —
//! that depends on the type `c` has. Replay (`schema::replay`, the one model of the
//! schema) knows it, so this pass replays the migrations in run order and, before each
//! op applies, records the facts the rules need that only the prior schema can give.
//! Where replay cannot vouch for the state (table created outside the migrations,
//! touched by an opaque op), the facts stay at their fail-closed default and lint
//! behaves as if it knew nothing.

use crate::ir::{
    fold_sql_ident, AttrValue, ChangeMode, Migration, OpKind, OpName, Operation, QualifiedName,
};
use crate::locks::{MigrationFacts, ModelFacts};
use crate::schema::model::{SchemaModel, Table};
use crate::schema::normalize::normalize_type;
use crate::schema::replay::{replay_observing, typeorm_change_mode};
use std::collections::BTreeMap;

/// Facts about one op from the schema just before it; the default is "unknown".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpPrior {
    /// `alter_column_type` that PostgreSQL applies to the catalog only: no table
    /// rewrite, no index rebuild, no constraint re-check scan.
    pub metadata_only: bool,
    /// `changeColumn` with the old column passed by name: the mode TypeORM takes for
    /// the column as it is, and whether that in-place change sets NOT NULL.
    pub change: Option<(ChangeMode, bool)>,
    /// `create_index` on a table created `PARTITION BY`: PostgreSQL 15 refuses
    /// CONCURRENTLY on it.
    pub on_partitioned: bool,
}

impl OpPrior {
    /// Overwrite the condition attributes of an op of `kind` (or of a constraint it
    /// adds inline) with what the prior schema shows.
    pub fn refine(&self, kind: OpName, attrs: &mut BTreeMap<&'static str, AttrValue>) {
        match (kind, self.change) {
            (OpName::CreateIndex, _) => {
                attrs.insert("on_partitioned", AttrValue::Bool(self.on_partitioned));
            }
            (OpName::AlterColumnType, _) => {
                attrs.insert("metadata_only", AttrValue::Bool(self.metadata_only));
            }
            (OpName::ChangeColumn, Some((mode, sets_not_null))) => {
                attrs.insert("mode", AttrValue::Str(mode.name().to_string()));
                attrs.insert("sets_not_null", AttrValue::Bool(sets_not_null));
            }
            _ => {}
        }
    }
}

/// [`OpPrior`]s of every migration's `up()` ops, indexed like `migrations` and their
/// ops; `migrations` must be in run order (as `load_project` sorts them).
pub fn prior_facts(migrations: &[Migration], default_schema: &str) -> Vec<Vec<OpPrior>> {
    prior_facts_observing(migrations, default_schema, |_, _, _| {})
}

/// [`prior_facts`] and, from the same replay pass, what the lock analysis needs of
/// every migration ([`MigrationFacts`], indexed the same way): lint replays once.
pub fn prior_and_lock_facts(
    migrations: &[Migration],
    default_schema: &str,
) -> (Vec<Vec<OpPrior>>, Vec<MigrationFacts>) {
    let mut lock_facts: Vec<MigrationFacts> = migrations
        .iter()
        .map(|m| MigrationFacts {
            ops: vec![ModelFacts::default(); m.up.len()],
        })
        .collect();
    let prior = prior_facts_observing(migrations, default_schema, |mi, oi, model| {
        lock_facts[mi].ops[oi] = crate::locks::model_facts(&migrations[mi], oi, model);
    });
    // The rewrite judgement is made once, here, for the rules and the lock label.
    for (facts, known) in lock_facts.iter_mut().zip(&prior) {
        for (f, k) in facts.ops.iter_mut().zip(known) {
            f.type_change_metadata_only = k.metadata_only;
        }
    }
    (prior, lock_facts)
}

/// [`prior_facts`], also showing `also` the model before each op.
fn prior_facts_observing(
    migrations: &[Migration],
    default_schema: &str,
    mut also: impl FnMut(usize, usize, &SchemaModel),
) -> Vec<Vec<OpPrior>> {
    let mut facts: Vec<Vec<OpPrior>> = migrations
        .iter()
        .map(|m| vec![OpPrior::default(); m.up.len()])
        .collect();
    let refs: Vec<&Migration> = migrations.iter().collect();
    let mut model = SchemaModel::default();
    replay_observing(&mut model, &refs, default_schema, |mi, oi, model| {
        facts[mi][oi] = judge(&migrations[mi].up[oi], model, default_schema);
        also(mi, oi, model);
    });
    facts
}

pub(crate) fn judge(op: &Operation, model: &SchemaModel, default_schema: &str) -> OpPrior {
    let mut prior = OpPrior::default();
    if op.dynamic {
        return prior;
    }
    if let OpKind::CreateIndex(def) = &op.kind {
        // A partitioned table stays one (PostgreSQL converts neither way), so the
        // replayed CREATE TABLE is enough even where later ops left it uncertain.
        prior.on_partitioned = model
            .tables
            .get(&def.table)
            .is_some_and(Table::is_partitioned);
    }
    if let OpKind::AlterColumnType {
        table,
        column,
        data_type,
        using,
    } = &op.kind
    {
        prior.metadata_only = known_table(model, table, column).is_some_and(|t| {
            let Some(old) = t.column(column) else {
                return false;
            };
            let new = normalize_type(data_type, default_schema, &|s, n| {
                model.enums.contains_key(&QualifiedName::new(s, n))
            });
            // A column with its own collation gets the new type's default one: its
            // indexes are rebuilt (measured on PostgreSQL 15).
            old.collation.is_none()
                && t.unmodelled.is_none()
                && !t.is_partitioned()
                && !t.has_parent()
                && !checked_by_constraint(t, column)
                && !rebuilt_index_uses(model, table, column)
                && using_is_noop(using.as_deref(), column, &new, default_schema)
                && type_change_is_metadata_only(&old.data_type, &new)
        });
    }
    if let OpKind::ChangeColumn {
        table,
        column,
        by_name: Some(named),
        ..
    } = &op.kind
    {
        prior.change = known_table(model, table, column)
            .and_then(|t| t.column(column))
            .and_then(|old| {
                let mode = typeorm_change_mode(old, named, &model.enums, default_schema)?;
                let sets_not_null = mode == ChangeMode::InPlace && !old.not_null && !named.nullable;
                Some((mode, sets_not_null))
            });
    }
    prior
}

/// The table as replay knows it, when nothing unreadable touched it or the column.
fn known_table<'m>(
    model: &'m SchemaModel,
    table: &QualifiedName,
    column: &str,
) -> Option<&'m Table> {
    let uncertain = [
        "*".to_string(),
        table.to_string(),
        format!("{table}.{column}"),
    ]
    .iter()
    .any(|k| model.uncertain.contains_key(k));
    if uncertain {
        return None;
    }
    model.tables.get(table)
}

/// Whether `text` names `column` as a word.
fn mentions(text: &str, column: &str) -> bool {
    let column = column.to_lowercase();
    text.to_lowercase()
        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .any(|w| w == column)
}

/// What PostgreSQL re-checks or rebuilds when the column's type changes even though
/// the data stays as it is (measured on PostgreSQL 15): a CHECK constraint on it (a
/// full scan), an index whose expression or predicate uses it (rebuilt); exclusion
/// constraints are counted too (not measured).
fn checked_by_constraint(table: &Table, column: &str) -> bool {
    table.constraints.values().any(|c| match &c.kind {
        crate::ir::ConstraintKind::Check { expr } => mentions(expr, column),
        crate::ir::ConstraintKind::Exclusion { definition } => mentions(definition, column),
        _ => false,
    })
}

fn rebuilt_index_uses(model: &SchemaModel, table: &QualifiedName, column: &str) -> bool {
    let plain_key = |key: &str| {
        let mut words = key.split_whitespace();
        words.next().is_some_and(|k| fold_sql_ident(k) == column)
            && words.all(|w| {
                matches!(
                    w.to_ascii_uppercase().as_str(),
                    "ASC" | "DESC" | "NULLS" | "FIRST" | "LAST"
                )
            })
    };
    model
        .indexes
        .values()
        .filter(|i| &i.table == table)
        .any(|i| {
            i.predicate.as_deref().is_some_and(|p| mentions(p, column))
                || i.keys.iter().any(|k| !plain_key(k) && mentions(k, column))
        })
}

/// `USING` absent, the column itself, or the column cast to the new type: the
/// conversion PostgreSQL would apply anyway. Anything else is an expression whose
/// result PostgreSQL must compute for every row.
fn using_is_noop(using: Option<&str>, column: &str, new_type: &str, default_schema: &str) -> bool {
    let Some(expr) = using else {
        return true;
    };
    let (operand, cast) = match expr.split_once("::") {
        Some((operand, cast)) => (operand, Some(cast)),
        None => (expr, None),
    };
    let operand = operand.trim();
    let is_column = !operand.is_empty()
        && !operand.contains(|c: char| "()+-*/|,' ".contains(c))
        && fold_sql_ident(operand) == column;
    is_column
        && cast.is_none_or(|t| {
            !t.contains("::") && normalize_type(t, default_schema, &|_, _| false) == new_type
        })
}

/// Whether PostgreSQL changes a column from `old` to `new` (both in `format_type`
/// spelling) without rewriting the table or rebuilding its indexes: the coercion is
/// binary (`varchar` ↔ `text`, `cidr` → `inet`) or a typmod that only widens
/// (`varchar(n)` → `varchar(m ≥ n)`, `numeric(p,s)` → `numeric(p2 ≥ p,s)`).
/// `timestamp` ↔ `timestamptz` is metadata-only only when the session TimeZone is
/// UTC, which a migration file cannot show: not listed. Checked against a real
/// server, table by table, in `tests/lint_replay.rs`.
pub fn type_change_is_metadata_only(old: &str, new: &str) -> bool {
    if old == new {
        return true;
    }
    let varchar = |t: &str| typmod_of(t, "character varying");
    let numeric = |t: &str| typmod_of(t, "numeric");
    match (varchar(old), varchar(new)) {
        (Some(Some(n)), Some(Some(m))) => return m.len() == 1 && n.len() == 1 && m[0] >= n[0],
        (Some(_), Some(None)) => return true,
        _ => {}
    }
    if varchar(old).is_some() && new == "text" {
        return true;
    }
    if old == "text" && varchar(new) == Some(None) {
        return true;
    }
    match (numeric(old), numeric(new)) {
        (Some(Some(a)), Some(Some(b))) if a.len() == 2 && b.len() == 2 => {
            return b[1] == a[1] && b[0] >= a[0]
        }
        (Some(Some(_)), Some(None)) => return true,
        _ => {}
    }
    old == "cidr" && new == "inet"
}

/// `name` → `Some(None)`, `name(a,b)` → `Some(Some([a, b]))`, any other type → `None`.
fn typmod_of(t: &str, name: &str) -> Option<Option<Vec<u32>>> {
    if t == name {
        return Some(None);
    }
    let inner = t.strip_prefix(name)?.strip_prefix('(')?.strip_suffix(')')?;
    let mods: Option<Vec<u32>> = inner.split(',').map(|m| m.trim().parse().ok()).collect();
    Some(Some(mods?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typmods_are_read_exactly() {
        assert_eq!(
            typmod_of("character varying(20)", "character varying"),
            Some(Some(vec![20]))
        );
        assert_eq!(
            typmod_of("character varying", "character varying"),
            Some(None)
        );
        assert_eq!(
            typmod_of("numeric(10,2)", "numeric"),
            Some(Some(vec![10, 2]))
        );
        assert_eq!(
            typmod_of("character varying(20)[]", "character varying"),
            None
        );
        assert_eq!(typmod_of("text", "character varying"), None);
    }

    #[test]
    fn using_counts_only_the_column_or_its_cast_to_the_new_type() {
        assert!(using_is_noop(None, "c", "integer", "public"));
        assert!(using_is_noop(Some("c::int"), "c", "integer", "public"));
        assert!(using_is_noop(
            Some("\"c\"::integer"),
            "c",
            "integer",
            "public"
        ));
        assert!(using_is_noop(Some("c"), "c", "integer", "public"));
        assert!(!using_is_noop(Some("c + 0"), "c", "integer", "public"));
        assert!(!using_is_noop(Some("c::bigint"), "c", "integer", "public"));
        assert!(!using_is_noop(Some("d::int"), "c", "integer", "public"));
        assert!(!using_is_noop(
            Some("c::text::int"),
            "c",
            "integer",
            "public"
        ));
        assert!(!using_is_noop(Some("\"C\"::int"), "c", "integer", "public"));
    }
}
