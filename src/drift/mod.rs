//! Drift: compare the live schema with the one the local migrations produce, and
//! separate what the pending migrations will reconcile from real drift (DESIGN §6).
//!
//! L = live, E = replay of *all* local migrations (what the code being deployed
//! expects), P = L with the pending migrations replayed onto it. A difference between
//! L and E that is gone between P and E is *reconcilable* (`resolved_by` names the
//! pending migration touching the object); one still there is *real drift* (a hand
//! edit, an edited applied migration, a migration applied elsewhere). A pending
//! migration that cannot apply to L is `conflicts-with-pending`. Objects the replay
//! could not read are `unverifiable`, never silently clean.

pub mod diff;
pub mod render;

use crate::ir::Migration;
use crate::schema::replay::replay_onto;
use crate::schema::SchemaModel;
pub use diff::{diff, Difference, IgnoreList};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftItem {
    pub kind: String,
    pub object: String,
    pub reconcilable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    pub message: String,
    /// The migration file behind the item, when known (for annotations).
    #[serde(skip)]
    pub file: Option<std::path::PathBuf>,
}

/// History facts drift needs (from `db::history::compare`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryView {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
    pub unknown_applied: Vec<String>,
    #[serde(skip)]
    pub out_of_order: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftStatus {
    Clean,
    Reconcilable,
    Drift,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub status: DriftStatus,
    pub items: Vec<DriftItem>,
    pub history: HistoryView,
}

/// Which pending migration touches `object` (`schema.table[.x]`), if any.
fn touching<'a>(pending: &[&'a Migration], object: &str) -> Option<&'a Migration> {
    let table_of = |o: &str| o.split('.').take(2).collect::<Vec<_>>().join(".");
    let target = table_of(object);
    pending.iter().rev().copied().find(|m| {
        m.up.iter().any(|op| {
            op.kind
                .object()
                .is_some_and(|o| o == object || table_of(&o) == target)
                || op.kind.table().is_some_and(|t| t.to_string() == target)
        })
    })
}

/// The whole drift analysis, pure.
pub fn analyse(
    local: &[Migration],
    live: &SchemaModel,
    history: HistoryView,
    default_schema: &str,
    ignore: &IgnoreList,
) -> DriftReport {
    let all: Vec<&Migration> = local.iter().collect();
    let pending: Vec<&Migration> = local
        .iter()
        .filter(|m| history.pending.contains(&m.name))
        .collect();
    let mut expected = SchemaModel::default();
    let _ = replay_onto(&mut expected, &all, default_schema);
    let mut projected = live.clone();
    let conflicts = replay_onto(&mut projected, &pending, default_schema);
    // The replay of the pending migrations onto L must not make L's own extra
    // objects look uncertain: uncertainty comes from E only.
    let now = diff(&expected, live, ignore);
    let after = diff(&expected, &projected, ignore);
    let mut items = Vec::new();
    for d in &now {
        let still = after
            .iter()
            .any(|a| a.kind == d.kind && a.object == d.object);
        let by = if still {
            None
        } else {
            touching(&pending, &d.object)
        };
        let reconcilable = !still;
        items.push(DriftItem {
            kind: d.kind.to_string(),
            object: d.object.clone(),
            reconcilable,
            resolved_by: by.map(|m| m.name.clone()).or_else(|| {
                (reconcilable)
                    .then(|| pending.first().map(|m| m.name.clone()))
                    .flatten()
            }),
            expected: d.expected.clone(),
            actual: d.actual.clone(),
            message: if reconcilable {
                format!("{} (the pending migrations fix this)", d.message)
            } else {
                d.message.clone()
            },
            file: by.map(|m| m.file.clone()),
        });
    }
    for c in conflicts {
        let file = local
            .iter()
            .find(|m| m.name == c.migration)
            .map(|m| m.file.clone());
        items.push(DriftItem {
            kind: "conflicts-with-pending".into(),
            object: c.object,
            reconcilable: false,
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
    for (object, reasons) in &expected.uncertain {
        if ignore.matches(object) {
            continue;
        }
        items.push(DriftItem {
            kind: "unverifiable".into(),
            object: object.clone(),
            reconcilable: false,
            resolved_by: None,
            expected: None,
            actual: None,
            message: format!("migguard cannot verify this object: {}", reasons.join("; ")),
            file: None,
        });
    }
    for m in &pending {
        items.push(DriftItem {
            kind: "pending-migration".into(),
            object: m.name.clone(),
            reconcilable: true,
            resolved_by: Some(m.name.clone()),
            expected: None,
            actual: None,
            message: format!("migration {} is not applied yet", m.name),
            file: Some(m.file.clone()),
        });
    }
    for name in &history.unknown_applied {
        items.push(DriftItem {
            kind: "unknown-applied-migration".into(),
            object: name.clone(),
            reconcilable: false,
            resolved_by: None,
            expected: None,
            actual: Some(name.clone()),
            message: format!(
                "the database has applied {name}, which is not among the local migrations"
            ),
            file: None,
        });
    }
    for name in &history.out_of_order {
        items.push(DriftItem {
            kind: "out-of-order-migration".into(),
            object: name.clone(),
            reconcilable: false,
            resolved_by: None,
            expected: None,
            actual: None,
            message: format!("{name} is pending but older than migrations already applied: it was skipped or merged late"),
            file: local.iter().find(|m| &m.name == name).map(|m| m.file.clone()),
        });
    }
    items.sort_by(|a, b| {
        (a.reconcilable, &a.kind, &a.object).cmp(&(b.reconcilable, &b.kind, &b.object))
    });
    let status = if items.iter().any(|i| !i.reconcilable) {
        DriftStatus::Drift
    } else if items.is_empty() {
        DriftStatus::Clean
    } else {
        DriftStatus::Reconcilable
    };
    DriftReport {
        status,
        items,
        history,
    }
}

#[cfg(test)]
mod tests;
