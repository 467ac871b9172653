//! Migration history ledgers: which migrations a database has applied.
//!
//! | tool | table (default) | what a row means |
//! | --- | --- | --- |
//! | TypeORM | `migrations` (`id, timestamp, name`) | the migration `name` ran |
//! | golang-migrate | `schema_migrations` (`version, dirty`) | every version ≤ `version` ran; `dirty` = the last one failed halfway |
//! | Flyway | `flyway_schema_history` (`version, description, success`) | that version ran (or failed: `success = false`) |
//! | diesel | `__diesel_schema_migrations` (`version, run_on`) | that version (the folder's leading digits, as a string) ran |
//! | Prisma | `_prisma_migrations` (`migration_name, finished_at, rolled_back_at`) | finished and not rolled back: the folder ran; neither: it failed (`prisma migrate deploy` refuses, P3009); rolled back: withdrawn |
//!
//! Only Flyway (`installed_on`), diesel (`run_on`) and Prisma (`finished_at`) record
//! *when* a migration ran: TypeORM's `timestamp`
//! column is the migration's own timestamp (the 13 digits of its name), and
//! golang-migrate keeps only the current version.
//! Flyway also records each script's checksum: a repeatable (`R__…`, no version)
//! runs again whenever its checksum differs from its latest row, and an applied
//! versioned script whose checksum changed makes Flyway refuse to migrate.
//!
//! Reading is one round trip; matching against the local migrations is pure
//! ([`compare`]) so release-check and drift share it.

use crate::db::connect::Session;
use crate::error::{Error, Result};
use crate::ir::{Migration, MigrationFormat};
use std::collections::BTreeMap;
use tokio_postgres::error::SqlState;
use tokio_postgres::SimpleQueryMessage;

/// One history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// TypeORM name; for SQL tools the version (matching is by version).
    pub key: String,
    /// The row failed (Flyway `success = false`).
    pub failed: bool,
    /// Flyway `BASELINE` row: every version up to this one counts as applied.
    pub baseline: bool,
    /// Flyway `JDBC` / `SPRING_JDBC` row: a Java (or Kotlin) migration ran.
    pub java: bool,
}

/// Flyway history rows `(version, success, type)` in `installed_rank` order → what
/// stands applied. Pure. `BASELINE` marks every version up to it as applied; an
/// `UNDO_SQL` or `DELETE` row (Flyway undo / `repair` of a missing migration)
/// withdraws its version again.
pub fn flyway_applied(rows: Vec<(String, bool, Option<String>)>) -> Vec<AppliedMigration> {
    let mut applied: Vec<AppliedMigration> = Vec::new();
    for (version, success, kind) in rows {
        let kind = kind.unwrap_or_default().to_ascii_uppercase();
        match kind.as_str() {
            "UNDO_SQL" | "UNDO_JDBC" | "UNDO_SCRIPT" | "DELETE" if success => {
                let v = norm_version(&version);
                applied.retain(|a| norm_version(&a.key) != v);
            }
            "SCHEMA" => {}
            _ => applied.push(AppliedMigration {
                key: version,
                failed: !success,
                baseline: kind == "BASELINE",
                java: kind == "JDBC" || kind == "SPRING_JDBC",
            }),
        }
    }
    applied
}

/// `3.1` / `3_1` / `0003` → `[3, 1]` / `[3]`, for comparing with a baseline.
fn version_parts(v: &str) -> Option<Vec<u128>> {
    v.split(['.', '_'])
        .map(|p| p.parse::<u128>().ok())
        .collect::<Option<Vec<_>>>()
        .map(|mut parts| {
            while parts.len() > 1 && parts.last() == Some(&0) {
                parts.pop();
            }
            parts
        })
}

/// Which migration tool's ledger a history table is (`[history] kind`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryKind {
    #[default]
    Typeorm,
    GolangMigrate,
    Flyway,
    /// diesel's `__diesel_schema_migrations (version, run_on)`.
    Diesel,
    /// Prisma Migrate's `_prisma_migrations (migration_name, finished_at, rolled_back_at, …)`.
    Prisma,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub kind: Option<HistoryKind>,
    pub table: String,
    pub table_missing: bool,
    pub applied: Vec<AppliedMigration>,
    /// golang-migrate: the single current version.
    pub current_version: Option<u128>,
    pub dirty: bool,
    /// Flyway / diesel / Prisma: when each migration ran (`installed_on` / `run_on` /
    /// `finished_at`; normalised version, for Prisma the migration name → ISO 8601
    /// text; the latest successful row wins).
    pub installed_on: std::collections::BTreeMap<String, String>,
    /// Flyway: the checksum recorded for each applied versioned script
    /// (normalised version → checksum of its latest successful row).
    pub flyway_checksums: BTreeMap<String, i32>,
    /// Flyway: the latest row of each repeatable script, by description.
    pub flyway_repeatables: BTreeMap<String, RepeatableRun>,
}

