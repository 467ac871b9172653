//! Command-line definitions (clap derive). No behaviour lives here: each subcommand's
//! arguments are handed to its module in `commands/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "migguard",
    version,
    about = "Keeps PostgreSQL schema migrations from breaking production",
    long_about = "migguard lints TypeORM and SQL migrations (PR gate), checks pending \
                  migrations before they run (release pre-check) and audits live schemas \
                  for drift.\n\nExit codes: 0 passed, 1 the gate failed, 2 migguard could \
                  not do its job."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Configuration file (default: ./migguard.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Rules file to use instead of the built-in rules/rules.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// When to use colours in human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Only print failures and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail: acknowledged, suppressed and grandfathered findings one per
    /// line, every migration read, and rules that are off (`rules`).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

pub use crate::report::{ColorChoice, Format};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Block,
    Warn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    Sql,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint migrations: classify risky operations, enforce expand/contract discipline.
    Lint(LintArgs),
    /// Before `migration:run`: refuse pending destructive migrations and unmet expands.
    ReleaseCheck(ReleaseCheckArgs),
    /// Compare the live schema with the schema the local migrations produce.
    Drift(DriftArgs),
    /// Print the expected schema, replayed offline from the migrations.
    Schema(SchemaArgs),
    /// Print the live schema, introspected from the database (read-only).
    Inspect(InspectArgs),
    /// List the loaded rules.
    Rules(RulesArgs),
    /// Explain one rule: what it catches, why it matters, what to do instead.
    Explain(ExplainArgs),
    /// Detect the project (TypeORM DataSource, SQL layout) and write migguard.toml.
    Init(InitArgs),
}

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Migration files or directories (default: `migrations` in migguard.toml).
    pub paths: Vec<PathBuf>,
    /// Gate only migrations added since merge-base(REF, HEAD); others are grandfathered.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Lowest severity that fails the gate (default: `[lint] fail_on` in migguard.toml, else block).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Also compare the TypeORM entities (`[typeorm] datasource`) with the replay of
    /// all migrations: an entity object no migration creates is `missing-migration`.
    #[arg(long)]
    pub entities: bool,
    /// Table sizes written by `migguard inspect --stats`: size-aware rules block on
    /// tables above their thresholds, as release-check does with the live sizes.
    #[arg(long, value_name = "FILE")]
    pub table_stats: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// postgres://user@host:port/db?sslmode=… (else DATABASE_URL, else libpq PG* variables).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ReleaseCheckArgs {
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Allow pending contract (destructive) migrations whose expand migration is applied.
    /// Without the flag, `ALLOW_DESTRUCTIVE_MIGRATIONS=true` (any case) allows them;
    /// empty or unset, `false` and `0` do not; any other value is an error (exit 2).
    #[arg(long)]
    pub allow_destructive: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct DriftArgs {
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Differences the pending migrations will reconcile are warnings, not failures.
    #[arg(long)]
    pub allow_pending_migrations: bool,
    /// Schemas to compare (repeatable; default: every schema the migrations — and, with
    /// `--entities`, the entities — use, the configured schema first).
    #[arg(long = "schema", value_name = "SCHEMA")]
    pub schemas: Vec<String>,
    /// Compare the live database with the TypeORM entities (`[typeorm] datasource`)
    /// instead of the replay of the migrations.
    #[arg(long)]
    pub entities: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Sql)]
    pub format: SchemaFormat,
}

#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Schemas to introspect (repeatable; default: every schema of the database that
    /// is not the system's, the configured schema first).
    #[arg(long = "schema", value_name = "SCHEMA")]
    pub schemas: Vec<String>,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
    pub format: SchemaFormat,
    /// Print the tables' sizes (estimated rows, bytes, partitioned) as a stats file
    /// for `lint --table-stats` instead of the schema.
    #[arg(long, conflicts_with = "format")]
    pub stats: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. `drop-column`.
    pub rule: String,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Project folder (default: the working directory). The file is written to
    /// `--config FILE` when given, else to `migguard.toml` in this folder.
    pub dir: Option<PathBuf>,
    /// Overwrite an existing configuration file.
    #[arg(long)]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn schema_help(subcommand: &str) -> String {
        let mut cli = Cli::command();
        let sub = cli.find_subcommand_mut(subcommand).expect(subcommand);
        let arg = sub
            .get_arguments()
            .find(|a| a.get_id() == "schemas")
            .expect("--schema");
        arg.get_help().map(ToString::to_string).unwrap_or_default()
    }

    /// The `--schema` help states the default the commands apply: drift compares every
    /// schema the migrations use, inspect every user schema (not only `public`).
    #[test]
    fn schema_help_states_the_default_the_commands_apply() {
        assert!(
            schema_help("drift").contains("every schema the migrations"),
            "{}",
            schema_help("drift")
        );
        assert!(
            schema_help("inspect").contains("every schema of the database"),
            "{}",
            schema_help("inspect")
        );
    }
}
