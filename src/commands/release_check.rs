//! `migguard release-check`: the release_command pre-check, run inside the release
//! image right before `typeorm migration:run`.
//!
//! Reads the database's migration history (one round trip, read-only session), finds
//! the pending migrations, and refuses the release when a pending migration is a
//! contract migration and destructive changes were not allowed — and, even when they
//! were, when its `@expand-migration` is not *applied* in this database (pending in
//! the same batch is not enough: the code never ran against the expanded schema).
//! History rows with no migration in this build fail too — unless all of them are
//! newer than the build (an older image redeployed): then they are warnings, and only
//! a table, column or view this build creates that the live schema lost blocks. A
//! pending migration merged out of timestamp order is a warning. With the
//! permission, the report lists every destructive migration it let through.

use crate::classify::prior::prior_and_lock_facts;
use crate::cli::{GlobalArgs, ReleaseCheckArgs};
use crate::config::Config;
use crate::db::connect::{block_on_within, connect, describe};
use crate::db::history::{self, compare_with_checksums};
use crate::error::{Error, Outcome, Result};
use crate::finding::{Finding, Gate};
use crate::project::{load_project, load_rules, migration_paths};
use crate::release::{history_summary, judge, missing_history_table, rollback_breakage, Judgement};
use crate::report::{render_findings, FindingsReport, RenderOptions};

/// The environment variable that grants destructive migrations when the flag is absent.
pub const ALLOW_DESTRUCTIVE_ENV: &str = "ALLOW_DESTRUCTIVE_MIGRATIONS";

/// Whether destructive migrations are allowed: the `--allow-destructive` flag, else
/// [`ALLOW_DESTRUCTIVE_ENV`]. Pure. A pipeline variable is easy to get subtly wrong,
/// and a guess either way is costly (a blocked rollback, or a drop let through), so
/// only `true` (any case) grants; empty (a variable defined but left blank), `false`
/// and `0` deny; anything else (`1`, `yes`, `on`…) is refused with a message.
pub fn destructive_permission(flag: bool, env: Option<&std::ffi::OsStr>) -> Result<bool> {
    if flag {
        return Ok(true);
    }
    let Some(value) = env else {
        return Ok(false);
    };
    match value.to_str() {
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.is_empty() || v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
        _ => Err(Error::Usage(format!(
            "{ALLOW_DESTRUCTIVE_ENV}={:?} is ambiguous: set it to `true` to allow destructive migrations, or to `false` (or leave it empty or unset) to refuse them",
            value.to_string_lossy()
        ))),
    }
}

/// Which PostgreSQL version the lock rules were judged for: always the live
/// server's here; a different `postgres_version` in migguard.toml is named as unused.
/// The major version only: the rules depend on nothing finer, and the exact
/// `server_version_num` is in the JSON (`history.postgres_version`).
fn version_note(major: u32, configured: Option<u32>) -> String {
    let mut note = format!("lock rules judged for PostgreSQL {major} (the live server)");
    if let Some(c) = configured.filter(|c| *c != major) {
        note.push_str(&format!(
            "; postgres_version = {c} in migguard.toml is lint's setting and is not used here"
        ));
    }
    note
}