/// The latest Flyway history row of one repeatable script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepeatableRun {
    pub checksum: Option<i32>,
    pub success: bool,
}

/// One Flyway history row as read: `(version, success, type, description, checksum)`.
pub type FlywayRow = (Option<String>, bool, Option<String>, String, Option<i32>);

/// Flyway rows in `installed_rank` order → (versioned checksums, latest repeatable
/// runs). Pure. A successful `DELETE` row (`flyway repair` of a missing script)
/// withdraws a repeatable's runs, like it withdraws a version.
pub fn flyway_checksums(
    rows: &[FlywayRow],
) -> (BTreeMap<String, i32>, BTreeMap<String, RepeatableRun>) {
    let mut versioned = BTreeMap::new();
    let mut repeatables = BTreeMap::new();
    for (version, success, kind, description, checksum) in rows {
        let kind = kind.as_deref().unwrap_or_default().to_ascii_uppercase();
        match version {
            Some(v) if *success && !kind.starts_with("UNDO") && kind != "DELETE" => {
                if let Some(sum) = checksum {
                    versioned.insert(norm_version(v), *sum);
                }
            }
            Some(_) => {}
            None if kind == "DELETE" => {
                if *success {
                    repeatables.remove(description);
                }
            }
            None => {
                repeatables.insert(
                    description.clone(),
                    RepeatableRun {
                        checksum: *checksum,
                        success: *success,
                    },
                );
            }
        }
    }
    (versioned, repeatables)
}

/// Flyway's description of a script from its migration name (`R__my_view` → `my view`).
fn flyway_description(name: &str) -> String {
    let rest = match name.find("__") {
        Some(i) => &name[i + 2..],
        None => name,
    };
    rest.replace('_', " ")
}

