//! Rendering: the same findings as human code frames (miette), JSON, SARIF 2.1.0,
//! GitHub workflow annotations or a GitLab Code Quality report. Checks never format
//! output themselves; renderers attach source text once per file, late, as ruff and oxc do.

pub mod drift;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;
pub mod terminal;

use crate::finding::{Finding, Gate, Status};
use crate::ir::MigrationFormat;
use crate::ruleset::RuleSet;
use crate::source::SourceFile;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

/// When to use colours in human output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Output format of every command that reports (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    /// GitLab Code Quality JSON (`artifacts:reports:codequality`).
    Gitlab,
}

/// One migration read, for the `migrations` array of the JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationSummary {
    pub name: String,
    pub file: PathBuf,
    /// TypeORM timestamp or SQL version.
    pub version: Option<String>,
    pub kind: MigrationFormat,
}

impl MigrationSummary {
    pub fn of(m: &crate::ir::Migration) -> Self {
        MigrationSummary {
            name: m.name.clone(),
            file: m.file.clone(),
            version: m.version.clone(),
            kind: m.format,
        }
    }
}

/// Everything a findings renderer needs (lint, release-check).
#[derive(Debug, Clone)]
pub struct FindingsReport {
    /// `lint` or `release-check`.
    pub command: &'static str,
    /// What decides each finding's status and the run's pass or fail.
    pub gate: Gate,
    pub findings: Vec<Finding>,
    pub migrations: Vec<MigrationSummary>,
    /// Extra lines for the human summary (e.g. release-check's pending list).
    pub notes: Vec<String>,
    /// release-check: `{applied, pending, unknown_applied, out_of_order}` for JSON.
    pub history: Option<serde_json::Value>,
}

/// Counts by status, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub failing: usize,
    pub warnings: usize,
    pub acknowledged: usize,
    pub suppressed: usize,
    pub grandfathered: usize,
    pub migrations: usize,
}

impl FindingsReport {
    /// The report of `command` on `migrations` (each listed in the output), with no
    /// notes and no history: the shape lint gives; release-check adds its own.
    pub fn new(
        command: &'static str,
        gate: Gate,
        findings: Vec<Finding>,
        migrations: &[crate::ir::Migration],
    ) -> Self {
        FindingsReport {
            command,
            gate,
            findings,
            migrations: migrations.iter().map(MigrationSummary::of).collect(),
            notes: Vec::new(),
            history: None,
        }
    }

    /// How `f` counts, as the gate decides it: what every renderer shows.
    pub fn status(&self, f: &Finding) -> Status {
        self.gate.status(f)
    }

    /// Whether the run passes (exit 0): no finding fails the gate.
    pub fn passed(&self) -> bool {
        self.gate.passes(&self.findings)
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            migrations: self.migrations.len(),
            ..Summary::default()
        };
        for f in &self.findings {
            match self.status(f) {
                Status::Failing => s.failing += 1,
                Status::Warning => s.warnings += 1,
                Status::Acknowledged => s.acknowledged += 1,
                Status::Suppressed => s.suppressed += 1,
                Status::Grandfathered => s.grandfathered += 1,
            }
        }
        s
    }
}

/// Render options that are not part of the data.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub format: Format,
    pub color: ColorChoice,
    pub verbose: u8,
    pub quiet: bool,
}

/// Render a findings report in the requested format.
pub fn render_findings(
    report: &FindingsReport,
    rules: &RuleSet,
    sources: &BTreeMap<PathBuf, SourceFile>,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match opts.format {
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, rules, out),
        Format::Github => github::render(&report.findings, report.gate, out),
        Format::Gitlab => {
            gitlab::render(&gitlab::finding_issues(&report.findings, report.gate), out)
        }
        Format::Human => {
            if github::in_github_actions() {
                github::render(&report.findings, report.gate, out)?;
            }
            human::render(report, sources, opts, out)
        }
    }
}

