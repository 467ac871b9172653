//! `migguard init`: find out what kind of project a folder holds and write the
//! `migguard.toml` that wires migguard into it.
//!
//! Adoption starts with a config nobody has to research: the migrations folder, the
//! history table and the tool are already written down by the project (a TypeORM
//! DataSource, a Prisma/diesel/Flyway/golang-migrate folder layout), so `init` reads them
//! rather than asking. TypeORM settings are read statically with the TypeORM reader
//! ([`crate::parse::typeorm::read_data_source`]); without a readable DataSource
//! (NestJS's `forRootAsync`), the folder is the one holding the files that reader
//! reads as timestamped migration classes; SQL layouts are recognised by the same
//! file-name rules discovery uses ([`crate::source::layout::sql_identity`]). What cannot
//! be read is written into the file as a comment to check, never guessed silently.
//!
//! Detection reads files; [`render_config`] and [`wiring`] are pure.

use crate::db::history::HistoryKind;
use crate::error::{Error, Result};
use crate::ir::MigrationFormat;
use crate::parse::typeorm::data_source::{DataSourceOptions, MigrationsEntry, Setting};
use crate::source::layout::{sql_identity, Side};
use crate::source::SourceFile;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Folders never searched: dependencies, build output, VCS data.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    "dist",
    "build",
    "out",
    "target",
    "coverage",
    "vendor",
];
/// How deep below the project folder `init` looks: a monorepo's migrations sit 7
/// deep (`packages/core/src/lib/database/migrations/<file>`, ever-gauzy).
const MAX_DEPTH: usize = 8;
/// A DataSource file larger than this is not one.
const MAX_SOURCE_BYTES: u64 = 512 * 1024;

/// The migration tool a project uses, as far as `init` could tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Typeorm,
    Prisma,
    Diesel,
    Flyway,
    GolangMigrate,
    /// Numbered `.sql` files with no tool known.
    PlainSql,
}

impl Tool {
    fn history_kind(self) -> Option<HistoryKind> {
        match self {
            Tool::Typeorm => Some(HistoryKind::Typeorm),
            Tool::Prisma => Some(HistoryKind::Prisma),
            Tool::Diesel => Some(HistoryKind::Diesel),
            Tool::Flyway => Some(HistoryKind::Flyway),
            Tool::GolangMigrate => Some(HistoryKind::GolangMigrate),
            Tool::PlainSql => None,
        }
    }

    fn kind_name(kind: HistoryKind) -> &'static str {
        match kind {
            HistoryKind::Typeorm => "typeorm",
            HistoryKind::GolangMigrate => "golang-migrate",
            HistoryKind::Flyway => "flyway",
            HistoryKind::Diesel => "diesel",
            HistoryKind::Prisma => "prisma",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tool::Typeorm => "TypeORM",
            Tool::Prisma => "Prisma Migrate",
            Tool::Diesel => "diesel",
            Tool::Flyway => "Flyway",
            Tool::GolangMigrate => "golang-migrate",
            Tool::PlainSql => "plain SQL files",
        }
    }
}

/// What `init` found in the project folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub tool: Tool,
    /// Where it was read from (`src/data-source.ts`, `prisma/migrations`).
    pub source: String,
    /// Migration folders or files, relative to the project folder, `/`-separated.
    pub migrations: Vec<String>,
    /// The compiled counterpart of `migrations` a release image runs (TypeORM + tsc).
    pub compiled_migrations: Option<String>,
    /// The module `typeorm migration:run -d` loads in the release command: the
    /// DataSource file as compiled (`dist/data-source.js`), else the file itself.
    pub compiled_data_source: Option<String>,
    pub history_table: Option<String>,
    pub schema: Option<String>,
    /// Things to check by hand, written as comments into the file.
    pub notes: Vec<String>,
}

impl Detected {
    pub fn tool_label(&self) -> &'static str {
        self.tool.label()
    }
}

