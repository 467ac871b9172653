//! `migguard lint`: the PR gate.
//!
//! Read every migration, classify its `up()` against the rules, check expand/contract
//! annotations and suppressions, and with `--changed-since` gate only what the branch
//! adds (and fail edits to migrations that already shipped).

use crate::cli::{FailOn, GlobalArgs, LintArgs};
use crate::config::Config;
use crate::error::{Error, Outcome, Result};
use crate::finding::{Gate, Severity};
use crate::lint::{lint_project_with, Sources};
use crate::project::{load_project, load_rules, migration_paths};
use crate::report::{render_findings, FindingsReport, RenderOptions};
use std::collections::BTreeMap;
use std::path::Path;

/// `--fail-on`, else `[lint] fail_on`, else block.
pub fn fail_on_severity(flag: Option<FailOn>, config: &Config) -> Severity {
    match (flag, config.lint.fail_on.as_deref()) {
        (Some(FailOn::Warn), _) | (None, Some("warn")) => Severity::Warn,
        _ => Severity::Block,
    }
}

/// The stats file of `--table-stats`; missing or malformed is an error (exit 2):
/// a gate told to judge sizes must not quietly judge without them.
fn read_table_stats(path: &Path) -> Result<crate::sizes::StatsFile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!("cannot read the --table-stats file: {e}"),
    })?;
    crate::sizes::StatsFile::parse(&text).map_err(|message| Error::Input {
        path: path.to_path_buf(),
        message,
    })
}

pub fn run(args: &LintArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let rules = load_rules(global.rules.as_deref(), &config)?;
    let paths = migration_paths(&args.paths, &config)?;
    let mut project = load_project(&paths, &config)?;
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
        ),
    };
    // Only the human report shows code frames; the other formats need no source
    // text once lint has read it.
    let sources = match args.format {
        crate::report::Format::Human => Sources::Keep,
        _ => Sources::Free,
    };
    let mut findings =
        lint_project_with(&mut project, &rules, &config.lock_context(), edits, sources);
    let mut notes = Vec::new();
    if let Some(path) = &args.table_stats {
        let stats = read_table_stats(path)?;
        crate::sizes::apply(&mut findings, &rules, &stats.sizes());
        notes.push(format!(
            "table sizes from {} ({} tables)",
            crate::report::display_path(path),
            stats.tables.len()
        ));
    }
    if let Some(changes) = &changes {
        crate::shipped::grandfather(changes, &project.migrations, &mut findings);
    }
    // After grandfathering: an entity without its migration is about the branch's
    // code as it is now, whichever migrations are new.
    let mut sources = std::mem::take(&mut project.sources);
    if args.entities || config.typeorm.entities {
        let set = crate::entities::load(&config)?;
        let history = config.history.for_migrations(&project.migrations);
        let mut entity_findings = crate::entities::lint_findings(
            &set,
            &project.migrations,
            history.table_name(),
            &config.drift.ignore,
            &rules,
        );
        crate::entities::attach_sources(&mut entity_findings, &mut sources);
        findings.extend(entity_findings);
        crate::finding::sort_findings(&mut findings);
    }
    let gate = Gate {
        fail_on: fail_on_severity(args.fail_on, &config),
    };
    let report = FindingsReport {
        notes,
        ..FindingsReport::new("lint", gate, findings, &project.migrations)
    };
    // What is left to do is writing the report: the operations read from every
    // migration, and the source texts of entities unless code frames show them, go
    // first (on a large history they are much of what lint holds; the migrations'
    // texts are already gone unless code frames show them). They are freed on a thread of
    // their own while the report is written: freeing them one by one was a visible
    // share of the time after reading.
    let unshown = match args.format {
        crate::report::Format::Human => BTreeMap::new(),
        _ => std::mem::take(&mut sources),
    };
    // Where the system refuses a thread, the refused closure is dropped here, and
    // what it holds with it: freed inline, never a panic.
    let _ = std::thread::Builder::new().spawn(move || drop((project, unshown)));
    let opts = RenderOptions {
        format: args.format,
        color: global.color,
        verbose: global.verbose,
        quiet: global.quiet,
    };
    crate::report::write_stdout(|out| render_findings(&report, &rules, &sources, opts, out))?;
    Ok(if report.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
