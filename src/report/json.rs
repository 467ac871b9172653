//! JSON output (`--format json`), `schema_version: 1`. Stable: fields are only ever
//! added.
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "command": "lint" | "release-check",
//!   "status": "pass" | "fail",
//!   "findings": [{
//!     "rule": "drop-column", "severity": "block|warn|info", "category": "destructive|…",
//!     "phase": "expand|contract|neutral",
//!     "status": "failing|acknowledged|suppressed|grandfathered|warning",
//!     "migration": "DropLegacyCode1700000200000" | null, "file": "src/…ts" | null,
//!     "line": 12, "column": 5, "end_line": 12, "end_column": 60,   // 1-based, null if none
//!     "object": "public.product.legacy_code" | null,
//!     "origin": { "file": "src/helpers/audit.ts", "line": 3, "column": 5,
//!                 "end_line": 3, "end_column": 70 },   // absent unless in a helper
//!     "lock": { "locks": [{ "table": "public.product", "mode": "ACCESS EXCLUSIVE" }],
//!               "duration": "metadata-only|full-scan|rewrite" },   // absent when none
//!     "message": "…", "help": "…" | null, "suppression_reason": "…" | null,
//!     "table_stats": { "table": "public.orders", "rows": 1200000 | null, "bytes": 188743680 | null,
//!                      "partitioned": false, "source": "database|stats-file|created-by-pending-migration|unknown",
//!                      "above": "more than 500,000 rows (block_above_rows)" }   // absent when none
//!   }],
//!   "migrations": [{ "name": "…", "file": "…", "version": "1700000200000" | null,
//!                    "kind": "typeorm|sql-plain|golang-migrate|flyway-versioned|flyway-repeatable|diesel" }],
//!   "summary": { "failing": 0, "warnings": 0, "acknowledged": 0, "suppressed": 0,
//!                "grandfathered": 0, "migrations": 0 }
//! }
//! ```
//! Lines and columns are 1-based (squawk's are 0-based; ours are not); columns count
//! characters.

use super::{display_path, FindingsReport};
use crate::finding::Phase;
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

// The report is written straight from these borrowed views rather than through a
// `serde_json::Value` per finding (a map of 15 allocated keys each: a visible share of
// `lint`'s time on 30,000 findings). Fields are in alphabetical order, the order the
// Value maps produced, so the output is byte-for-byte what it was. The findings and
// migrations are streamed, one view at a time, never collected: on 108,000 findings a
// vector of views was tens of megabytes held only to be written out. (Rendering the
// findings in parallel, each as a `RawValue` re-indented into place, was measured
// and dropped: validating and re-indenting cost more instructions than the
// serializing it spread over two threads.)

#[derive(Serialize)]
struct JsonReport<'a> {
    command: &'a str,
    findings: Streamed<'a, crate::finding::Finding, JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<&'a Value>,
    migrations: Streamed<'a, super::MigrationSummary, JsonMigration<'a>>,
    schema_version: u32,
    status: &'a str,
    summary: Value,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    category: &'a str,
    column: Option<usize>,
    end_column: Option<usize>,
    end_line: Option<usize>,
    file: Option<String>,
    help: Option<&'a str>,
    line: Option<usize>,
    /// The locks the operation takes, on which tables, for how long (findings on
    /// an operation that takes one).
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<&'a crate::locks::LockInfo>,
    message: &'a str,
    migration: Option<&'a str>,
    object: Option<&'a str>,
    /// Where inside a helper the op is written (the finding's own position is the
    /// call in `up()`); absent for an op written in `up()` itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<JsonOrigin>,
    phase: Phase,
    rule: &'a str,
    severity: &'a str,
    status: &'a str,
    suppression_reason: Option<&'a str>,
    /// The size of the table a size-aware rule's operation scans or rewrites.
    #[serde(skip_serializing_if = "Option::is_none")]
    table_stats: Option<&'a crate::sizes::FindingStats>,
}

#[derive(Serialize)]
struct JsonOrigin {
    column: usize,
    end_column: usize,
    end_line: usize,
    file: String,
    line: usize,
}

#[derive(Serialize)]
struct JsonMigration<'a> {
    file: String,
    kind: &'a crate::ir::MigrationFormat,
    name: &'a str,
    /// The version as a number when it is one (TypeORM's 13-digit timestamp, a
    /// numbered file's number); `version` keeps it as written (`3.1`, `000001`).
    timestamp: Option<u64>,
    version: Option<&'a str>,
}

/// A JSON array of `items`, each written through its view as the serializer
/// reaches it.
struct Streamed<'a, T, V> {
    items: &'a [T],
    view: fn(&'a FindingsReport, &'a T) -> V,
    report: &'a FindingsReport,
}

impl<'a, T, V: Serialize> Serialize for Streamed<'a, T, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.items.iter().map(|item| (self.view)(self.report, item)))
    }
}

fn finding_view<'a>(report: &'a FindingsReport, f: &'a crate::finding::Finding) -> JsonFinding<'a> {
    JsonFinding {
        category: f.category.as_str(),
        column: f.span.map(|s| s.column),
        end_column: f.span.map(|s| s.end_column),
        end_line: f.span.map(|s| s.end_line),
        file: f.file.as_deref().map(display_path),
        help: f.help.as_deref(),
        line: f.span.map(|s| s.line),
        message: &f.message,
        migration: f.migration.as_deref(),
        object: f.object.as_deref(),
        origin: f.origin.as_ref().map(|o| JsonOrigin {
            column: o.span.column,
            end_column: o.span.end_column,
            end_line: o.span.end_line,
            file: display_path(&o.file),
            line: o.span.line,
        }),
        phase: f.phase,
        rule: &f.rule,
        severity: f.severity.as_str(),
        status: report.status(f).as_str(),
        suppression_reason: f.suppression_reason(),
        lock: f.lock.as_deref(),
        table_stats: f.table_stats.as_deref(),
    }
}

fn migration_view<'a>(_: &'a FindingsReport, m: &'a super::MigrationSummary) -> JsonMigration<'a> {
    JsonMigration {
        file: display_path(&m.file),
        kind: &m.kind,
        name: &m.name,
        timestamp: m.version.as_deref().and_then(|v| v.parse().ok()),
        version: m.version.as_deref(),
    }
}

fn view(report: &FindingsReport) -> JsonReport<'_> {
    JsonReport {
        command: report.command,
        findings: Streamed {
            items: &report.findings,
            view: finding_view,
            report,
        },
        history: report.history.as_ref(),
        migrations: Streamed {
            items: &report.migrations,
            view: migration_view,
            report,
        },
        schema_version: 1,
        status: if report.passed() { "pass" } else { "fail" },
        summary: serde_json::to_value(report.summary()).unwrap_or_default(),
    }
}

pub fn render(report: &FindingsReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &view(report))?;
    writeln!(out)
}
