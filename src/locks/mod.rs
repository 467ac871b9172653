//! Lock risk: what each statement locks, for how long, in which transaction, and
//! whether a timeout protects the application from it.
//!
//! The op-based rules judge one statement at a time. Lock risk needs more: the
//! transaction the statement runs in (`scope`), the lock PostgreSQL takes for it
//! (`modes`), and what earlier migrations left in the schema (a validated
//! `CHECK (col IS NOT NULL)` makes `SET NOT NULL` metadata-only on PostgreSQL 12+;
//! the foreign keys say which tables `TRUNCATE … CASCADE` empties). This module
//! computes those facts per op for the classifier, and raises the rules that only
//! exist because of them (`validate-in-same-transaction`, `truncate-cascade`,
//! `drop-index-concurrently-several`, `lock-timeout-missing`,
//! `statement-timeout-missing`). Pure: the migration, the model replayed before it and
//! the settings in; facts and findings out.

pub mod modes;
pub mod scope;

use crate::finding::Finding;
use crate::ir::{ConstraintKind, Migration, OpKind, Operation, QualifiedName};
use crate::parse::sql::lexical::blank_for_patterns;
use crate::ruleset::{CodeRule, RuleSet};
use crate::schema::model::SchemaModel;
pub use modes::{LockDuration, LockInfo, LockMode, OpFacts, TableLock};
pub use scope::{OpScope, RunnerSettings};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The PostgreSQL major version assumed when none is known (lint without
/// `postgres_version`): the version migguard is checked against. Versions before 12
/// are out of support since November 2023.
pub const ASSUMED_POSTGRES_MAJOR: u32 = 15;

/// What the classifier knows about the world around one migration.
#[derive(Debug, Clone, Default)]
pub struct LockContext {
    /// Major version of the target server: the live one in release-check,
    /// `postgres_version` in `migguard.toml` for lint, else [`ASSUMED_POSTGRES_MAJOR`].
    pub postgres_major: Option<u32>,
    /// Timeouts the runner's connection sets (`[runner]` in `migguard.toml`).
    pub runner: RunnerSettings,
    /// The schema replayed from every migration before this one (in run order);
    /// `None` when the caller did not replay (only the migration's own ops count)
    /// or collected `op_facts` instead.
    pub model_before: Option<SchemaModel>,
    /// What the model just before each op showed, when the caller's own replay pass
    /// collected it ([`model_facts`], lint's one pass): [`analyse`] then replays
    /// nothing and does not read `model_before`.
    pub op_facts: Option<Vec<ModelFacts>>,
    /// Schema for unqualified names (replay of the migration's own ops).
    pub default_schema: String,
}

impl LockContext {
    fn major(&self) -> u32 {
        self.postgres_major.unwrap_or(ASSUMED_POSTGRES_MAJOR)
    }
}

/// Per-op facts of one migration.
#[derive(Debug, Clone, Default)]
pub struct OpAnalysis {
    pub scope: OpScope,
    /// The locks the op takes on tables that exist (`None`: none that matter).
    /// Shared with every finding on the op: a copy per finding was megabytes of
    /// lint's peak on a large history.
    pub lock: Option<Arc<LockInfo>>,
    /// `SET NOT NULL` that PostgreSQL proves with a validated CHECK (no scan).
    pub not_null_proven: bool,
    /// For TRUNCATE … CASCADE: the tables it empties besides its own (from the
    /// foreign keys in the replayed model), sorted.
    pub cascaded_tables: Vec<String>,
    pub truncate_cascade: bool,
    /// How many indexes the op's DROP INDEX statement names.
    pub indexes_in_statement: usize,
    /// ALTER TYPE … RENAME: the labels of the enum renamed, when the model knows it
    /// (what TypeORM's `_old` rebuild of an enum starts from; `enum-value-change`).
    pub renamed_enum_labels: Option<Vec<String>>,
}

/// What the schema just before an op says about its locks (see [`model_facts`]);
/// the default is what an op that needs no model gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelFacts {
    /// A validated CHECK proves the column the op sets NOT NULL is never NULL (on
    /// PostgreSQL 12+ that spares the scan).
    pub validated_not_null_check: bool,
    /// TRUNCATE … CASCADE, at the first op of its statement: the tables it empties
    /// besides those it names, sorted.
    pub cascaded_tables: Vec<String>,
    /// DROP INDEX, REINDEX INDEX: the table of the index.
    pub index_table: Option<QualifiedName>,
    /// The other tables whose foreign keys the op drops (they are locked too).
    pub dropped_foreign_key_targets: Vec<String>,
    /// ALTER TYPE … RENAME of an enum: its labels.
    pub renamed_enum_labels: Option<Vec<String>>,
    /// ALTER COLUMN … TYPE that PostgreSQL does in the catalog alone (`varchar(n)`
    /// to a longer one or `text`, …: `classify::prior`'s judgement): no rewrite.
    pub type_change_metadata_only: bool,
}

