//! Reconciliation: which differences between the live schema and the expected one the
//! pending migrations will fix, and which are real drift (docs/contract.md, "drift").
//!
//! Kept apart from the diff because it is about *time* — what the database will look
//! like after the release — rather than structure. Pure: the command hands it the
//! live model and the history facts it read.

use super::diff::{diff, Difference, Kind};
use super::ignore::IgnoreList;
use super::{DriftItem, DriftReport, DriftStatus, HistoryView, ItemKind};
use crate::ir::Migration;
use crate::schema::replay::replay_onto;
use crate::schema::SchemaModel;
use std::collections::BTreeSet;

type Key = (Kind, String);

fn keys(diffs: &[Difference]) -> BTreeSet<Key> {
    diffs.iter().map(|d| (d.kind, d.object.clone())).collect()
}

/// The whole drift analysis. `local` are all migrations of this build, `history`
/// says which are applied and which pending.
///
/// E = replay of every local migration, L = `live`, P_k = L after the first k pending
/// migrations. A difference of L vs E that is absent from P_n vs E is reconcilable;
/// its `resolved_by` is the pending migration after which it stays gone — the one
/// whose ops actually fix it, even when several pending migrations touch the table.
pub fn analyse(
    local: &[Migration],
    live: &SchemaModel,
    history: HistoryView,
    default_schema: &str,
    ignore: &IgnoreList,
) -> DriftReport {
    let expected = expected_schema(local, default_schema);
    analyse_against(&expected, local, live, history, default_schema, ignore)
}

/// E: every local migration replayed in version order. It needs no database, so the
/// command builds it while the catalog is read.
pub fn expected_schema(local: &[Migration], default_schema: &str) -> SchemaModel {
    let mut expected = SchemaModel::default();
    // Conflicts while replaying E are the schema engineer's replay-fidelity concern;
    // drift judges L, so only conflicts of the pending migrations against L count.
    let _ = replay_onto(&mut expected, &in_version_order(local), default_schema);
    expected
}

/// [`analyse`] with E given rather than replayed: `drift --entities` expects the
/// schema the TypeORM entities declare (`entities`), and still asks which
/// differences the pending migrations reconcile.
pub fn analyse_against(
    expected: &SchemaModel,
    local: &[Migration],
    live: &SchemaModel,
    history: HistoryView,
    default_schema: &str,
    ignore: &IgnoreList,
) -> DriftReport {
    reconcile(
        expected,
        &in_version_order(local),
        live,
        history,
        default_schema,
        ignore,
    )
}

/// The tools apply in version order whatever order the files were listed in.
fn in_version_order(local: &[Migration]) -> Vec<&Migration> {
    let mut all: Vec<&Migration> = local.iter().collect();
    all.sort_by(|a, b| a.order.cmp(&b.order));
    all
}

