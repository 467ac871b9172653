//! Findings: the plain data every check produces and every renderer consumes.
//!
//! A finding is what a diagnostic is in ruff or oxc: rule id, message, span, help. It
//! never holds source text; `report/` attaches the source once per file when
//! rendering. A finding carries what the analysis knows — its severity (a size
//! threshold may raise it) and its [`Disposition`] (suppressed, acknowledged,
//! grandfathered…); how it counts against the gate, its [`Status`], is decided once,
//! by [`Gate::status`], from those and `--fail-on` (docs/json.md).

use crate::ir::Span;
use serde::Serialize;
use std::path::PathBuf;

/// How bad a rule's finding is. `off` rules never produce findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Off,
    Info,
    Warn,
    Block,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Off => "off",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Block => "block",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Destructive,
    BackwardIncompatible,
    Locking,
    DataDependent,
    RuntimeFailure,
    Integrity,
    Hygiene,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Destructive => "destructive",
            Category::BackwardIncompatible => "backward-incompatible",
            Category::Locking => "locking",
            Category::DataDependent => "data-dependent",
            Category::RuntimeFailure => "runtime-failure",
            Category::Integrity => "integrity",
            Category::Hygiene => "hygiene",
        }
    }
}

/// Whether a rule's operations expand the schema (additive), contract it (drop,
/// rename) or neither. A migration with any contract-phase finding is a contract
/// migration and needs `@destructive` + `@expand-migration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Expand,
    Contract,
    Neutral,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Expand => "expand",
            Phase::Contract => "contract",
            Phase::Neutral => "neutral",
        }
    }
}

/// What the analysis decided about a finding, apart from the gate's threshold: each
/// step that used to overwrite a status (annotations, suppressions, `--changed-since`,
/// release-check's permission and advisories) records its verdict here instead, and
/// [`Gate::status`] turns it into the reported [`Status`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Disposition {
    /// Counts against the gate when its severity reaches `--fail-on`.
    Active,
    /// Reported, never fails whatever its severity: a finding the check reports but
    /// does not block on (release-check's missing annotation, a rollback, an
    /// out-of-order migration or a missing history table; `@destructive` on a
    /// migration that destroys nothing; an entity difference migguard cannot verify).
    Advisory,
    /// A contract finding in a correctly annotated contract migration
    /// (`@destructive` + `@expand-migration`).
    Acknowledged,
    /// A destructive pending migration release-check's permission
    /// (`--allow-destructive`, `ALLOW_DESTRUCTIVE_MIGRATIONS`) let through; `by`
    /// says which permission, for the release log.
    Allowed { by: String },
    /// Silenced by a `migguard-ignore` comment with this reason (a suppression
    /// without one is not applied).
    Suppressed { reason: String },
    /// In a migration that existed on `--changed-since`'s base.
    Grandfathered,
}

/// The one place a finding's [`Status`] is decided: severity and disposition against
/// the threshold the command gates at (`--fail-on` for lint, `block` for
/// release-check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    pub fail_on: Severity,
}

impl Gate {
    /// The gate at `block`: release-check's (only `block` findings fail a release,
    /// whatever lint's `--fail-on` is) and lint's default.
    pub const BLOCK: Gate = Gate {
        fail_on: Severity::Block,
    };

    pub fn status(self, f: &Finding) -> Status {
        self.status_of(f.severity, &f.disposition)
    }

    /// [`Gate::status`] of a finding's parts. An active finding fails at or above
    /// `fail_on`, and never below `warn` (an `info` finding only informs).
    pub fn status_of(self, severity: Severity, disposition: &Disposition) -> Status {
        match disposition {
            Disposition::Active if severity >= self.fail_on && severity >= Severity::Warn => {
                Status::Failing
            }
            Disposition::Active | Disposition::Advisory => Status::Warning,
            Disposition::Acknowledged | Disposition::Allowed { .. } => Status::Acknowledged,
            Disposition::Suppressed { .. } => Status::Suppressed,
            Disposition::Grandfathered => Status::Grandfathered,
        }
    }

    /// Whether `f` fails the gate.
    pub fn fails(self, f: &Finding) -> bool {
        self.status(f) == Status::Failing
    }