/// Look at `dir` and tell what it holds; an error when no migrations can be found.
pub fn detect(dir: &Path) -> Result<Detected> {
    let files = project_files(dir);
    if let Some(found) = detect_typeorm(dir, &files) {
        return Ok(found);
    }
    if let Some(found) = detect_typeorm_classes(dir, &files) {
        return Ok(found);
    }
    if let Some(mut found) = detect_sql(&files) {
        if found.tool == Tool::Flyway {
            if let Some((file, locations)) = spring_flyway_locations(dir) {
                found.notes.push(format!(
                    "the migration folders are `spring.flyway.locations` of {file}; \
                     another Spring profile may run other locations"
                ));
                found.migrations = locations;
            }
        }
        return Ok(found);
    }
    Err(Error::Input {
        path: dir.to_path_buf(),
        message: "no migrations found: no TypeORM DataSource or ormconfig, and no \
                  .sql migrations in a known layout (Prisma, diesel, Flyway, \
                  golang-migrate, numbered); write migguard.toml by hand \
                  (`migrations = [\"…\"]`)"
            .into(),
    })
}

/// Every file under `dir` (relative, `/`-separated), skipping dependencies and build
/// output, in path order.
fn project_files(dir: &Path) -> Vec<String> {
    let walker = walkdir::WalkDir::new(dir)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIPPED_DIRS.contains(&n) || n.starts_with('.')))
        });
    walker
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .collect()
}

