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
/// suppressions applied; the project is left as it was (its source texts kept).
pub fn lint_project(project: &mut Project, rules: &RuleSet, default_schema: &str) -> Vec<Finding> {
    let locks = crate::locks::LockContext {
        default_schema: default_schema.to_string(),
        ..crate::locks::LockContext::default()
    };
    lint_project_with(project, rules, &locks, Vec::new(), Sources::Keep)
}

/// Whether the caller still needs the project's source texts after lint (the code
/// frames of the human report do; the machine formats do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sources {
    Keep,
    /// Freed once the checks that read them are done, before replay and
    /// classification grow lint's memory to its peak.
    Free,
}

/// [`lint_project`] with findings from outside the migrations' own text (such as
/// `edited-migration` from git) joined in before suppressions apply, so that a
/// file's `migguard-ignore-file` comments cover them too.
pub fn lint_project_with(
    project: &mut Project,
    rules: &RuleSet,
    locks: &crate::locks::LockContext,
    extra: Vec<Finding>,
    sources: Sources,
) -> Vec<Finding> {
    let default_schema = locks.default_schema.as_str();
    use rayon::prelude::*;
    // The checks that read the source texts go first: where the caller needs no
    // texts after lint, they are freed before replay and classification grow the
    // findings.
    let placement: Vec<Finding> = project
        .migrations
        .iter()
        .filter_map(|m| Some((m, project.sources.get(&m.file)?)))
        .flat_map(|(m, source)| crate::annotations::placement::check(m, &source.text, rules))
        .collect();
    let unreadable_files = project.unreadable_file_findings(rules);
    if sources == Sources::Free {
        project.sources = Default::default();
    }
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
    // What replay saw before each op is spent once the ops are judged: it goes
    // before the findings are gathered, where lint's memory peaks.
    drop((prior, contexts));
    let (discipline, acknowledged) =
        crate::annotations::expand_contract::check(&project.migrations, &classified, rules);
    // One vector, sized once for every finding: collected and extended, it doubled
    // its way up and copied itself each time (on 108,000 findings, tens of megabytes
    // of lint's peak and of fresh pages to zero). Room is kept for what suppressions
    // report, at most a finding or two per comment that names migguard.
    let directives: usize = project
        .migrations
        .iter()
        .flat_map(|m| m.header_comments.iter().chain(&m.comments))
        .filter(|c| crate::ir::mentions_migguard(&c.text))
        .count();
    let count = classified.iter().map(|c| c.findings.len()).sum::<usize>()
        + discipline.len()
        + placement.len()
        + extra.len()
        + unreadable_files.len();
    let mut findings: Vec<Finding> = Vec::with_capacity(count + 2 * directives);
    // Moved, not cloned (a copy of every finding's strings was a visible share of
    // lint's time).
    for c in &mut classified {
        for mut f in std::mem::take(&mut c.findings) {
            acknowledged.apply(&mut f);
            findings.push(f);
        }
    }
    findings.extend(discipline);
    findings.extend(placement);
    findings.extend(extra);
    findings.extend(unreadable_files);
    // Suppressions apply per file: their comments live there, and one TypeORM file
    // may hold several migration classes. Each file's findings are brought together
    // in place (a stable sort on the file's number, computed once per finding) and
    // judged as one run: per-file vectors moved every finding twice more, and on
    // 108,000 findings those copies were a visible share of lint's peak memory.
    // Findings of no known migration come last; all are sorted once at the end.
    use std::collections::HashMap;
    let mut files: Vec<Vec<&crate::ir::Migration>> = Vec::new();
    let mut file_number: HashMap<&Path, usize> = HashMap::new();
    let mut file_of: HashMap<&str, usize> = HashMap::new();
    for m in &project.migrations {
        let n = *file_number.entry(m.file.as_path()).or_insert_with(|| {
            files.push(Vec::new());
            files.len() - 1
        });
        files[n].push(m);
        file_of.insert(m.name.as_str(), n);
    }
    let number = |f: &Finding| {
        f.migration
            .as_deref()
            .and_then(|name| file_of.get(name).copied())
            .unwrap_or(usize::MAX)
    };
    findings.sort_by_cached_key(number);
    // Every file is judged, also one without findings: its suppressions are unused.
    let mut about_suppressions = Vec::new();
    let mut unjudged = findings.as_mut_slice();
    for (n, ms) in files.iter().enumerate() {
        let len = unjudged.iter().take_while(|f| number(f) == n).count();
        let (run, after) = std::mem::take(&mut unjudged).split_at_mut(len);
        about_suppressions.extend(crate::annotations::suppress::apply_in_place(ms, rules, run));
        unjudged = after;
    }
    // Before the findings of no known migration, where per-file judging put them
    // (the final sort is stable: this keeps the order of equal keys as it was).
    let unknown = findings.partition_point(|f| number(f) != usize::MAX);
    findings.splice(unknown..unknown, about_suppressions);
    crate::finding::sort_findings(&mut findings);
    findings
}
