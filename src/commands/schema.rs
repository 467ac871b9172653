//! `migguard schema`: the expected schema, replayed offline (no Node, no database),
//! and `migguard inspect`: the live schema, introspected read-only. Same model, same
//! output formats, so the two can be diffed by eye or by tools. `inspect --stats`
//! prints the tables' sizes instead, as the stats file `lint --table-stats` reads.

use crate::cli::{GlobalArgs, InspectArgs, SchemaArgs, SchemaFormat};
use crate::config::Config;
use crate::db::connect::{block_on_within, connect};
use crate::error::{Error, Outcome, Result};
use crate::ir::Migration;
use crate::project::{load_project, migration_paths};
use crate::schema::{render_sql, replay::replay, SchemaModel};
use crate::sizes::StatsFile;
use std::io::Write;

fn print(
    model: &SchemaModel,
    format: SchemaFormat,
    title: &str,
    default_schema: &str,
) -> Result<()> {
    let text = match format {
        SchemaFormat::Sql => render_sql::render(model, title, default_schema),
        SchemaFormat::Json => {
            let v = crate::schema::model::to_json(model);
            serde_json::to_string_pretty(&v).map_err(|e| Error::io("rendering JSON", e.into()))?
                + "\n"
        }
    };
    let mut out = std::io::stdout().lock();
    crate::report::ignore_broken_pipe(out.write_all(text.as_bytes()))
}

pub fn schema(args: &SchemaArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let project = load_project(&migration_paths(&args.paths, &config)?, &config)?;
    let refs: Vec<&Migration> = project.migrations.iter().collect();
    let (model, conflicts) = replay(&refs, config.default_schema());
    // The ledger table exists before the first migration runs (the tool creates it)
    // and is not part of the schema: a migration that alters it is no conflict.
    let history_table = config.history.for_migrations(&project.migrations);
    let ledger =
        crate::drift::IgnoreList::new(history_table.table_name(), config.default_schema(), &[]);
    for c in conflicts.iter().filter(|c| !ledger.matches(&c.object)) {
        eprintln!("warning: {}: {} ({})", c.migration, c.message, c.object);
    }
    for (o, reasons) in &model.uncertain {
        eprintln!("warning: {o} is uncertain: {}", reasons.join("; "));
    }
    print(
        &model,
        args.format,
        "Expected schema, replayed by migguard from the migrations.",
        config.default_schema(),
    )?;
    Ok(Outcome::Pass)
}

pub fn inspect(args: &InspectArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let opts = super::database::connect_options_from_env(
        args.db.database_url.as_deref(),
        &config.database,
    );
    let (model, stats) = block_on_within(&opts, async {
        let client = connect(&opts).await?;
        // Without `--schema`, every schema of the database that is not the system's
        // (the configured one first: it resolves unqualified names).
        let schemas = if args.schemas.is_empty() {
            let mut s = vec![config.default_schema().to_string()];
            s.extend(
                crate::db::introspect::user_schemas(&client)
                    .await?
                    .into_iter()
                    .filter(|n| n != config.default_schema()),
            );
            s
        } else {
            args.schemas.clone()
        };
        if args.stats {
            let version = crate::db::stats::server_version_num(&client).await?;
            let tables = crate::db::stats::table_stats(&client, &schemas, &[]).await?;
            return Ok((None, Some(StatsFile::new(Some(version), &tables))));
        }
        let model = crate::db::introspect::introspect(&client, &schemas).await?;
        Ok::<_, Error>((Some(model), None))
    })?;
    if let Some(stats) = stats {
        let text = serde_json::to_string_pretty(&stats)
            .map_err(|e| Error::io("rendering JSON", e.into()))?
            + "\n";
        let mut out = std::io::stdout().lock();
        crate::report::ignore_broken_pipe(out.write_all(text.as_bytes()))?;
        return Ok(Outcome::Pass);
    }
    let Some(model) = model else {
        return Ok(Outcome::Pass);
    };
    print(
        &model,
        args.format,
        "Live schema, introspected by migguard (read-only).",
        config.default_schema(),
    )?;
    Ok(Outcome::Pass)
}
