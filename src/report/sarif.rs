//! SARIF 2.1.0 output for code scanning (`--format sarif`).
//!
//! Every rule of the loaded rule set is listed in `tool.driver.rules` with its docs;
//! every finding except grandfathered ones is a result. Suppressed and acknowledged
//! findings carry an `inSource` suppression with the justification, so code scanning
//! shows them as dismissed rather than open. Grandfathered findings (in migrations
//! that predate `--changed-since`) are left out: they are not part of the change.

use super::{annotated_message, display_path, FindingsReport};
use crate::finding::{Severity, Status};
use crate::ruleset::RuleSet;
use serde_json::{json, Value};
use std::io::{self, Write};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Block => "error",
        Severity::Warn => "warning",
        Severity::Info | Severity::Off => "note",
    }
}

pub fn to_value(report: &FindingsReport, rules: &RuleSet) -> Value {
    let rule_index: std::collections::BTreeMap<&str, usize> = rules
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let sarif_rules: Vec<Value> = rules
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.why },
                "help": { "text": r.instead, "markdown": format!("**Why:** {}\n\n**Instead:** {}", r.why, r.instead) },
                "defaultConfiguration": { "level": level(r.severity), "enabled": r.severity != Severity::Off },
                "properties": { "category": r.category.as_str(), "phase": r.phase },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| (f, report.status(f)))
        .filter(|(_, status)| *status != Status::Grandfathered)
        .map(|(f, status)| {
            let mut loc = json!({});
            if let Some(file) = &f.file {
                let mut phys = json!({ "artifactLocation": { "uri": display_path(file) } });
                if let Some(s) = f.span {
                    phys["region"] = json!({
                        "startLine": s.line, "startColumn": s.column,
                        "endLine": s.end_line, "endColumn": s.end_column,
                    });
                }
                loc["physicalLocation"] = phys;
            }
            if let Some(o) = &f.object {
                loc["logicalLocations"] = json!([{ "fullyQualifiedName": o }]);
            }
            let mut r = json!({
                "ruleId": f.rule,
                "level": if status == Status::Warning && f.severity == Severity::Block { "warning" } else { level(f.severity) },
                "message": { "text": annotated_message(f) },
                "locations": [loc],
                "properties": { "status": status.as_str(), "category": f.category.as_str() },
            });
            // The statement inside the helper the call in `up()` runs.
            if let Some(o) = &f.origin {
                let s = o.span;
                r["relatedLocations"] = json!([{
                    "id": 1,
                    "physicalLocation": {
                        "artifactLocation": { "uri": display_path(&o.file) },
                        "region": {
                            "startLine": s.line, "startColumn": s.column,
                            "endLine": s.end_line, "endColumn": s.end_column,
                        },
                    },
                    "message": { "text": "in helper" },
                }]);
            }
            if let Some(i) = rule_index.get(f.rule.as_str()) {
                r["ruleIndex"] = json!(i);
            }
            let justification = match status {
                Status::Suppressed => f.suppression_reason.clone(),
                // release-check's allowed destructive migrations carry the permission.
                Status::Acknowledged => Some(f.suppression_reason.clone().unwrap_or_else(|| "acknowledged by @destructive/@expand-migration annotations".into())),
                _ => None,
            };
            if let Some(j) = justification {
                r["suppressions"] = json!([{ "kind": "inSource", "justification": j }]);
            }
            r
        })
        .collect();
    let mut sarif = envelope(sarif_rules, results);
    // Our columns count characters (code points), not UTF-16 units. (Drift results
    // have no regions, so only findings say so.)
    sarif["runs"][0]["columnKind"] = json!("unicodeCodePoints");
    sarif
}

/// The SARIF 2.1.0 document around one run of migguard: its rule descriptors and
/// results. Every SARIF output (findings, drift) is built here.
pub fn envelope(rules: Vec<Value>, results: Vec<Value>) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "migguard",
                "informationUri": "https://github.com/migguard/migguard",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

pub fn render(report: &FindingsReport, rules: &RuleSet, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, rules))?;
    writeln!(out)
}
