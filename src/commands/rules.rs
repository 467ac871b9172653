//! `migguard rules` and `migguard explain <id>`: the rules file is the documentation.

use crate::cli::{ExplainArgs, Format, GlobalArgs, RulesArgs};
use crate::config::Config;
use crate::error::{Error, Outcome, Result};
use crate::finding::Severity;
use std::io::Write;

pub fn list(args: &RulesArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let rules = crate::project::load_rules(global.rules.as_deref(), &config)?;
    let mut out = std::io::stdout().lock();
    let w = |e| Error::io("writing output", e);
    match args.format {
        Format::Json => {
            let v: Vec<serde_json::Value> = rules
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "severity": r.severity.as_str(), "category": r.category.as_str(),
                        "phase": r.phase, "summary": r.summary, "why": r.why, "instead": r.instead,
                        "ops": r.ops.iter().map(|o| o.describe()).collect::<Vec<_>>(),
                        "sql_patterns": r.sql_patterns.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &v)
                .map_err(|e| Error::io("writing output", e.into()))?;
            writeln!(out).map_err(w)?;
        }
        _ => {
            writeln!(
                out,
                "{:<38} {:<6} {:<22} {:<9} summary",
                "rule", "sev", "category", "phase"
            )
            .map_err(w)?;
            for r in &rules.rules {
                if r.severity == Severity::Off && global.verbose == 0 {
                    continue;
                }
                writeln!(
                    out,
                    "{:<38} {:<6} {:<22} {:<9} {}",
                    r.id,
                    r.severity.as_str(),
                    r.category.as_str(),
                    r.phase.as_str(),
                    r.summary
                )
                .map_err(w)?;
            }
        }
    }
    Ok(Outcome::Pass)
}

pub fn explain(args: &ExplainArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let rules = crate::project::load_rules(global.rules.as_deref(), &config)?;
    let Some(r) = rules.get(&args.rule) else {
        let hint = rules
            .closest(&args.rule)
            .map(|c| format!(" — did you mean `{c}`?"))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "unknown rule `{}`{hint} (`migguard rules` lists them)",
            args.rule
        )));
    };
    let mut out = std::io::stdout().lock();
    let phase = r.phase.as_str();
    let ops: Vec<String> = r.ops.iter().map(|o| o.describe()).collect();
    let text = format!(
        "{id} ({sev}, {cat}, {phase} phase)\n\n{summary}\n\nWhy it matters:\n{why}\n\nDo this instead:\n{instead}\n\nMatches: {ops}\n{size}{patterns}",
        id = r.id,
        sev = r.severity.as_str(),
        cat = r.category.as_str(),
        summary = r.summary,
        why = indent(&r.why),
        instead = indent(&r.instead),
        ops = if ops.is_empty() { "raised by migguard's own checks".to_string() } else { ops.join("; ") },
        size = match &r.size {
            Some(t) => format!("Blocks on a table {} (release-check reads the size from the database; lint with --table-stats from a stats file); below, or of unknown size, {}\n", t.describe(), r.severity.as_str()),
            None => String::new(),
        },
        patterns = if r.sql_patterns.is_empty() {
            String::new()
        } else {
            format!("Lexical patterns (unparsed SQL): {}\n", r.sql_patterns.iter().map(|p| p.as_str()).collect::<Vec<_>>().join("  "))
        },
    );
    write!(out, "{text}").map_err(|e| Error::io("writing output", e))?;
    Ok(Outcome::Pass)
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