/// [`analyse_against`] on the local migrations already in version order (`all`).
fn reconcile(
    expected: &SchemaModel,
    all: &[&Migration],
    live: &SchemaModel,
    history: HistoryView,
    default_schema: &str,
    ignore: &IgnoreList,
) -> DriftReport {
    let pending: Vec<&Migration> = all
        .iter()
        .copied()
        .filter(|m| history.pending.contains(&m.name))
        .collect();
    let now = diff(expected, live, ignore);
    // last_seen[key] = how many pending migrations had been applied the last time the
    // difference was still there.
    let mut last_seen: std::collections::BTreeMap<Key, usize> =
        keys(&now).into_iter().map(|k| (k, 0)).collect();
    // Each step diffs only the objects the step's migration names (or, after an op
    // whose reach migguard cannot bound, every object that differed in L): a fresh
    // database with hundreds of pending migrations must not cost hundreds of
    // whole-schema diffs. An object no op of the step names cannot change in it.
    let relevant: BTreeSet<&str> = now
        .iter()
        .flat_map(|d| std::iter::once(d.object.as_str()).chain(d.table.as_deref()))
        .collect();
    let mut present: BTreeSet<Key> = last_seen.keys().cloned().collect();
    let mut projected = live.clone();
    let mut conflicts = Vec::new();
    for (k, m) in pending.iter().enumerate() {
        conflicts.extend(replay_onto(&mut projected, &[*m], default_schema));
        if last_seen.is_empty() {
            continue;
        }
        let step: BTreeSet<&str> = match named_targets(m) {
            None => relevant.clone(),
            Some(targets) => now
                .iter()
                .filter(|d| {
                    targets.contains(&d.object)
                        || d.table.as_ref().is_some_and(|t| targets.contains(t))
                })
                .flat_map(|d| std::iter::once(d.object.as_str()).chain(d.table.as_deref()))
                .collect(),
        };
        if !step.is_empty() {
            let after = keys(&diff(
                &restrict(expected, &step),
                &restrict(&projected, &step),
                ignore,
            ));
            for d in &now {
                let checked = step.contains(d.object.as_str())
                    || d.table.as_deref().is_some_and(|t| step.contains(t));
                if checked {
                    let key = (d.kind, d.object.clone());
                    if after.contains(&key) {
                        present.insert(key);
                    } else {
                        present.remove(&key);
                    }
                }
            }
        }
        for (key, seen) in last_seen.iter_mut() {
            if present.contains(key) {
                *seen = k + 1;
            }
        }
    }

    let mut items = Vec::new();
    for d in &now {
        let seen = last_seen.get(&(d.kind, d.object.clone())).copied();
        // An unverifiable item points at the (last) migration its reasons name, so
        // annotations land on the file with the unreadable SQL.
        let unreadable = (d.kind == Kind::Unverifiable)
            .then(|| {
                all.iter()
                    .rev()
                    .find(|m| d.message.contains(&format!(" in {}:", m.name)))
                    .map(|m| m.file.clone())
            })
            .flatten();
        // A pending migration that cannot apply fails, and the tool stops there: it
        // and every later one fix nothing.
        let blocked = |k: usize| {
            pending[..=k]
                .iter()
                .find(|m| conflicts.iter().any(|c| c.migration == m.name))
        };
        let (resolver, blocked_by) = match seen {
            Some(k) if k < pending.len() && d.kind != Kind::Unverifiable => match blocked(k) {
                None => (Some(pending[k]), None),
                Some(b) => (None, Some((pending[k], *b))),
            },
            _ => (None, None),
        };
        let rollback = history.ahead_of_build
            && resolver.is_none()
            && blocked_by.is_none()
            && only_newer_migrations_explain(d, live);
        items.push(DriftItem {
            kind: ItemKind::Schema(d.kind),
            object: d.object.clone(),
            reconcilable: resolver.is_some(),
            rollback,
            resolved_by: resolver.map(|m| m.name.clone()),
            expected: d.expected.clone(),
            actual: d.actual.clone(),
            message: match (resolver, blocked_by) {
                (Some(m), _) => format!("{} (pending migration {} fixes this)", d.message, m.name),
                (None, Some((fixer, failing))) => format!(
                    "{} (pending migration {} would fix this, but {} cannot apply to the live schema)",
                    d.message, fixer.name, failing.name
                ),
                (None, None) if rollback => format!(
                    "{} (rollback: the database is ahead of this build; added by one of the newer migrations {}, which this build does not know)",
                    d.message,
                    history.unknown_applied.join(", ")
                ),
                (None, None) => d.message.clone(),
            },
            file: resolver.map(|m| m.file.clone()).or(unreadable),
        });
    }
    for c in conflicts {
        let file = all
            .iter()
            .find(|m| m.name == c.migration)
            .map(|m| m.file.clone());
        items.push(DriftItem {
            kind: ItemKind::ConflictsWithPending,
            object: c.object,
            reconcilable: false,
            rollback: false,
            resolved_by: None,
            expected: None,
            actual: None,
            message: format!(
                "pending migration {} cannot apply to the live schema: {}",
                c.migration, c.message
            ),
            file,
        });
    }
    for m in &pending {
        items.push(DriftItem {
            kind: ItemKind::PendingMigration,
            object: m.name.clone(),
            reconcilable: true,
            rollback: false,
            resolved_by: Some(m.name.clone()),
            expected: None,
            actual: None,
            message: format!("migration {} is not applied yet", m.name),
            file: Some(m.file.clone()),
        });
    }
    for name in &history.unknown_applied {
        items.push(DriftItem {
            kind: ItemKind::UnknownAppliedMigration,
            object: name.clone(),
            reconcilable: false,
            rollback: history.ahead_of_build,
            resolved_by: None,
            expected: None,
            actual: Some(name.clone()),
            message: if history.ahead_of_build {
                format!("rollback: the database has applied {name}, newer than this build's newest migration; this build does not know its changes")
            } else {
                crate::db::history::unknown_applied_message(
                    name,
                    history.unknown_java.contains(name),
                    "is not among the local migrations",
                )
            },
            file: None,
        });
    }
    let more = history
        .unknown_applied_count
        .saturating_sub(history.unknown_applied.len());
    if more > 0 {
        items.push(DriftItem {
            kind: ItemKind::UnknownAppliedMigration,
            object: format!("({more} more)"),
            reconcilable: false,
            rollback: history.ahead_of_build,
            resolved_by: None,
            expected: None,
            actual: None,
            message: format!(
                "… and {more} more applied migrations that are not among the local migrations ({} in all)",
                history.unknown_applied_count
            ),
            file: None,
        });
    }
    // TypeORM 0.3 runs a pending migration older than the newest applied one (its
    // timestamp check is commented out in MigrationExecutor) and the SQL tools can be
    // told to: a late merge. What it changes is reconciled like any pending migration
    // above; the item only says the order differs from the history's.
    let newest_applied = all
        .iter()
        .rev()
        .find(|m| history.applied.contains(&m.name))
        .map(|m| m.name.as_str())
        .unwrap_or("the newest applied migration");
    for name in &history.out_of_order {
        items.push(DriftItem {
            kind: ItemKind::OutOfOrderMigration,
            object: name.clone(),
            reconcilable: true,
            rollback: false,
            resolved_by: Some(name.clone()),
            expected: None,
            actual: None,
            message: format!(
                "{name} is pending but older than {newest_applied}, which is already applied (merged late): it will run after it"
            ),
            file: all.iter().find(|m| &m.name == name).map(|m| m.file.clone()),
        });
    }
    items.sort_by(|a, b| {
        // Real drift, then rollback warnings, then reconcilable items; within each by
        // the kind's name, as the report has always listed them.
        (a.reconcilable, a.rollback, a.kind.as_str(), &a.object).cmp(&(
            b.reconcilable,
            b.rollback,
            b.kind.as_str(),
            &b.object,
        ))
    });
    items.dedup_by(|a, b| a.kind == b.kind && a.object == b.object && a.message == b.message);
    let status = status_of(&items);
    DriftReport {
        status,
        items,
        history,
    }
}

