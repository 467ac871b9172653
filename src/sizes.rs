//! Table-size-aware risk: the same `CREATE INDEX` is harmless on ten rows and an
//! outage on ten million, so the locking rules that scan or rewrite a table carry
//! size thresholds (`size = { block_above_rows, block_above_bytes }` in the rules
//! file). This module holds the sizes (read live by release-check through
//! `db::stats`, or offline from a stats file written by `migguard inspect --stats`),
//! the stats file's versioned format, and the one judgement both paths share:
//! [`apply`] attaches each sized finding's table size and raises it to `block` above
//! the rule's threshold. Pure: sizes and findings in, findings out.

use crate::finding::{Finding, Severity};
use crate::ir::QualifiedName;
use crate::locks::TableLock;
use crate::ruleset::RuleSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The estimated size of one table, as the catalog knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStats {
    /// `pg_class.reltuples` (for a partitioned table, the sum over its leaf
    /// partitions); `None` when never analysed (`-1`): unknown, not empty.
    pub rows: Option<u64>,
    /// `pg_total_relation_size` (table, indexes, TOAST; summed over partitions).
    pub bytes: Option<u64>,
    pub partitioned: bool,
}

impl TableStats {
    /// A table a pending migration creates: empty when the statement runs.
    pub const EMPTY: TableStats = TableStats {
        rows: Some(0),
        bytes: Some(0),
        partitioned: false,
    };

    /// `~1.2M rows, 180 MB` (`rows unknown (never analysed)`, `, partitioned`).
    pub fn describe(&self) -> String {
        let rows = match self.rows {
            Some(r) => format!("{} rows", approximate_count(r)),
            None => "rows unknown (never analysed)".to_string(),
        };
        let mut out = match self.bytes {
            Some(b) => format!("{rows}, {}", pretty_bytes(b)),
            None => rows,
        };
        if self.partitioned {
            out.push_str(", partitioned");
        }
        out
    }
}

/// `10`, `~12.3k`, `~1.2M`, `~3.4B`: a row estimate as a reviewer reads it.
pub fn approximate_count(n: u64) -> String {
    let scaled = |div: f64, unit: &str| format!("~{:.1}{unit}", n as f64 / div);
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => scaled(1e3, "k"),
        1_000_000..=999_999_999 => scaled(1e6, "M"),
        _ => scaled(1e9, "B"),
    }
}

/// `1,000,000`: an exact count with thousands separators.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in PostgreSQL's 1024-based units, as `pg_size_pretty` names them:
/// `8192 bytes`, `73 MB`, `1.2 GB`.
pub fn pretty_bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if b < 10 * 1024 {
        return format!("{b} bytes");
    }
    let mut value = b as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 && value.fract() != 0.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// A size written in a rules file: a number of bytes, or a string with one of
