//! `migguard-ignore` suppressions.
//!
//! `migguard-ignore <rule>[, <rule>]: <reason>` on the line(s) directly before a
//! statement or call silences those rules for the operations that start on the next
//! code line; `migguard-ignore-file <rule>: <reason>` silences a rule for the whole
//! file. A reason is mandatory (`suppression-without-reason`, and the suppression is
//! then not applied: fail closed); one that silences nothing, or names an unknown
//! rule, is reported (`unused-suppression`). Suppressed findings stay in the output
//! with `status: suppressed` and the reason.

use crate::classify::finding;
use crate::finding::{Finding, Severity, Status};
use crate::ir::{Migration, Span};
use crate::ruleset::RuleSet;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub file_level: bool,
    pub span: Span,
    /// The code line the suppression applies to (line-level only).
    pub target_line: usize,
}

/// Parse the suppressions of a migration's comments.
pub fn suppressions(m: &Migration) -> Vec<Suppression> {
    let comment_lines: BTreeSet<usize> = m.comments.iter().map(|c| c.span.line).collect();
    let mut out = Vec::new();
    for c in &m.comments {
        let text = c.text.trim();
        let (file_level, rest) = if let Some(r) = text.strip_prefix("migguard-ignore-file") {
            (true, r)
        } else if let Some(r) = text.strip_prefix("migguard-ignore") {
            (false, r)
        } else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        let (ids, reason) = match rest.split_once(':') {
            Some((ids, reason)) => (
                ids,
                Some(reason.trim().to_string()).filter(|r| !r.is_empty()),
            ),
            None => (rest, None),
        };
        let rules: Vec<String> = ids
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let mut target_line = c.span.end_line + 1;
        while comment_lines.contains(&target_line) {
            target_line += 1;
        }
        out.push(Suppression {
            rules,
            reason,
            file_level,
            span: c.span,
            target_line,
        });
    }
    out
}

/// Apply suppressions of `m` to its findings (in place) and add the findings about
/// the suppressions themselves.
pub fn apply(m: &Migration, rules: &RuleSet, findings: &mut Vec<Finding>, fail_on: Severity) {
    let mut extra = Vec::new();
    for s in suppressions(m) {
        let directive = if s.file_level {
            "migguard-ignore-file"
        } else {
            "migguard-ignore"
        };
        if s.rules.is_empty() {
            push(
                rules,
                "unused-suppression",
                m,
                s.span,
                format!("`{directive}` names no rule"),
                fail_on,
                &mut extra,
            );
            continue;
        }
        let Some(reason) = s.reason.clone() else {
            push(
                rules,
                "suppression-without-reason",
                m,
                s.span,
                format!(
                    "`{directive} {}` has no reason: write `{directive} {}: <why this is safe>`",
                    s.rules.join(", "),
                    s.rules.join(", ")
                ),
                fail_on,
                &mut extra,
            );
            continue;
        };
        for id in &s.rules {
            if rules.get(id).is_none() {
                let hint = rules
                    .closest(id)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                push(
                    rules,
                    "unused-suppression",
                    m,
                    s.span,
                    format!("`{directive}` names unknown rule `{id}`{hint}"),
                    fail_on,
                    &mut extra,
                );
                continue;
            }
            let mut used = false;
            for f in findings.iter_mut() {
                if f.rule != *id
                    || f.migration.as_deref() != Some(&m.name)
                    || f.status == Status::Suppressed
                {
                    continue;
                }
                let covered = s.file_level
                    || f.span.is_some_and(|sp| {
                        sp.line == s.target_line || anchor_of(m, sp) == Some(s.target_line)
                    });
                if covered {
                    f.status = Status::Suppressed;
                    f.suppression_reason = Some(reason.clone());
                    used = true;
                }
            }
            if !used {
                push(
                    rules,
                    "unused-suppression",
                    m,
                    s.span,
                    format!("`{directive} {id}` suppresses nothing"),
                    fail_on,
                    &mut extra,
                );
            }
        }
    }
    findings.extend(extra);
}

/// The anchor line of the op a finding's span belongs to.
fn anchor_of(m: &Migration, span: Span) -> Option<usize> {
    m.up.iter()
        .find(|op| op.span == span)
        .map(|op| op.anchor_line)
}

fn push(
    rules: &RuleSet,
    id: &str,
    m: &Migration,
    span: Span,
    message: String,
    fail_on: Severity,
    out: &mut Vec<Finding>,
) {
    if let Some(rule) = rules.get(id).filter(|r| r.severity != Severity::Off) {
        out.push(finding(rule, m, Some(span), None, message, fail_on));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;
    use crate::parse::sql::read_sql_file;
    use crate::parse::ReadOptions;
    use crate::source::SourceFile;

    fn run(sql: &str) -> Vec<(String, Status, Option<String>)> {
        let file = SourceFile::new("0001_x.sql".into(), sql.to_string());
        let m = read_sql_file(&file, &ReadOptions::default()).remove(0);
        let rules = RuleSet::builtin();
        let mut f = classify(&m, &rules, Severity::Block).findings;
        apply(&m, &rules, &mut f, Severity::Block);
        f.into_iter()
            .map(|f| (f.rule, f.status, f.suppression_reason))
            .collect()
    }

    #[test]
    fn line_suppression_with_reason() {
        let r = run(
            "-- migguard-ignore drop-table: emptied in 2023, unused\nDROP TABLE a;\nDROP TABLE b;",
        );
        assert_eq!(
            r[0],
            (
                "drop-table".into(),
                Status::Suppressed,
                Some("emptied in 2023, unused".into())
            )
        );
        assert_eq!(r[1].1, Status::Failing);
    }

    #[test]
    fn suppression_without_reason_is_not_applied() {
        let r = run("SELECT 1;\n-- migguard-ignore drop-table\nDROP TABLE a;");
        assert!(r.contains(&("drop-table".into(), Status::Failing, None)));
        assert!(r
            .iter()
            .any(|x| x.0 == "suppression-without-reason" && x.1 == Status::Failing));
    }

    #[test]
    fn unused_and_unknown_suppressions_are_reported() {
        let r = run("SELECT 1;\n-- migguard-ignore drop-table: x\nSELECT 2;\n-- migguard-ignore drop-colum: y\nALTER TABLE a DROP COLUMN b;");
        let unused: Vec<_> = r.iter().filter(|x| x.0 == "unused-suppression").collect();
        assert_eq!(unused.len(), 2);
        assert!(r.contains(&("drop-column".into(), Status::Failing, None)));
    }

    #[test]
    fn file_level_suppression() {
        let r = run(
            "-- migguard-ignore-file drop-table: test fixture reset\nDROP TABLE a;\nDROP TABLE b;",
        );
        assert!(r.iter().all(|x| x.1 == Status::Suppressed), "{r:?}");
    }
}
