//! Findings: the plain data every check produces and every renderer consumes.
//!
//! A finding is what a diagnostic is in ruff or oxc: rule id, message, span, help. It
//! never holds source text; `report/` attaches the source once per file when
//! rendering. Status says how it counts against the gate (docs/contract.md).

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

/// How a finding counts (docs/contract.md).
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
    pub rule: String,
    pub severity: Severity,
    pub category: Category,
    pub phase: Phase,
    pub status: Status,
    /// Migration name (identity), when the finding belongs to one.
    pub migration: Option<String>,
    pub file: Option<PathBuf>,
    pub span: Option<Span>,
    /// `schema.table[.column]`, `schema.index`, … when the finding is about one object.
    pub object: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// Reason given in the `migguard-ignore` comment, for `suppressed` findings.
    pub suppression_reason: Option<String>,
    /// The locks the operation takes, on which tables, and for how long (locking
    /// findings; see `locks::modes`).
    pub lock: Option<crate::locks::LockInfo>,
    /// The size of the table a size-aware rule's operation scans or rewrites
    /// (release-check, `lint --table-stats`; see `sizes`).
    pub table_stats: Option<crate::sizes::FindingStats>,
    /// For a finding on an op written inside a helper: where (`span` is the call in
    /// `up()` that reaches it). Every renderer shows both places.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<crate::ir::Origin>,
}

impl Finding {
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
