//! `--changed-since REF`: what a branch changed in the migrations, from git.
//!
//! Shells out to `git` (no libgit2: the CI image has git, and its errors are the ones
//! users know). The base is `merge-base(REF, HEAD)`; changes are base → working tree
//! (`git diff --name-status -M <base>`), so a developer's uncommitted edits count too;
//! on a CI checkout that is the same as base..HEAD.
//!
//! A migration that shipped must not change what it executes: databases that ran it
//! keep the old version. Comments are not execution, so an edited file is compared
//! with its base version by what it runs (ops and their SQL without comments or
//! layout), not by bytes: adding an annotation or fixing a comment is not an edit.

use crate::classify::{finding, status_for, unlocated};
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity, Status};
use crate::ir::Migration;
use crate::parse::{read_file, ReadOptions};
use crate::ruleset::{CodeRule, RuleSet};
use crate::source::{FileKind, SourceFile};
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

/// A git command's stdout exactly as written (file contents: no trimming); `None`
/// for output that is not UTF-8, which the readers would refuse anyway.
fn git_raw(cwd: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| Error::Git(format!("could not run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Git(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| Error::Git("not UTF-8".into()))
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

/// Grandfather findings of migrations not added since the base (`edited-migration`
/// findings excepted: they are about the edit, which is new).
pub fn grandfather(changes: &ChangeSet, migrations: &[Migration], findings: &mut [Finding]) {
    let added: BTreeSet<PathBuf> = changes.added.iter().map(|p| canonical(p)).collect();
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
        if !is_new
            && !CodeRule::EditedMigration.is(&f.rule)
            && matches!(f.status, Status::Failing | Status::Warning)
        {
            f.status = Status::Grandfathered;
        }
    }
}

/// `edited-migration` findings for migration files modified, renamed or deleted since
/// the base — except a file whose migrations execute exactly what they did on the
/// base (a comment or layout edit). Returned before suppressions are applied, so a
/// reasoned `migguard-ignore-file edited-migration: …` in the file silences them.
pub fn edited_migrations(
    changes: &ChangeSet,
    migrations: &[Migration],
    roots: &[PathBuf],
    rules: &RuleSet,
    opts: &ReadOptions,
    fail_on: Severity,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(rule) = rules.enabled(CodeRule::EditedMigration) else {
        return out;
    };
    let modified: BTreeSet<PathBuf> = changes.modified.iter().map(|p| canonical(p)).collect();
    let renamed_to: BTreeSet<PathBuf> = changes
        .renamed
        .iter()
        .map(|(_, to)| canonical(to))
        .collect();
    let mut seen = BTreeSet::new();
    for m in migrations {
        let file = canonical(&m.file);
        let (what, base_path) = if modified.contains(&file) {
            (
                "was modified",
                changes.modified.iter().find(|p| canonical(p) == file),
            )
        } else if renamed_to.contains(&file) {
            ("was renamed", None)
        } else {
            continue;
        };
        if !seen.insert(file.clone()) {
            continue;
        }
        let now: Vec<&Migration> = migrations
            .iter()
            .filter(|o| canonical(&o.file) == file)
            .collect();
        let unchanged = base_path
            .and_then(|p| changes.base_text.get(p).map(|t| (p, t)))
            .is_some_and(|(p, text)| {
                let kind = if m.format == crate::ir::MigrationFormat::Typeorm {
                    FileKind::Typeorm
                } else {
                    FileKind::Sql
                };
                let before = read_file(&SourceFile::new(p.clone(), text.clone()), kind, opts);
                executes_the_same(&before.iter().collect::<Vec<_>>(), &now)
            });
        if unchanged {
            continue;
        }
        let mut f = finding(
            rule,
            m,
            Some(m.span),
            None,
            format!(
                "migration `{}` {what} since {} — it already exists on the base branch, and databases that ran it keep the old version (an edit that changes only comments is allowed)",
                m.name,
                short(&changes.base)
            ),
            fail_on,
        );
        f.status = status_for(rule.severity, fail_on);
        out.push(f);
    }
    for p in &changes.deleted {
        if !is_migration_path(p) {
            continue;
        }
        let Some(p) = under_roots(p, roots) else {
            continue;
        };
        out.push(unlocated(
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
    out
}

/// Whether two versions of a file's migrations execute the same thing: the same
/// identities, transaction mode and operations, each op's text compared without
/// comments and with whitespace collapsed. Pure. Reader errors count as different
/// (what an unreadable version executes is unknown).
fn executes_the_same(before: &[&Migration], now: &[&Migration]) -> bool {
    fn executed(m: &Migration) -> impl PartialEq + '_ {
        (
            &m.name,
            m.transactional,
            m.read_errors.is_empty(),
            m.up.iter()
                .map(|op| {
                    (
                        // An unparsed op's reason carries positions inside the
                        // statement; its text says what it runs.
                        (!matches!(op.kind, crate::ir::OpKind::Unparsed { .. }))
                            .then_some(&op.kind),
                        without_comments(&op.text),
                        &op.source,
                        op.dynamic,
                        &op.guard,
                    )
                })
                .collect::<Vec<_>>(),
        )
    }
    before.len() == now.len()
        && before.iter().all(|m| m.read_errors.is_empty())
        && now.iter().all(|m| m.read_errors.is_empty())
        && before
            .iter()
            .zip(now)
            .all(|(b, n)| executed(b) == executed(n))
}

/// SQL text as its tokens (sqlparser's PostgreSQL tokenizer) joined by one space:
/// comments and layout dropped, string literals and quoted identifiers kept as
/// written. Text the tokenizer refuses (a builder call's TypeScript, broken SQL)
/// falls back to collapsing whitespace runs, so only an identical text matches.
fn without_comments(sql: &str) -> String {
    use sqlparser::tokenizer::{Token, Tokenizer};
    match Tokenizer::new(&sqlparser::dialect::PostgreSqlDialect {}, sql).tokenize() {
        Ok(tokens) => tokens
            .iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        Err(_) => sql.split_whitespace().collect::<Vec<_>>().join(" "),
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

#[cfg(test)]
mod execution_tests {
    use super::*;

    fn read(path: &str, kind: FileKind, text: &str) -> Vec<Migration> {
        read_file(
            &SourceFile::new(path.into(), text.to_string()),
            kind,
            &ReadOptions::default(),
        )
    }

    fn same(path: &str, kind: FileKind, a: &str, b: &str) -> bool {
        let (a, b) = (read(path, kind, a), read(path, kind, b));
        executes_the_same(&a.iter().collect::<Vec<_>>(), &b.iter().collect::<Vec<_>>())
    }

    #[test]
    fn sql_comments_and_layout_do_not_count_but_string_literals_do() {
        let base = "CREATE TABLE product (id int PRIMARY KEY, note text DEFAULT 'a -- b');\n";
        let commented = "-- creates the product table\n/* reviewed */\nCREATE TABLE product (\n  id int PRIMARY KEY, -- key\n  note text DEFAULT 'a -- b'\n);\n";
        assert!(same("0001_init.sql", FileKind::Sql, base, commented));
        let changed = base.replace("'a -- b'", "'a -- c'");
        assert!(!same("0001_init.sql", FileKind::Sql, base, &changed));
        assert!(!same(
            "0001_init.sql",
            FileKind::Sql,
            base,
            &format!("{base}CREATE INDEX i ON product (note);\n")
        ));
    }
}
