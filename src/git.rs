//! `--changed-since REF`: what a branch changed in the migrations, from git.
//!
//! Shells out to `git` (no libgit2: the CI image has git, and its errors are the ones
//! users know). The base is `merge-base(REF, HEAD)`; changes are base → working tree
//! (`git diff --name-status -M <base>`), so a developer's uncommitted edits count too;
//! on a CI checkout that is the same as base..HEAD.

use crate::classify::{finding, status_for, unlocated};
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
    /// Every file in the base commit's tree. Only a migration proven to exist there
    /// (unchanged, or renamed from there) is grandfathered; anything else — including
    /// files git ignores, such as compiled `dist/` migrations — is gated as new.
    pub at_base: BTreeSet<PathBuf>,
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
    let root = git(cwd, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
        // git ≥ 2.35.2 refuses a repository owned by another user (CVE-2022-24765).
        Error::Git(m) if m.contains("dubious ownership") => Error::Git(format!(
            "{}: git refuses to read this repository because it is owned by another user (\"dubious ownership\"): run migguard as the repository's owner, or allow it with `git config --global --add safe.directory <repository path>`",
            cwd.display()
        )),
        _ => Error::Git(format!(
            "{} is not inside a git repository: --changed-since needs one",
            cwd.display()
        )),
    })?;
    // Canonical, so root-relative paths from git compare equal to canonicalised
    // migration paths (e.g. a temp dir behind a symlink).
    let root = canonical(Path::new(&root));
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
        let shallow = is_shallow(&root);
        return Err(Error::Git(format!(
            "unknown ref `{reference}`: fetch it first (e.g. `git fetch origin {}`){}",
            reference.trim_start_matches("origin/"),
            if shallow {
                "; this is a shallow clone, so fetch full history too (actions/checkout `fetch-depth: 0`, or `git fetch --unshallow`)"
            } else {
                ""
            }
        )));
    }
    let base = match git(&root, &["merge-base", reference, "HEAD"]) {
        Ok(b) => b,
        Err(_) => {
            let shallow = is_shallow(&root);
            return Err(Error::Git(if shallow {
                format!("no merge base between `{reference}` and HEAD in this shallow clone: fetch full history (actions/checkout `fetch-depth: 0`, or `git fetch --unshallow`)")
            } else {
                format!("`{reference}` and HEAD have no common ancestor")
            }));
        }
    };
    // `-z`: paths raw and NUL-separated (no C-quoting of spaces or non-ASCII names).
    let diff = git(
        &root,
        &["diff", "--name-status", "-M", "--no-color", "-z", &base],
    )?;
    let untracked = git(&root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    let tree = git(&root, &["ls-tree", "-r", "-z", "--name-only", &base])?;
    let mut cs = parse_changes(&root, base, &diff, &untracked);
    cs.at_base = tree
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(|p| root.join(p))
        .collect();
    Ok(cs)
}

/// Turn `git diff --name-status -M -z` and `git ls-files --others -z` output into a
/// change set with absolute paths under `root`. Untracked files are additions (a
/// developer's new, not yet committed migration is gated like a PR's).
fn parse_changes(root: &Path, base: String, diff: &str, untracked: &str) -> ChangeSet {
    let abs = |p: &str| root.join(p);
    let mut cs = ChangeSet {
        base,
        ..ChangeSet::default()
    };
    let mut fields = diff.split('\0').filter(|f| !f.is_empty());
    while let Some(status) = fields.next() {
        match status.chars().next() {
            Some('R') | Some('C') => {
                let (Some(from), Some(to)) = (fields.next(), fields.next()) else {
                    break;
                };
                if status.starts_with('C') {
                    cs.added.insert(abs(to));
                } else {
                    cs.renamed.push((abs(from), abs(to)));
                }
            }
            Some(kind) => {
                let Some(p) = fields.next() else { break };
                match kind {
                    'A' => {
                        cs.added.insert(abs(p));
                    }
                    'D' => {
                        cs.deleted.insert(abs(p));
                    }
                    // M, T (type change), U (unmerged), X: the file exists on the base
                    // and differs now. Fail closed: treat as modified.
                    _ => {
                        cs.modified.insert(abs(p));
                    }
                }
            }
            None => {}
        }
    }
    for p in untracked.split('\0').filter(|l| !l.is_empty()) {
        cs.added.insert(abs(p));
    }
    cs
}

fn is_shallow(root: &Path) -> bool {
    git(root, &["rev-parse", "--is-shallow-repository"]).unwrap_or_default() == "true"
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A deleted file (which no longer exists, so cannot be canonicalised) under one of
/// the migration roots, spelt like the discovered migrations (`src/migrations/x.ts`,
/// relative as the root was given) so reports show one kind of path.
fn under_roots(p: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    roots.iter().find_map(|r| {
        let rest = p.strip_prefix(canonical(r)).ok()?;
        Some(if rest.as_os_str().is_empty() {
            r.clone()
        } else {
            r.join(rest)
        })
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
    // New = added since the base, or not provably on the base at all (fail closed:
    // a file git ignores or does not know is gated, not grandfathered).
    let new_files: BTreeSet<PathBuf> = migrations
        .iter()
        .map(|m| canonical(&m.file))
        .filter(|f| added.contains(f) || !(changes.at_base.contains(f) || renamed_to.contains(f)))
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
        if !is_migration_path(p) {
            continue;
        }
        let Some(p) = under_roots(p, roots) else {
            continue;
        };
        findings.push(unlocated(
            rule,
            None,
            Some(p.clone()),
            format!(
                "migration file {} was deleted since {} — databases that ran it keep its changes",
                p.display(),
                short(&changes.base)
            ),
            fail_on,
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(diff: &str, untracked: &str) -> ChangeSet {
        parse_changes(Path::new("/r"), "abc".into(), diff, untracked)
    }

    #[test]
    fn name_status_z_output_maps_to_absolute_paths() {
        let cs = parse(
            "A\0m/3.sql\0M\0m/1.sql\0D\0m/2.sql\0R087\0m/old.ts\0m/new.ts\0T\0m/link.sql\0",
            "m/4 new.sql\0",
        );
        assert_eq!(cs.base, "abc");
        let set = |v: &[&str]| v.iter().map(PathBuf::from).collect::<BTreeSet<_>>();
        assert_eq!(cs.added, set(&["/r/m/3.sql", "/r/m/4 new.sql"]));
        assert_eq!(cs.modified, set(&["/r/m/1.sql", "/r/m/link.sql"]));
        assert_eq!(cs.deleted, set(&["/r/m/2.sql"]));
        assert_eq!(
            cs.renamed,
            vec![(PathBuf::from("/r/m/old.ts"), PathBuf::from("/r/m/new.ts"))]
        );
    }

    #[test]
    fn names_with_tabs_quotes_and_non_ascii_stay_raw() {
        let cs = parse("A\0m/0003_caf\u{e9} \"x\".sql\0", "");
        assert!(cs
            .added
            .contains(Path::new("/r/m/0003_caf\u{e9} \"x\".sql")));
    }

    #[test]
    fn copies_are_additions_and_truncated_output_is_not_a_panic() {
        let cs = parse("C100\0m/a.sql\0m/b.sql\0R100\0m/c.sql", "");
        assert!(cs.added.contains(Path::new("/r/m/b.sql")));
        assert!(cs.renamed.is_empty());
        assert!(parse("", "").added.is_empty());
    }

    #[test]
    fn unknown_status_letters_fail_closed_as_modified() {
        let cs = parse("U\0m/1.sql\0", "");
        assert!(cs.modified.contains(Path::new("/r/m/1.sql")));
    }
}
