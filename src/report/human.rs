//! Human output: miette code frames for what needs attention, one line for the rest.
//!
//! Failing findings get a full frame pointing at the statement inside the migration
//! file (also for SQL inside a TypeORM string: spans are file offsets). Warnings get
//! a frame too; acknowledged, suppressed and grandfathered findings are listed one
//! per line with `-v` and counted in the summary otherwise.

use super::terminal::{escape_controls, mask_controls};
use super::{display_path, origin_note, use_color, FindingsReport, RenderOptions};
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
/// formats disagree). `text` may be an [`Excerpt`] of the file: then `line_base`
/// is the file line its first line is, and `column` the real column of the span.
struct CharColumns {
    name: String,
    text: String,
    line_base: usize,
    column: Option<usize>,
}

/// Lines longer than this (in characters) are cut around the span in a frame.
const MAX_FRAME_LINE_CHARS: usize = 240;
/// How much of a cut line is kept before the span's start.
const CHARS_BEFORE_SPAN: usize = 60;

/// The lines a frame shows, cut to a readable width, with the span moved into it.
/// A minified bundle puts a whole migration on one line: miette would print all of
/// it, and past 65,535 columns its layout overflows `format!`'s width and panics.
#[derive(Debug, PartialEq)]
struct Excerpt {
    text: String,
    span: std::ops::Range<usize>,
    /// 0-based line of the file the excerpt starts at.
    first_line: usize,
    /// 0-based character column of the span's start in the file.
    column: usize,
}

/// `None` when every line the frame shows (the span's, one either side) is short.
fn excerpt(text: &str, span: std::ops::Range<usize>) -> Option<Excerpt> {
    let clamp = |o: usize| {
        let mut o = o.min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    };
    let (start, end) = (clamp(span.start), clamp(span.end.max(span.start)));
    let line_of = |o: usize| text[..o].matches('\n').count();
    let line_start = |o: usize| text[..o].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |o: usize| text[o..].find('\n').map_or(text.len(), |i| o + i);
    let first_line = line_of(start).saturating_sub(1);
    let last_line = line_of(end) + 1;
    // Byte ranges of the shown lines (without their newline).
    let mut lines = Vec::new();
    let mut at = if first_line < line_of(start) {
        line_start(line_start(start).saturating_sub(1))
    } else {
        line_start(start)
    };
    for _ in first_line..=last_line {
        let e = line_end(at);
        lines.push(at..e);
        if e >= text.len() {
            break;
        }
        at = e + 1;
    }
    if lines
        .iter()
        .all(|l| text[l.clone()].chars().count() <= MAX_FRAME_LINE_CHARS)
    {
        return None;
    }
    let column = text[line_start(start)..start].chars().count();
    let mut out = String::new();
    let (mut new_start, mut new_end) = (0, 0);
    for l in &lines {
        let (mut keep_from, mut keep_to) = (l.start, l.end);
        if text[l.clone()].chars().count() > MAX_FRAME_LINE_CHARS {
            let anchor = start.clamp(l.start, l.end);
            let before: Vec<usize> = text[l.start..anchor]
                .char_indices()
                .map(|(i, _)| l.start + i)
                .collect();
            keep_from = before
                .len()
                .checked_sub(CHARS_BEFORE_SPAN)
                .map_or(l.start, |i| before[i]);
            keep_to = text[keep_from..l.end]
                .char_indices()
                .nth(MAX_FRAME_LINE_CHARS)
                .map_or(l.end, |(i, _)| keep_from + i);
        }
        if keep_from > l.start {
            out.push('…');
        }
        let kept_at = out.len();
        out.push_str(&text[keep_from..keep_to]);
        let map = |o: usize| kept_at + o.clamp(keep_from, keep_to) - keep_from;
        if (l.start..=l.end).contains(&start) {
            new_start = map(start);
        }
        if (l.start..=l.end).contains(&end) {
            new_end = map(end);
        }
        if keep_to < l.end {
            out.push('…');
        }
        out.push('\n');
    }
    Some(Excerpt {
        text: out,
        span: new_start..new_end.max(new_start),
        first_line,
        column,
    })
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
        let column =
            if let (Some(c), 0, 0) = (self.column, context_lines_before, context_lines_after) {
                c
            } else if context_lines_before == 0 && context_lines_after == 0 {
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
            inner.line() + self.line_base,
            column,
            inner.line_count(),
        )))
    }
}

