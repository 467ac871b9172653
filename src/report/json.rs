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
//!     "message": "…", "help": "…" | null, "suppression_reason": "…" | null
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
use serde_json::{json, Value};
use std::io::{self, Write};

pub fn to_value(report: &FindingsReport) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "severity": f.severity.as_str(),
                "category": f.category.as_str(),
                "phase": f.phase,
                "status": f.status.as_str(),
                "migration": f.migration,
                "file": f.file.as_deref().map(display_path),
                "line": f.span.map(|s| s.line),
                "column": f.span.map(|s| s.column),
                "end_line": f.span.map(|s| s.end_line),
                "end_column": f.span.map(|s| s.end_column),
                "object": f.object,
                "message": f.message,
                "help": f.help,
                "suppression_reason": f.suppression_reason,
            })
        })
        .collect();
    let migrations: Vec<Value> = report
        .migrations
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "file": display_path(&m.file),
                "version": m.version,
                "timestamp": m.version,
                "kind": m.kind,
            })
        })
        .collect();
    let mut v = json!({
        "schema_version": 1,
        "command": report.command,
        "status": if report.passed { "pass" } else { "fail" },
        "findings": findings,
        "migrations": migrations,
        "summary": report.summary(),
    });
    if let Some(h) = &report.history {
        v["history"] = h.clone();
    }
    v
}

pub fn render(report: &FindingsReport, out: &mut dyn Write) -> io::Result<()> {
    let v = to_value(report);
    serde_json::to_writer_pretty(&mut *out, &v)?;
    writeln!(out)
}