/// Quote `schema.table` / `table` for SQL.
fn quote_table(table: &str) -> String {
    table
        .split('.')
        .map(|p| format!("\"{}\"", p.trim_matches('"').replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

/// The data rows of a simple query, every column as optional text.
fn text_rows(messages: Vec<SimpleQueryMessage>) -> Vec<Vec<Option<String>>> {
    messages
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect()
}

/// Read the history table (missing table = nothing applied, `table_missing` set).
pub async fn read(
    client: &Session,
    kind: HistoryKind,
    table: &str,
    describe: impl Fn(&tokio_postgres::Error) -> String,
) -> Result<History> {
    let err = |e: tokio_postgres::Error| {
        Error::Database(format!("reading history table {table}: {}", describe(&e)))
    };
    let mut h = History {
        kind: Some(kind),
        table: table.to_string(),
        ..History::default()
    };
    let q = quote_table(table);
    // One simple-protocol query, one round trip: a missing table (or schema) is the
    // query's own error, not a separate existence check.
    let sql = match kind {
        HistoryKind::Typeorm => format!("SELECT name FROM {q} ORDER BY id"),
        HistoryKind::GolangMigrate => format!("SELECT version::text, dirty::text FROM {q} LIMIT 1"),
        // `type`, `description`, `checksum` through to_jsonb: minimal or old tables
        // without those columns still read.
        HistoryKind::Flyway => format!(
            "SELECT version, success::text, to_jsonb(h) ->> 'type', \
             to_jsonb(h) ->> 'description', to_jsonb(h) ->> 'checksum', \
             to_jsonb(h) ->> 'installed_on' FROM {q} h \
             ORDER BY installed_rank"
        ),
        // Prisma writes a row when a migration starts, `finished_at` when it
        // succeeds and `rolled_back_at` on `prisma migrate resolve --rolled-back`.
        HistoryKind::Prisma => format!(
            "SELECT migration_name, (finished_at IS NOT NULL)::text, \
             (rolled_back_at IS NOT NULL)::text, to_jsonb(finished_at) #>> '{{}}' \
             FROM {q} ORDER BY started_at, migration_name"
        ),
        HistoryKind::Diesel => format!(
            // Through to_jsonb, like Flyway's `installed_on`: the same ISO 8601 text.
            "SELECT version, to_jsonb(run_on) #>> '{{}}' FROM {q} ORDER BY version"
        ),
    };
    // The session's snapshot transaction (see `connect`) must survive a missing
    // table, so the read runs under a savepoint that a failure rolls back to.
    let what = format!("reading history table {table}");
    let read = format!("SAVEPOINT migguard_history; {sql}");
    let rows = match client.bounded(&what, client.simple_query(&read)).await? {
        Ok(messages) => text_rows(messages),
        Err(e)
            if e.code() == Some(&SqlState::UNDEFINED_TABLE)
                || e.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
        {
            client
                .run(
                    &what,
                    client.batch_execute("ROLLBACK TO SAVEPOINT migguard_history"),
                )
                .await?;
            h.table_missing = true;
            return Ok(h);
        }
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_COLUMN) => {
            return Err(Error::Database(ledger_mismatch(kind, table, &describe(&e))))
        }
        Err(e) => return Err(err(e)),
    };
    let is_true = |v: &Option<String>| v.as_deref() == Some("true");
    match kind {
        HistoryKind::Typeorm => {
            h.applied = rows
                .into_iter()
                .filter_map(|mut r| r.swap_remove(0))
                .map(|key| AppliedMigration {
                    key,
                    failed: false,
                    baseline: false,
                    java: false,
                })
                .collect();
        }
        HistoryKind::GolangMigrate => {
            if let Some(r) = rows.first() {
                h.dirty = is_true(&r[1]);
                // golang-migrate writes -1 ("no version") with dirty = true when the
                // very first migration failed; anything else must be a version.
                h.current_version = match r[0].as_deref().map(str::trim) {
                    None | Some("-1") => None,
                    Some(v) => Some(v.parse::<u128>().map_err(|_| {
                        Error::Database(format!(
                            "history table {table}: golang-migrate version `{v}` is not a number (expected the bigint golang-migrate writes)"
                        ))
                    })?),
                };
            }
        }
        HistoryKind::Flyway => {
            for r in &rows {
                if let (Some(v), true, Some(Some(at))) = (&r[0], is_true(&r[1]), r.get(5)) {
                    h.installed_on.insert(norm_version(v), at.clone());
                }
            }
            let rows: Vec<FlywayRow> = rows
                .into_iter()
                .map(|r| {
                    let ok = is_true(&r[1]);
                    let mut r = r.into_iter();
                    let version = r.next().flatten();
                    let kind = r.nth(1).flatten();
                    let description = r.next().flatten().unwrap_or_default();
                    let checksum = r.next().flatten().and_then(|c| c.parse().ok());
                    (version, ok, kind, description, checksum)
                })
                .collect();
            (h.flyway_checksums, h.flyway_repeatables) = flyway_checksums(&rows);
            h.applied = flyway_applied(
                rows.into_iter()
                    .filter_map(|(version, ok, kind, _, _)| Some((version?, ok, kind)))
                    .collect(),
            );
        }
        HistoryKind::Prisma => {
            for r in &rows {
                let Some(name) = r[0].clone() else { continue };
                if is_true(&r[2]) {
                    // Rolled back: withdrawn, as `prisma migrate deploy` ignores it.
                    continue;
                }
                let finished = is_true(&r[1]);
                if let (true, Some(Some(at))) = (finished, r.get(3)) {
                    h.installed_on.insert(name.clone(), at.clone());
                }
                h.applied.push(AppliedMigration {
                    key: name,
                    failed: !finished,
                    baseline: false,
                    java: false,
                });
            }
        }
        HistoryKind::Diesel => {
            for r in rows {
                let mut r = r.into_iter();
                let Some(version) = r.next().flatten() else {
                    continue;
                };
                if let Some(at) = r.next().flatten() {
                    h.installed_on.insert(norm_version(&version), at);
                }
                h.applied.push(AppliedMigration {
                    key: version,
                    failed: false,
                    baseline: false,
                    java: false,
                });
            }
        }
    }
    Ok(h)
}

/// The columns migguard reads from each kind's ledger.
fn expected_columns(kind: HistoryKind) -> &'static str {
    match kind {
        HistoryKind::Typeorm => "id, timestamp, name",
        HistoryKind::GolangMigrate => "version, dirty",
        HistoryKind::Flyway => {
            "installed_rank, version, description, type, checksum, installed_on, success"
        }
        HistoryKind::Diesel => "version, run_on",
        HistoryKind::Prisma => "migration_name, finished_at, rolled_back_at, started_at",
    }
}

/// The message for a ledger table that exists but lacks the columns of the kind
/// migguard assumed: which kind, which columns, and how to configure the right one.
pub fn ledger_mismatch(kind: HistoryKind, table: &str, cause: &str) -> String {
    let name = match kind {
        HistoryKind::Typeorm => "typeorm",
        HistoryKind::GolangMigrate => "golang-migrate",
        HistoryKind::Flyway => "flyway",
        HistoryKind::Diesel => "diesel",
        HistoryKind::Prisma => "prisma",
    };
    format!(
        "history table {table} is not a {name} ledger ({cause}): migguard read it as kind \"{name}\", which has the columns ({cols}); set the tool that writes it in migguard.toml, e.g. `[history]` `kind = \"diesel\"` (typeorm | golang-migrate | flyway | diesel | prisma) and `table = \"…\"`",
        cols = expected_columns(kind)
    )
}

/// Local migrations against the history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Local migrations that are applied (names, run order).
    pub applied: Vec<String>,
    /// Local migrations not applied (names, run order).
    pub pending: Vec<String>,
    /// History entries with no local migration: the first [`LISTED_UNKNOWN`] of them
    /// (a ledger of a million foreign rows must not become a million findings).
    pub unknown_applied: Vec<String>,
    /// How many history entries have no local migration.
    pub unknown_applied_count: usize,
    /// Those of `unknown_applied` that are Flyway Java migrations (`JDBC` rows) whose
    /// class was not found: the message says how to point migguard at them.
    pub unknown_java: Vec<String>,
    /// Pending migrations that sort before the newest applied one.
    pub out_of_order: Vec<String>,
    /// History problems (dirty version, failed rows).
    pub problems: Vec<String>,
    /// The ledger compared against (what it can tell, e.g. when a migration ran).
    pub kind: HistoryKind,
    /// When the applied local migrations ran (name → time), where the ledger records
    /// it (Flyway `installed_on`); absent = not recorded.
    pub applied_at: std::collections::BTreeMap<String, String>,
    /// Every unknown applied migration is newer than this build's newest migration:
    /// the database is ahead of the build, as after redeploying an older image (a
    /// rollback). False when there are none, when any sorts among the build's own
    /// migrations (a migration applied from another branch) or cannot be placed.
    pub ahead_of_build: bool,
    /// Every unknown history key, listed or not: whether the database is ahead of the
    /// build is decided on all of them, never on the listed few.
    every_unknown: Vec<String>,
}