/// The [`ModelFacts`] of op `index` of `migration`, from `model`, the schema just
/// before the op: what a replay observer (`schema::replay::replay_observing`) calls.
pub fn model_facts(migration: &Migration, op_index: usize, model: &SchemaModel) -> ModelFacts {
    let op = &migration.up[op_index];
    let mut facts = ModelFacts::default();
    if !needs_model(op) {
        return facts;
    }
    match &op.kind {
        OpKind::SetNotNull { table, column }
        | OpKind::ChangeColumn {
            table,
            column,
            sets_not_null: true,
            ..
        } => facts.validated_not_null_check = validated_not_null_check(model, table, column),
        OpKind::Truncate { table } if cascades_first(migration, op_index) => {
            // Every table of the statement is truncated; only the others are the
            // surprise.
            let truncated: BTreeSet<QualifiedName> = migration
                .up
                .iter()
                .filter(|o| o.statement() == op.statement())
                .filter_map(|o| match &o.kind {
                    OpKind::Truncate { table } => Some(table.clone()),
                    _ => None,
                })
                .chain(std::iter::once(table.clone()))
                .collect();
            facts.cascaded_tables = referencing_tables(model, &truncated)
                .iter()
                .map(ToString::to_string)
                .collect();
        }
        OpKind::DropIndex { index, .. } => {
            facts.index_table = model.indexes.get(index).map(|i| i.table.clone())
        }
        OpKind::Reindex { target, name, .. } if target == "index" => {
            facts.index_table = model.indexes.get(name).map(|i| i.table.clone())
        }
        OpKind::RenameType { name, .. } => {
            facts.renamed_enum_labels = model.enums.get(name).map(|e| e.labels.clone())
        }
        _ => {}
    }
    facts.dropped_foreign_key_targets = dropped_foreign_key_targets(model, op);
    facts
}

/// `TRUNCATE a, b CASCADE` is one op per table: judged once, at the first.
fn cascades_first(migration: &Migration, index: usize) -> bool {
    let op = &migration.up[index];
    says_cascade(op)
        && migration
            .up
            .iter()
            .position(|o| o.statement() == op.statement())
            == Some(index)
}

/// Whether an op needs the replayed model to be judged exactly.
fn needs_model(op: &Operation) -> bool {
    matches!(
        op.kind,
        OpKind::DropTable { .. }
            | OpKind::DropColumn { .. }
            | OpKind::DropConstraint { .. }
            | OpKind::SetNotNull { .. }
            | OpKind::ChangeColumn {
                sets_not_null: true,
                ..
            }
            | OpKind::DropIndex { .. }
            | OpKind::Reindex { .. }
            | OpKind::Truncate { .. }
            // The labels of a type TypeORM renames away to recreate it
            // (`enum-value-change`).
            | OpKind::RenameType { .. }
            // Whether PostgreSQL rewrites the table depends on the column's old type.
            | OpKind::AlterColumnType { .. }
    )
}

/// Whether `expr` (a CHECK constraint's expression) implies `column IS NOT NULL`
/// the way PostgreSQL's `predicate_implied_by` sees it for `SET NOT NULL`: the
/// expression is `col IS NOT NULL`, or an AND whose conjuncts include it.
pub fn check_implies_not_null(expr: &str, column: &str) -> bool {
    use sqlparser::ast::{BinaryOperator, Expr};
    fn names_column(e: &Expr, column: &str) -> bool {
        let ident = match e {
            Expr::Nested(inner) => return names_column(inner, column),
            Expr::Identifier(i) => i,
            Expr::CompoundIdentifier(parts) => match parts.last() {
                Some(i) => i,
                None => return false,
            },
            _ => return false,
        };
        let name = match ident.quote_style {
            Some(_) => ident.value.clone(),
            None => ident.value.to_lowercase(),
        };
        name == column
    }
    fn implies(e: &Expr, column: &str) -> bool {
        match e {
            Expr::Nested(inner) => implies(inner, column),
            Expr::IsNotNull(inner) => names_column(inner, column),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => implies(left, column) || implies(right, column),
            _ => false,
        }
    }
    crate::schema::expr::parse_expr(expr).is_some_and(|e| implies(&e, column))
}