fn is_script(path: &str) -> bool {
    [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]
        .iter()
        .any(|ext| path.ends_with(ext))
        && !path.ends_with(".d.ts")
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

fn join(base: &str, rest: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The folder a TypeORM glob reads (`src/migrations/*{.ts,.js}` → `src/migrations`),
/// or the file when it names one.
fn glob_root(pattern: &str) -> String {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal: Vec<&str> = parts
        .iter()
        .take_while(|p| !p.contains(['*', '?', '[', '{']))
        .copied()
        .collect();
    literal.join("/")
}

fn read_text(path: &Path) -> Option<String> {
    let bytes = crate::source::read_bounded(path, MAX_SOURCE_BYTES, "source file").ok()?;
    String::from_utf8(bytes).ok()
}

/// A DataSource file: named like one, or holding `new DataSource(`. Named ones first.
fn data_source_candidates(dir: &Path, files: &[String]) -> Vec<(String, SourceFile)> {
    let named = |p: &str| {
        let n = file_name(p).to_ascii_lowercase();
        n.contains("data-source") || n.contains("datasource") || n.starts_with("ormconfig")
    };
    let mut out: Vec<(bool, String, SourceFile)> = Vec::new();
    for path in files.iter().filter(|p| is_script(p)) {
        let is_named = named(path);
        let Some(text) = read_text(&dir.join(path)) else {
            continue;
        };
        if is_named || text.contains("DataSource(") {
            out.push((
                is_named,
                path.clone(),
                SourceFile::new(PathBuf::from(path), text),
            ));
        }
    }
    out.sort_by_key(|(is_named, path, _)| (!is_named, path.matches('/').count()));
    out.into_iter().map(|(_, p, f)| (p, f)).collect()
}

/// TypeORM 0.2's `ormconfig.json` (an object, or an array of connections: the one
/// named `default`, else the first).
fn ormconfig_json(dir: &Path) -> Option<DataSourceOptions> {
    let text = read_text(&dir.join("ormconfig.json"))?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let options = match &value {
        serde_json::Value::Array(all) => all
            .iter()
            .find(|c| c["name"] == "default")
            .or_else(|| all.first())?,
        other => other,
    };
    let setting = |key: &str| match &options[key] {
        serde_json::Value::Null => Setting::Unset,
        serde_json::Value::String(s) => Setting::Value(s.clone()),
        other => Setting::Unreadable(other.to_string()),
    };
    let migrations = match &options["migrations"] {
        serde_json::Value::Null => None,
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .map(|i| match i {
                    serde_json::Value::String(pattern) => MigrationsEntry::Glob {
                        pattern: pattern.clone(),
                        from_file_dir: false,
                    },
                    other => MigrationsEntry::Unreadable(other.to_string()),
                })
                .collect(),
        ),
        other => Some(vec![MigrationsEntry::Unreadable(other.to_string())]),
    };
    Some(DataSourceOptions {
        line: 1,
        migrations,
        migrations_table_name: setting("migrationsTableName"),
        migrations_transaction_mode: setting("migrationsTransactionMode"),
        schema: setting("schema"),
        db_type: setting("type"),
        spread: false,
        built_in_function: false,
    })
}

fn detect_typeorm(dir: &Path, files: &[String]) -> Option<Detected> {
    let (source, options) = data_source_candidates(dir, files)
        .into_iter()
        .find_map(|(path, file)| crate::parse::typeorm::read_data_source(&file).map(|o| (path, o)))
        .or_else(|| ormconfig_json(dir).map(|o| ("ormconfig.json".to_string(), o)))?;
    let mut notes = Vec::new();
    if let Setting::Value(t) = &options.db_type {
        if !matches!(t.as_str(), "postgres" | "cockroachdb" | "aurora-postgres") {
            notes.push(format!(
                "{source}: `type: \"{t}\"` — migguard checks PostgreSQL migrations only"
            ));
        }
    }
    let base_dir = parent(&source).to_string();
    let mut migrations = Vec::new();
    match &options.migrations {
        Some(entries) => {
            for e in entries {
                match e {
                    MigrationsEntry::Glob {
                        pattern,
                        from_file_dir,
                    } => {
                        let root = glob_root(pattern);
                        let path = if *from_file_dir {
                            join(&base_dir, &root)
                        } else {
                            join("", &root)
                        };
                        if !migrations.contains(&path) {
                            migrations.push(path);
                        }
                    }
                    MigrationsEntry::Unreadable(text) => notes.push(format!(
                        "{source}: migrations entry `{}` is not a path migguard can read \
                         statically; add its folder to `migrations` by hand",
                        one_line(text)
                    )),
                }
            }
        }
        None => {
            // Options computed elsewhere (a spread, a function's argument) name no
            // folder migguard can read: the folder holding the migration classes is
            // still the best guess, keeping the DataSource's table and schema.
            let found = detect_typeorm_classes(dir, files).map(|c| c.migrations);
            notes.push(format!(
                "{source}: the DataSource sets no `migrations`{}; {}",
                if options.spread {
                    " here (it may come from a spread object)"
                } else {
                    ""
                },
                match &found {
                    Some(folders) => format!(
                        "`{}` was found by its migration classes: check it is the folder \
                         the DataSource loads",
                        folders.join("`, `")
                    ),
                    None => "add the folder by hand".into(),
                }
            ));
            migrations.extend(found.unwrap_or_default());
        }
    }
    // A glob into the build output (`dist/migrations/*.js`) is what the release image
    // runs; the PR gate reads the TypeScript it is compiled from.
    let out_dir = tsconfig_dir(dir, "outDir").unwrap_or_else(|| "dist".into());
    let root_dir = tsconfig_dir(dir, "rootDir");
    let mut compiled = None;
    for m in migrations.iter_mut() {
        if let Some(rest) = m.strip_prefix(&format!("{out_dir}/")) {
            let source_dir = join(root_dir.as_deref().unwrap_or("src"), rest);
            if dir.join(&source_dir).exists() {
                compiled = Some(m.clone());
                *m = source_dir;
            }
        }
    }
    if compiled.is_none() && migrations.len() == 1 && dir.join("tsconfig.json").is_file() {
        let src_root = root_dir.clone().unwrap_or_else(|| "src".into());
        if let Some(rest) = migrations[0].strip_prefix(&format!("{src_root}/")) {
            compiled = Some(join(&out_dir, rest));
        }
    }
    for m in &migrations {
        if !dir.join(m).exists() {
            notes.push(format!("`{m}` does not exist yet"));
        }
    }
    if options.built_in_function {
        notes.push(format!(
            "{source}: the DataSource is built inside a function; `typeorm migration:run \
             -d` needs a module that exports one"
        ));
    }
    let cli_module = !options.built_in_function;
    let compiled_data_source = cli_module
        .then(|| {
            if !dir.join("tsconfig.json").is_file() {
                return is_script(&source).then(|| source.clone());
            }
            let rel = source
                .strip_prefix(&format!("{}/", root_dir.as_deref().unwrap_or("src")))
                .unwrap_or(&source);
            let js = rel
                .strip_suffix(".ts")
                .map(|s| format!("{s}.js"))
                .unwrap_or_else(|| rel.to_string());
            Some(join(&out_dir, &js))
        })
        .flatten();
    let schema = match &options.schema {
        Setting::Value(s) => Some(s.clone()),
        Setting::Unreadable(t) => {
            notes.push(format!(
                "{source}: `schema: {}` is not a literal; set `schema` and `[history] table` by hand",
                one_line(t)
            ));
            None
        }
        Setting::Unset => None,
    };
    let table_name = match &options.migrations_table_name {
        Setting::Value(t) => t.clone(),
        Setting::Unreadable(t) => {
            notes.push(format!(
                "{source}: `migrationsTableName: {}` is not a literal; set `[history] table` by hand",
                one_line(t)
            ));
            "migrations".into()
        }
        Setting::Unset => "migrations".into(),
    };
    // TypeORM creates its table in the DataSource's schema.
    let history_table = Some(match &schema {
        Some(s) => format!("{s}.{table_name}"),
        None => table_name,
    });
    match &options.migrations_transaction_mode {
        Setting::Value(mode) if mode == "none" => notes.push(format!(
            "{source}: `migrationsTransactionMode: \"none\"` — TypeORM runs each migration \
             outside a transaction unless it sets `transaction = true`; migguard reads every \
             migration as transactional unless it sets `transaction = false`, so mark the \
             ones that rely on running outside one"
        )),
        Setting::Value(mode) if mode == "all" => notes.push(format!(
            "{source}: `migrationsTransactionMode: \"all\"` — TypeORM runs all pending \
             migrations in one transaction (and refuses a migration that sets its own \
             `transaction`); migguard checks each migration as transactional"
        )),
        Setting::Unreadable(t) => notes.push(format!(
            "{source}: `migrationsTransactionMode: {}` is not a literal",
            one_line(t)
        )),
        _ => {}
    }
    Some(Detected {
        tool: Tool::Typeorm,
        source,
        migrations,
        compiled_migrations: compiled,
        compiled_data_source,
        history_table,
        schema,
        notes,
    })
}

/// No DataSource migguard can read (NestJS's `forRootAsync`, options from the
/// environment): the folder holding the most files the TypeORM reader reads as
/// migration classes with a timestamp, i.e. what TypeORM would load.
fn detect_typeorm_classes(dir: &Path, files: &[String]) -> Option<Detected> {
    let mut folders: BTreeMap<&str, usize> = BTreeMap::new();
    for path in files.iter().filter(|p| is_script(p)) {
        let Some(text) = read_text(&dir.join(path)) else {
            continue;
        };
        let file = SourceFile::new(PathBuf::from(path), text);
        let migrations = crate::parse::typeorm::read_typeorm_file(&file, &Default::default());
        if migrations
            .iter()
            .any(|m| m.version.is_some() && m.read_errors.is_empty())
        {
            *folders.entry(parent(path)).or_default() += 1;
        }
    }
    let (folder, _) = folders
        .into_iter()
        .max_by_key(|(folder, n)| (*n, std::cmp::Reverse(folder.matches('/').count())))?;
    let folder = if folder.is_empty() { "." } else { folder };
    Some(Detected {
        tool: Tool::Typeorm,
        source: folder.to_string(),
        migrations: vec![folder.to_string()],
        compiled_migrations: None,
        compiled_data_source: None,
        history_table: Some("migrations".into()),
        schema: None,
        notes: vec![
            "no DataSource or ormconfig migguard can read statically: the folder was found \
             by its migration classes; check `migrationsTableName` and `schema` in your \
             TypeORM options and set `[history] table` (`schema.table`) to match"
                .into(),
        ],
    })
}

fn one_line(text: &str) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    t.chars().take(80).collect()
}

