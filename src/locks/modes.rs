//! Which lock each operation takes, on which tables, and for how long.
//!
//! The lock levels are PostgreSQL 15's (`AlterTableGetLockLevel` in `tablecmds.c`,
//! documented per subcommand on the ALTER TABLE page,
//! <https://www.postgresql.org/docs/15/sql-altertable.html>, and for the other
//! statements in "Explicit Locking",
//! <https://www.postgresql.org/docs/15/explicit-locking.html>). `tests/lock_modes.rs`
//! runs each statement inside a transaction on a real server and compares `pg_locks`
//! with this table, so the two cannot drift apart.
//!
//! The duration says what the lock is held *for*: a catalog change (metadata-only),
//! a scan of every row (a CHECK, a NOT NULL, a foreign key, an index build) or a
//! rewrite of the table. Pure: the op (and what the replayed model knows) in, data out.

use crate::ir::{ConstraintKind, OpKind, Operation, QualifiedName};
use serde::Serialize;

/// PostgreSQL's table-level lock modes, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum LockMode {
    #[serde(rename = "ACCESS SHARE")]
    AccessShare,
    #[serde(rename = "ROW SHARE")]
    RowShare,
    #[serde(rename = "ROW EXCLUSIVE")]
    RowExclusive,
    #[serde(rename = "SHARE UPDATE EXCLUSIVE")]
    ShareUpdateExclusive,
    #[serde(rename = "SHARE")]
    Share,
    #[serde(rename = "SHARE ROW EXCLUSIVE")]
    ShareRowExclusive,
    #[serde(rename = "EXCLUSIVE")]
    Exclusive,
    #[serde(rename = "ACCESS EXCLUSIVE")]
    AccessExclusive,
}

impl LockMode {
    /// As PostgreSQL's documentation writes it (`ACCESS EXCLUSIVE`).
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// As `pg_locks.mode` spells it (`AccessExclusiveLock`).
    pub fn pg_locks_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// Whether the lock conflicts with the ROW EXCLUSIVE lock every INSERT, UPDATE
    /// and DELETE takes: while it is held — or merely queued — the application's
    /// writes wait (and behind an ACCESS EXCLUSIVE, its reads too). That is what a
    /// `lock_timeout` protects against.
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }
}

/// What the lock is held for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockDuration {
    /// A catalog change: the lock is held for milliseconds (once granted).
    MetadataOnly,
    /// Every row is read (a constraint's validation, an index build).
    FullScan,
    /// Every row is written again (a new table file).
    Rewrite,
}

impl LockDuration {
    pub fn as_str(self) -> &'static str {
        match self {
            LockDuration::MetadataOnly => "metadata-only",
            LockDuration::FullScan => "full scan",
            LockDuration::Rewrite => "rewrite",
        }
    }

    /// A scan or a rewrite: its time grows with the table.
    pub fn is_long(self) -> bool {
        self != LockDuration::MetadataOnly
    }
}

/// One table an operation locks, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableLock {
    /// `schema.table`; for DROP INDEX, the index's table when the replayed model
    /// knows it, else `table of <schema.index>`.
    pub table: String,
    /// The table as a name (what its size is looked up by; `schema.table` text is
    /// ambiguous when a name holds a dot). `None` where only a description is known
    /// (`table of <schema.index>`), and for the tables a TRUNCATE … CASCADE or a
    /// dropped foreign key adds after the op's own.
    #[serde(skip)]
    pub name: Option<QualifiedName>,
    pub mode: LockMode,
}

/// The locks an operation takes and how long it holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockInfo {
    pub locks: Vec<TableLock>,
    pub duration: LockDuration,
}

impl LockInfo {
    /// The strongest mode among the locks.
    pub fn strongest(&self) -> Option<LockMode> {
        self.locks.iter().map(|l| l.mode).max()
    }