    /// Whether a run with these findings passes (exit 0) or fails (exit 1).
    pub fn passes(self, findings: &[Finding]) -> bool {
        !findings.iter().any(|f| self.fails(f))
    }
}

/// How a finding counts, as the gate decided it (docs/json.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Counts against the gate at the current `--fail-on`.
    Failing,
    /// A destructive finding in a correctly annotated contract migration.
    Acknowledged,
    /// Silenced by a `migguard-ignore` comment with a reason.
    Suppressed,
    /// In a migration that existed before `--changed-since`'s base.
    Grandfathered,
    /// Reported, does not fail.
    Warning,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failing => "failing",
            Status::Acknowledged => "acknowledged",
            Status::Suppressed => "suppressed",
            Status::Grandfathered => "grandfathered",
            Status::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id, shared with the rule (`Rule::id`).
    pub rule: crate::ruleset::RuleId,
    pub severity: Severity,
    pub category: Category,
    pub phase: Phase,
    /// What the analysis decided; [`Gate::status`] makes it a status.
    pub disposition: Disposition,
    /// Migration name (identity), when the finding belongs to one.
    pub migration: Option<String>,
    pub file: Option<PathBuf>,
    pub span: Option<Span>,
    /// `schema.table[.column]`, `schema.index`, … when the finding is about one object.
    pub object: Option<String>,
    pub message: String,
    pub help: Option<std::sync::Arc<str>>,
    /// The locks the operation takes, on which tables, and for how long (locking
    /// findings; see `locks::modes`).
    /// Shared by the findings on one op.
    pub lock: Option<std::sync::Arc<crate::locks::LockInfo>>,
    /// The size of the table a size-aware rule's operation scans or rewrites
    /// (release-check, `lint --table-stats`; see `sizes`).
    /// Boxed, as `origin` is: rarely set, and a finding's size counts 100,000 times.
    pub table_stats: Option<Box<crate::sizes::FindingStats>>,
    /// For a finding on an op written inside a helper: where (`span` is the call in
    /// `up()` that reaches it). Every renderer shows both places.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Box<crate::ir::Origin>>,
}

impl Finding {
    /// Why a finding does not count although it matched: the `migguard-ignore`
    /// comment's reason, or the permission that let a destructive migration
    /// through (`suppression_reason` in JSON).
    pub fn suppression_reason(&self) -> Option<&str> {
        match &self.disposition {
            Disposition::Suppressed { reason } => Some(reason),
            Disposition::Allowed { by } => Some(by),
            _ => None,
        }
    }

    /// Sort key for deterministic output: file, position, rule. The path compares as
    /// bytes: `Path`'s component-wise comparison made sorting 30,000 findings a
    /// visible share of `lint`'s time, and any fixed order is deterministic.
    pub fn sort_key(&self) -> (Option<&[u8]>, usize, usize, &str) {
        let (l, c) = self.span.map(|s| (s.line, s.column)).unwrap_or((0, 0));
        (
            self.file.as_ref().map(|p| p.as_os_str().as_encoded_bytes()),
            l,
            c,
            self.rule.as_str(),
        )
    }
}

