//! Loading a project's migrations: discover → load → read, shared by every command
//! that needs the local migrations (lint, release-check, drift, schema).
//!
//! Files are read in parallel (rayon) and the result is sorted into the order the
//! migration tool runs them, so everything downstream is deterministic.

pub mod compiled;

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
    /// Compiled migrations whose annotations were read from their TypeScript
    /// (`tsc` drops a header above the imports): where from, for the report.
    pub annotation_sources: Vec<compiled::AnnotationSource>,
}

impl Project {
    /// A `read-error` finding for each file that looks like a migration but holds
    /// no class migguard can read: lint and release-check both fail on them.
    pub fn unreadable_file_findings(
        &self,
        rules: &crate::ruleset::RuleSet,
    ) -> Vec<crate::finding::Finding> {
        let Some(rule) = rules.enabled(crate::ruleset::CodeRule::ReadError) else {
            return Vec::new();
        };
        self.empty_files
            .iter()
            .map(|p| {
                let mut f = crate::classify::unlocated(
                    rule,
                    None,
                    Some(p.clone()),
                    "no migration class (a class with an `up` method) found in this file".into(),);
                // Point at the first line, so every output format names a position.
                f.span = self.sources.get(p).map(|s| {
                    let first_line = s.text.find('\n').unwrap_or(s.text.len());
                    s.span(0, first_line)
                });
                f.help = Some("migguard reads TypeORM migration classes; move other code out of the migrations folder or exclude it from `migrations`.".into());
                f
            })
            .collect()
    }
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

/// The readers' settings from the config.
pub fn read_options(config: &Config) -> ReadOptions {
    ReadOptions {
        default_schema: config.default_schema().to_string(),
        read_only_helpers: config.typeorm.read_only_helpers.clone(),
        flyway_placeholders: config.flyway.placeholders.clone(),
    }
}

/// Discover, load and read every migration under `paths`.
pub fn load_project(paths: &[PathBuf], config: &Config) -> Result<Project> {
    let files = discover(paths)?;
    let opts = read_options(config);
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
    if project.migrations.is_empty() && project.empty_files.is_empty() {
        // A gate pointed at the wrong folder (or at dist/ before the build, or at a
        // folder of server code) must not pass by checking nothing — in any command.
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let message = if project.sources.is_empty() {
            format!(
                "no migration files found in {} (looked for .ts/.js/.mjs/.cjs TypeORM sources and .sql files)",
                shown.join(", ")
            )
        } else {
            format!(
                "no migration found in {}: {} file(s) read, none holds a TypeORM migration class or an SQL migration",
                shown.join(", "),
                project.sources.len()
            )
        };
        return Err(Error::Usage(message));
    }
    project
        .migrations
        .sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.file.cmp(&b.file)));
    check_duplicate_names(&project.migrations)?;
    project.annotation_sources =
        compiled::borrow_annotations(&mut project.migrations, &project.sources, &opts);
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
            let rules_error = |message: String| Error::Rules {
                origin: path.display().to_string(),
                message,
            };
            let bytes = crate::source::read_bounded(
                &path,
                crate::config::MAX_SETTINGS_FILE_BYTES,
                "rules file",
            )
            .map_err(|e| rules_error(e.to_string()))?;
            let text = String::from_utf8(bytes)
                .map_err(|e| rules_error(format!("not valid UTF-8 ({e})")))?;
            RuleSet::load(&text, &path.display().to_string())
        }
    }
}
