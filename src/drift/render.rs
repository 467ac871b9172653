//! Drift output: JSON (DESIGN §6 shape), human (real drift first), GitHub annotations.

use super::{DriftItem, DriftReport, DriftStatus};
use crate::cli::Format;
use crate::report::{
    display_path,
    github::{escape_data, escape_property},
};
use serde_json::json;
use std::io::{self, Write};

pub fn to_json(r: &DriftReport) -> serde_json::Value {
    json!({
        "schema_version": 1,
        "command": "drift",
        "status": r.status,
        "items": r.items,
        "history": r.history,
    })
}

fn line(i: &DriftItem) -> String {
    let mut s = format!("  {:<28} {}", i.kind, i.object);
    match (&i.expected, &i.actual) {
        (Some(e), Some(a)) => s.push_str(&format!("\n      expected: {e}\n      actual:   {a}")),
        (Some(e), None) => s.push_str(&format!("\n      expected: {e}")),
        (None, Some(a)) if a != &i.object => s.push_str(&format!("\n      actual:   {a}")),
        _ => {}
    }
    if let Some(by) = &i.resolved_by {
        if i.kind != "pending-migration" {
            s.push_str(&format!("\n      resolved by: {by}"));
        }
    }
    s.push_str(&format!("\n      {}", i.message));
    s
}

pub fn render(
    r: &DriftReport,
    format: Format,
    allow_pending: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &to_json(r))?;
            writeln!(out)
        }
        Format::Github => {
            for i in &r.items {
                let level = if !i.reconcilable {
                    "error"
                } else if allow_pending {
                    "notice"
                } else {
                    "warning"
                };
                let file = i
                    .file
                    .as_ref()
                    .map(|f| format!("file={},", escape_property(&display_path(f))))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "::{level} {file}title={}::{}",
                    escape_property(&format!("migguard {}", i.kind)),
                    escape_data(&format!("{}: {}", i.object, i.message))
                )?;
            }
            Ok(())
        }
        Format::Human => {
            let real: Vec<&DriftItem> = r.items.iter().filter(|i| !i.reconcilable).collect();
            let rec: Vec<&DriftItem> = r.items.iter().filter(|i| i.reconcilable).collect();
            if !real.is_empty() {
                writeln!(out, "Real drift ({}): the live schema differs from what the migrations produce, and no pending migration fixes it", real.len())?;
                for i in &real {
                    writeln!(out, "{}", line(i))?;
                }
                writeln!(out)?;
            }
            if !rec.is_empty() {
                writeln!(
                    out,
                    "Reconcilable ({}): the pending migrations will fix these{}",
                    rec.len(),
                    if allow_pending { " (allowed)" } else { "" }
                )?;
                for i in &rec {
                    writeln!(out, "{}", line(i))?;
                }
                writeln!(out)?;
            }
            let what = match r.status {
                DriftStatus::Clean => "clean: the live schema matches the migrations".to_string(),
                DriftStatus::Reconcilable => format!("reconcilable: run the {} pending migration(s) to match", r.history.pending.len()),
                DriftStatus::Drift => "DRIFT: someone changed the schema outside the migrations (or the history is wrong); write a migration that makes it explicit, or revert the hand edit".to_string(),
            };
            writeln!(
                out,
                "migguard drift: {what} — {} applied, {} pending, {} unknown applied",
                r.history.applied.len(),
                r.history.pending.len(),
                r.history.unknown_applied.len()
            )
        }
    }
}