/// `"outDir": "./dist"` in tsconfig.json (comments and all: a regex, not a JSON parser).
fn tsconfig_dir(dir: &Path, key: &str) -> Option<String> {
    let text = read_text(&dir.join("tsconfig.json"))?;
    let re = regex::Regex::new(&format!(r#""{key}"\s*:\s*"([^"]+)""#)).ok()?;
    let value = re.captures(&text)?.get(1)?.as_str();
    let value = join("", value);
    (!value.is_empty()).then_some(value)
}

/// `spring.flyway.locations` of a Spring Boot project's default configuration
/// (`src/main/resources/application.{properties,yml,yaml}`) as folders of the project:
/// Flyway runs every location, so the folder with the most files is not the whole
/// story (hmpps-activities-management-api: `common` plus `prod`). `classpath:` (and
/// no prefix) is `src/main/resources`, `filesystem:` the project; `None` unless every
/// location is a folder that exists (a `${…}` value is only known at run time).
fn spring_flyway_locations(dir: &Path) -> Option<(String, Vec<String>)> {
    let resources = "src/main/resources";
    let (file, value) = [
        "application.properties",
        "application.yml",
        "application.yaml",
    ]
    .iter()
    .find_map(|name| {
        let text = read_text(&dir.join(resources).join(name))?;
        let value = if name.ends_with(".properties") {
            let re =
                regex::Regex::new(r"(?m)^\s*spring\.flyway\.locations\s*[=:]\s*(.+?)\s*$").ok()?;
            re.captures(&text)?.get(1)?.as_str().to_string()
        } else {
            yaml_flyway_locations(&text)?
        };
        Some((format!("{resources}/{name}"), value))
    })?;
    let folders: Option<Vec<String>> = value
        .split(',')
        .map(|l| {
            let l = l.trim().trim_matches(|c| c == '"' || c == '\'');
            if l.contains("${") || l.is_empty() {
                return None;
            }
            let folder = match l.strip_prefix("filesystem:") {
                Some(path) => join("", path),
                None => join(resources, l.strip_prefix("classpath:").unwrap_or(l)),
            };
            dir.join(&folder).is_dir().then_some(folder)
        })
        .collect();
    Some((file, folders.filter(|f| !f.is_empty())?))
}

/// The `locations` under a `flyway:` key of a YAML file (inline, comma-separated, or
/// a `- item` list), by indentation: a small reader, not a YAML parser.
fn yaml_flyway_locations(text: &str) -> Option<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == "flyway:")?;
    let base = indent(lines[start]);
    let block: Vec<&str> = lines[start + 1..]
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .take_while(|l| indent(l) > base)
        .collect();
    let at = block
        .iter()
        .position(|l| l.trim_start().starts_with("locations:"))?;
    let inline = block[at].trim_start()["locations:".len()..].trim();
    if !inline.is_empty() {
        return Some(inline.to_string());
    }
    let items: Vec<&str> = block[at + 1..]
        .iter()
        .take_while(|l| l.trim_start().starts_with("- "))
        .map(|l| l.trim_start()[2..].trim())
        .collect();
    (!items.is_empty()).then(|| items.join(","))
}