/// The objects (`object()` and `table()`) a migration's ops name, when every op is
/// one whose effect stays on the objects it names; `None` when some op can reach
/// further (CASCADE, renames, schema drops, unreadable SQL…).
pub(crate) fn named_targets(m: &Migration) -> Option<BTreeSet<String>> {
    use crate::ir::{CommentOn, OpKind::*};
    let mut out = BTreeSet::new();
    for op in &m.up {
        let bounded = match &op.kind {
            // A TypeORM enum column also creates its enum type.
            CreateTable { columns, .. } => columns.iter().all(|c| c.enum_values.is_none()),
            AddColumn { column, .. } => column.enum_values.is_none(),
            AlterColumnType { .. }
            | SetNotNull { .. }
            | DropNotNull { .. }
            | SetDefault { .. }
            | DropDefault { .. }
            | SetIdentity { .. }
            | AddConstraint { .. }
            | ValidateConstraint { .. }
            | AlterConstraint { .. }
            | CreateIndex(_)
            | CreateTypeEnum { .. }
            | CreateTypeComposite { .. }
            | AddEnumValue { .. }
            | CreateExtension { .. }
            | CreateSequence { .. }
            | CreateView { .. }
            | SetOption { .. }
            | TransactionControl { .. }
            | Vacuum { .. }
            | Cluster { .. }
            | Reindex { .. }
            | SetPersistence { .. }
            | SetStorage { .. }
            | Other { .. }
            | Insert { .. }
            | Update { .. }
            | Delete { .. }
            | Truncate { .. } => true,
            DropColumn { cascade, .. }
            | DropConstraint { cascade, .. }
            | DropIndex { cascade, .. } => !cascade,
            // A comment stays on its object; a routine's is resolved by signature.
            Comment { on, .. } => match on {
                Some(CommentOn::Function { .. }) => false,
                Some(on) => {
                    out.insert(on.object(""));
                    out.extend(on.table().map(|t| t.to_string()));
                    true
                }
                None => true,
            },
            _ => false,
        };
        if !bounded {
            return None;
        }
        out.extend(op.kind.object());
        out.extend(op.kind.table().map(|t| t.to_string()));
    }
    Some(out)
}