fn frame(
    f: &Finding,
    status: Status,
    sources: &BTreeMap<PathBuf, SourceFile>,
    handler: &GraphicalReportHandler,
) -> String {
    // Messages, names and source text come from files and the database: nothing in
    // them may drive the terminal (see `terminal`).
    let mut d = MietteDiagnostic::new(escape_controls(&super::message_with_size(f)).into_owned())
        .with_code(format!("migguard::{}", f.rule))
        .with_severity(match status {
            Status::Failing => MSeverity::Error,
            _ => MSeverity::Warning,
        });
    if let Some(h) = &f.help {
        d = d.with_help(escape_controls(h).into_owned());
    }
    let source = f.file.as_ref().and_then(|p| sources.get(p));
    let cut = match (f.span, source) {
        (Some(span), Some(s)) => excerpt(&s.text, span.start..span.end),
        _ => None,
    };
    if let (Some(span), Some(_)) = (f.span, source) {
        let span = cut
            .as_ref()
            .map_or(span.start..span.end, |c| c.span.clone());
        let len = span.end.saturating_sub(span.start).max(1);
        let mut label = escape_controls(f.object.as_deref().unwrap_or(&f.rule)).into_owned();
        // The label is not wrapped: the helper's place stays one greppable line.
        if let Some(note) = origin_note(f) {
            label.push_str(&format!(" ({})", escape_controls(&note)));
        }
        if let Some(lock) = &f.lock {
            label.push_str(&format!(": takes {}", escape_controls(&lock.describe())));
        }
        d = d.with_labels(vec![LabeledSpan::at(span.start..span.start + len, label)]);
    }
    let mut out = String::new();
    let report = match (source, cut) {
        (Some(s), Some(cut)) => miette::Report::new(d).with_source_code(CharColumns {
            name: escape_controls(&display_path(&s.path)).into_owned(),
            text: mask_controls(&cut.text).into_owned(),
            line_base: cut.first_line,
            column: Some(cut.column),
        }),
        (Some(s), None) => miette::Report::new(d).with_source_code(CharColumns {
            name: escape_controls(&display_path(&s.path)).into_owned(),
            text: mask_controls(&s.text).into_owned(),
            line_base: 0,
            column: None,
        }),
        (None, _) => miette::Report::new(d),
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
        let status = report.status(f);
        let show_frame = match status {
            Status::Failing => true,
            Status::Warning => !opts.quiet,
            _ => false,
        };
        if show_frame {
            write!(out, "{}", frame(f, status, sources, &handler))?;
            writeln!(out)?;
            contract_failing |= status == Status::Failing && f.phase == Phase::Contract;
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
            let origin = origin_note(f)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let line = format!(
                "  {:<13} {} {place}: {}{origin}{why}",
                status.as_str(),
                f.rule,
                f.object.as_deref().unwrap_or("")
            );
            writeln!(out, "{}", escape_controls(&line))?;
        }
    }
    if opts.verbose > 0 {
        for m in &report.migrations {
            let line = format!("  read {:<40} {}", m.name, display_path(&m.file));
            writeln!(out, "{}", escape_controls(&line))?;
        }
    }
    for n in &report.notes {
        writeln!(out, "{}", escape_controls(n))?;
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
        if report.passed() { "passed" } else { "FAILED" },
        s.failing,
        s.warnings,
        s.acknowledged,
        s.suppressed,
        s.grandfathered,
        s.migrations,
        if s.migrations == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_as_they_are() {
        assert_eq!(excerpt("a\nDROP TABLE x;\nb\n", 2..15), None);
    }

    #[test]
    fn long_lines_are_cut_around_the_span_keeping_its_position() {
        let long = format!("é{}DROP TABLE x;{}", "y".repeat(1000), "z".repeat(1000));
        let text = format!("first\n{long}\nlast\n");
        let start = text.find("DROP").unwrap();
        let cut = excerpt(&text, start..start + 13).unwrap();
        assert_eq!(&cut.text[cut.span.clone()], "DROP TABLE x;");
        assert_eq!(cut.first_line, 0);
        assert_eq!(cut.column, 1001);
        let lines: Vec<&str> = cut.text.lines().collect();
        assert_eq!(lines[0], "first");
        assert!(
            lines[1].starts_with('…') && lines[1].ends_with('…'),
            "{}",
            lines[1]
        );
        assert!(lines[1].chars().count() <= MAX_FRAME_LINE_CHARS + 2);
        assert_eq!(lines[2], "last");
    }
}
