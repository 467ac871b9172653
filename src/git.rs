//! `--changed-since REF`: what a branch changed in the migrations, from git.
//!
//! Shells out to `git` (no libgit2: the CI image has git, and its errors are the ones
//! users know). The base is `merge-base(REF, HEAD)`; changes are base → working tree
//! (`git diff --name-status -M <base>`), so a developer's uncommitted edits count too;
//! on a CI checkout that is the same as base..HEAD.

use crate::classify::{finding, status_for};
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity, Status};
use crate::ir::Migration;
use crate::ruleset::RuleSet;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files changed since the merge base, as absolute canonical paths where they exist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub base: String,
    pub added: BTreeSet<PathBuf>,
    pub modified: BTreeSet<PathBuf>,
    /// (old path, new path)
    pub renamed: Vec<(PathBuf, PathBuf)>,
    pub deleted: BTreeSet<PathBuf>,
}

fn git(cwd: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| Error::Git(format!("could not run git: {e} (is git installed?)")))?;
    if !out.status.success() {
        return Err(Error::Git(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// Changes between `merge-base(reference, HEAD)` and the working tree.
pub fn changed_since(cwd: &Path, reference: &str) -> Result<ChangeSet> {
    let root = git(cwd, &["rev-parse", "--show-toplevel"]).map_err(|_| {
        Error::Git(format!(
            "{} is not inside a git repository: --changed-since needs one",
            cwd.display()
        ))
    })?;
    let root = PathBuf::from(root);
    if git(
        &root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .is_err()
    {
        return Err(Error::Git(format!(
            "unknown ref `{reference}`: fetch it first (e.g. `git fetch origin {}`)",
            reference.trim_start_matches("origin/")
        )));
    }
    let base = match git(&root, &["merge-base", reference, "HEAD"]) {
        Ok(b) => b,
        Err(_) => {
            let shallow =
                git(&root, &["rev-parse", "--is-shallow-repository"]).unwrap_or_default() == "true";
            return Err(Error::Git(if shallow {
                format!("no merge base between `{reference}` and HEAD in this shallow clone: fetch full history (actions/checkout `fetch-depth: 0`, or `git fetch --unshallow`)")
            } else {
                format!("`{reference}` and HEAD have no common ancestor")
            }));
        }
    };
    let diff = git(&root, &["diff", "--name-status", "-M", "--no-color", &base])?;
    let untracked = git(&root, &["ls-files", "--others", "--exclude-standard"])?;
    let abs = |p: &str| root.join(p);
    let mut cs = ChangeSet {
        base,
        ..ChangeSet::default()
    };
    for line in diff.lines() {
        let parts: Vec<&str> = line.split('\t').collect();
        let status = parts.first().copied().unwrap_or("");
        match (status.chars().next(), parts.as_slice()) {
            (Some('A'), [_, p]) => {
                cs.added.insert(abs(p));
            }
            (Some('M') | Some('T'), [_, p]) => {
                cs.modified.insert(abs(p));
            }
            (Some('D'), [_, p]) => {
                cs.deleted.insert(abs(p));
            }
            (Some('R') | Some('C'), [_, from, to]) => {
                if status.starts_with('C') {
                    cs.added.insert(abs(to));
                } else {
                    cs.renamed.push((abs(from), abs(to)));
                }
            }
            _ => {}
        }
    }
    for p in untracked.lines().filter(|l| !l.is_empty()) {
        cs.added.insert(abs(p));
    }
    Ok(cs)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Is `p` under one of the migration roots (for deleted files, which no longer exist)?
fn under_roots(p: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|r| {
        let r = canonical(r);
        p.starts_with(&r) || p == r
    })
}

/// Grandfather findings of migrations not added since the base; add `edited-migration`
/// for migration files modified, renamed or deleted since the base.
pub fn apply_changed_since(
    changes: &ChangeSet,
    migrations: &[Migration],
    roots: &[PathBuf],
    rules: &RuleSet,
    findings: &mut Vec<Finding>,
    fail_on: Severity,
) {
    let added: BTreeSet<PathBuf> = changes.added.iter().map(|p| canonical(p)).collect();
    let modified: BTreeSet<PathBuf> = changes.modified.iter().map(|p| canonical(p)).collect();
    let renamed_to: BTreeSet<PathBuf> = changes
        .renamed
        .iter()
        .map(|(_, to)| canonical(to))
        .collect();
    let new_files: BTreeSet<PathBuf> = migrations
        .iter()
        .map(|m| canonical(&m.file))
        .filter(|f| added.contains(f))
        .collect();
    for f in findings.iter_mut() {
        let is_new = f
            .file
            .as_ref()
            .is_some_and(|p| new_files.contains(&canonical(p)));
        if !is_new && matches!(f.status, Status::Failing | Status::Warning) {
            f.status = Status::Grandfathered;
        }
    }
    let Some(rule) = rules
        .get("edited-migration")
        .filter(|r| r.severity != Severity::Off)
    else {
        return;
    };
    let mut seen = BTreeSet::new();
    for m in migrations {
        let file = canonical(&m.file);
        let what = if modified.contains(&file) {
            "was modified"
        } else if renamed_to.contains(&file) {
            "was renamed"
        } else {
            continue;
        };
        if !seen.insert(file.clone()) {
            continue;
        }
        let mut f = finding(
            rule,
            m,
            Some(m.span),
            None,
            format!(
                "migration `{}` {what} since {} — it already exists on the base branch",
                m.name,
                short(&changes.base)
            ),
            fail_on,
        );
        f.status = status_for(rule.severity, fail_on);
        findings.push(f);
    }
    for p in &changes.deleted {
        if !under_roots(p, roots) || !is_migration_path(p) {
            continue;
        }
        findings.push(Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            category: rule.category,
            phase: rule.phase,
            status: status_for(rule.severity, fail_on),
            migration: None,
            file: Some(p.clone()),
            span: None,
            object: None,
            message: format!(
                "migration file {} was deleted since {} — databases that ran it keep its changes",
                p.display(),
                short(&changes.base)
            ),
            help: Some(rule.instead.clone()),
            suppression_reason: None,
        });
    }
}

fn is_migration_path(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("ts" | "js" | "mjs" | "cjs" | "sql")
    )
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}