pub fn run(args: &ReleaseCheckArgs, global: &GlobalArgs) -> Result<Outcome> {
    let allow_destructive = destructive_permission(
        args.allow_destructive,
        std::env::var_os(ALLOW_DESTRUCTIVE_ENV).as_deref(),
    )?;
    let config = Config::discover(global.config.as_deref())?;
    let rules = load_rules(global.rules.as_deref(), &config)?;
    let paths = migration_paths(&args.paths, &config)?;
    let project = load_project(&paths, &config)?;
    let opts = super::database::connect_options_from_env(
        args.db.database_url.as_deref(),
        &config.database,
    );
    let history_config = config.history.for_migrations(&project.migrations);
    let table = history_config.table_name().to_string();
    let ds = config.default_schema().to_string();
    // One replay pass: what each op finds before it, and the lock analysis's facts.
    let (prior, lock_facts) = prior_and_lock_facts(&project.migrations, &ds);
    let (history, cmp, live, server_version_num, sized) = block_on_within(&opts, async {
        let client = connect(&opts).await?;
        let history = history::read(&client, history_config.kind(), &table, |e| {
            describe(e, "the database")
        })
        .await?;
        let checksums = crate::source::flyway_checksums(&project.migrations);
        let cmp = compare_with_checksums(&project.migrations, &history, &checksums);
        // Only a rollback needs the live schema: it is the one witness of what the
        // newer migrations dropped.
        let live = if cmp.ahead_of_build {
            let schemas = crate::drift::schemas_to_compare(&[], &project.migrations, &ds, None);
            let live = crate::db::introspect::introspect(&client, &schemas).await?;
            Some((live, schemas))
        } else {
            None
        };
        // Rules that depend on the server version are judged for the live server,
        // whatever `postgres_version` (lint's setting) says.
        let server_version_num = crate::db::stats::server_version_num(&client).await?;
        let mut base = config.lock_context();
        base.postgres_major = Some(crate::db::stats::major_of(server_version_num));
        let mut sized = crate::sizes::pending_sized_findings(
            &project.migrations,
            &prior,
            lock_facts,
            &cmp.pending,
            &rules,
            &base,
        );
        let tables: std::collections::BTreeSet<(String, String)> = sized
            .iter()
            .flat_map(|p| p.tables())
            .map(|t| (t.schema.clone(), t.name.clone()))
            .collect();
        if !tables.is_empty() {
            let tables: Vec<(String, String)> = tables.into_iter().collect();
            let stats = crate::db::stats::table_stats(&client, &[], &tables).await?;
            for p in &mut sized {
                let sizes = crate::sizes::KnownSizes {
                    tables: stats
                        .iter()
                        .map(|((s, t), v)| (crate::ir::QualifiedName::new(s, t), *v))
                        .collect(),
                    source: "database",
                    created: std::mem::take(&mut p.created),
                };
                crate::sizes::apply(&mut p.findings, &rules, &sizes);
            }
        }
        Ok::<_, Error>((history, cmp, live, server_version_num, sized))
    })?;
    let mut judged_elsewhere: Vec<Finding> = sized.into_iter().flat_map(|p| p.findings).collect();
    // A file that looks like a migration but could not be read may be one that runs
    // in this release: fail closed, as the PR gate does.
    judged_elsewhere.extend(project.unreadable_file_findings(&rules));
    if let Some((live, schemas)) = &live {
        let view = crate::drift::HistoryView::from(cmp.clone());
        let ignore =
            crate::drift::IgnoreList::new(&table, &ds, &config.drift.ignore).with_schemas(schemas);
        let report = crate::drift::analyse(&project.migrations, live, view, &ds, &ignore);
        judged_elsewhere.extend(rollback_breakage(
            &report.items,
            &cmp.unknown_applied,
            &rules,
        ));
    }
    if history.table_missing {
        judged_elsewhere.extend(missing_history_table(&rules, &table));
    }
    let Judgement {
        findings,
        allowed,
        mut notes,
    } = judge(
        &project.migrations,
        &prior,
        &cmp,
        &rules,
        allow_destructive,
        judged_elsewhere,
    );
    notes.extend(project.annotation_sources.iter().map(|a| a.describe()));
    let major = crate::db::stats::major_of(server_version_num);
    notes.push(version_note(major, config.postgres_version));
    notes.push(history_summary(&cmp));
    let report = FindingsReport {
        notes,
        history: Some(serde_json::json!({
            "table": table,
            "table_missing": history.table_missing,
            "applied": cmp.applied,
            "pending": cmp.pending,
            "unknown_applied": cmp.unknown_applied,
            "unknown_applied_count": cmp.unknown_applied_count,
            "out_of_order": cmp.out_of_order,
            "ahead_of_build": cmp.ahead_of_build,
            "postgres_version": {
                "major": major,
                "server_version_num": server_version_num,
                "source": "server",
                "config": config.postgres_version,
            },
            "allowed_destructive": allowed,
            "annotation_sources": project.annotation_sources.iter().map(|a| serde_json::json!({
                "migration": a.migration,
                "file": crate::report::display_path(&a.file),
                "via": a.via,
            })).collect::<Vec<_>>(),
        })),
        ..FindingsReport::new("release-check", Gate::BLOCK, findings, &project.migrations)
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
    Ok(if report.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