fn version_key(m: &Migration) -> Option<String> {
    m.version.as_ref().map(|v| {
        // Flyway stores 3.1 for V3_1; golang-migrate the integer.
        let norm = v.replace('_', ".");
        let trimmed = norm.trim_start_matches('0');
        if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.to_string()
        }
    })
}

fn norm_version(v: &str) -> String {
    let t = v.trim().replace('_', ".");
    let t = t.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.to_string()
    }
}

/// How many unknown history entries are named one by one; the rest are counted.
pub const LISTED_UNKNOWN: usize = 20;

impl Comparison {
    fn unknown(&mut self, key: String, java: bool) {
        if java && self.unknown_java.len() < LISTED_UNKNOWN {
            self.unknown_java.push(key.clone());
        }
        if self.unknown_applied.len() < LISTED_UNKNOWN {
            self.unknown_applied.push(key.clone());
        }
        self.every_unknown.push(key);
        self.unknown_applied_count += 1;
    }
}

/// The message for a history row no local migration matches; a Flyway Java
/// migration's says where migguard looks for classes and how to add a location.
pub fn unknown_applied_message(name: &str, java: bool, subject: &str) -> String {
    if java {
        format!(
            "the database has applied the Flyway Java migration {name}, whose class {subject}: migguard looks for `V<version>__<description>.java`/`.kt`/`.class` (or a class declaring `MigrationVersion.fromVersion(\"{name}\")`) under the migration paths and under `[flyway] java_migrations = [\"…\"]` in migguard.toml"
        )
    } else {
        format!("the database has applied {name}, which {subject}")
    }
}

/// Match local migrations (in run order) with the history. Pure. Without the local
/// scripts' checksums every Flyway repeatable counts as pending (fail closed); see
/// [`compare_with_checksums`].
pub fn compare(local: &[Migration], h: &History) -> Comparison {
    compare_with_checksums(local, h, &BTreeMap::new())
}

