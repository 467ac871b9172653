//! Drift: compare the live schema with the one the local migrations produce, and
//! separate what the pending migrations will reconcile from real drift (docs/contract.md, "drift").
//!
//! L = live, E = replay of *all* local migrations (what the code being deployed
//! expects), P = L with the pending migrations replayed onto it. A difference between
//! L and E that is gone between P and E is *reconcilable* (`resolved_by` names the
//! pending migration after which it stays gone, see [`reconcile::analyse`]); one still there is *real drift* (a hand
//! edit, an edited applied migration, a migration applied elsewhere). A pending
//! migration that cannot apply to L is `conflicts-with-pending`. Objects the replay
//! could not read are `unverifiable`, never silently clean.

mod comments;
mod describe;
pub mod diff;
mod fold;
mod hierarchy;
pub mod ignore;
mod keyed;
pub mod literals;
mod objects;
pub mod reconcile;
mod storage;

use crate::schema::SchemaModel;
pub use diff::{diff, Difference};
pub use ignore::IgnoreList;
pub use reconcile::{analyse, analyse_against, expected_schema};
use serde::Serialize;
use std::collections::BTreeSet;

/// What a drift item is about: a difference in the schema, or a fact of the migration
/// history. Serialized as its name (`missing-column`, `pending-migration`; docs/json.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Schema(diff::Kind),
    /// A pending migration that cannot apply to the live schema.
    ConflictsWithPending,
    PendingMigration,
    /// Applied in the database, unknown to this build.
    UnknownAppliedMigration,
    /// Pending but older than an applied one (merged late).
    OutOfOrderMigration,
}

impl ItemKind {
    /// The name the report and docs/json.md use.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Schema(kind) => kind.as_str(),
            ItemKind::ConflictsWithPending => "conflicts-with-pending",
            ItemKind::PendingMigration => "pending-migration",
            ItemKind::UnknownAppliedMigration => "unknown-applied-migration",
            ItemKind::OutOfOrderMigration => "out-of-order-migration",
        }
    }
}

impl ItemKind {
    /// A schema object the migrations create and the live database lacks
    /// (`missing-*`); never a history item.
    pub fn is_missing(self) -> bool {
        matches!(self, ItemKind::Schema(kind) if kind.is_missing())
    }
}

impl std::fmt::Display for ItemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for ItemKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Lets callers and tests compare with the documented name (`kind == "unverifiable"`).
impl PartialEq<&str> for ItemKind {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftItem {
    pub kind: ItemKind,
    pub object: String,
    pub reconcilable: bool,
    /// The database is ahead of the build (a rollback) and this item is one of the
    /// newer migrations or an object only they explain: a warning, not real drift.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rollback: bool,
    /// Set only when reconcilable: the pending migration after which the difference
    /// stays gone (for a pending or out-of-order migration item, the migration itself).
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

/// History facts drift needs (from `db::history::compare`): a plain input, so the
/// analysis stays pure and testable without a database.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryView {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
    /// The first `db::history::LISTED_UNKNOWN` only; the count is complete.
    pub unknown_applied: Vec<String>,
    pub unknown_applied_count: usize,
    /// Those of `unknown_applied` that are Flyway Java migrations (see `db::history`).
    #[serde(skip)]
    pub unknown_java: Vec<String>,
    #[serde(skip)]
    pub out_of_order: Vec<String>,
    /// Every unknown applied migration is newer than this build's newest: an older
    /// image redeployed (`db::history::Comparison::ahead_of_build`).
    pub ahead_of_build: bool,
}

impl From<crate::db::history::Comparison> for HistoryView {
    fn from(cmp: crate::db::history::Comparison) -> Self {
        HistoryView {
            applied: cmp.applied,
            pending: cmp.pending,
            unknown_applied: cmp.unknown_applied,
            unknown_applied_count: cmp.unknown_applied_count,
            unknown_java: cmp.unknown_java,
            out_of_order: cmp.out_of_order,
            ahead_of_build: cmp.ahead_of_build,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftStatus {
    Clean,
    /// Only rollback warnings: the database is ahead of the build, nothing else differs.
    #[serde(rename = "ahead-of-build")]
    AheadOfBuild,
    Reconcilable,
    Drift,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub status: DriftStatus,
    pub items: Vec<DriftItem>,
    pub history: HistoryView,
}

/// Every schema the model has objects in: what `drift` introspects when the user
/// names no `--schema`, so a project with tables in `core` is compared in `core`.
pub fn schemas_used(model: &SchemaModel) -> BTreeSet<String> {
    let mut s = model.schemas.clone();
    s.extend(model.tables.keys().map(|q| q.schema.clone()));
    s.extend(model.indexes.keys().map(|q| q.schema.clone()));
    s.extend(model.enums.keys().map(|q| q.schema.clone()));
    s.extend(model.sequences.keys().map(|q| q.schema.clone()));
    s.extend(model.views.keys().map(|q| q.schema.clone()));
    s
}

/// The schemas `drift` (and release-check's rollback check) introspect: those named
/// with `--schema` (`requested`), else every schema the migrations use, and those of
/// `also_expected` (the entities' model, when compared). The configured schema comes
/// first when it is among them: introspection spells types relative to it.
pub fn schemas_to_compare(
    requested: &[String],
    migrations: &[crate::ir::Migration],
    default_schema: &str,
    also_expected: Option<&SchemaModel>,
) -> Vec<String> {
    let mut schemas = vec![default_schema.to_string()];
    if requested.is_empty() {
        let all: Vec<&crate::ir::Migration> = migrations.iter().collect();
        let (expected, _) = crate::schema::replay::replay(&all, default_schema);
        let mut used: Vec<String> = schemas_used(&expected).into_iter().collect();
        used.extend(also_expected.into_iter().flat_map(schemas_used));
        for s in used {
            if !schemas.contains(&s) {
                schemas.push(s);
            }
        }
    } else {
        schemas.retain(|s| requested.contains(s));
        for s in requested {
            if !schemas.contains(s) {
                schemas.push(s.clone());
            }
        }
    }
    schemas
}

#[cfg(test)]
mod tests;