/// Put findings in output order ([`Finding::sort_key`]), keeping the order of equal
/// keys. Files and rules are ranked first, so each finding's key is four numbers,
/// computed once, and the sort moves small (key, index) pairs before moving each
/// finding once: sorting the findings themselves (about 280 bytes each) took a scratch
/// copy of all of them and compared paths byte by byte at every step, a visible share
/// of lint's time on 108,000 findings.
pub fn sort_findings(findings: &mut [Finding]) {
    use std::collections::HashMap;
    fn ranks(mut names: Vec<&[u8]>) -> HashMap<Vec<u8>, usize> {
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .enumerate()
            .map(|(rank, name)| (name.to_vec(), rank))
            .collect()
    }
    let file_rank = ranks(findings.iter().filter_map(|f| f.sort_key().0).collect());
    let rule_rank = ranks(findings.iter().map(|f| f.sort_key().3.as_bytes()).collect());
    findings.sort_by_cached_key(|f| {
        let (file, line, column, rule) = f.sort_key();
        // No file sorts first, as `None` does in the key itself.
        let file = file.map_or(0, |name| file_rank[name] + 1);
        (file, line, column, rule_rank[rule.as_bytes()])
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranked sort gives the order of sorting by the key itself, equal keys
    /// kept in the order they came.
    #[test]
    fn sort_findings_orders_as_the_sort_key_and_keeps_equal_ones_in_order() {
        let rules = crate::ruleset::RuleSet::builtin();
        let at = |rule: &str, file: Option<&str>, line: usize, message: &str| {
            let r = rules.get(rule).expect("a builtin rule");
            let mut f = crate::classify::unlocated(r, None, file.map(Into::into), message.into());
            f.span = (line > 0).then(|| Span {
                line,
                column: 1,
                ..Span::default()
            });
            f
        };
        let mut findings = vec![
            at("drop-table", Some("m/b.sql"), 3, "1"),
            at("drop-column", Some("m/b.sql"), 3, "2"),
            at("drop-table", None, 0, "3"),
            at("drop-table", Some("m/a.sql"), 9, "4"),
            at("drop-table", Some("m/b.sql"), 3, "5"),
            at("drop-column", Some("m/a.sql"), 0, "6"),
            at("drop-table", Some("m/b.sql"), 1, "7"),
        ];
        let mut expected = findings.clone();
        expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        sort_findings(&mut findings);
        let messages = |fs: &[Finding]| fs.iter().map(|f| f.message.clone()).collect::<Vec<_>>();
        assert_eq!(messages(&findings), messages(&expected));
        assert_eq!(messages(&findings), ["3", "6", "4", "7", "2", "1", "5"]);
    }

    /// Every severity × disposition × `--fail-on`: what each status the gate
    /// reports comes from.
    #[test]
    fn gate_decides_status_from_severity_disposition_and_fail_on() {
        use Disposition as D;
        use Severity::{Block, Info, Warn};
        use Status as S;
        let suppressed = || D::Suppressed { reason: "r".into() };
        let allowed = || D::Allowed { by: "p".into() };
        let cases = [
            // Active: fails at or above --fail-on, never below warn.
            (Block, D::Active, Block, S::Failing),
            (Warn, D::Active, Block, S::Warning),
            (Info, D::Active, Block, S::Warning),
            (Block, D::Active, Warn, S::Failing),
            (Warn, D::Active, Warn, S::Failing),
            (Info, D::Active, Warn, S::Warning),
            // Everything else is decided by the disposition alone.
            (Block, D::Advisory, Block, S::Warning),
            (Block, D::Advisory, Warn, S::Warning),
            (Warn, D::Advisory, Warn, S::Warning),
            (Block, D::Acknowledged, Block, S::Acknowledged),
            (Warn, D::Acknowledged, Warn, S::Acknowledged),
            (Block, allowed(), Block, S::Acknowledged),
            (Block, suppressed(), Block, S::Suppressed),
            (Info, suppressed(), Warn, S::Suppressed),
            (Block, D::Grandfathered, Block, S::Grandfathered),
            (Warn, D::Grandfathered, Warn, S::Grandfathered),
        ];
        for (severity, disposition, fail_on, expected) in cases {
            assert_eq!(
                Gate { fail_on }.status_of(severity, &disposition),
                expected,
                "{severity:?} {disposition:?} at --fail-on {fail_on:?}"
            );
        }
    }

    #[test]
    fn gate_passes_only_without_failing_findings() {
        let rules = crate::ruleset::RuleSet::builtin();
        let rule = rules.get("drop-column").expect("a builtin rule");
        let mut f = crate::classify::unlocated(rule, None, None, "m".into());
        let gate = Gate {
            fail_on: Severity::Block,
        };
        assert!(!gate.passes(std::slice::from_ref(&f)));
        f.disposition = Disposition::Suppressed { reason: "r".into() };
        assert!(gate.passes(std::slice::from_ref(&f)));
        assert_eq!(f.suppression_reason(), Some("r"));
        assert!(gate.passes(&[]));
    }
}