/// Folder names that say a migration folder is PostgreSQL's.
const POSTGRES_NAMES: &[&str] = &["postgres", "postgresql", "pg", "pgsql"];
/// Folder names of the other databases multi-backend projects keep migrations for.
const OTHER_DATABASES: &[&str] = &[
    "mysql",
    "mariadb",
    "sqlite",
    "sqlite3",
    "mssql",
    "sqlserver",
    "oracle",
];

/// Whether a folder path has a component named after one of `backends`.
fn names_backend(root: &str, backends: &[&str]) -> bool {
    root.split('/')
        .any(|part| backends.iter().any(|b| part.eq_ignore_ascii_case(b)))
}

/// The folder holding the most `.sql` migrations in a known layout (the PostgreSQL
/// one where a project keeps a folder per database), and its tool.
fn detect_sql(files: &[String]) -> Option<Detected> {
    let mut roots: BTreeMap<String, Vec<MigrationFormat>> = BTreeMap::new();
    for path in files.iter().filter(|p| p.ends_with(".sql")) {
        let Some(id) = sql_identity(Path::new(path)) else {
            continue;
        };
        if id.side != Side::Up {
            continue;
        }
        // diesel and Prisma keep one folder per migration: the root is one level up.
        let root = match id.format {
            MigrationFormat::Diesel | MigrationFormat::Prisma => parent(parent(path)),
            _ => parent(path),
        };
        roots.entry(root.to_string()).or_default().push(id.format);
    }
    // A project that supports several databases keeps a folder per backend
    // (`migrations/{mysql,postgresql,sqlite}`): the PostgreSQL one is read whatever
    // the counts, the others never (their SQL is not PostgreSQL's).
    let other_backends: Vec<String> = roots
        .keys()
        .filter(|root| names_backend(root, OTHER_DATABASES))
        .cloned()
        .collect();
    let (root, formats) = roots.into_iter().max_by_key(|(root, f)| {
        // Then most files wins; on a tie the shallower folder (stable: BTreeMap order).
        (
            names_backend(root, POSTGRES_NAMES),
            !names_backend(root, OTHER_DATABASES),
            f.len(),
            std::cmp::Reverse(root.matches('/').count()),
        )
    })?;
    let all = |f: &dyn Fn(MigrationFormat) -> bool| formats.iter().all(|m| f(*m));
    let tool = if all(&|f| f == MigrationFormat::Prisma) {
        Tool::Prisma
    } else if all(&|f| f == MigrationFormat::Diesel) {
        Tool::Diesel
    } else if all(&|f| {
        matches!(
            f,
            MigrationFormat::FlywayVersioned | MigrationFormat::FlywayRepeatable
        )
    }) {
        Tool::Flyway
    } else if all(&|f| f == MigrationFormat::GolangMigrate) {
        Tool::GolangMigrate
    } else {
        Tool::PlainSql
    };
    let mut notes = Vec::new();
    if !other_backends.is_empty() && !names_backend(&root, OTHER_DATABASES) {
        notes.push(format!(
            "not read, migrations for another database: {}",
            other_backends.join(", ")
        ));
    }
    if tool == Tool::PlainSql {
        notes.push(
            "numbered .sql files: no migration tool recognised; set `[history] kind` and \
             `table` to the ledger your tool keeps (release-check and drift read it)"
                .into(),
        );
    }
    let root = if root.is_empty() { ".".into() } else { root };
    Some(Detected {
        tool,
        source: root.clone(),
        migrations: vec![root],
        compiled_migrations: None,
        compiled_data_source: None,
        history_table: None,
        schema: None,
        notes,
    })
}

