//! `migguard-ignore` suppressions.
//!
//! `migguard-ignore <rule>[, <rule>]: <reason>` on the line(s) directly before a
//! statement or call silences those rules for the operations that start on the next
//! code line; `migguard-ignore-file <rule>: <reason>` silences a rule for the whole
//! file. A reason is mandatory (`suppression-without-reason`, and the suppression is
//! then not applied: fail closed); one that silences nothing, or names an unknown
//! rule, is reported (`unused-suppression`). Suppressed findings stay in the output
//! with disposition (so status) `suppressed` and the reason. `read-error` is never
//! suppressed (line or file): what migguard could not read must not pass the gate or release-check.

use crate::classify::finding;
use crate::finding::{Disposition, Finding};
use crate::ir::{Migration, Span};
use crate::ruleset::{CodeRule, RuleSet};
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
    suppressions_of(&[m])
}

/// The comments of migrations that share one file, each once.
fn file_comments<'a>(ms: &[&'a Migration]) -> Vec<&'a crate::ir::Comment> {
    // A reader may keep the file header (where `migguard-ignore-file` usually sits)
    // only in `header_comments`, and several classes of one file may each carry the
    // file's comments: read every comment once per position.
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    ms.iter()
        .flat_map(|m| m.header_comments.iter().chain(&m.comments))
        .filter(|c| seen.insert((c.span.start, c.span.line)))
        .collect()
}

const IGNORE: &str = "migguard-ignore";
const IGNORE_FILE: &str = "migguard-ignore-file";
/// Directives read elsewhere (`parse::sql`), valid in any comment.
const OTHER_DIRECTIVES: [&str; 1] = ["migguard:no-transaction"];

/// A comment that looks like a migguard directive but is none: `migguard-ignore-fle`,
/// `migguard-ignroe`, `migguard ignore`, `MIGGUARD-IGNORE`, `migguard:no-transation`.
/// A misspelled suppression silences nothing, and its author must learn that now.
/// Prose that merely starts with the word ("migguard flags this because…") is not.
fn misspelled_directive(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if !lower.starts_with("migguard") {
        return None;
    }
    let word = text.split(char::is_whitespace).next().unwrap_or("");
    if word == IGNORE || word == IGNORE_FILE || OTHER_DIRECTIVES.contains(&word) {
        return None;
    }
    // `migguard-ignore: why` — the directive with its rule left out.
    if let Some((head, _)) = word.split_once(':') {
        if head == IGNORE || head == IGNORE_FILE {
            return Some(format!(
                "`{head}:` names no rule and is ignored: write `{head} <rule>: <reason>`"
            ));
        }
    }
    let close_to = |w: &str| {
        [IGNORE, IGNORE_FILE]
            .into_iter()
            .chain(OTHER_DIRECTIVES)
            .min_by_key(|k| strsim::levenshtein(w, k))
            .unwrap_or(IGNORE)
    };
    let written = if word.eq_ignore_ascii_case("migguard") {
        // `migguard ignore …`: only when the next word is (nearly) `ignore…`.
        let next = lower.split_whitespace().nth(1).unwrap_or("");
        let next = next.trim_end_matches(':');
        if !(next.starts_with("ignore")
            || strsim::levenshtein(next, "ignore") <= 2
            || strsim::levenshtein(next, "ignore-file") <= 2)
        {
            return None;
        }
        format!("migguard {next}")
    } else {
        word.trim_end_matches(':').to_string()
    };
    let suggestion = close_to(&written.to_ascii_lowercase().replace(' ', "-"));
    Some(format!(
        "`{written}` is not a migguard directive and is ignored: did you mean `{suggestion}`?"
    ))
}