/// The part of `model` a diff of `relevant` objects (and tables) looks at.
fn restrict(model: &SchemaModel, relevant: &BTreeSet<&str>) -> SchemaModel {
    let has = |q: &crate::ir::QualifiedName| relevant.contains(q.to_string().as_str());
    SchemaModel {
        schemas: model.schemas.clone(),
        tables: model
            .tables
            .iter()
            .filter(|(n, _)| has(n))
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect(),
        indexes: model
            .indexes
            .iter()
            .filter(|(n, i)| has(n) || has(&i.table))
            .map(|(n, i)| (n.clone(), i.clone()))
            .collect(),
        enums: model
            .enums
            .iter()
            .filter(|(n, _)| has(n))
            .map(|(n, e)| (n.clone(), e.clone()))
            .collect(),
        composites: model
            .composites
            .iter()
            .filter(|(n, _)| has(n))
            .map(|(n, c)| (n.clone(), c.clone()))
            .collect(),
        sequences: model
            .sequences
            .iter()
            .filter(|(n, s)| has(n) || s.owned_by.as_ref().is_some_and(|(t, _)| has(t)))
            .map(|(n, s)| (n.clone(), s.clone()))
            .collect(),
        views: model
            .views
            .iter()
            .filter(|(n, _)| has(n))
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
        extensions: model
            .extensions
            .iter()
            .filter(|(n, _)| relevant.contains(n.as_str()))
            .map(|(n, e)| (n.clone(), e.clone()))
            .collect(),
        functions: model
            .functions
            .iter()
            .filter(|(k, f)| has(&f.name) || relevant.contains(k.as_str()))
            .map(|(k, f)| (k.clone(), f.clone()))
            .collect(),
        schema_comments: model
            .schema_comments
            .iter()
            .filter(|(s, _)| relevant.contains(s.as_str()))
            .map(|(s, c)| (s.clone(), c.clone()))
            .collect(),
        uncertain: model
            .uncertain
            .iter()
            .filter(|(o, _)| relevant.contains(o.as_str()))
            .map(|(o, r)| (o.clone(), r.clone()))
            .collect(),
    }
}

/// Clean when nothing differs; drift when an item is neither reconcilable nor a
/// rollback warning; else reconcilable when a pending migration is involved, and
/// ahead-of-build when only rollback warnings remain.
pub fn status_of(items: &[DriftItem]) -> DriftStatus {
    if items.iter().any(|i| !i.reconcilable && !i.rollback) {
        DriftStatus::Drift
    } else if items.iter().any(|i| i.reconcilable) {
        DriftStatus::Reconcilable
    } else if items.is_empty() {
        DriftStatus::Clean
    } else {
        DriftStatus::AheadOfBuild
    }
}

/// Whether, in a database ahead of the build, a difference is one only the newer
/// migrations explain: an object the live database has and this build never creates.
/// The history holds just their names, so what they did is known only from the live
/// schema; an addition leaves this build's own objects as it expects them. What this
/// build creates and the database lacks or holds otherwise stays real drift, whoever
/// changed it: the older code may read it (release-check's `rollback_breakage` blocks
/// the gone ones). So does a column the older code's inserts cannot omit (NOT NULL
/// without a default, identity or generation expression): PostgreSQL rejects them.
fn only_newer_migrations_explain(d: &Difference, live: &SchemaModel) -> bool {
    match d.kind {
        Kind::UnexpectedColumn => {
            let column = d.table.as_deref().and_then(|table| {
                let (_, t) = live.tables.iter().find(|(q, _)| q.to_string() == table)?;
                t.column(d.object.rsplit('.').next()?)
            });
            column.is_some_and(|c| {
                !c.not_null || c.default.is_some() || c.identity.is_some() || c.generated.is_some()
            })
        }
        kind => kind.is_unexpected(),
    }
}