fn toml_string(s: &str) -> String {
    // serde_json's string escaping is valid TOML basic-string escaping.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The commented `migguard.toml` for what was detected.
pub fn render_config(d: &Detected) -> String {
    let mut out = String::new();
    out.push_str("# migguard.toml, written by `migguard init`.\n");
    out.push_str(&format!(
        "# Detected: {} (from {}).\n",
        d.tool.label(),
        d.source
    ));
    out.push_str("# Every key is optional; see the README and `src/config.rs` for all of them.\n");
    if !d.notes.is_empty() {
        out.push_str("#\n# Check by hand:\n");
        for note in &d.notes {
            out.push_str(&format!("#  - {}\n", note.replace('\n', " ")));
        }
    }
    out.push_str("\n# Migration files or folders, relative to this file (what `lint` reads).\n");
    let list: Vec<String> = d.migrations.iter().map(|m| toml_string(m)).collect();
    out.push_str(&format!("migrations = [{}]\n", list.join(", ")));
    if let Some(compiled) = &d.compiled_migrations {
        out.push_str(&format!(
            "# The release image runs the compiled copy: `migguard release-check {compiled}`.\n"
        ));
    }
    match &d.schema {
        Some(s) => out.push_str(&format!(
            "\n# Schema for unqualified names (the DataSource's `schema`).\nschema = {}\n",
            toml_string(s)
        )),
        None => out.push_str("\n# Schema for unqualified names.\n# schema = \"public\"\n"),
    }
    out.push_str("\n[lint]\n# \"block\" fails the PR gate on blocking findings only; \"warn\" on warnings too.\nfail_on = \"block\"\n");
    out.push_str("\n[history]\n# The ledger release-check and drift read.\n");
    match d.tool.history_kind() {
        Some(kind) => out.push_str(&format!("kind = \"{}\"\n", Tool::kind_name(kind))),
        None => out.push_str(
            "# kind = \"golang-migrate\"   # typeorm | golang-migrate | flyway | diesel | prisma\n",
        ),
    }
    match &d.history_table {
        Some(t) => out.push_str(&format!("table = {}\n", toml_string(t))),
        None => {
            out.push_str("# table = \"…\"               # default: the tool's own table name\n")
        }
    }
    out.push_str(
        "\n[database]\n# Connection: --database-url, else DATABASE_URL, else libpq PG* variables.\n\
         # sslmode = \"verify-full\"    # disable | prefer | require | verify-ca | verify-full\n\
         connect_timeout_secs = 10\n\
         statement_timeout_ms = 30000\n\
         lock_timeout_ms = 5000\n\
         command_timeout_secs = 120\n",
    );
    out.push_str("\n[drift]\n# Objects drift never reports (`*` matches any run of characters).\nignore = []\n");
    out
}

/// The three commands to wire in, one per line with a label.
pub fn wiring(d: &Detected, config_arg: &str) -> String {
    let cfg = if config_arg.is_empty() {
        String::new()
    } else {
        format!(" --config {config_arg}")
    };
    let release_paths = d
        .compiled_migrations
        .as_ref()
        .map(|c| format!(" {c}"))
        .unwrap_or_default();
    let run_tool = match d.tool {
        Tool::Typeorm => format!(
            "npx typeorm migration:run -d {}",
            d.compiled_data_source
                .clone()
                .unwrap_or_else(|| "<your DataSource file>".into())
        ),
        Tool::Prisma => "npx prisma migrate deploy".into(),
        Tool::Diesel => "diesel migration run".into(),
        Tool::Flyway => "flyway migrate".into(),
        Tool::GolangMigrate => "migrate -path … -database \"$DATABASE_URL\" up".into(),
        Tool::PlainSql => "<your migration tool>".into(),
    };
    format!(
        "PR gate (CI, full history checked out):\n  migguard lint{cfg} --changed-since origin/main\n\
         Release pre-check (release phase, right before the migrations run):\n  migguard release-check{cfg}{release_paths} && {run_tool}\n\
         Drift audit (scheduled, or before a release):\n  migguard drift{cfg} --allow-pending-migrations\n"
    )
}
