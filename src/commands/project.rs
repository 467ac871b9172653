//! Loading a project's migrations: discover → load → read, shared by every command
//! that needs the local migrations (lint, release-check, drift, schema).
//!
//! Files are read in parallel (rayon) and the result is sorted into the order the
//! migration tool runs them, so everything downstream is deterministic.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ir::Migration;
use crate::parse::{read_file, ReadOptions};
use crate::ruleset::RuleSet;
use crate::source::{discover, flyway_java, load, SourceFile};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The migrations of a project, with their source files (for code frames).
#[derive(Debug, Default)]
pub struct Project {
    pub sources: BTreeMap<PathBuf, SourceFile>,
    /// In run order (`MigrationOrder`).
    pub migrations: Vec<Migration>,
    /// Files that held no migration class (TypeORM) but look as if they were meant
    /// to — reported, never silently passed.
    pub empty_files: Vec<PathBuf>,
}

/// Whether a source file with no readable migration class still looks like one
/// (it mentions `up`, a query runner or `MigrationInterface`), so that it is reported
/// rather than skipped. A barrel `index.ts` or a constants module next to the
/// migrations (tsc copies both into `dist/`) is not a migration.
fn might_be_a_migration(text: &str) -> bool {
    let code = text.to_ascii_lowercase();
    [
        "queryrunner",
        "migrationinterface",
        "up(",
        "up (",
        "up =",
        "up:",
    ]
    .iter()
    .any(|hint| code.contains(hint))
}

/// Paths to read: the command line's, else `migrations` from the config.
pub fn migration_paths(cli_paths: &[PathBuf], config: &Config) -> Result<Vec<PathBuf>> {
    if !cli_paths.is_empty() {
        return Ok(cli_paths.to_vec());
    }
    if !config.migrations.is_empty() {
        return Ok(config.migrations.clone());
    }
    Err(Error::Usage(
        "no migrations to read: pass paths (`migguard lint src/migrations`) or set `migrations = [...]` in migguard.toml".into(),
    ))
}

/// Discover, load and read every migration under `paths`.
pub fn load_project(paths: &[PathBuf], config: &Config) -> Result<Project> {
    let files = discover(paths)?;
    let opts = ReadOptions {
        default_schema: config.default_schema().to_string(),
        read_only_helpers: config.typeorm.read_only_helpers.clone(),
    };
    let read: Vec<Result<(SourceFile, Vec<Migration>)>> = files
        .par_iter()
        .map(|(path, kind)| {
            let source = load(path)?;
            let migrations = read_file(&source, *kind, &opts);
            Ok((source, migrations))
        })
        .collect();
    let mut project = Project::default();
    for r in read {
        let (source, migrations) = r?;
        if migrations.is_empty() && might_be_a_migration(&source.text) {
            project.empty_files.push(source.path.clone());
        }
        project.migrations.extend(migrations);
        project.sources.insert(source.path.clone(), source);
    }
    add_flyway_java_migrations(&mut project, paths, config)?;
    project
        .migrations
        .sort_by(|a, b| a.order.cmp(&b.order).then(a.file.cmp(&b.file)));
    check_duplicate_names(&project.migrations)?;
    Ok(project)
}

/// Flyway runs Java/Kotlin classes from its locations too: look for them in the
/// migration directories and in `[flyway] java_migrations`, when the project is a
/// Flyway one (it has Flyway scripts, or names Java migration locations).
fn add_flyway_java_migrations(
    project: &mut Project,
    paths: &[PathBuf],
    config: &Config,
) -> Result<()> {
    use crate::ir::MigrationFormat;
    let flyway = project.migrations.iter().any(|m| {
        matches!(
            m.format,
            MigrationFormat::FlywayVersioned | MigrationFormat::FlywayRepeatable
        )
    });
    if !flyway && config.flyway.java_migrations.is_empty() {
        return Ok(());
    }
    let dirs: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .chain(&config.flyway.java_migrations)
        .cloned()
        .collect();
    for (source, java) in flyway_java::find(&dirs)? {
        project
            .migrations
            .push(flyway_java::to_migration(&source, &java));
        project.sources.insert(source.path.clone(), source);
    }
    Ok(())
}

/// Two migrations with the same identity would make history matching ambiguous.
fn check_duplicate_names(ms: &[Migration]) -> Result<()> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for m in ms {
        if let Some(first) = seen.insert(&m.name, &m.file) {
            return Err(Error::Input {
                path: m.file.clone(),
                message: format!(
                    "migration name `{}` is also used by {} — a history table could not tell them apart (is the same migration both in src/ and dist/?)",
                    m.name,
                    first.display()
                ),
            });
        }
    }
    Ok(())
}

/// The rule set: `--rules`, else `rules` from the config, else the built-in rules.
pub fn load_rules(cli_rules: Option<&Path>, config: &Config) -> Result<RuleSet> {
    match cli_rules
        .map(Path::to_path_buf)
        .or_else(|| config.rules.clone())
    {
        None => Ok(RuleSet::builtin()),
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::Rules {
                origin: path.display().to_string(),
                message: e.to_string(),
            })?;
            RuleSet::load(&text, &path.display().to_string())
        }
    }
}