    /// `ACCESS EXCLUSIVE on public.users, full scan` (several tables: `SHARE ROW
    /// EXCLUSIVE on public.orders and SHARE ROW EXCLUSIVE on public.users, …`).
    pub fn describe(&self) -> String {
        format!("{}, {}", self.describe_locks(), self.duration.as_str())
    }

    /// `ACCESS EXCLUSIVE on public.users` (the locks without the duration).
    pub fn describe_locks(&self) -> String {
        let locks: Vec<String> = self
            .locks
            .iter()
            .map(|l| format!("{} on {}", l.mode.as_str(), l.table))
            .collect();
        locks.join(" and ")
    }
}

/// What the classifier knows beyond the op itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpFacts<'a> {
    /// A validated `CHECK (col IS NOT NULL)` lets PostgreSQL 12+ skip the scan of
    /// `SET NOT NULL`.
    pub not_null_proven: bool,
    /// The table of a dropped or reindexed index, from the replayed model.
    pub index_table: Option<&'a QualifiedName>,
    /// An ALTER COLUMN … TYPE PostgreSQL does without rewriting the table.
    pub type_change_metadata_only: bool,
}

fn on(table: &QualifiedName, mode: LockMode) -> TableLock {
    TableLock {
        table: table.to_string(),
        name: Some(table.clone()),
        mode,
    }
}

/// A lock on a table known only by a description (`table of <schema.index>`).
fn on_described(table: String, mode: LockMode) -> TableLock {
    TableLock {
        table,
        name: None,
        mode,
    }
}

