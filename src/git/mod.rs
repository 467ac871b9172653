//! The git adapter behind `--changed-since REF`: runs git and reports what a branch
//! changed, as a [`ChangeSet`]. What those changes mean for the gate (grandfathering,
//! `edited-migration`) is decided in [`crate::shipped`].
//!
//! Shells out to `git` (no libgit2: the CI image has git, and its errors are the ones
//! users know). The base is `merge-base(REF, HEAD)`; changes are base → working tree
//! (`git diff --name-status -M <base>`), so a developer's uncommitted edits count too;
//! on a CI checkout that is the same as base..HEAD.

use crate::error::{Error, Result};
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
    /// The base version's text of each modified migration file, so what it executed
    /// can be compared with what it executes now. Missing = could not be read: the
    /// file counts as edited. (A renamed file stays an edit: for SQL tools the name
    /// is the identity in the history.)
    pub base_text: std::collections::BTreeMap<PathBuf, String>,
}

/// Run git in `cwd`; its stdout as bytes, or its stderr as the error.
fn run_git(cwd: &Path, args: &[&str]) -> Result<Vec<u8>> {
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
    Ok(out.stdout)
}

fn git(cwd: &Path, args: &[&str]) -> Result<String> {
    let stdout = run_git(cwd, args)?;
    Ok(String::from_utf8_lossy(&stdout).trim_end().to_string())
}

/// A git command's stdout exactly as written (file contents: no trimming); an error
/// for output that is not UTF-8, which the readers would refuse anyway.
fn git_raw(cwd: &Path, args: &[&str]) -> Result<String> {
    String::from_utf8(run_git(cwd, args)?).map_err(|_| Error::Git("not UTF-8".into()))
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
    let changed_on_base: Vec<PathBuf> = cs
        .modified
        .iter()
        .filter(|p| is_migration_path(p))
        .cloned()
        .collect();
    for p in changed_on_base {
        let Ok(rel) = p.strip_prefix(&root) else {
            continue;
        };
        // `git show <base>:<path>` wants `/` separators, relative to the root.
        let spec = format!("{}:{}", cs.base, rel.to_string_lossy().replace('\\', "/"));
        if let Ok(text) = git_raw(&root, &["show", &spec]) {
            cs.base_text.insert(p, text);
        }
    }
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

/// `p` with symlinks resolved, as git's root-relative paths and the discovered
/// migrations are compared; a path that no longer exists stays as given.
pub fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Could `p` be a migration file (TypeORM or SQL)? Only those have their base
/// version read.
pub fn is_migration_path(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("ts" | "js" | "mjs" | "cjs" | "sql")
    )
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
