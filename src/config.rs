//! `migguard.toml`: project settings.
//!
//! Looked up at `--config PATH`, else `./migguard.toml` when it exists; every key is
//! optional and unknown keys are rejected with their line and column (a typo in a
//! gate's configuration must not silently disable it). Relative paths are resolved
//! against the directory of the config file, so `migguard --config app/migguard.toml`
//! works from anywhere.
//!
//! ```toml
//! migrations = ["src/migrations"]      # files or directories to read
//! rules = "migguard-rules.toml"        # instead of the built-in rules
//! schema = "public"                    # schema for unqualified names
//! postgres_version = 15                # target server's major version (lint; release-check asks the server)
//!
//! [lint]
//! fail_on = "block"                    # or "warn"
//!
//! [history]
//! table = "migrations"                 # or "core._typeorm_migrations"
//! kind = "typeorm"                     # typeorm | golang-migrate | flyway | diesel | prisma
//!
//! [database]
//! connect_timeout_secs = 10
//! statement_timeout_ms = 30000
//! lock_timeout_ms = 5000
//! command_timeout_secs = 120           # client-side bound on all database work
//! sslmode = "prefer"                   # disable | prefer | require | verify-ca | verify-full
//! sslrootcert = "ca.pem"
//!
//! [drift]
//! ignore = ["public.tmp_*"]            # objects drift never reports
//!
//! [typeorm]
//! read_only_helpers = ["getVectorExtension"]  # get the query runner, only read
//! datasource = "src/data-source.ts"    # for `--entities`: module exporting the DataSource
//! entities = false                     # lint/drift compare the entities (as `--entities`)
//! entities_timeout_secs = 120          # Node is killed after this long
//! server_version = "15"                # what TypeORM's schema builder assumes of PostgreSQL
//!
//! [flyway]
//! java_migrations = ["api/src/main/java/db/migration"]  # Java/Kotlin migration sources
//! placeholders = { schema = "app" }     # values of `${name}` placeholders
//!
//! [runner]                             # what the migration runner's connection sets
//! lock_timeout = "5s"                  # e.g. TypeORM extra.options "-c lock_timeout=5s"
//! statement_timeout = "15min"
//! ```

use crate::error::{Error, Result};
use crate::source::LineIndex;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Migration files or directories (relative to the config file).
    #[serde(default)]
    pub migrations: Vec<PathBuf>,
    /// A rules file to use instead of the built-in one.
    pub rules: Option<PathBuf>,
    /// Schema for unqualified names (default `public`).
    pub schema: Option<String>,
    #[serde(default)]
    pub lint: LintConfig,
    #[serde(default)]
    pub history: HistoryConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub drift: DriftConfig,
    #[serde(default)]
    pub typeorm: TypeormConfig,
    #[serde(default)]
    pub flyway: FlywayConfig,
    /// Major version of the target PostgreSQL server, for lint (`SET NOT NULL`
    /// after a validated CHECK skips its scan from 12 on); release-check asks the
    /// server. Unset: 15 is assumed.
    pub postgres_version: Option<u32>,
    #[serde(default)]
    pub runner: RunnerConfig,
}

