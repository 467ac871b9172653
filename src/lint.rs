//! The PR gate's judgement of a loaded project, apart from its command line: the
//! lint command (`commands::lint`) wires arguments, git and reporting around it, and
//! the benchmark calls it directly. Replay, rule matching, expand/contract and
//! placement checks, then suppressions per file.

use crate::classify::prior::prior_and_lock_facts;
use crate::classify::{classify_in, Classified};
use crate::finding::Finding;
use crate::project::Project;
use crate::ruleset::RuleSet;
use std::path::Path;

/// Classify a loaded project: findings of every migration, with annotations and
/// suppressions applied. Pure: the lint command and the benchmark both call it.
pub fn lint_project(project: &Project, rules: &RuleSet, default_schema: &str) -> Vec<Finding> {
    let locks = crate::locks::LockContext {
        default_schema: default_schema.to_string(),
        ..crate::locks::LockContext::default()
    };
    lint_project_with(project, rules, &locks, Vec::new())
}

/// [`lint_project`] with findings from outside the migrations' own text (such as
/// `edited-migration` from git) joined in before suppressions apply, so that a
/// file's `migguard-ignore-file` comments cover them too.
pub fn lint_project_with(
    project: &Project,
    rules: &RuleSet,
    locks: &crate::locks::LockContext,
    extra: Vec<Finding>,
) -> Vec<Finding> {
    let default_schema = locks.default_schema.as_str();
    use rayon::prelude::*;
    // Replay is sequential (each migration starts from the last one's schema); the
    // rules are then matched in parallel.
    let (prior, lock_facts) = prior_and_lock_facts(&project.migrations, default_schema);
    let contexts = crate::locks::contexts_for(locks, lock_facts);
    let mut classified: Vec<Classified> = project
        .migrations
        .par_iter()
        .zip(prior.par_iter())
        .zip(contexts.par_iter())
        .map(|((m, known), ctx)| classify_in(m, rules, known, ctx))
        .collect();
    // Moved, not cloned: the expand/contract check reads only the phases and
    // objects (a copy of every finding's strings was a visible share of lint's time).
    let mut findings: Vec<Finding> = classified
        .iter_mut()
        .flat_map(|c| std::mem::take(&mut c.findings))
        .collect();
    crate::annotations::expand_contract::check(
        &project.migrations,
        &classified,
        rules,
        &mut findings,
    );
    for m in &project.migrations {
        if let Some(source) = project.sources.get(&m.file) {
            findings.extend(crate::annotations::placement::check(m, &source.text, rules));
        }
    }
    findings.extend(extra);
    // Suppressions apply per file: their comments live there, and one TypeORM file
    // may hold several migration classes. Bucket findings by file in one pass (a
    // partition per file would be quadratic on large projects).
    // Hashed, not ordered: the findings are sorted once at the end.
    use std::collections::HashMap;
    let mut by_file: HashMap<&Path, (Vec<&crate::ir::Migration>, Vec<Finding>)> = HashMap::new();
    let mut file_of: HashMap<&str, &Path> = HashMap::new();
    for m in &project.migrations {
        by_file.entry(m.file.as_path()).or_default().0.push(m);
        file_of.insert(m.name.as_str(), m.file.as_path());
    }
    let mut rest = Vec::new();
    for f in findings {
        let file = f.migration.as_deref().and_then(|n| file_of.get(n).copied());
        match file.and_then(|p| by_file.get_mut(p)) {
            Some((_, bucket)) => bucket.push(f),
            None => rest.push(f),
        }
    }
    let mut by_migration: Vec<Finding> = Vec::with_capacity(rest.len());
    for (ms, mut mine) in by_file.into_values() {
        crate::annotations::suppress::apply_file(&ms, rules, &mut mine);
        by_migration.extend(mine);
    }
    let findings = rest;
    by_migration.extend(findings);
    by_migration.extend(project.unreadable_file_findings(rules));
    by_migration.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    by_migration
}