/// [`compare`], with Flyway's checksum of each local Flyway script (migration name →
/// checksum, `None` where it cannot be reproduced; `source::flyway_checksums`).
/// A repeatable is applied only when its latest row succeeded with the same
/// checksum; an applied versioned script whose checksum changed is a problem
/// (Flyway's validate refuses to migrate). Pure.
pub fn compare_with_checksums(
    local: &[Migration],
    h: &History,
    local_checksums: &BTreeMap<String, Option<i32>>,
) -> Comparison {
    let mut c = Comparison::default();
    let local_checksum = |m: &Migration| local_checksums.get(&m.name).copied().flatten();
    let kind = h.kind.unwrap_or_default();
    let baseline = h
        .applied
        .iter()
        .filter(|a| a.baseline && !a.failed)
        .filter_map(|a| version_parts(&a.key))
        .max();
    let below_baseline = |m: &Migration| -> bool {
        match (&baseline, m.version.as_deref().and_then(version_parts)) {
            (Some(b), Some(v)) => v <= *b,
            _ => false,
        }
    };
    let is_applied = |m: &Migration| -> bool {
        match kind {
            HistoryKind::Typeorm => h.applied.iter().any(|a| a.key == m.name),
            HistoryKind::Flyway if m.format == MigrationFormat::FlywayRepeatable => {
                match (
                    h.flyway_repeatables.get(&flyway_description(&m.name)),
                    local_checksum(m),
                ) {
                    (
                        Some(RepeatableRun {
                            checksum: Some(applied),
                            success: true,
                        }),
                        Some(here),
                    ) => *applied == here,
                    _ => false,
                }
            }
            HistoryKind::Flyway => {
                version_key(m).is_some_and(|v| {
                    h.applied
                        .iter()
                        .any(|a| !a.failed && norm_version(&a.key) == v)
                }) || below_baseline(m)
            }
            HistoryKind::GolangMigrate => match (h.current_version, m.order.version.first()) {
                (Some(cur), Some(v)) => *v <= cur,
                _ => false,
            },
            HistoryKind::Prisma => h.applied.iter().any(|a| !a.failed && a.key == m.name),
            // diesel matches the version string exactly (`0001` and `1` differ).
            HistoryKind::Diesel => m
                .version
                .as_deref()
                .is_some_and(|v| h.applied.iter().any(|a| a.key == v)),
        }
    };
    c.kind = kind;
    let mut newest_applied = None;
    for m in local {
        if is_applied(m) {
            let when = match kind {
                HistoryKind::Prisma => Some(m.name.clone()),
                _ => version_key(m),
            };
            if let Some(at) = when.and_then(|v| h.installed_on.get(&v)) {
                c.applied_at.insert(m.name.clone(), at.clone());
            }
            c.applied.push(m.name.clone());
            // Flyway runs repeatables after every pending versioned script, so an
            // applied repeatable never makes a versioned one late, and a repeatable
            // is never late itself.
            if !m.order.repeatable {
                newest_applied = Some(&m.order);
            }
        }
    }
    for m in local {
        if !is_applied(m) {
            c.pending.push(m.name.clone());
            if !m.order.repeatable && newest_applied.is_some_and(|n| m.order < *n) {
                c.out_of_order.push(m.name.clone());
            }
        }
    }
    match kind {
        HistoryKind::Typeorm => {
            let names: std::collections::HashSet<&str> =
                local.iter().map(|m| m.name.as_str()).collect();
            for a in &h.applied {
                if !names.contains(a.key.as_str()) {
                    c.unknown(a.key.clone(), false);
                }
            }
        }
        HistoryKind::Flyway => {
            let local_versions: std::collections::HashSet<String> =
                local.iter().filter_map(version_key).collect();
            for a in &h.applied {
                if a.failed {
                    c.problems.push(format!("Flyway history has a failed migration, version {} (run `flyway repair` after checking the schema)", a.key));
                } else if a.baseline {
                    // A baseline stands for what existed before Flyway: no file needed.
                } else if !local_versions.contains(&norm_version(&a.key)) {
                    c.unknown(a.key.clone(), a.java);
                }
            }
            for m in local {
                let recorded = version_key(m).and_then(|v| h.flyway_checksums.get(&v));
                if let (Some(recorded), Some(here)) = (recorded, local_checksum(m)) {
                    if *recorded != here && c.applied.contains(&m.name) {
                        c.problems.push(format!("{} was edited after it was applied: its checksum is {here}, Flyway recorded {recorded}; Flyway's validate refuses to migrate (revert the edit, or run `flyway repair` if the change is intended)", m.name));
                    }
                }
                if m.format == MigrationFormat::FlywayRepeatable {
                    let description = flyway_description(&m.name);
                    if h.flyway_repeatables
                        .get(&description)
                        .is_some_and(|r| !r.success)
                    {
                        c.problems.push(format!("Flyway history has a failed run of repeatable migration {} (run `flyway repair` after checking the schema)", m.name));
                    }
                }
            }
        }
        HistoryKind::Prisma => {
            let names: std::collections::HashSet<&str> =
                local.iter().map(|m| m.name.as_str()).collect();
            for a in &h.applied {
                if a.failed {
                    c.problems.push(format!("Prisma history has a failed migration {} (`prisma migrate deploy` refuses to run, P3009): check the schema, then `prisma migrate resolve --rolled-back {}` or `--applied {}`", a.key, a.key, a.key));
                } else if !names.contains(a.key.as_str()) {
                    c.unknown(a.key.clone(), false);
                }
            }
        }
        HistoryKind::Diesel => {
            let versions: std::collections::HashSet<&str> =
                local.iter().filter_map(|m| m.version.as_deref()).collect();
            for a in &h.applied {
                if !versions.contains(a.key.as_str()) {
                    c.unknown(a.key.clone(), false);
                }
            }
        }
        HistoryKind::GolangMigrate => {
            if let Some(cur) = h.current_version {
                if !local.iter().any(|m| m.order.version.first() == Some(&cur)) {
                    c.unknown(cur.to_string(), false);
                }
            }
            if h.dirty {
                c.problems.push(format!(
                    "golang-migrate history is dirty at version {}: the last migration failed halfway (fix the schema, then `migrate force`)",
                    h.current_version.map(|v| v.to_string()).unwrap_or_default()
                ));
            }
        }
    }
    // A Flyway Java migration whose class was not found may well be in this build:
    // migguard only did not see it, so it proves no rollback (it stays unknown).
    c.ahead_of_build = c.unknown_java.is_empty() && ahead_of_build(local, kind, &c.every_unknown);
    c
}

