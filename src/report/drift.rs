//! Drift output: JSON (the shape docs/json.md documents), human (real drift first, then what the
//! pending migrations will fix, then what to do), GitHub annotations, SARIF and GitLab Code Quality.
//!
//! Rendering is separate from the analysis so one `DriftReport` serves every format
//! and the renderers can be snapshot-tested on hand-built reports.

use super::terminal::escape_controls;
use super::{
    display_path,
    github::{escape_data, escape_property},
    Format,
};
use crate::drift::{DriftItem, DriftReport, DriftStatus};
use serde_json::{json, Value};
use std::io::{self, Write};

pub fn to_json(r: &DriftReport) -> Value {
    json!({
        "schema_version": 1,
        "command": "drift",
        "status": r.status,
        "items": r.items,
        "history": r.history,
    })
}

/// How loud an item is: real drift is an error; a rollback item is a warning; a
/// reconcilable item is a warning, or only a notice once the user allowed pending
/// migrations.
fn level(i: &DriftItem, allow_pending: bool) -> &'static str {
    if i.rollback {
        "warning"
    } else if !i.reconcilable {
        "error"
    } else if allow_pending {
        "notice"
    } else {
        "warning"
    }
}

fn human_item(i: &DriftItem) -> String {
    let mut s = format!("  {:<28} {}", i.kind, i.object);
    match (&i.expected, &i.actual) {
        (Some(e), Some(a)) => s.push_str(&format!("\n      expected: {e}\n      actual:   {a}")),
        (Some(e), None) => s.push_str(&format!("\n      expected: {e}")),
        (None, Some(a)) if a != &i.object => s.push_str(&format!("\n      actual:   {a}")),
        _ => {}
    }
    if let Some(f) = &i.file {
        s.push_str(&format!("\n      file: {}", display_path(f)));
    }
    s.push_str(&format!("\n      {}", i.message));
    s
}

fn human(r: &DriftReport, allow_pending: bool, out: &mut dyn Write) -> io::Result<()> {
    let real: Vec<&DriftItem> = r
        .items
        .iter()
        .filter(|i| !i.reconcilable && !i.rollback)
        .collect();
    let rollback: Vec<&DriftItem> = r.items.iter().filter(|i| i.rollback).collect();
    let rec: Vec<&DriftItem> = r.items.iter().filter(|i| i.reconcilable).collect();
    if !real.is_empty() {
        writeln!(
            out,
            "Real drift ({}): the live schema differs from what the migrations produce, and no pending migration fixes it",
            real.len()
        )?;
        for i in &real {
            writeln!(out, "{}", escape_controls(&human_item(i)))?;
        }
        writeln!(out)?;
    }
    if !rollback.is_empty() {
        writeln!(
            out,
            "Warnings, ahead of the build (rollback) ({}): the database has applied newer migrations this build does not know, and these are theirs",
            rollback.len()
        )?;
        for i in &rollback {
            writeln!(out, "{}", escape_controls(&human_item(i)))?;
        }
        writeln!(out)?;
    }
    if !rec.is_empty() {
        writeln!(
            out,
            "{} ({}): the pending migrations will fix these",
            if allow_pending {
                "Warnings, reconcilable"
            } else {
                "Reconcilable"
            },
            rec.len(),
        )?;
        for i in &rec {
            writeln!(out, "{}", escape_controls(&human_item(i)))?;
        }
        writeln!(out)?;
    }
    let (verdict, todo) = match r.status {
        DriftStatus::Clean => ("clean: the live schema matches the migrations", ""),
        DriftStatus::AheadOfBuild => (
            "ahead of the build (rollback): only what newer migrations added differs",
            "",
        ),
        DriftStatus::Reconcilable if allow_pending => (
            "reconcilable (allowed)",
            "run the pending migrations to bring the schema in line",
        ),
        DriftStatus::Reconcilable => (
            "reconcilable",
            "run the pending migrations, or pass --allow-pending-migrations if that is expected here",
        ),
        DriftStatus::Drift => (
            "DRIFT",
            "the schema or its history changed outside this build's migrations: write a migration that makes the change explicit, or revert the hand edit",
        ),
    };
    let unverifiable = real.iter().any(|i| i.kind == "unverifiable");
    writeln!(
        out,
        "migguard drift: {verdict} ({} real, {}{} reconcilable; {} applied, {} pending, {} unknown applied)",
        real.len(),
        if rollback.is_empty() {
            String::new()
        } else {
            format!("{} rollback, ", rollback.len())
        },
        rec.len(),
        r.history.applied.len(),
        r.history.pending.len(),
        r.history.unknown_applied_count.max(r.history.unknown_applied.len())
    )?;
    if !todo.is_empty() {
        writeln!(out, "what to do: {todo}")?;
    }
    if unverifiable {
        writeln!(
            out,
            "unverifiable objects were changed by SQL migguard cannot read: compare them by hand, then list them under [drift] ignore in migguard.toml"
        )?;
    }
    Ok(())
}