/// Parse the suppressions in the comments of migrations that share one file.
fn suppressions_of(ms: &[&Migration]) -> Vec<Suppression> {
    let all = file_comments(ms);
    let comment_lines: BTreeSet<usize> = all.iter().map(|c| c.span.line).collect();
    let mut out = Vec::new();
    for c in all {
        let text = c.text.trim();
        let (file_level, rest) = if let Some(r) = text.strip_prefix(IGNORE_FILE) {
            (true, r)
        } else if let Some(r) = text.strip_prefix(IGNORE) {
            (false, r)
        } else {
            continue;
        };
        // `migguard-ignore-fle`, `migguard-ignore:`: see `misspelled_directive`.
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
pub fn apply(m: &Migration, rules: &RuleSet, findings: &mut Vec<Finding>) {
    apply_file(&[m], rules, findings);
}

/// Apply the suppressions of one file holding the migrations `ms` (a TypeORM file may
/// hold several classes) to their findings. Comments belong to the file, so a
/// suppression is used if it silences a finding of any of them — judging each class
/// alone would report a suppression used by its neighbour as unused.
pub fn apply_file(ms: &[&Migration], rules: &RuleSet, findings: &mut Vec<Finding>) {
    let about_suppressions = apply_in_place(ms, rules, findings);
    findings.extend(about_suppressions);
}

/// [`apply_file`] on findings held elsewhere (lint keeps every file's findings in
/// one vector, a run per file): the dispositions are set in place, and the findings
/// about the suppressions themselves are returned.
pub fn apply_in_place(
    ms: &[&Migration],
    rules: &RuleSet,
    findings: &mut [Finding],
) -> Vec<Finding> {
    let Some(first) = ms.first() else {
        return Vec::new();
    };
    let names: BTreeSet<&str> = ms.iter().map(|m| m.name.as_str()).collect();
    let mut extra = Vec::new();
    let class_of = |line: usize| -> &Migration {
        ms.iter()
            .find(|m| m.span.line <= line && line <= m.span.end_line)
            .unwrap_or(first)
    };
    for c in file_comments(ms) {
        if let Some(message) = misspelled_directive(c.text.trim()) {
            let m = class_of(c.span.line);
            push(
                rules,
                CodeRule::InvalidAnnotation,
                m,
                c.span,
                message,
                &mut extra,
            );
        }
    }
    for s in suppressions_of(ms) {
        // Findings about the comment belong to the class it sits in (or the first).
        let m: &Migration = ms
            .iter()
            .find(|m| m.span.line <= s.span.line && s.span.line <= m.span.end_line)
            .unwrap_or(first);
        let directive = if s.file_level {
            "migguard-ignore-file"
        } else {
            "migguard-ignore"
        };
        if s.rules.is_empty() {
            push(
                rules,
                CodeRule::UnusedSuppression,
                m,
                s.span,
                format!("`{directive}` names no rule"),
                &mut extra,
            );
            continue;
        }
        let Some(reason) = s.reason.clone() else {
            push(
                rules,
                CodeRule::SuppressionWithoutReason,
                m,
                s.span,
                format!(
                    "`{directive} {}` has no reason: write `{directive} {}: <why this is safe>`",
                    s.rules.join(", "),
                    s.rules.join(", ")
                ),
                &mut extra,
            );
            continue;
        };
        for id in &s.rules {
            // Code migguard cannot read must stay visible where it is: a file-wide
            // ignore would hide every later unreadable change too (and release-check
            // would trust it).
            if s.file_level && CodeRule::ReadError.is(id) {
                push(
                    rules,
                    CodeRule::InvalidAnnotation,
                    m,
                    s.span,
                    format!("`{directive} read-error` is not applied: a read error cannot be silenced for a whole file (use `migguard-ignore read-error: <reason>` on the line above the code)"),
                    &mut extra,
                );
                continue;
            }
            if rules.get(id).is_none() {
                let hint = rules
                    .closest(id)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                push(
                    rules,
                    CodeRule::UnusedSuppression,
                    m,
                    s.span,
                    format!("`{directive}` names unknown rule `{id}`{hint}"),
                    &mut extra,
                );
                continue;
            }
            if CodeRule::ReadError.is(id) {
                // What migguard could not read it cannot acknowledge: a file-level
                // suppression would hide it from release-check too.
                push(
                    rules,
                    CodeRule::UnusedSuppression,
                    m,
                    s.span,
                    format!("`{directive} read-error` is not applied: a read error cannot be suppressed (fix the source so migguard can read it)"),
                    &mut extra,
                );
                continue;
            }
            let mut used = false;
            for f in findings.iter_mut() {
                if f.rule != *id
                    || !f.migration.as_deref().is_some_and(|n| names.contains(n))
                    || matches!(f.disposition, Disposition::Suppressed { .. })
                {
                    continue;
                }
                // An op of a helper in this file is also covered by a comment
                // above its statement inside the helper.
                let covered = s.file_level
                    || f.span.is_some_and(|sp| {
                        sp.line == s.target_line || anchor_of(ms, sp) == Some(s.target_line)
                    })
                    || f.origin.as_ref().is_some_and(|o| {
                        o.file == first.file
                            && (o.span.line == s.target_line || o.anchor_line == s.target_line)
                    });
                if covered {
                    f.disposition = Disposition::Suppressed {
                        reason: reason.clone(),
                    };
                    used = true;
                }
            }
            if !used {
                push(
                    rules,
                    CodeRule::UnusedSuppression,
                    m,
                    s.span,
                    format!("`{directive} {id}` suppresses nothing"),
                    &mut extra,
                );
            }
        }
    }
    extra
}

/// The anchor line of the op a finding's span belongs to.
fn anchor_of(ms: &[&Migration], span: Span) -> Option<usize> {
    ms.iter()
        .flat_map(|m| &m.up)
        .find(|op| op.span == span)
        .map(|op| op.anchor_line)
}

fn push(
    rules: &RuleSet,
    id: CodeRule,
    m: &Migration,
    span: Span,
    message: String,
    out: &mut Vec<Finding>,
) {
    if let Some(rule) = rules.enabled(id) {
        out.push(finding(rule, m, Some(span), None, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Gate, Status};
    use crate::parse::sql::read_sql_file;
    use crate::parse::ReadOptions;
    use crate::source::SourceFile;

    /// The migration's findings without the per-migration timeout rules, which fire
    /// on every DROP TABLE here and are not what these tests are about.
    fn classify(m: &Migration, rules: &RuleSet) -> crate::classify::Classified {
        let mut c = crate::classify::classify(m, rules);
        c.findings.retain(|f| {
            !["lock-timeout-missing", "statement-timeout-missing"].contains(&f.rule.as_str())
        });
        c
    }

    fn run(sql: &str) -> Vec<(String, Status, Option<String>)> {
        let file = SourceFile::new("0001_x.sql".into(), sql.to_string());
        let m = read_sql_file(&file, &ReadOptions::default()).remove(0);
        statuses(&m)
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

    #[test]
    fn one_comment_may_name_several_rules() {
        let r = run("-- migguard-ignore drop-table, truncate-table: reset of a scratch table\nDROP TABLE a;\nTRUNCATE b;");
        assert!(r.contains(&(
            "drop-table".into(),
            Status::Suppressed,
            Some("reset of a scratch table".into())
        )));
        // TRUNCATE is two lines below the comment: not covered, so the truncate-table
        // half of the suppression is unused.
        assert!(r.contains(&("truncate-table".into(), Status::Failing, None)));
        assert!(r.iter().any(|x| x.0 == "unused-suppression"));
    }

    #[test]
    fn blank_line_breaks_the_link_to_the_statement() {
        let r = run("-- migguard-ignore drop-table: old\n\nDROP TABLE a;");
        assert!(r.contains(&("drop-table".into(), Status::Failing, None)));
        assert!(r.iter().any(|x| x.0 == "unused-suppression"));
    }

    /// TypeORM-shaped migration built from the IR: header comments kept apart from
    /// the body comments, an op whose call starts on its anchor line.
    fn typeorm_like(header: &[&str], body: &[(usize, &str)], op_line: usize) -> Migration {
        use crate::ir::test_support::MigrationBuilder;
        use crate::ir::{Comment, OpKind, OpSource, Operation, QualifiedName};
        let span = |line: usize| Span {
            start: line * 100,
            end: line * 100 + 10,
            line,
            column: 1,
            end_line: line,
            end_column: 10,
        };
        MigrationBuilder::typeorm("DropLegacy1779000000000")
            .file("1779000000000-DropLegacy.ts")
            .span(span(1))
            .up(vec![Operation {
                kind: OpKind::DropTable {
                    table: QualifiedName::new("public", "legacy"),
                    if_exists: false,
                    cascade: false,
                },
                // The span is the table-name argument, on the line after the call.
                span: Span {
                    column: 13,
                    ..span(op_line + 1)
                },
                text: "queryRunner.dropTable(\"legacy\")".into(),
                source: OpSource::Builder {
                    method: "dropTable".into(),
                },
                dynamic: false,
                anchor_line: op_line,
                guard: None,
                origin: None,
            }])
            .header_comments(
                header
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Comment {
                        text: t.to_string(),
                        span: span(i + 1),
                    })
                    .collect(),
            )
            .comments(
                body.iter()
                    .map(|(l, t)| Comment {
                        text: t.to_string(),
                        span: span(*l),
                    })
                    .collect(),
            )
            .build()
    }

    /// `(rule, status, suppression reason)` of each finding of `m`, suppressions applied.
    fn statuses(m: &Migration) -> Vec<(String, Status, Option<String>)> {
        let rules = RuleSet::builtin();
        let mut f = classify(m, &rules).findings;
        apply(m, &rules, &mut f);
        f.into_iter()
            .map(|f| {
                let status = Gate::BLOCK.status(&f);
                let reason = f.suppression_reason().map(str::to_string);
                (f.rule.to_string(), status, reason)
            })
            .collect()
    }

    #[test]
    fn line_suppression_uses_the_anchor_line_of_a_multi_line_call() {
        let m = typeorm_like(
            &[],
            &[(7, "migguard-ignore drop-table: table emptied in 2023")],
            8,
        );
        assert_eq!(
            statuses(&m),
            vec![(
                "drop-table".into(),
                Status::Suppressed,
                Some("table emptied in 2023".into())
            )]
        );
    }

    #[test]
    fn file_level_suppression_in_header_comments_only() {
        let m = typeorm_like(
            &["migguard-ignore-file drop-table: fixture database"],
            &[],
            8,
        );
        assert_eq!(statuses(&m)[0].1, Status::Suppressed);
    }

    #[test]
    fn a_comment_in_both_lists_is_read_once() {
        let c = "migguard-ignore-file drop-column: nothing here";
        let m = typeorm_like(&[c], &[(1, c)], 8);
        let unused = statuses(&m)
            .into_iter()
            .filter(|x| x.0 == "unused-suppression")
            .count();
        assert_eq!(unused, 1);
    }

    #[test]
    fn several_classes_in_one_file_share_its_suppressions() {
        let comments = [(7, "migguard-ignore drop-table: table emptied in 2023")];
        let mut a = typeorm_like(&[], &comments, 8);
        a.span.end_line = 12;
        let mut b = typeorm_like(&[], &comments, 8);
        b.name = "Other1779000000001".into();
        b.up.clear();
        b.span.line = 14;
        b.span.end_line = 20;
        let rules = RuleSet::builtin();
        let mut f = classify(&a, &rules).findings;
        apply_file(&[&a, &b], &rules, &mut f);
        let got: Vec<_> = f
            .iter()
            .map(|f| (f.rule.as_str(), Gate::BLOCK.status(f)))
            .collect();
        assert_eq!(got, vec![("drop-table", Status::Suppressed)]);
    }

    #[test]
    fn messages_about_suppressions() {
        let m = typeorm_like(
            &[],
            &[
                (2, "migguard-ignore drop-table"),
                (4, "migguard-ignore drop-tabel: typo"),
                (5, "migguard-ignore"),
                (7, "migguard-ignore rename-column: wrong rule"),
            ],
            8,
        );
        let rules = RuleSet::builtin();
        let mut f = classify(&m, &rules).findings;
        apply(&m, &rules, &mut f);
        let lines: Vec<String> = f
            .iter()
            .map(|f| {
                format!(
                    "{}:{} {} [{}] {}",
                    f.span.map(|s| s.line).unwrap_or(0),
                    f.span.map(|s| s.column).unwrap_or(0),
                    f.rule,
                    Gate::BLOCK.status(f).as_str(),
                    f.message
                )
            })
            .collect();
        insta::assert_snapshot!(lines.join("\n"));
    }
}
