//! GitHub Actions workflow-command annotations (`::error file=…,line=…::message`).
//! Failing findings are errors, warnings are warnings; acknowledged, suppressed and
//! grandfathered findings are not annotated (they do not need attention), except
//! the destructive migrations release-check's permission let through (notices).

use super::{annotated_message, display_path};
use crate::finding::{Disposition, Finding, Gate, Status};
use std::io::{self, Write};

/// Escape the message part (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (additionally `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Inside GitHub Actions (`GITHUB_ACTIONS=true`) human output also annotates the PR
/// (the contract): the one place that asks.
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

pub fn render(findings: &[Finding], gate: Gate, out: &mut dyn Write) -> io::Result<()> {
    for f in findings {
        let level = match gate.status(f) {
            Status::Failing => "error",
            Status::Warning => "warning",
            // The audit trail of release-check's permission: what it let through
            // belongs in the release log.
            _ if matches!(f.disposition, Disposition::Allowed { .. }) => "notice",
            _ => continue,
        };
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!("file={}", escape_property(&display_path(file))));
        }
        if let Some(s) = f.span {
            props.push(format!("line={}", s.line));
            props.push(format!("col={}", s.column));
            props.push(format!("endLine={}", s.end_line));
            props.push(format!("endColumn={}", s.end_column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("migguard {}", f.rule))
        ));
        let mut message = annotated_message(f);
        if let Some(h) = &f.help {
            message.push_str("\n\n");
            message.push_str(h);
        }
        writeln!(
            out,
            "::{level} {}::{}",
            props.join(","),
            escape_data(&message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_github_rules() {
        assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    /// The permission's audit trail is a notice; a contract finding acknowledged by
    /// its annotations needs no attention, whatever its rule.
    #[test]
    fn only_what_the_permission_let_through_is_a_notice() {
        use crate::finding::Disposition;
        let annotated = |findings: &[Finding]| {
            let mut out = Vec::new();
            render(findings, Gate::BLOCK, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let allowed = super::super::finding_disposed(
            "destructive-pending",
            Disposition::Allowed {
                by: "--allow-destructive".into(),
            },
        );
        let out = annotated(&[allowed]);
        assert!(
            out.starts_with("::notice title=migguard destructive-pending::"),
            "{out}"
        );
        for rule in ["destructive-pending", "drop-column"] {
            let acknowledged = super::super::finding_disposed(rule, Disposition::Acknowledged);
            assert_eq!(annotated(&[acknowledged]), "", "{rule}");
        }
    }
}