/// Settings the migration runner's connection applies before any migration runs
/// (a TypeORM DataSource's `extra.options: "-c lock_timeout=5s"`, `PGOPTIONS`, a role
/// setting): no migration text shows them, so the project declares them here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerConfig {
    /// `lock_timeout` in PostgreSQL's syntax (`"5s"`, `"500ms"`, `"0"` = none).
    pub lock_timeout: Option<String>,
    /// `statement_timeout` in PostgreSQL's syntax.
    pub statement_timeout: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlywayConfig {
    /// Where the project's Flyway Java (or Kotlin) migrations live, besides the
    /// migration paths (relative to the config file): an applied `JDBC` history row
    /// whose class is found here is a known migration, not an unknown one.
    #[serde(default)]
    pub java_migrations: Vec<PathBuf>,
    /// Values of Flyway `${name}` placeholders (`flyway.placeholders.name`, Spring's
    /// `spring.flyway.placeholders.name`), matched by exact name as Flyway's
    /// `PlaceholderReplacer` does: a configured one is read as its value, any other
    /// stays a value known only at run time.
    #[serde(default)]
    pub placeholders: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeormConfig {
    /// Functions that receive the query runner but only read through it (e.g. a
    /// helper that asks which extension is installed). Their calls are not
    /// operations; any other helper given the runner is `opaque` (fail closed). A
    /// reviewer's claim, so keep the list short and name exact functions.
    #[serde(default)]
    pub read_only_helpers: Vec<String>,
    /// The module exporting the application's `DataSource` (or its options, or a
    /// promise of either), `.ts` or compiled `.js`: what `--entities` reads.
    pub datasource: Option<PathBuf>,
    /// Compare the entities in `lint` and `drift` without `--entities`.
    #[serde(default)]
    pub entities: bool,
    /// Deadline for the Node process that reads the entities (default 120 s).
    pub entities_timeout_secs: Option<u64>,
    /// The PostgreSQL version TypeORM's schema builder is told it talks to (default
    /// `15`): it decides, like TypeORM's `afterConnect`, whether generated columns exist.
    pub server_version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// `block` (default) or `warn`; `--fail-on` overrides it.
    pub fail_on: Option<String>,
}

// The ledger kinds (`[history] kind`) are defined beside the code that reads them.
use crate::db::history::HistoryKind;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryConfig {
    /// History table, optionally schema-qualified (`core._typeorm_migrations`).
    /// Default per kind: `migrations`, `schema_migrations`, `flyway_schema_history`,
    /// `__diesel_schema_migrations`, `_prisma_migrations`.
    pub table: Option<String>,
    /// When not configured: what the migrations' layout says (`HistoryConfig::for_migrations`).
    #[serde(default)]
    pub kind: Option<HistoryKind>,
}

/// Config and rules files larger than this are refused (the built-in rules are
/// about 25 KB): a device or a runaway generated file must not be read into memory.
pub const MAX_SETTINGS_FILE_BYTES: u64 = 1024 * 1024;

/// The `sslmode` values libpq accepts and migguard implements.
pub const SSLMODES: &[&str] = &["disable", "prefer", "require", "verify-ca", "verify-full"];

impl HistoryConfig {
    /// The history table as `(schema, table)`: `core._typeorm_migrations` →
    /// `(Some("core"), "_typeorm_migrations")`; unqualified → `(None, name)`, which
    /// the database resolves through its `search_path` as the migration tool does.
    pub fn table_parts(&self) -> (Option<&str>, &str) {
        match self.table_name().split_once('.') {
            Some((schema, table)) => (Some(schema), table),
            None => (None, self.table_name()),
        }
    }

    /// The ledger to read for these migrations: the configured kind; else the one a
    /// configured table name gives away (`schema_migrations`,
    /// `flyway_schema_history`, `__diesel_schema_migrations`, `_prisma_migrations`);
    /// else the tool every migration's layout belongs to (all golang-migrate files →
    /// golang-migrate, all Flyway scripts → Flyway, all diesel / Prisma folders →
    /// diesel / Prisma);
    /// else TypeORM, the default.
    pub fn for_migrations(&self, migrations: &[crate::ir::Migration]) -> HistoryConfig {
        use crate::ir::MigrationFormat as F;
        let by_table = match self
            .table
            .as_deref()
            .map(|t| t.rsplit('.').next().unwrap_or(t))
        {
            Some("schema_migrations") => Some(HistoryKind::GolangMigrate),
            Some("flyway_schema_history") => Some(HistoryKind::Flyway),
            Some("__diesel_schema_migrations") => Some(HistoryKind::Diesel),
            Some("_prisma_migrations") => Some(HistoryKind::Prisma),
            _ => None,
        };
        let all = |f: &dyn Fn(F) -> bool| {
            !migrations.is_empty() && migrations.iter().all(|m| f(m.format))
        };
        let by_layout = if all(&|f| f == F::GolangMigrate) {
            Some(HistoryKind::GolangMigrate)
        } else if all(&|f| matches!(f, F::FlywayVersioned | F::FlywayRepeatable)) {
            Some(HistoryKind::Flyway)
        } else if all(&|f| f == F::Diesel) {
            Some(HistoryKind::Diesel)
        } else if all(&|f| f == F::Prisma) {
            Some(HistoryKind::Prisma)
        } else {
            None
        };
        HistoryConfig {
            table: self.table.clone(),
            kind: Some(self.kind.or(by_table).or(by_layout).unwrap_or_default()),
        }
    }

    pub fn kind(&self) -> HistoryKind {
        self.kind.unwrap_or_default()
    }

    /// The configured table (possibly `schema.table`), else the tool's default.
    pub fn table_name(&self) -> &str {
        self.table.as_deref().unwrap_or(match self.kind() {
            HistoryKind::Typeorm => "migrations",
            HistoryKind::GolangMigrate => "schema_migrations",
            HistoryKind::Flyway => "flyway_schema_history",
            HistoryKind::Diesel => "__diesel_schema_migrations",
            HistoryKind::Prisma => "_prisma_migrations",
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    #[serde(default = "default_statement_timeout")]
    pub statement_timeout_ms: u64,
    #[serde(default = "default_lock_timeout")]
    pub lock_timeout_ms: u64,
    /// Client-side deadline for everything a command does with the database
    /// (connecting included); each query also has its own, `statement_timeout_ms`
    /// + 2 s. The server's timeouts cannot fire when it stops answering.
    #[serde(default = "default_command_timeout")]
    pub command_timeout_secs: u64,
    pub sslmode: Option<String>,
    pub sslrootcert: Option<PathBuf>,
}

fn default_connect_timeout() -> u64 {
    10
}
fn default_statement_timeout() -> u64 {
    30_000
}
fn default_lock_timeout() -> u64 {
    5_000
}
fn default_command_timeout() -> u64 {
    120
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            connect_timeout_secs: default_connect_timeout(),
            statement_timeout_ms: default_statement_timeout(),
            lock_timeout_ms: default_lock_timeout(),
            command_timeout_secs: default_command_timeout(),
            sslmode: None,
            sslrootcert: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftConfig {
    /// Object patterns drift ignores: globs over qualified names (`*` matches any
    /// run of characters; `?`, `[…]` and `{a,b}` as in shell globs).
    #[serde(default)]
    pub ignore: Vec<String>,
}

impl Config {
    /// The schema for unqualified names.
    pub fn default_schema(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }

    /// What the lock analysis knows from the configuration (no replayed model yet).
    pub fn lock_context(&self) -> crate::locks::LockContext {
        crate::locks::LockContext {
            postgres_major: self.postgres_version,
            runner: crate::locks::RunnerSettings {
                lock_timeout: self.runner.lock_timeout.clone(),
                statement_timeout: self.runner.statement_timeout.clone(),
            },
            model_before: None,
            op_facts: None,
            default_schema: self.default_schema().to_string(),
        }
    }

    /// Load `--config PATH`, else `./migguard.toml` when present, else defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<Config> {
        match explicit {
            Some(p) => Config::load(p),
            None => {
                let p = Path::new("migguard.toml");
                if p.is_file() {
                    Config::load(p)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    pub fn load(path: &Path) -> Result<Config> {
        let config_error = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let bytes = crate::source::read_bounded(path, MAX_SETTINGS_FILE_BYTES, "config file")
            .map_err(|e| config_error(e.to_string()))?;
        let text =
            String::from_utf8(bytes).map_err(|e| config_error(format!("not valid UTF-8 ({e})")))?;
        let mut config = Config::parse(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let resolve = |p: &PathBuf| {
            if p.is_absolute() || base.as_os_str().is_empty() {
                p.clone()
            } else {
                base.join(p)
            }
        };
        config.migrations = config.migrations.iter().map(resolve).collect();
        config.flyway.java_migrations = config.flyway.java_migrations.iter().map(resolve).collect();
        config.rules = config.rules.as_ref().map(resolve);
        config.typeorm.datasource = config.typeorm.datasource.as_ref().map(resolve);
        config.database.sslrootcert = config.database.sslrootcert.as_ref().map(resolve);
        Ok(config)
    }

    /// Parse config text; the error message carries line and column.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| LineIndex::new(text).line_col(text, s.start))
                .unwrap_or((1, 1));
            format!("line {line}, column {col}: {}", e.message().trim())
        })?;
        for p in &config.drift.ignore {
            crate::drift::ignore::check_pattern(p).map_err(|e| format!("[drift] ignore: {e}"))?;
        }
        if let Some(m) = &config.database.sslmode {
            if !SSLMODES.contains(&m.as_str()) {
                return Err(format!(
                    "[database] sslmode = \"{m}\": expected one of {}",
                    SSLMODES.join(", ")
                ));
            }
        }
        let db = &config.database;
        for (key, value) in [
            ("connect_timeout_secs", db.connect_timeout_secs),
            ("statement_timeout_ms", db.statement_timeout_ms),
            ("lock_timeout_ms", db.lock_timeout_ms),
            ("command_timeout_secs", db.command_timeout_secs),
        ] {
            // PostgreSQL reads 0 as "no timeout": a gate must never wait forever.
            if value == 0 {
                return Err(format!(
                    "[database] {key} = 0: a timeout must be positive (0 would mean no timeout)"
                ));
            }
        }
        if config
            .schema
            .as_deref()
            .is_some_and(|s| s.trim().is_empty())
        {
            return Err("schema = \"\": name a schema (default \"public\")".into());
        }
        if let Some(t) = &config.history.table {
            if t.trim().is_empty() || t.split('.').count() > 2 || t.split('.').any(str::is_empty) {
                return Err(format!(
                    "[history] table = \"{t}\": expected `table` or `schema.table`"
                ));
            }
        }
        if let Some(f) = &config.lint.fail_on {
            if f != "block" && f != "warn" {
                return Err(format!(
                    "[lint] fail_on = \"{f}\": expected \"block\" or \"warn\""
                ));
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flyway_placeholders_are_a_table_of_names_and_values() {
        let c = Config::parse(
            "[flyway]\nplaceholders = { schema = \"app\", \"Mixed.Case\" = \"x\" }\n",
        )
        .unwrap();
        assert_eq!(c.flyway.placeholders["schema"], "app");
        assert_eq!(c.flyway.placeholders["Mixed.Case"], "x");
        assert!(Config::parse("[flyway]\nplaceholders = { n = 1 }\n").is_err());
    }

    #[test]
    fn flyway_java_migrations_resolve_against_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("migguard.toml");
        std::fs::write(&path, "[flyway]\njava_migrations = [\"api/java\"]\n").unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.flyway.java_migrations, [dir.path().join("api/java")]);
        let err = Config::parse("[flyway]\njava_migration = []\n").unwrap_err();
        assert!(err.starts_with("line 2, column 1"), "{err}");
    }

    #[test]
    fn unknown_keys_are_rejected_with_position() {
        let err = Config::parse("migrations = []\n[history]\ntabel = \"x\"\n").unwrap_err();
        assert!(err.starts_with("line 3, column 1"), "{err}");
        assert!(err.contains("unknown field `tabel`"), "{err}");
    }

    #[test]
    fn defaults_and_history_tables() {
        let c = Config::parse("[history]\nkind = \"flyway\"\n").unwrap();
        assert_eq!(c.history.table_name(), "flyway_schema_history");
        assert_eq!(c.default_schema(), "public");
        assert_eq!(c.database.lock_timeout_ms, 5000);
        let c = Config::parse("[history]\nkind = \"diesel\"\n").unwrap();
        assert_eq!(c.history.table_name(), "__diesel_schema_migrations");
        // The table name gives diesel away when the kind is not configured.
        let c = Config::parse("[history]\nkind = \"prisma\"\n").unwrap();
        assert_eq!(c.history.table_name(), "_prisma_migrations");
        let c = Config::parse("[history]\ntable = \"app.__diesel_schema_migrations\"\n").unwrap();
        assert_eq!(
            c.history.for_migrations(&[]).kind,
            Some(HistoryKind::Diesel)
        );
    }

    #[test]
    fn history_table_may_be_schema_qualified() {
        let c = Config::parse("[history]\ntable = \"core._typeorm_migrations\"\n").unwrap();
        assert_eq!(
            c.history.table_parts(),
            (Some("core"), "_typeorm_migrations")
        );
        let c = Config::parse("").unwrap();
        assert_eq!(c.history.table_parts(), (None, "migrations"));
        let err = Config::parse("[history]\ntable = \"a.b.c\"\n").unwrap_err();
        assert!(err.contains("schema.table"), "{err}");
    }

    #[test]
    fn values_are_checked() {
        let err = Config::parse("[database]\nsslmode = \"verify\"\n").unwrap_err();
        assert!(err.contains("verify-full"), "{err}");
        assert!(Config::parse("[database]\nsslmode = \"verify-ca\"\n").is_ok());
        let err = Config::parse("[lint]\nfail_on = \"info\"\n").unwrap_err();
        assert!(err.contains("fail_on"), "{err}");
        let err = Config::parse("[history]\nkind = \"liquibase\"\n").unwrap_err();
        assert!(err.starts_with("line 2, column 8"), "{err}");
        let err = Config::parse("[database]\nlock_timeout_ms = \"5s\"\n").unwrap_err();
        assert!(err.starts_with("line 2, column 19"), "{err}");
    }

    #[test]
    fn relative_paths_resolve_against_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("migguard.toml");
        std::fs::write(
            &p,
            "migrations = [\"src/migrations\"]\nrules = \"r.toml\"\n",
        )
        .unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(c.migrations, vec![dir.path().join("src/migrations")]);
        assert_eq!(c.rules, Some(dir.path().join("r.toml")));
    }
}
