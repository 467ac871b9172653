//! Rendering: the same findings as human code frames (miette), JSON, SARIF 2.1.0 or
//! GitHub workflow annotations. Renderers attach source text once per file; checks
//! never format output themselves.

use crate::finding::Finding;
use crate::ir::MigrationFormat;
use serde::Serialize;
use std::path::PathBuf;

/// One migration read, for the `migrations` array of the JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationSummary {
    pub name: String,
    pub file: PathBuf,
    /// TypeORM timestamp or SQL version.
    pub version: Option<String>,
    pub kind: MigrationFormat,
}

/// Everything a findings renderer needs (lint, release-check).
#[derive(Debug, Clone)]
pub struct FindingsReport {
    /// `lint` or `release-check`.
    pub command: &'static str,
    pub passed: bool,
    pub findings: Vec<Finding>,
    pub migrations: Vec<MigrationSummary>,
}
