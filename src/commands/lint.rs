//! `migguard lint`: the PR gate.
//!
//! Read every migration, classify its `up()` against the rules, check expand/contract
//! annotations and suppressions, and with `--changed-since` gate only what the branch
//! adds (and fail edits to migrations that already shipped).

use crate::classify::prior::prior_facts;
use crate::classify::{classify_in, Classified};
use crate::cli::{FailOn, GlobalArgs, LintArgs};
use crate::config::Config;
use crate::error::{Outcome, Result};
use crate::finding::{Finding, Severity, Status};
use crate::project::{load_project, load_rules, migration_paths};
use crate::report::{render_findings, FindingsReport, MigrationSummary, RenderOptions};
use crate::ruleset::RuleSet;
use std::path::Path;

/// Classify a loaded project: findings of every migration, with annotations and
/// suppressions applied. Pure apart from nothing: the lint command and the benchmark
/// both call it.
pub fn lint_project(
    project: &crate::project::Project,
    rules: &RuleSet,
    fail_on: Severity,
    default_schema: &str,
) -> Vec<Finding> {
    let locks = crate::locks::LockContext {
        default_schema: default_schema.to_string(),
        ..crate::locks::LockContext::default()
    };
    lint_project_with(project, rules, fail_on, &locks, Vec::new())
}

/// [`lint_project`] with findings from outside the migrations' own text (such as
/// `edited-migration` from git) joined in before suppressions apply, so that a
/// file's `migguard-ignore-file` comments cover them too.
pub fn lint_project_with(
    project: &crate::project::Project,
    rules: &RuleSet,
    fail_on: Severity,
    locks: &crate::locks::LockContext,
    extra: Vec<Finding>,
) -> Vec<Finding> {
    let default_schema = locks.default_schema.as_str();
    use rayon::prelude::*;
    // Replay is sequential (each migration starts from the last one's schema); the
    // rules are then matched in parallel.
    let prior = prior_facts(&project.migrations, default_schema);
    let contexts = crate::locks::contexts_for(&project.migrations, locks);
    let classified: Vec<Classified> = project
        .migrations
        .par_iter()
        .zip(prior.par_iter())
        .zip(contexts.par_iter())
        .map(|((m, known), ctx)| classify_in(m, rules, fail_on, known, ctx))
        .collect();
    let mut findings: Vec<Finding> = classified
        .iter()
        .flat_map(|c| c.findings.iter().cloned())
        .collect();
    crate::annotations::expand_contract::check(
        &project.migrations,
        &classified,
        rules,
        &mut findings,
        fail_on,
    );
    for m in &project.migrations {
        if let Some(source) = project.sources.get(&m.file) {
            findings.extend(crate::annotations::placement::check(
                m,
                &source.text,
                rules,
                fail_on,
            ));
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
        crate::annotations::suppress::apply_file(&ms, rules, &mut mine, fail_on);
        by_migration.extend(mine);
    }
    let findings = rest;
    by_migration.extend(findings);
    by_migration.extend(project.unreadable_file_findings(rules, fail_on));
    by_migration.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    by_migration
}

/// `--fail-on`, else `[lint] fail_on`, else block.
pub fn fail_on_severity(flag: Option<FailOn>, config: &Config) -> Severity {
    match (flag, config.lint.fail_on.as_deref()) {
        (Some(FailOn::Warn), _) | (None, Some("warn")) => Severity::Warn,
        _ => Severity::Block,
    }
}

pub fn run(args: &LintArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let rules = load_rules(global.rules.as_deref(), &config)?;
    let paths = migration_paths(&args.paths, &config)?;
    let project = load_project(&paths, &config)?;
    let fail_on = fail_on_severity(args.fail_on, &config);
    // The repository is the one holding the migrations, wherever migguard runs
    // from (`--config app/migguard.toml`, an absolute path from a CI step).
    let changes = match &args.changed_since {
        None => None,
        Some(reference) => {
            let repo_dir = paths
                .iter()
                .find(|p| p.exists())
                .map(|p| {
                    if p.is_dir() {
                        p.clone()
                    } else {
                        p.parent().map(Path::to_path_buf).unwrap_or_default()
                    }
                })
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| std::path::PathBuf::from("."));
            Some(crate::git::changed_since(&repo_dir, reference)?)
        }
    };
    let edits = match &changes {
        None => Vec::new(),
        Some(changes) => crate::shipped::edited_migrations(
            changes,
            &project.migrations,
            &paths,
            &rules,
            &crate::project::read_options(&config),
            fail_on,
        ),
    };
    let mut findings = lint_project_with(&project, &rules, fail_on, &config.lock_context(), edits);
    if let Some(changes) = &changes {
        crate::shipped::grandfather(changes, &project.migrations, &mut findings);
    }
    // After grandfathering: an entity without its migration is about the branch's
    // code as it is now, whichever migrations are new.
    let mut sources = std::borrow::Cow::Borrowed(&project.sources);
    if args.entities || config.typeorm.entities {
        let set = crate::entities::load(&config)?;
        let history = config.history.for_migrations(&project.migrations);
        let mut entity_findings = crate::entities::lint_findings(
            &set,
            &project.migrations,
            history.table_name(),
            &config.drift.ignore,
            &rules,
            fail_on,
        );
        crate::entities::attach_sources(&mut entity_findings, sources.to_mut());
        findings.extend(entity_findings);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    let passed = !findings.iter().any(|f| f.status == Status::Failing);
    let report = FindingsReport {
        command: "lint",
        passed,
        findings,
        migrations: project
            .migrations
            .iter()
            .map(MigrationSummary::of)
            .collect(),
        notes: Vec::new(),
        history: None,
    };
    let opts = RenderOptions {
        format: args.format,
        color: global.color,
        verbose: global.verbose,
        quiet: global.quiet,
    };
    crate::report::write_stdout(|out| render_findings(&report, &rules, &sources, opts, out))?;
    Ok(if passed { Outcome::Pass } else { Outcome::Fail })
}