/// Whether every `unknown` history key sorts after the newest local migration, by the
/// order its tool runs them in: TypeORM by the timestamp (the name's last 13 digits,
/// as TypeORM reads it), the SQL tools by version. A key that cannot be placed is not
/// ahead (fail closed: it stays an unknown migration).
fn ahead_of_build(local: &[Migration], kind: HistoryKind, unknown: &[String]) -> bool {
    let local_version = |m: &Migration| -> Option<Vec<u128>> {
        match kind {
            HistoryKind::Flyway => m.version.as_deref().and_then(version_parts),
            _ => Some(m.order.version.clone()),
        }
    };
    let unknown_version = |key: &str| -> Option<Vec<u128>> {
        match kind {
            HistoryKind::Typeorm => {
                let digits = key.get(key.len().checked_sub(13)?..)?;
                digits.parse().ok().map(|t| vec![t])
            }
            HistoryKind::Flyway => version_parts(key),
            HistoryKind::GolangMigrate => key.parse().ok().map(|v| vec![v]),
            // diesel orders by the version string, Prisma by the folder name: the
            // layout's one part per byte.
            HistoryKind::Diesel | HistoryKind::Prisma => {
                Some(key.bytes().map(u128::from).collect())
            }
        }
    };
    let Some(newest) = local
        .iter()
        .filter(|m| !m.order.repeatable)
        .map(local_version)
        .max()
    else {
        return false;
    };
    !unknown.is_empty()
        && unknown
            .iter()
            .all(|k| unknown_version(k).is_some_and(|v| Some(v) > newest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_support::MigrationBuilder;

    fn m(name: &str, version: u128, format: MigrationFormat, v: &str) -> Migration {
        MigrationBuilder::new(name, Some(v.into()), version, format, "x".into()).build()
    }

    #[test]
    fn typeorm_by_name_with_unknown_and_out_of_order() {
        let local = vec![
            m("A1", 1, MigrationFormat::Typeorm, "1"),
            m("B2", 2, MigrationFormat::Typeorm, "2"),
            m("C3", 3, MigrationFormat::Typeorm, "3"),
        ];
        let h = typeorm_history(&["A1", "C3", "Z9"]);
        let c = compare(&local, &h);
        assert_eq!(c.applied, vec!["A1", "C3"]);
        assert_eq!(c.pending, vec!["B2"]);
        assert_eq!(c.out_of_order, vec!["B2"]);
        assert_eq!(c.unknown_applied, vec!["Z9"]);
    }

    fn typeorm_history(applied: &[&str]) -> History {
        History {
            kind: Some(HistoryKind::Typeorm),
            applied: applied
                .iter()
                .map(|k| AppliedMigration {
                    key: k.to_string(),
                    failed: false,
                    baseline: false,
                    java: false,
                })
                .collect(),
            ..History::default()
        }
    }

    #[test]
    fn database_ahead_of_the_build_only_when_every_unknown_is_newer() {
        let local = vec![
            m(
                "Init1700000000000",
                1700000000000,
                MigrationFormat::Typeorm,
                "1700000000000",
            ),
            m(
                "AddX1700000100000",
                1700000100000,
                MigrationFormat::Typeorm,
                "1700000100000",
            ),
        ];
        // An older image redeployed: the newer migrations are unknown to it.
        let c = compare(
            &local,
            &typeorm_history(&[
                "Init1700000000000",
                "AddX1700000100000",
                "DropY1700000200000",
                "AddZ1700000300000",
            ]),
        );
        assert_eq!(
            c.unknown_applied,
            vec!["DropY1700000200000", "AddZ1700000300000"]
        );
        assert!(c.ahead_of_build);
        // One of them sorts among the build's own: applied from another branch.
        let c = compare(
            &local,
            &typeorm_history(&[
                "Init1700000000000",
                "Hotfix1700000050000",
                "AddX1700000100000",
                "AddZ1700000300000",
            ]),
        );
        assert!(!c.ahead_of_build);
        // A name without a timestamp cannot be placed: not a rollback.
        let c = compare(
            &local,
            &typeorm_history(&["Init1700000000000", "AddX1700000100000", "manual"]),
        );
        assert!(!c.ahead_of_build);
        // Nothing unknown: nothing to say.
        let c = compare(&local, &typeorm_history(&["Init1700000000000"]));
        assert!(!c.ahead_of_build);
        // More unknown rows than are listed: one past the list that sorts among the
        // build's own still proves no rollback.
        let mut rows: Vec<String> = (0..LISTED_UNKNOWN + 5)
            .map(|i| format!("Later{}", 1700000300000u64 + i as u64))
            .collect();
        rows.push("Hotfix1700000050000".into());
        let mut names = vec!["Init1700000000000", "AddX1700000100000"];
        names.extend(rows.iter().map(String::as_str));
        let c = compare(&local, &typeorm_history(&names));
        assert_eq!(c.unknown_applied.len(), LISTED_UNKNOWN);
        assert!(!c.ahead_of_build);
        // golang-migrate: the current version is past the build's newest file.
        let sql = vec![m("1_a", 1, MigrationFormat::GolangMigrate, "1")];
        let h = History {
            kind: Some(HistoryKind::GolangMigrate),
            current_version: Some(7),
            ..History::default()
        };
        assert!(compare(&sql, &h).ahead_of_build);
    }

    #[test]
    fn golang_migrate_by_current_version() {
        let local = vec![
            m("1_a", 1, MigrationFormat::GolangMigrate, "1"),
            m("2_b", 2, MigrationFormat::GolangMigrate, "2"),
        ];
        let h = History {
            kind: Some(HistoryKind::GolangMigrate),
            current_version: Some(1),
            dirty: true,
            ..History::default()
        };
        let c = compare(&local, &h);
        assert_eq!(
            (c.applied, c.pending),
            (vec!["1_a".to_string()], vec!["2_b".to_string()])
        );
        assert_eq!(c.problems.len(), 1);
    }

    /// diesel matches by the version string; `run_on` says when it ran; a row no
    /// folder has is unknown, and one newer than every folder is ahead of the build.
    #[test]
    fn diesel_by_version_string_with_run_on() {
        let d = |name: &str, v: &str| {
            let mut x = m(name, 0, MigrationFormat::Diesel, v);
            x.order.version = v.bytes().map(u128::from).collect();
            x
        };
        let local = vec![
            d("2024-01-01-120000_a", "20240101120000"),
            d("2024-02-01-120000_b", "20240201120000"),
        ];
        let applied = |keys: &[&str]| {
            keys.iter()
                .map(|k| AppliedMigration {
                    key: k.to_string(),
                    failed: false,
                    baseline: false,
                    java: false,
                })
                .collect()
        };
        let h = History {
            kind: Some(HistoryKind::Diesel),
            applied: applied(&["20240101120000", "00000000000000"]),
            installed_on: BTreeMap::from([(
                "20240101120000".to_string(),
                "2024-03-01 10:00:00".to_string(),
            )]),
            ..History::default()
        };
        let c = compare(&local, &h);
        assert_eq!(c.applied, vec!["2024-01-01-120000_a"]);
        assert_eq!(c.pending, vec!["2024-02-01-120000_b"]);
        assert_eq!(c.unknown_applied, vec!["00000000000000"]);
        assert!(!c.ahead_of_build);
        assert_eq!(
            c.applied_at.get("2024-01-01-120000_a").map(String::as_str),
            Some("2024-03-01 10:00:00")
        );
        let h = History {
            kind: Some(HistoryKind::Diesel),
            applied: applied(&["20240101120000", "20240201120000", "20250101000000"]),
            ..History::default()
        };
        let c = compare(&local, &h);
        assert!(c.pending.is_empty());
        assert!(c.ahead_of_build);
    }

    /// Prisma matches by folder name; a failed row is a problem naming it and does
    /// not count as applied.
    #[test]
    fn prisma_by_name_with_failed_rows() {
        let p = |name: &str| {
            let mut x = m(name, 0, MigrationFormat::Prisma, &name[..14]);
            x.order.version = name.bytes().map(u128::from).collect();
            x
        };
        let local = vec![p("20240101120000_init"), p("20240201120000_add_b")];
        let row = |k: &str, failed: bool| AppliedMigration {
            key: k.into(),
            failed,
            baseline: false,
            java: false,
        };
        let h = History {
            kind: Some(HistoryKind::Prisma),
            applied: vec![
                row("20240101120000_init", false),
                row("20240201120000_add_b", true),
                row("20230101000000_other", false),
            ],
            ..History::default()
        };
        let c = compare(&local, &h);
        assert_eq!(c.applied, vec!["20240101120000_init"]);
        assert_eq!(c.pending, vec!["20240201120000_add_b"]);
        assert_eq!(c.unknown_applied, vec!["20230101000000_other"]);
        assert_eq!(c.problems.len(), 1);
        assert!(
            c.problems[0].contains("20240201120000_add_b"),
            "{:?}",
            c.problems
        );
    }

    #[test]
    fn flyway_versions_normalise() {
        let local = vec![m("V3_1__a", 3, MigrationFormat::FlywayVersioned, "3.1")];
        let h = History {
            kind: Some(HistoryKind::Flyway),
            applied: vec![
                AppliedMigration {
                    key: "3.1".into(),
                    failed: false,
                    baseline: false,
                    java: false,
                },
                AppliedMigration {
                    key: "4".into(),
                    failed: true,
                    baseline: false,
                    java: false,
                },
            ],
            ..History::default()
        };
        let c = compare(&local, &h);
        assert_eq!(c.applied, vec!["V3_1__a"]);
        assert_eq!(c.problems.len(), 1);
        assert!(c.unknown_applied.is_empty());
    }

    fn row(v: &str, ok: bool, kind: &str) -> (String, bool, Option<String>) {
        (v.to_string(), ok, Some(kind.to_string()))
    }

    #[test]
    fn flyway_baseline_covers_older_versions_and_undo_withdraws() {
        let applied = flyway_applied(vec![
            row("2", true, "BASELINE"),
            row("3", true, "SQL"),
            row("4", true, "SQL"),
            row("4", true, "UNDO_SQL"),
            row("5", true, "DELETE"),
        ]);
        let keys: Vec<(&str, bool)> = applied
            .iter()
            .map(|a| (a.key.as_str(), a.baseline))
            .collect();
        assert_eq!(keys, vec![("2", true), ("3", false)]);
        let local = vec![
            m("V1__a", 1, MigrationFormat::FlywayVersioned, "1"),
            m("V1_5__b", 1, MigrationFormat::FlywayVersioned, "1.5"),
            m("V3__c", 3, MigrationFormat::FlywayVersioned, "3"),
            m("V4__d", 4, MigrationFormat::FlywayVersioned, "4"),
        ];
        let h = History {
            kind: Some(HistoryKind::Flyway),
            applied,
            ..History::default()
        };
        let c = compare(&local, &h);
        assert_eq!(c.applied, vec!["V1__a", "V1_5__b", "V3__c"]);
        assert_eq!(c.pending, vec!["V4__d"]);
        assert!(c.unknown_applied.is_empty(), "{:?}", c.unknown_applied);
        assert!(c.problems.is_empty());
    }

    fn fw(v: Option<&str>, ok: bool, kind: &str, desc: &str, sum: Option<i32>) -> FlywayRow {
        (
            v.map(str::to_string),
            ok,
            Some(kind.into()),
            desc.into(),
            sum,
        )
    }

    /// A repeatable is applied only while its latest successful row has the local
    /// checksum; an edited applied versioned script is a problem naming it.
    #[test]
    fn flyway_checksums_decide_repeatables_and_edited_history() {
        let mut r = m("R__my_view", 0, MigrationFormat::FlywayRepeatable, "");
        r.version = None;
        r.order.repeatable = true;
        let mut fresh = m("R__fresh", 0, MigrationFormat::FlywayRepeatable, "");
        fresh.version = None;
        let local = vec![
            m("V1__a", 1, MigrationFormat::FlywayVersioned, "1"),
            r,
            fresh,
        ];
        let rows = vec![
            fw(Some("1"), true, "SQL", "a", Some(10)),
            fw(None, true, "SQL", "my view", Some(5)),
            fw(None, true, "SQL", "my view", Some(7)),
        ];
        let (versioned, repeatables) = flyway_checksums(&rows);
        let h = History {
            kind: Some(HistoryKind::Flyway),
            applied: flyway_applied(vec![("1".into(), true, Some("SQL".into()))]),
            flyway_checksums: versioned,
            flyway_repeatables: repeatables,
            ..History::default()
        };
        let sums = |v1: i32, view: Option<i32>| {
            BTreeMap::from([
                ("V1__a".to_string(), Some(v1)),
                ("R__my_view".to_string(), view),
                ("R__fresh".to_string(), Some(1)),
            ])
        };
        // Unchanged: the latest row (7) matches; a repeatable with no row is pending.
        let c = compare_with_checksums(&local, &h, &sums(10, Some(7)));
        assert_eq!(c.applied, vec!["V1__a", "R__my_view"]);
        assert_eq!(c.pending, vec!["R__fresh"]);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        // Edited back to an older content: still differs from the latest row.
        let c = compare_with_checksums(&local, &h, &sums(10, Some(5)));
        assert_eq!(c.pending, vec!["R__my_view", "R__fresh"]);
        // Not reproducible (placeholders): pending, fail closed.
        let c = compare_with_checksums(&local, &h, &sums(10, None));
        assert_eq!(c.pending, vec!["R__my_view", "R__fresh"]);
        // An edited versioned script stays applied but is a history problem.
        let c = compare_with_checksums(&local, &h, &sums(11, Some(7)));
        assert_eq!(c.applied, vec!["V1__a", "R__my_view"]);
        assert_eq!(c.problems.len(), 1);
        assert!(
            c.problems[0].contains("V1__a was edited"),
            "{:?}",
            c.problems
        );
    }

    #[test]
    fn flyway_repeatable_failed_or_deleted_rows() {
        let (_, reps) = flyway_checksums(&[
            fw(None, true, "SQL", "v", Some(1)),
            fw(None, false, "SQL", "v", Some(2)),
            fw(None, true, "SQL", "w", Some(3)),
            fw(None, true, "DELETE", "w", Some(3)),
            fw(Some("4"), true, "UNDO_SQL", "x", Some(9)),
        ]);
        assert_eq!(
            reps.get("v"),
            Some(&RepeatableRun {
                checksum: Some(2),
                success: false
            })
        );
        assert!(!reps.contains_key("w"));
    }

    #[test]
    fn version_parts_ignore_trailing_zeros_and_reject_text() {
        assert_eq!(version_parts("3.1"), Some(vec![3, 1]));
        assert_eq!(version_parts("3_1"), Some(vec![3, 1]));
        assert_eq!(version_parts("0003"), Some(vec![3]));
        assert_eq!(version_parts("3.0"), Some(vec![3]));
        assert_eq!(version_parts("abc"), None);
    }
}
