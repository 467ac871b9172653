//! Migrations that already shipped, under `--changed-since`: findings on migrations
//! the branch did not add are grandfathered, and an edit to a shipped migration is an
//! `edited-migration` finding. What changed comes from the git adapter
//! ([`crate::git::ChangeSet`]); this module only decides.
//!
//! A migration that shipped must not change what it executes: databases that ran it
//! keep the old version. Comments are not execution, so an edited file is compared
//! with its base version by what it runs (ops and their SQL without comments or
//! layout), not by bytes: adding an annotation or fixing a comment is not an edit.

use crate::classify::{finding, unlocated};
use crate::finding::{Disposition, Finding};
use crate::git::{canonical, is_migration_path, ChangeSet};
use crate::ir::Migration;
use crate::parse::{read_file, ReadOptions};
use crate::ruleset::{CodeRule, RuleSet};
use crate::source::{FileKind, SourceFile};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
            && matches!(f.disposition, Disposition::Active | Disposition::Advisory)
        {
            f.disposition = Disposition::Grandfathered;
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
                // The settings beside the file are read from the working tree, for
                // both versions: what changed in the SQL is the question here.
                let base =
                    crate::source::with_tool_settings(SourceFile::new(p.clone(), text.clone()));
                let before = read_file(&base, kind, opts);
                executes_the_same(&before.iter().collect::<Vec<_>>(), &now)
            });
        if unchanged {
            continue;
        }
        out.push(finding(
            rule,
            m,
            Some(m.span),
            None,
            format!(
                "migration `{}` {what} since {} — it already exists on the base branch, and databases that ran it keep the old version (an edit that changes only comments is allowed)",
                m.name,
                short(&changes.base)
            ),));
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

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
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
