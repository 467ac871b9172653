//! GitLab Code Quality report (the JSON array `artifacts:reports:codequality` reads):
//! `description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin` per issue, so GitLab shows migguard's findings in the merge
//! request widget the way the GitHub format annotates a pull request.
//!
//! GitLab compares fingerprints between the base and the merge request to tell new
//! issues from old ones, so a fingerprint must not move when unrelated lines do: it
//! hashes the rule, the file, the migration, the object and the message, never the
//! line; identical issues get an occurrence number so none is collapsed into another.
//! Like the GitHub format, only what needs attention is reported: failing findings,
//! warnings, and the destructive migrations release-check's permission let through.

use super::{annotated_message, display_path};
use crate::finding::{Disposition, Finding, Gate, Severity, Status};
use serde::Serialize;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::io::{self, Write};

/// One Code Quality issue before its fingerprint is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub check_name: String,
    pub description: String,
    /// `info` | `minor` | `major` | `critical` | `blocker`.
    pub severity: &'static str,
    /// Relative, `/`-separated; GitLab requires a path, so an issue about no file
    /// (a history row, a live object) names `migguard.toml`, the gate's configuration.
    pub path: String,
    pub line: usize,
    /// What else identifies the issue (migration, object), hashed into the fingerprint.
    pub identity: String,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct CodeQuality<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'a str,
    location: Location<'a>,
}

/// Where issues about no file point (see [`Issue::path`]).
pub const NO_FILE_PATH: &str = "migguard.toml";

/// The issues of a lint or release-check report.
pub fn finding_issues(findings: &[Finding], gate: Gate) -> Vec<Issue> {
    findings
        .iter()
        .filter_map(|f| {
            let severity = match gate.status(f) {
                Status::Failing if f.severity == Severity::Block => "critical",
                Status::Failing => "major",
                Status::Warning => "minor",
                _ if matches!(f.disposition, Disposition::Allowed { .. }) => "info",
                _ => return None,
            };
            let mut description = format!("{}: {}", f.rule, annotated_message(f));
            if let Some(h) = &f.help {
                description.push_str(" — ");
                description.push_str(h);
            }
            Some(Issue {
                check_name: f.rule.to_string(),
                description,
                severity,
                path: f
                    .file
                    .as_deref()
                    .map(display_path)
                    .unwrap_or_else(|| NO_FILE_PATH.into()),
                line: f.span.map(|s| s.line).unwrap_or(1).max(1),
                identity: format!(
                    "{}\u{1f}{}\u{1f}{}",
                    f.migration.as_deref().unwrap_or(""),
                    f.object.as_deref().unwrap_or(""),
                    f.message
                ),
            })
        })
        .collect()
}

/// The fingerprint: SHA-1 over check, path and identity, plus the occurrence number
/// among identical issues.
fn fingerprint(issue: &Issue, occurrence: usize) -> String {
    let mut h = Sha1::new();
    for part in [
        issue.check_name.as_str(),
        issue.path.as_str(),
        issue.identity.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.update(occurrence.to_string().as_bytes());
    hex::encode(h.finalize())
}

pub fn render(issues: &[Issue], out: &mut dyn Write) -> io::Result<()> {
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let report: Vec<CodeQuality> = issues
        .iter()
        .map(|i| {
            let n = seen
                .entry((&i.check_name, &i.path, &i.identity))
                .or_insert(0);
            *n += 1;
            CodeQuality {
                description: &i.description,
                check_name: &i.check_name,
                fingerprint: fingerprint(i, *n),
                severity: i.severity,
                location: Location {
                    path: &i.path,
                    lines: Lines { begin: i.line },
                },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(line: usize, message: &str) -> Issue {
        Issue {
            check_name: "drop-column".into(),
            description: format!("drop-column: {message}"),
            severity: "critical",
            path: "src/migrations/1-Drop.ts".into(),
            line,
            identity: message.into(),
        }
    }

    fn rendered(issues: &[Issue]) -> serde_json::Value {
        let mut out = Vec::new();
        render(issues, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    /// Like the GitHub format: the permission's audit trail is `info`; a contract
    /// finding acknowledged by its annotations is no issue, whatever its rule.
    #[test]
    fn only_what_the_permission_let_through_is_an_info_issue() {
        use crate::finding::Disposition;
        let allowed = super::super::finding_disposed(
            "destructive-pending",
            Disposition::Allowed {
                by: "--allow-destructive".into(),
            },
        );
        let issues = finding_issues(&[allowed], Gate::BLOCK);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].severity, "info");
        assert_eq!(issues[0].check_name, "destructive-pending");
        for rule in ["destructive-pending", "drop-column"] {
            let acknowledged = super::super::finding_disposed(rule, Disposition::Acknowledged);
            assert_eq!(
                finding_issues(&[acknowledged], Gate::BLOCK),
                vec![],
                "{rule}"
            );
        }
    }

    #[test]
    fn fingerprint_ignores_the_line_and_separates_duplicates() {
        let moved = rendered(&[issue(3, "a"), issue(9, "a"), issue(5, "b")]);
        let again = rendered(&[issue(40, "a"), issue(41, "a"), issue(1, "b")]);
        let prints = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| i["fingerprint"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(prints(&moved), prints(&again));
        let p = prints(&moved);
        assert_ne!(p[0], p[1]);
        assert_ne!(p[0], p[2]);
        assert_eq!(moved[0]["location"]["lines"]["begin"], 3);
        assert_eq!(moved[0]["location"]["path"], "src/migrations/1-Drop.ts");
    }
}