/// The locks `op` takes on existing tables, or `None` for an op that takes no lock
/// that matters to concurrent traffic (data statements, new objects, settings).
pub fn lock_for(op: &Operation, facts: OpFacts<'_>) -> Option<LockInfo> {
    use LockDuration::*;
    use LockMode::*;
    let info = |locks: Vec<TableLock>, duration| Some(LockInfo { locks, duration });
    let attrs = || op.attributes();
    let flag = |name: &str| matches!(attrs().get(name), Some(crate::ir::AttrValue::Bool(true)));
    match &op.kind {
        OpKind::CreateIndex(def) => {
            let mode = if def.concurrently {
                ShareUpdateExclusive
            } else {
                Share
            };
            info(vec![on(&def.table, mode)], FullScan)
        }
        OpKind::DropIndex {
            index,
            concurrently,
            ..
        } => {
            let mode = if *concurrently {
                ShareUpdateExclusive
            } else {
                AccessExclusive
            };
            let lock = match facts.index_table {
                Some(t) => on(t, mode),
                None => on_described(format!("table of {index}"), mode),
            };
            info(vec![lock], MetadataOnly)
        }
        OpKind::AddColumn { table, .. } => {
            // PostgreSQL 11+ stores a non-volatile default in the catalog; a volatile
            // one (serial's nextval, random()), an identity or a stored generated
            // column fills every row: a rewrite.
            let rewrite = flag("volatile_default") || flag("identity") || flag("generated");
            info(
                vec![on(table, AccessExclusive)],
                if rewrite { Rewrite } else { MetadataOnly },
            )
        }
        OpKind::AlterColumnType { table, .. } => info(
            vec![on(table, AccessExclusive)],
            if facts.type_change_metadata_only {
                MetadataOnly
            } else {
                Rewrite
            },
        ),
        OpKind::SetNotNull { table, .. } => info(
            vec![on(table, AccessExclusive)],
            if facts.not_null_proven {
                MetadataOnly
            } else {
                FullScan
            },
        ),
        OpKind::ChangeColumn {
            table,
            sets_not_null,
            ..
        } => info(
            vec![on(table, AccessExclusive)],
            if *sets_not_null && !facts.not_null_proven {
                FullScan
            } else {
                MetadataOnly
            },
        ),
        OpKind::AddConstraint { table, constraint } => {
            let duration = if constraint.not_valid || constraint.using_index.is_some() {
                MetadataOnly
            } else {
                FullScan
            };
            match &constraint.kind {
                // "ADD FOREIGN KEY requires a SHARE ROW EXCLUSIVE lock on the
                // referenced table, in addition to the lock on the table on which the
                // constraint is declared", which is SHARE ROW EXCLUSIVE too.
                ConstraintKind::ForeignKey { ref_table, .. } => {
                    let mut locks = vec![on(table, ShareRowExclusive)];
                    if ref_table != table {
                        locks.push(on(ref_table, ShareRowExclusive));
                    }
                    info(locks, duration)
                }
                _ => info(vec![on(table, AccessExclusive)], duration),
            }
        }
        // Measured on PostgreSQL 15 (`pg_locks` inside a transaction): VACUUM FULL,
        // CLUSTER and SET [UN]LOGGED write a new table file under ACCESS EXCLUSIVE.
        // Plain VACUUM takes SHARE UPDATE EXCLUSIVE, which blocks no reads or writes.
        OpKind::Vacuum { tables, full: true } if !tables.is_empty() => info(
            tables.iter().map(|t| on(t, AccessExclusive)).collect(),
            Rewrite,
        ),
        OpKind::Cluster { table: Some(table) } | OpKind::SetPersistence { table, .. } => {
            info(vec![on(table, AccessExclusive)], Rewrite)
        }
        // REINDEX takes SHARE on the table (writes wait; reads that do not use the
        // index go on) and ACCESS EXCLUSIVE on each index it rebuilds; CONCURRENTLY
        // takes SHARE UPDATE EXCLUSIVE. SCHEMA/DATABASE/SYSTEM name no table.
        OpKind::Reindex {
            target,
            name,
            concurrently,
        } if target == "index" || target == "table" => {
            let mode = if *concurrently {
                ShareUpdateExclusive
            } else {
                Share
            };
            let lock = match (target.as_str(), facts.index_table) {
                ("table", _) => on(name, mode),
                (_, Some(t)) => on(t, mode),
                _ => on_described(format!("table of {name}"), mode),
            };
            info(vec![lock], FullScan)
        }
        // ATTACH PARTITION: SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on
        // the partition, which is scanned to prove its rows fit the bound unless a
        // valid CHECK constraint already implies it.
        OpKind::AttachPartition { table, partition } => info(
            vec![
                on(table, ShareUpdateExclusive),
                on(partition, AccessExclusive),
            ],
            FullScan,
        ),
        // DETACH PARTITION: ACCESS EXCLUSIVE on the parent and the partition.
        // CONCURRENTLY (not measurable in a transaction block, which it refuses):
        // SHARE UPDATE EXCLUSIVE on the parent, and its second transaction ACCESS
        // EXCLUSIVE on the partition (PostgreSQL 15 docs, ALTER TABLE) — what
        // FINALIZE takes, measured.
        OpKind::DetachPartition {
            table,
            partition,
            concurrently,
            finalize,
        } => info(
            if *concurrently || *finalize {
                vec![
                    on(table, ShareUpdateExclusive),
                    on(partition, AccessExclusive),
                ]
            } else {
                vec![on(table, AccessExclusive), on(partition, AccessExclusive)]
            },
            MetadataOnly,
        ),
        // "VALIDATE CONSTRAINT … acquires only a SHARE UPDATE EXCLUSIVE lock on the
        // table being altered."
        OpKind::ValidateConstraint { table, .. } => {
            info(vec![on(table, ShareUpdateExclusive)], FullScan)
        }
        OpKind::DropTable { table, .. }
        | OpKind::RenameTable { table, .. }
        | OpKind::Truncate { table }
        | OpKind::DropColumn { table, .. }
        | OpKind::RenameColumn { table, .. }
        | OpKind::DropNotNull { table, .. }
        | OpKind::SetDefault { table, .. }
        | OpKind::DropDefault { table, .. }
        | OpKind::SetIdentity { table, .. }
        | OpKind::DropConstraint { table, .. }
        | OpKind::AlterConstraint { table, .. }
        | OpKind::RenameConstraint { table, .. } => {
            info(vec![on(table, AccessExclusive)], MetadataOnly)
        }
        _ => None,
    }
}
