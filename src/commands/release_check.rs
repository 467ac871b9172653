//! `migguard release-check`: the release_command pre-check, run inside the release
//! image right before `typeorm migration:run`.
//!
//! Reads the database's migration history (one round trip, read-only session), finds
//! the pending migrations, and refuses the release when a pending migration is a
//! contract migration and destructive changes were not allowed — and, even when they
//! were, when its `@expand-migration` is not *applied* in this database (pending in
//! the same batch is not enough: the code never ran against the expanded schema).
//! History rows with no migration in this build fail too.

use super::project::{load_project, load_rules, migration_paths};
use crate::annotations::expand_contract::contract_targets;
use crate::annotations::{annotations, ExpandRef};
use crate::classify::{classify, finding, unlocated};
use crate::cli::{GlobalArgs, ReleaseCheckArgs};
use crate::config::Config;
use crate::db::connect::{connect, describe, runtime, ConnectOptions};
use crate::db::history::{self, compare_with_checksums, Comparison};
use crate::error::{Outcome, Result};
use crate::finding::{Finding, Phase, Severity, Status};
use crate::ir::{Migration, OpKind, Span};
use crate::report::{render_findings, FindingsReport, MigrationSummary, RenderOptions};
use crate::ruleset::RuleSet;

/// The checks, pure: local migrations (run order), the comparison with the history,
/// the rules and the permission flag → findings.
pub fn check(
    migrations: &[Migration],
    cmp: &Comparison,
    rules: &RuleSet,
    allow_destructive: bool,
) -> Vec<Finding> {
    let fail_on = Severity::Block;
    let mut out = Vec::new();
    let rule = |id: &str| rules.get(id).filter(|r| r.severity != Severity::Off);
    for name in &cmp.pending {
        let Some(m) = migrations.iter().find(|m| &m.name == name) else {
            continue;
        };
        let c = classify(m, rules, fail_on);
        let contract = c.phases.contains(&Phase::Contract);
        // Fail closed: what cannot be read statically may drop or rename, so such a
        // pending migration needs the same permission as a contract migration.
        let unreadable = unreadable_parts(m);
        if !contract && unreadable.is_empty() {
            continue;
        }
        let objects: Vec<String> = c.contract_objects.iter().cloned().collect();
        let a = annotations(m);
        if !allow_destructive {
            if let Some(r) = rule("destructive-pending") {
                let (span, message) = if contract {
                    (m.span, format!("pending migration `{}` drops, renames or empties {} and destructive migrations are not allowed in this release", m.name, contract_targets(&objects)))
                } else {
                    let (span, what) = &unreadable[0];
                    (*span, format!("pending migration `{}` has {} part(s) migguard cannot read statically ({what}): they may be destructive, and destructive migrations are not allowed in this release", m.name, unreadable.len()))
                };
                out.push(finding(
                    r,
                    m,
                    Some(span),
                    objects.first().cloned(),
                    message,
                    fail_on,
                ));
            }
        } else {
            match a.expand.as_ref().map(|e| &e.value) {
                Some(ExpandRef::Migration(expand)) if cmp.applied.contains(expand) => {}
                Some(ExpandRef::Migration(expand)) => {
                    if let Some(r) = rule("expand-not-applied") {
                        let state = if cmp.pending.contains(expand) {
                            "is still pending (it would run in the same batch)"
                        } else {
                            "is not in this database's history"
                        };
                        out.push(finding(r, m, Some(m.span), objects.first().cloned(), format!("`{}` contracts `{expand}`, which {state}: deploy the expand migration and the code that uses it first", m.name), fail_on));
                    }
                }
                Some(ExpandRef::None { .. }) => {}
                None if !a.problems.is_empty() => {
                    if let Some(r) = rule("expand-not-applied") {
                        out.push(finding(r, m, Some(m.span), None, format!("`{}` has a malformed @expand-migration annotation: cannot verify its expand migration is applied", m.name), fail_on));
                    }
                }
                None => {}
            }
        }
        // The PR gate owns annotation discipline; here a missing one is only a warning.
        if !contract {
            continue;
        }
        for (id, missing) in [
            ("missing-destructive-annotation", a.destructive.is_none()),
            ("missing-expand-annotation", a.expand.is_none()),
        ] {
            if let (true, Some(r)) = (missing, rule(id)) {
                let mut f = finding(
                    r,
                    m,
                    Some(m.span),
                    None,
                    format!(
                        "pending contract migration `{}` has no `@{}` annotation",
                        m.name,
                        if id.contains("destructive") {
                            "destructive"
                        } else {
                            "expand-migration"
                        }
                    ),
                    fail_on,
                );
                f.status = Status::Warning;
                out.push(f);
            }
        }
    }
    if let Some(r) = rule("unknown-applied-migration") {
        for name in &cmp.unknown_applied {
            out.push(unlocated(
                r,
                Some(name.clone()),
                None,
                format!("the database has applied `{name}`, which is not in this build"),
                fail_on,
            ));
        }
    }
    if let Some(r) = rule("history-problem") {
        for p in &cmp.problems {
            out.push(unlocated(r, None, None, p.clone(), fail_on));
        }
    }
    out
}