/// PostgreSQL's memory units (`"500MB"`, `"1 GB"`, `"64kB"`; 1024-based, case as
/// PostgreSQL accepts it: `kB`, `MB`, `GB`, `TB`, or `B`). `Err` says why not.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(t.len());
    let (number, unit) = (t[..split].replace('_', ""), t[split..].trim());
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (write e.g. \"500MB\" or \"1GB\")"))?;
    let factor: u64 = match unit {
        "" | "B" => 1,
        "kB" => 1 << 10,
        "MB" => 1 << 20,
        "GB" => 1 << 30,
        "TB" => 1 << 40,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{text}` (expected B, kB, MB, GB or TB, as PostgreSQL writes them)"
            ))
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// A rule's size thresholds: above either, its findings block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SizeThreshold {
    pub block_above_rows: Option<u64>,
    pub block_above_bytes: Option<u64>,
}

impl SizeThreshold {
    /// `above 500,000 rows or 500 MB`, for `explain` and the rules reference.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .block_above_rows
            .map(|r| format!("{} rows", grouped(r)))
            .into_iter()
            .chain(self.block_above_bytes.map(pretty_bytes))
            .collect();
        format!("above {}", parts.join(" or "))
    }

    /// Which threshold `stats` exceeds, as a phrase (`None`: below both, or the
    /// size is unknown). An unknown row count never counts as zero: only the bytes
    /// can then exceed.
    pub fn exceeded_by(&self, stats: &TableStats) -> Option<String> {
        let rows = match (self.block_above_rows, stats.rows) {
            (Some(limit), Some(rows)) if rows > limit => Some(format!(
                "more than {} rows (block_above_rows)",
                grouped(limit)
            )),
            _ => None,
        };
        let bytes = match (self.block_above_bytes, stats.bytes) {
            (Some(limit), Some(bytes)) if bytes > limit => Some(format!(
                "larger than {} (block_above_bytes)",
                pretty_bytes(limit)
            )),
            _ => None,
        };
        match (rows, bytes) {
            (Some(r), Some(b)) => Some(format!("{r} and {b}")),
            (r, b) => r.or(b),
        }
    }
}

/// The size attached to a finding (`table_stats` in JSON): which table, how big,
/// and, when the finding was raised to `block` for it, which threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingStats {
    /// `schema.table` the operation scans or rewrites.
    pub table: String,
    /// `None`: never analysed (or not in the stats file).
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
    pub partitioned: bool,
    /// Where the numbers come from: `database` (release-check, live), `stats-file`
    /// (`lint --table-stats`), `created-by-pending-migration` (counts as empty) or
    /// `unknown` (not in the database or the file: the rule's normal severity).
    pub source: &'static str,
    /// The threshold exceeded (the finding then blocks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<String>,
}

impl FindingStats {
    /// The text every output format shows next to the finding:
    /// `public.orders: ~1.2M rows, 180 MB — more than 500,000 rows (…): blocks`.
    pub fn describe(&self) -> String {
        let stats = TableStats {
            rows: self.rows,
            bytes: self.bytes,
            partitioned: self.partitioned,
        };
        let size = match self.source {
            "unknown" => "size unknown".to_string(),
            "created-by-pending-migration" => "created by a pending migration (empty)".to_string(),
            _ => stats.describe(),
        };
        match &self.above {
            Some(above) => format!("{}: {size} — {above}: blocks", self.table),
            None => format!("{}: {size}", self.table),
        }
    }
}

/// Where the sizes come from, for [`apply`].
pub trait SizeSource {
    /// The size of `table`, and where it comes from; `None`: unknown.
    fn size_of(&self, table: &QualifiedName) -> Option<(TableStats, &'static str)>;
}

/// Sizes read from the database or a stats file, keyed by (schema, table) name,
/// plus the tables pending migrations create (empty when the statement runs).
#[derive(Debug, Clone, Default)]
pub struct KnownSizes {
    pub tables: BTreeMap<QualifiedName, TableStats>,
    /// `database` or `stats-file`.
    pub source: &'static str,
    /// The tables created by a pending migration up to the one judged.
    pub created: std::collections::BTreeSet<QualifiedName>,
}

impl SizeSource for KnownSizes {
    fn size_of(&self, table: &QualifiedName) -> Option<(TableStats, &'static str)> {
        if self.created.contains(table) {
            return Some((TableStats::EMPTY, "created-by-pending-migration"));
        }
        self.tables.get(table).map(|s| (*s, self.source))
    }
}

/// The table a sized finding is about: the first table its lock names (the
/// operation's own table; a foreign key's referenced table comes second).
pub fn table_of(f: &Finding) -> Option<&TableLock> {
    f.lock.as_ref().and_then(|l| l.locks.first())
}

/// Attach sizes to the findings of rules with size thresholds and raise those above
/// a threshold to `block`. A finding that is suppressed, grandfathered or
/// acknowledged keeps its disposition (so the gate does not fail it): the numbers are
/// still shown.
/// A table of unknown size keeps the rule's normal severity.
pub fn apply(findings: &mut [Finding], rules: &RuleSet, sizes: &dyn SizeSource) {
    for f in findings.iter_mut() {
        let Some(threshold) = rules.get(&f.rule).and_then(|r| r.size) else {
            continue;
        };
        let Some(lock) = table_of(f) else {
            continue;
        };
        let table = lock.table.clone();
        // A table known only by description (`table of <index>`): size unknown.
        let (stats, source) = match lock.name.as_ref().and_then(|n| sizes.size_of(n)) {
            Some((s, source)) => (Some(s), source),
            None => (None, "unknown"),
        };
        let above = stats.as_ref().and_then(|s| threshold.exceeded_by(s));
        if above.is_some() {
            f.severity = Severity::Block;
        }
        f.table_stats = Some(Box::new(FindingStats {
            table,
            rows: stats.and_then(|s| s.rows),
            bytes: stats.and_then(|s| s.bytes),
            partitioned: stats.is_some_and(|s| s.partitioned),
            source,
            above,
        }));
    }
}

/// The size-aware findings of one pending migration, before the sizes are known:
/// release-check reads the sizes of `tables` (those not created by a pending
/// migration) and then [`apply`]s them with `created`.
#[derive(Debug, Clone)]
pub struct PendingSized {
    pub findings: Vec<Finding>,
    /// The tables created by this or an earlier pending migration: empty when
    /// this one runs.
    pub created: std::collections::BTreeSet<QualifiedName>,
}

impl PendingSized {
    /// The tables whose size must be read from the database.
    pub fn tables(&self) -> impl Iterator<Item = &QualifiedName> {
        self.findings
            .iter()
            .filter_map(|f| table_of(f)?.name.as_ref())
            .filter(|t| !self.created.contains(*t))
    }
}

/// The findings of size-aware rules in the pending migrations, judged as the PR
/// gate judges them (replayed prior facts and lock facts from lint's one replay
/// pass, `classify::prior::prior_and_lock_facts`; the live server version and the
/// runner settings in `base`; suppressions applied). Pure.
pub fn pending_sized_findings(
    migrations: &[crate::ir::Migration],
    prior: &[Vec<crate::classify::prior::OpPrior>],
    lock_facts: Vec<crate::locks::MigrationFacts>,
    pending: &[String],
    rules: &RuleSet,
    base: &crate::locks::LockContext,
) -> Vec<PendingSized> {
    use crate::ir::OpKind;
    if !rules
        .rules
        .iter()
        .any(|r| r.size.is_some() && r.severity != Severity::Off)
    {
        return Vec::new();
    }
    let contexts = crate::locks::contexts_for(base, lock_facts);
    let mut created = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, m) in migrations.iter().enumerate() {
        if !pending.contains(&m.name) {
            continue;
        }
        for op in &m.up {
            match &op.kind {
                OpKind::CreateTable { table, .. } => {
                    created.insert(table.clone());
                }
                OpKind::RenameTable { table, new_name } if created.remove(table) => {
                    created.insert(new_name.clone());
                }
                _ => {}
            }
        }
        let mut findings = crate::classify::classify_in(
            m,
            rules,
            prior.get(i).map_or(&[], Vec::as_slice),
            &contexts[i],
        )
        .findings;
        crate::annotations::suppress::apply(m, rules, &mut findings);
        findings.retain(|f| {
            table_of(f).is_some() && rules.get(&f.rule).is_some_and(|r| r.size.is_some())
        });
        if !findings.is_empty() {
            out.push(PendingSized {
                findings,
                created: created.clone(),
            });
        }
    }
    out
}

/// The stats file `migguard inspect --stats` writes and `lint --table-stats` reads.
/// Versioned: a reader refuses a `version` it does not know (docs/json.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsFile {
    /// Always `migguard-table-stats`.
    pub format: String,
    /// [`STATS_FORMAT_VERSION`].
    pub version: u32,
    /// `server_version_num` of the server read (e.g. 150004).
    pub server_version_num: Option<u32>,
    /// One entry per table (partitioned tables summed over their partitions).
    pub tables: Vec<StatsEntry>,
}

/// One table of a [`StatsFile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsEntry {
    pub schema: String,
    pub table: String,
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
    pub partitioned: bool,
}

/// The `format` tag of a stats file.
pub const STATS_FORMAT: &str = "migguard-table-stats";
/// The stats file version this build writes and reads.
pub const STATS_FORMAT_VERSION: u32 = 1;

impl StatsFile {
    /// A stats file of `tables` (`(schema, table) → stats`).
    pub fn new(
        server_version_num: Option<u32>,
        tables: &BTreeMap<(String, String), TableStats>,
    ) -> StatsFile {
        StatsFile {
            format: STATS_FORMAT.to_string(),
            version: STATS_FORMAT_VERSION,
            server_version_num,
            tables: tables
                .iter()
                .map(|((schema, table), s)| StatsEntry {
                    schema: schema.clone(),
                    table: table.clone(),
                    rows: s.rows,
                    bytes: s.bytes,
                    partitioned: s.partitioned,
                })
                .collect(),
        }
    }

    /// Parse and check a stats file's text; `Err` is the reason, for an exit-2
    /// message naming the file.
    pub fn parse(text: &str) -> Result<StatsFile, String> {
        let file: StatsFile = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a migguard table-stats file (write one with `migguard inspect --stats`): {e}"
            )
        })?;
        if file.format != STATS_FORMAT {
            return Err(format!(
                "`format` is `{}`, expected `{STATS_FORMAT}`",
                file.format
            ));
        }
        if file.version != STATS_FORMAT_VERSION {
            return Err(format!(
                "stats format version {} is not supported by this migguard (it reads version {STATS_FORMAT_VERSION}); regenerate the file with this version's `migguard inspect --stats`",
                file.version
            ));
        }
        Ok(file)
    }

    /// The sizes keyed by (schema, table) name, as findings' locks name tables.
    pub fn sizes(&self) -> KnownSizes {
        KnownSizes {
            tables: self
                .tables
                .iter()
                .map(|e| {
                    (
                        QualifiedName::new(&e.schema, &e.table),
                        TableStats {
                            rows: e.rows,
                            bytes: e.bytes,
                            partitioned: e.partitioned,
                        },
                    )
                })
                .collect(),
            source: "stats-file",
            created: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_bytes_read_like_a_dba_writes_them() {
        assert_eq!(approximate_count(10), "10");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(approximate_count(12_345), "~12.3k");
        assert_eq!(approximate_count(1_234_567), "~1.2M");
        assert_eq!(approximate_count(3_400_000_000), "~3.4B");
        assert_eq!(pretty_bytes(8192), "8192 bytes");
        assert_eq!(pretty_bytes(76_611_584), "73 MB");
        assert_eq!(pretty_bytes(1_288_490_189), "1.2 GB");
        let s = TableStats {
            rows: Some(1_200_000),
            bytes: Some(180 << 20),
            partitioned: true,
        };
        assert_eq!(s.describe(), "~1.2M rows, 180 MB, partitioned");
        let never = TableStats {
            rows: None,
            bytes: Some(16384),
            partitioned: false,
        };
        assert_eq!(never.describe(), "rows unknown (never analysed), 16 kB");
    }

    #[test]
    fn sizes_parse_in_postgres_units() {
        assert_eq!(parse_bytes("1GB"), Ok(1 << 30));
        assert_eq!(parse_bytes("500 MB"), Ok(500 << 20));
        assert_eq!(parse_bytes("64kB"), Ok(64 << 10));
        assert_eq!(parse_bytes("1_000"), Ok(1000));
        assert!(parse_bytes("1gb")
            .unwrap_err()
            .contains("unknown size unit `gb`"));
        assert!(parse_bytes("GB").is_err());
        assert!(parse_bytes("99999999999TB")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn unknown_rows_are_not_zero_but_bytes_still_count() {
        let t = SizeThreshold {
            block_above_rows: Some(500_000),
            block_above_bytes: Some(1 << 30),
        };
        let unknown = TableStats {
            rows: None,
            bytes: Some(1 << 20),
            partitioned: false,
        };
        assert_eq!(t.exceeded_by(&unknown), None);
        let huge_unanalysed = TableStats {
            rows: None,
            bytes: Some(2 << 30),
            partitioned: false,
        };
        assert_eq!(
            t.exceeded_by(&huge_unanalysed).as_deref(),
            Some("larger than 1 GB (block_above_bytes)")
        );
        let at_limit = TableStats {
            rows: Some(500_000),
            bytes: Some(0),
            partitioned: false,
        };
        assert_eq!(t.exceeded_by(&at_limit), None, "above, not at");
        let big = TableStats {
            rows: Some(1_000_000),
            ..at_limit
        };
        assert_eq!(
            t.exceeded_by(&big).as_deref(),
            Some("more than 500,000 rows (block_above_rows)")
        );
    }

    #[test]
    fn stats_file_round_trips_and_refuses_other_versions() {
        let mut tables = BTreeMap::new();
        tables.insert(
            ("public".to_string(), "big".to_string()),
            TableStats {
                rows: Some(1_000_000),
                bytes: Some(76_611_584),
                partitioned: false,
            },
        );
        let file = StatsFile::new(Some(150004), &tables);
        let text = serde_json::to_string(&file).unwrap();
        assert_eq!(StatsFile::parse(&text), Ok(file.clone()));
        assert_eq!(
            file.sizes().size_of(&QualifiedName::new("public", "big")),
            Some((tables[&("public".into(), "big".into())], "stats-file"))
        );
        assert_eq!(
            file.sizes().size_of(&QualifiedName::new("public", "small")),
            None
        );
        let v2 = text.replace("\"version\":1", "\"version\":2");
        assert!(StatsFile::parse(&v2)
            .unwrap_err()
            .contains("version 2 is not supported"));
        assert!(StatsFile::parse("{}")
            .unwrap_err()
            .contains("inspect --stats"));
        let other = text.replace(STATS_FORMAT, "something-else");
        assert!(StatsFile::parse(&other).unwrap_err().contains("expected"));
    }
}
