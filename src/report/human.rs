//! Human output: miette code frames for what needs attention, one line for the rest.
//!
//! Failing findings get a full frame pointing at the statement inside the migration
//! file (also for SQL inside a TypeORM string: spans are file offsets). Warnings get
//! a frame too; acknowledged, suppressed and grandfathered findings are listed one
//! per line with `-v` and counted in the summary otherwise.

use super::{display_path, use_color, FindingsReport, RenderOptions};
use crate::finding::{Finding, Phase, Status};
use crate::source::SourceFile;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, Severity as MSeverity, SourceCode, SourceSpan, SpanContents,
};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

/// A migration file as miette reads it, except that the `file:line:column` miette
/// prints for a frame counts the column in characters, as JSON, SARIF and GitHub
/// output do (miette counts bytes: one `é` before the statement would make the
/// formats disagree).
struct CharColumns {
    name: String,
    text: String,
}

impl SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // miette reads the primary label without context for the header's position.
        let column = if context_lines_before == 0 && context_lines_after == 0 {
            let at = span.offset().min(self.text.len());
            let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
            self.text
                .get(line_start..at)
                .map_or(inner.column(), |l| l.chars().count())
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

fn frame(
    f: &Finding,
    sources: &BTreeMap<PathBuf, SourceFile>,
    handler: &GraphicalReportHandler,
) -> String {
    let mut d = MietteDiagnostic::new(f.message.clone())
        .with_code(format!("migguard::{}", f.rule))
        .with_severity(match f.status {
            Status::Failing => MSeverity::Error,
            _ => MSeverity::Warning,
        });
    if let Some(h) = &f.help {
        d = d.with_help(h.clone());
    }
    let source = f.file.as_ref().and_then(|p| sources.get(p));
    if let (Some(span), Some(_)) = (f.span, source) {
        let len = span.end.saturating_sub(span.start).max(1);
        let label = f.object.clone().unwrap_or_else(|| f.rule.clone());
        d = d.with_labels(vec![LabeledSpan::at(span.start..span.start + len, label)]);
    }
    let mut out = String::new();
    let report = match source {
        Some(s) => miette::Report::new(d).with_source_code(CharColumns {
            name: display_path(&s.path),
            text: s.text.clone(),
        }),
        None => miette::Report::new(d),
    };
    let _ = handler.render_report(&mut out, report.as_ref());
    out
}

pub fn render(
    report: &FindingsReport,
    sources: &BTreeMap<PathBuf, SourceFile>,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if use_color(opts.color) {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut contract_failing = false;
    for f in &report.findings {
        let show_frame = match f.status {
            Status::Failing => true,
            Status::Warning => !opts.quiet,
            _ => false,
        };
        if show_frame {
            write!(out, "{}", frame(f, sources, &handler))?;
            writeln!(out)?;
            contract_failing |= f.status == Status::Failing && f.phase == Phase::Contract;
        } else if opts.verbose > 0 {
            let place = match (&f.file, f.span) {
                (Some(p), Some(s)) => format!("{}:{}:{}", display_path(p), s.line, s.column),
                (Some(p), None) => display_path(p),
                _ => String::new(),
            };
            let why = f
                .suppression_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<13} {} {place}: {}{why}",
                f.status.as_str(),
                f.rule,
                f.object.as_deref().unwrap_or("")
            )?;
        }
    }
    if opts.verbose > 0 {
        for m in &report.migrations {
            writeln!(out, "  read {:<40} {}", m.name, display_path(&m.file))?;
        }
    }
    for n in &report.notes {
        writeln!(out, "{n}")?;
    }
    let s = report.summary();
    if contract_failing {
        writeln!(
            out,
            "hint: a contract migration (drop/rename) ships after its expand migration: once the code no\n      longer uses what it removes, annotate it with `// @destructive: <what>` and\n      `// @expand-migration: <ExpandMigrationName>` (see `migguard explain drop-column`)."
        )?;
    }
    writeln!(
        out,
        "migguard {}: {} — {} failing, {} warnings, {} acknowledged, {} suppressed, {} grandfathered in {} migration{}",
        report.command,
        if report.passed { "passed" } else { "FAILED" },
        s.failing,
        s.warnings,
        s.acknowledged,
        s.suppressed,
        s.grandfathered,
        s.migrations,
        if s.migrations == 1 { "" } else { "s" }
    )
}