/// A validated CHECK on `table` in `model` that proves `column` is never NULL.
fn validated_not_null_check(model: &SchemaModel, table: &QualifiedName, column: &str) -> bool {
    model.tables.get(table).is_some_and(|t| {
        t.constraints.values().any(|c| {
            c.validated
                && matches!(&c.kind, ConstraintKind::Check { expr } if check_implies_not_null(expr, column))
        })
    })
}

/// Tables that reference `table` by a foreign key, transitively (what `TRUNCATE …
/// CASCADE` empties with it), excluding the truncated tables themselves.
fn referencing_tables(
    model: &SchemaModel,
    truncated: &BTreeSet<QualifiedName>,
) -> BTreeSet<QualifiedName> {
    let mut found: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut frontier: Vec<QualifiedName> = truncated.iter().cloned().collect();
    while let Some(target) = frontier.pop() {
        for t in model.tables.values() {
            let references = t.constraints.values().any(
                |c| matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, .. } if *ref_table == target),
            );
            if references && !truncated.contains(&t.name) && found.insert(t.name.clone()) {
                frontier.push(t.name.clone());
            }
        }
    }
    found
}

/// The other tables whose foreign keys `op` drops reference: DROP TABLE (all its
/// foreign keys), DROP COLUMN (those on the column), DROP CONSTRAINT (that one).
fn dropped_foreign_key_targets(model: &SchemaModel, op: &Operation) -> Vec<String> {
    /// Whether a foreign key (by name and columns) goes with the op.
    type Dropped = Box<dyn Fn(&str, &[String]) -> bool>;
    let (table, dropped): (&QualifiedName, Dropped) = match &op.kind {
        OpKind::DropTable { table, .. } => (table, Box::new(|_, _| true)),
        OpKind::DropColumn { table, column, .. } => {
            let column = column.clone();
            (table, Box::new(move |_, cols| cols.contains(&column)))
        }
        OpKind::DropConstraint {
            table,
            name: Some(name),
            ..
        } => {
            let name = name.clone();
            (table, Box::new(move |n, _| n == name))
        }
        _ => return Vec::new(),
    };
    let Some(t) = model.tables.get(table) else {
        return Vec::new();
    };
    let mut out: Vec<String> = t
        .constraints
        .values()
        .filter_map(|c| match &c.kind {
            ConstraintKind::ForeignKey {
                columns, ref_table, ..
            } if ref_table != table && dropped(&c.name, columns) => Some(ref_table.to_string()),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `CASCADE` as a word of the statement, outside comments and literals.
fn says_cascade(op: &Operation) -> bool {
    blank_for_patterns(&op.text)
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|w| w.eq_ignore_ascii_case("cascade"))
}

/// What one replay pass collected for one migration (see
/// `classify::prior::prior_and_lock_facts`).
#[derive(Debug, Clone, Default)]
pub struct MigrationFacts {
    /// The [`ModelFacts`] of each op.
    pub ops: Vec<ModelFacts>,
}

/// One context per migration: `base`, with what one replay pass collected for it
/// (`facts[i]` for migration `i`).
pub fn contexts_for(base: &LockContext, facts: Vec<MigrationFacts>) -> Vec<LockContext> {
    facts
        .into_iter()
        .map(|facts| LockContext {
            postgres_major: base.postgres_major,
            runner: base.runner.clone(),
            model_before: None,
            op_facts: Some(facts.ops),
            default_schema: base.default_schema.clone(),
        })
        .collect()
}

/// The [`ModelFacts`] of `migration`'s ops when the caller collected none: its own
/// ops replayed onto `ctx.model_before` (or an empty schema).
fn replayed_facts(migration: &Migration, ctx: &LockContext) -> Vec<ModelFacts> {
    if !migration.up.iter().any(needs_model) {
        return vec![ModelFacts::default(); migration.up.len()];
    }
    let default_schema = if ctx.default_schema.is_empty() {
        "public"
    } else {
        ctx.default_schema.as_str()
    };
    let mut model = ctx.model_before.clone().unwrap_or_default();
    let mut facts = Vec::with_capacity(migration.up.len());
    crate::schema::replay::replay_observing(&mut model, &[migration], default_schema, |_, i, m| {
        let mut f = model_facts(migration, i, m);
        f.type_change_metadata_only =
            crate::classify::prior::judge(&migration.up[i], m, default_schema).metadata_only;
        facts.push(f)
    });
    facts
}

/// Facts for each op of `migration.up`, in order.
pub fn analyse(migration: &Migration, ctx: &LockContext) -> Vec<OpAnalysis> {
    let scopes = scope::walk(migration, &ctx.runner);
    let replayed;
    let model_facts: &[ModelFacts] = match &ctx.op_facts {
        Some(facts) => facts,
        None => {
            replayed = replayed_facts(migration, ctx);
            &replayed
        }
    };
    // How many ops each statement (span) produced: `DROP INDEX a, b` is one.
    let mut per_statement: BTreeMap<_, usize> = BTreeMap::new();
    for op in &migration.up {
        if matches!(op.kind, OpKind::DropIndex { .. }) {
            *per_statement.entry(op.statement()).or_default() += 1;
        }
    }
    let mut out = Vec::with_capacity(migration.up.len());
    for (i, (op, scope)) in migration.up.iter().zip(scopes).enumerate() {
        let known = model_facts.get(i).cloned().unwrap_or_default();
        let mut a = OpAnalysis {
            scope,
            not_null_proven: ctx.major() >= 12 && known.validated_not_null_check,
            truncate_cascade: matches!(op.kind, OpKind::Truncate { .. })
                && cascades_first(migration, i),
            cascaded_tables: known.cascaded_tables,
            renamed_enum_labels: known.renamed_enum_labels,
            ..OpAnalysis::default()
        };
        if matches!(op.kind, OpKind::DropIndex { .. }) {
            a.indexes_in_statement = per_statement.get(&op.statement()).copied().unwrap_or(1);
        }
        let mut lock = modes::lock_for(
            op,
            OpFacts {
                not_null_proven: a.not_null_proven,
                index_table: known.index_table.as_ref(),
                type_change_metadata_only: known.type_change_metadata_only,
            },
        );
        // TRUNCATE … CASCADE locks what it empties as it locks the named table, and
        // dropping a foreign key (with its table, its column or by name) removes its
        // triggers from the referenced table, under ACCESS EXCLUSIVE there too.
        if let Some(lock) = lock.as_mut() {
            for t in a
                .cascaded_tables
                .iter()
                .chain(&known.dropped_foreign_key_targets)
            {
                if !lock.locks.iter().any(|l| &l.table == t) {
                    lock.locks.push(modes::TableLock {
                        table: t.clone(),
                        name: None,
                        mode: LockMode::AccessExclusive,
                    });
                }
            }
        }
        a.lock = lock.map(Arc::new);
        out.push(a);
    }
    out
}

/// The findings only lock analysis can raise, for `migration` whose ops were
/// analysed into `facts`; `new_table[i]` says op `i` works on a table created earlier
/// in the same migration (nobody else can be waiting for it).
pub fn findings(
    migration: &Migration,
    facts: &[OpAnalysis],
    new_table: &[bool],
    rules: &RuleSet,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |id: CodeRule, op: &Operation, object: Option<String>, message: String, lock| {
        if let Some(r) = rules.enabled(id) {
            let mut f = crate::classify::finding(r, migration, Some(op.span), object, message);
            f.lock = lock;
            f.origin = op.origin.clone();
            out.push(f);
        }
    };
    // NOT VALID constraints added in each transaction: (table, name) → transaction.
    let mut not_valid: BTreeMap<(QualifiedName, String), (Option<usize>, Option<LockMode>)> =
        BTreeMap::new();
    let mut unprotected_lock: Vec<(&Operation, &Arc<LockInfo>)> = Vec::new();
    let mut unbounded: Vec<(&Operation, &Arc<LockInfo>)> = Vec::new();
    for (i, (op, a)) in migration.up.iter().zip(facts).enumerate() {
        let on_new_table = new_table.get(i).copied().unwrap_or(false);
        match &op.kind {
            OpKind::AddConstraint { table, constraint } if constraint.not_valid => {
                if let Some(name) = &constraint.name {
                    let mode = a.lock.as_deref().and_then(LockInfo::strongest);
                    not_valid.insert((table.clone(), name.clone()), (a.scope.transaction, mode));
                }
            }
            OpKind::ValidateConstraint { table, name } => {
                let added_in = not_valid.get(&(table.clone(), name.clone()));
                if let (Some((Some(added), mode)), Some(now)) = (added_in, a.scope.transaction) {
                    if *added == now && !on_new_table {
                        let mode = mode.unwrap_or(LockMode::AccessExclusive).as_str();
                        push(
                            CodeRule::ValidateInSameTransaction,
                            op,
                            op.kind.object(),
                            format!(
                                "VALIDATE CONSTRAINT {name} runs in the transaction that added it NOT VALID: the {mode} lock of the ADD is held through the validation scan of {table}"
                            ),
                            a.lock.clone(),
                        );
                    }
                }
            }
            // One finding per table the CASCADE empties, each its own object:
            // `@destructive` must name every one of them to acknowledge it.
            OpKind::Truncate { table } if a.truncate_cascade => {
                if a.cascaded_tables.is_empty() {
                    push(
                        CodeRule::TruncateCascade,
                        op,
                        Some(table.to_string()),
                        format!("TRUNCATE {table} CASCADE also empties every table with a foreign key to it (none known from the migrations)"),
                        a.lock.clone(),
                    );
                }
                for other in &a.cascaded_tables {
                    push(
                        CodeRule::TruncateCascade,
                        op,
                        Some(other.clone()),
                        format!("TRUNCATE {table} CASCADE also empties {other}, which references it by a foreign key (directly or through another table)"),
                        a.lock.clone(),
                    );
                }
            }
            OpKind::DropIndex {
                index,
                concurrently: true,
                ..
            } if a.indexes_in_statement > 1 => push(
                CodeRule::DropIndexConcurrentlySeveral,
                op,
                Some(index.to_string()),
                format!(
                    "DROP INDEX CONCURRENTLY names {} indexes; PostgreSQL refuses that (\"DROP INDEX CONCURRENTLY does not support dropping multiple objects\")",
                    a.indexes_in_statement
                ),
                a.lock.clone(),
            ),
            _ => {}
        }
        let Some(lock) = &a.lock else { continue };
        if on_new_table || !lock.strongest().is_some_and(LockMode::blocks_writes) {
            continue;
        }
        if !a.scope.lock_timeout {
            unprotected_lock.push((op, lock));
        }
        if lock.duration.is_long() && !a.scope.statement_timeout {
            unbounded.push((op, lock));
        }
    }
    // One finding per migration, at the first statement, counting the rest: the fix
    // (a SET at the top, or the runner's setting) is one line for all of them.
    fn summary<'o>(
        list: &[(&'o Operation, &'o Arc<LockInfo>)],
        what: &str,
        setting: &str,
    ) -> Option<(&'o Operation, String, Arc<LockInfo>)> {
        list.first().map(|(op, lock)| {
            let more = match list.len() - 1 {
                0 => String::new(),
                1 => " (and 1 more statement of this migration)".to_string(),
                n => format!(" (and {n} more statements of this migration)"),
            };
            let message = format!(
                "{} takes {} ({}) with no {setting} in effect: {what}{more}",
                op.kind.name().replace('_', " "),
                lock.describe_locks(),
                lock.duration.as_str(),
            );
            (*op, message, Arc::clone(lock))
        })
    }
    let blocked = if unprotected_lock
        .first()
        .is_some_and(|(_, l)| l.strongest() == Some(LockMode::AccessExclusive))
    {
        "queued behind a long transaction, it blocks every query on the table (reads too) behind it"
    } else {
        "queued behind a long transaction, it blocks every write to the table behind it"
    };
    if let Some((op, message, lock)) = summary(&unprotected_lock, blocked, "lock_timeout") {
        push(
            CodeRule::LockTimeoutMissing,
            op,
            op.kind.object(),
            message,
            Some(lock),
        );
    }
    if let Some((op, message, lock)) = summary(
        &unbounded,
        "nothing bounds how long the table stays locked",
        "statement_timeout",
    ) {
        push(
            CodeRule::StatementTimeoutMissing,
            op,
            op.kind.object(),
            message,
            Some(lock),
        );
    }
    out
}

#[cfg(test)]
mod tests;