/// A finding's message with the size of its table appended, as every text format
/// shows it (`… — (public.orders: ~1.2M rows, 180 MB)`). JSON keeps the two apart
/// (`message`, `table_stats`), and GitLab's fingerprint hashes the bare message, so
/// a table growing between runs does not make an issue new.
pub fn message_with_size(f: &Finding) -> std::borrow::Cow<'_, str> {
    match &f.table_stats {
        Some(s) => format!("{} ({})", f.message, s.describe()).into(),
        None => f.message.as_str().into(),
    }
}

/// Whether to colour: `always`, `never`, or `auto` = a terminal and no `NO_COLOR`.
pub fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal(),
    }
}

/// Path as shown to users and in SARIF: relative, forward slashes.
pub fn display_path(p: &std::path::Path) -> String {
    let s = p.strip_prefix("./").unwrap_or(p).display().to_string();
    s.replace('\\', "/")
}

/// `in helper helpers/audit.ts:3, called from migrations/1-X.ts:7` for a finding on
/// an op written inside a helper (`Finding::origin`): one wording for every renderer,
/// so the reader sees both the code that runs and where the migration reaches it.
pub fn origin_note(f: &Finding) -> Option<String> {
    let o = f.origin.as_ref()?;
    let called_from = match (&f.file, f.span) {
        (Some(p), Some(s)) => format!(", called from {}:{}", display_path(p), s.line),
        _ => String::new(),
    };
    Some(format!(
        "in helper {}:{}{called_from}",
        display_path(&o.file),
        o.span.line
    ))
}

/// The finding's message annotated for the one-line formats (SARIF, GitHub,
/// GitLab): its table size ([`message_with_size`]) and [`origin_note`] appended,
/// when it has them.
pub fn annotated_message(f: &Finding) -> String {
    let message = message_with_size(f);
    match origin_note(f) {
        Some(note) => format!("{message} ({note})"),
        None => message.into_owned(),
    }
}

/// Write a command's output to stdout through one buffer, then flush. Rust's stdout
/// is line-buffered: a pretty-printed report of thousands of findings would otherwise
/// cost one write(2) per line (a third of `lint`'s wall time on 10,000 files).
pub fn write_stdout(
    write: impl FnOnce(&mut io::BufWriter<io::StdoutLock<'static>>) -> io::Result<()>,
) -> crate::error::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    ignore_broken_pipe(write(&mut out).and_then(|()| io::Write::flush(&mut out)))
}

/// A closed pipe (`migguard lint | head`) is not an error, as in ripgrep.
pub fn ignore_broken_pipe(r: io::Result<()>) -> crate::error::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| crate::error::Error::io("writing output", e)),
    }
}

/// A finding of builtin rule `rule` with `disposition`, about no file: what the
/// renderers' tests feed them.
#[cfg(test)]
fn finding_disposed(rule: &str, disposition: crate::finding::Disposition) -> Finding {
    let rules = RuleSet::builtin();
    let rule = rules.get(rule).expect("a builtin rule");
    let mut f = crate::classify::unlocated(rule, None, None, format!("{} found", rule.id));
    f.disposition = disposition;
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_support::MigrationBuilder;

    #[test]
    fn a_new_report_lists_every_migration_read_with_no_notes_or_history() {
        let migrations = [
            MigrationBuilder::sql("0001_create_users").build(),
            MigrationBuilder::typeorm("AddEmail1700000000000").build(),
        ];
        let report = FindingsReport::new("lint", Gate::BLOCK, Vec::new(), &migrations);
        assert_eq!(report.command, "lint");
        assert_eq!(report.gate, Gate::BLOCK);
        assert_eq!(
            report.migrations,
            migrations
                .iter()
                .map(MigrationSummary::of)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            report.migrations[1].version.as_deref(),
            Some("1700000000000")
        );
        assert!(report.notes.is_empty());
        assert!(report.history.is_none());
        assert_eq!(report.summary().migrations, 2);
    }
}