/// Where a migration could not be read statically: opaque calls, unparsed SQL and
/// reader errors, with a short reason each (source order).
fn unreadable_parts(m: &Migration) -> Vec<(Span, String)> {
    let mut parts: Vec<(Span, String)> =
        m.up.iter()
            .filter_map(|op| match &op.kind {
                OpKind::Opaque { reason } => Some((op.span, format!("opaque: {reason}"))),
                OpKind::Unparsed { reason } => Some((op.span, format!("unparsed SQL: {reason}"))),
                _ => None,
            })
            .chain(
                m.read_errors
                    .iter()
                    .map(|e| (e.span, format!("read error: {}", e.message))),
            )
            .collect();
    parts.sort_by_key(|(span, _)| (span.line, span.column));
    parts
}

pub fn run(args: &ReleaseCheckArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let rules = load_rules(global.rules.as_deref(), &config)?;
    let paths = migration_paths(&args.paths, &config)?;
    let project = load_project(&paths, &config)?;
    let opts = ConnectOptions::from_config(args.db.database_url.as_deref(), &config);
    let history_config = config.history.for_migrations(&project.migrations);
    let table = history_config.table_name().to_string();
    let history = runtime()?.block_on(async {
        let client = connect(&opts).await?;
        history::read(&client, history_config.kind(), &table, |e| {
            describe(e, "the database")
        })
        .await
    })?;
    let checksums = crate::source::flyway_checksums(&project.migrations);
    let cmp = compare_with_checksums(&project.migrations, &history, &checksums);
    let mut findings = check(&project.migrations, &cmp, &rules, args.allow_destructive);
    // DESIGN §7: a missing history table is "nothing applied", with a warning —
    // a finding, so that JSON and SARIF consumers see it too.
    if let Some(r) = rules
        .get("history-problem")
        .filter(|r| history.table_missing && r.severity != Severity::Off)
    {
        let mut f = unlocated(
            r,
            None,
            None,
            format!("history table `{table}` does not exist: treating every migration as pending"),
            Severity::Block,
        );
        f.status = Status::Warning;
        findings.push(f);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let passed = !findings.iter().any(|f| f.status == Status::Failing);
    let mut notes = Vec::new();
    notes.push(format!(
        "{} applied, {} pending{}{}",
        cmp.applied.len(),
        cmp.pending.len(),
        if cmp.pending.is_empty() {
            String::new()
        } else {
            format!(": {}", cmp.pending.join(", "))
        },
        if cmp.out_of_order.is_empty() {
            String::new()
        } else {
            format!(" (out of order: {})", cmp.out_of_order.join(", "))
        },
    ));
    let report = FindingsReport {
        command: "release-check",
        passed,
        findings,
        migrations: project
            .migrations
            .iter()
            .map(MigrationSummary::of)
            .collect(),
        notes,
        history: Some(serde_json::json!({
            "table": table,
            "table_missing": history.table_missing,
            "applied": cmp.applied,
            "pending": cmp.pending,
            "unknown_applied": cmp.unknown_applied,
            "out_of_order": cmp.out_of_order,
        })),
    };
    let render = RenderOptions {
        format: args.format,
        color: global.color,
        verbose: global.verbose,
        quiet: global.quiet,
    };
    crate::report::write_stdout(|out| {
        render_findings(&report, &rules, &project.sources, render, out)
    })?;
    Ok(if passed { Outcome::Pass } else { Outcome::Fail })
}