/// GitHub workflow commands, one per item; anchored at the pending migration's file
/// when the item has one.
pub fn github(r: &DriftReport, allow_pending: bool, out: &mut dyn Write) -> io::Result<()> {
    for i in &r.items {
        let file = i
            .file
            .as_ref()
            .map(|f| format!("file={},", escape_property(&display_path(f))))
            .unwrap_or_default();
        writeln!(
            out,
            "::{} {file}title={}::{}",
            level(i, allow_pending),
            escape_property(&format!("migguard {}", i.kind)),
            escape_data(&format!("{}: {}", i.object, i.message))
        )?;
    }
    Ok(())
}

/// SARIF 2.1.0: one result per item, rule id = item kind.
pub fn to_sarif(r: &DriftReport, allow_pending: bool) -> Value {
    let kinds: std::collections::BTreeSet<&str> = r.items.iter().map(|i| i.kind.as_str()).collect();
    let rules: Vec<Value> = kinds
        .iter()
        .map(|k| json!({ "id": k, "name": k, "shortDescription": { "text": format!("drift: {k}") } }))
        .collect();
    let results: Vec<Value> = r
        .items
        .iter()
        .map(|i| {
            let level = match level(i, allow_pending) {
                "notice" => "note",
                l => l,
            };
            let mut v = json!({
                "ruleId": i.kind,
                "level": level,
                "message": { "text": format!("{}: {}", i.object, i.message) },
                "properties": { "object": i.object, "reconcilable": i.reconcilable },
            });
            if let Some(by) = &i.resolved_by {
                v["properties"]["resolved_by"] = json!(by);
            }
            if let Some(f) = &i.file {
                v["locations"] = json!([{ "physicalLocation": { "artifactLocation": { "uri": display_path(f) } } }]);
            }
            v
        })
        .collect();
    super::sarif::envelope(rules, results)
}

/// Drift items as GitLab Code Quality issues, loud as their annotation level.
fn gitlab_issues(r: &DriftReport, allow_pending: bool) -> Vec<super::gitlab::Issue> {
    r.items
        .iter()
        .map(|i| super::gitlab::Issue {
            check_name: i.kind.as_str().to_string(),
            description: format!("{}: {}", i.object, i.message),
            severity: match level(i, allow_pending) {
                "error" => "critical",
                "warning" => "minor",
                _ => "info",
            },
            path: i
                .file
                .as_deref()
                .map(display_path)
                .unwrap_or_else(|| super::gitlab::NO_FILE_PATH.into()),
            line: 1,
            identity: format!("{}\u{1f}{}", i.object, i.message),
        })
        .collect()
}

pub fn render(
    r: &DriftReport,
    format: Format,
    allow_pending: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &to_json(r))?;
            writeln!(out)
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &to_sarif(r, allow_pending))?;
            writeln!(out)
        }
        Format::Github => github(r, allow_pending, out),
        Format::Gitlab => super::gitlab::render(&gitlab_issues(r, allow_pending), out),
        Format::Human => {
            human(r, allow_pending, out)?;
            // Contract: inside GitHub Actions human output also annotates the PR.
            if super::github::in_github_actions() {
                github(r, allow_pending, out)?;
            }
            Ok(())
        }
    }
}
