//! Entities: the schema the application's TypeORM entities declare, read through the
//! project's own TypeORM, so that a column added to an entity with no migration behind
//! it is caught at PR time (`lint --entities`) and before a deploy (`drift --entities`).
//!
//! Exactness comes from letting TypeORM do the work: the bundled Node script
//! (`node/entities.js`, embedded here and written to a temp file at run time, so the
//! binary stands alone) loads the project's DataSource module, builds the entity
//! metadata without connecting, and records the SQL TypeORM 0.3's schema builder runs
//! on an empty database (what `migration:generate` writes for it): naming strategy,
//! type normalisation, defaults, enum type names, join columns and tables, embedded
//! columns, inheritance and tree tables are TypeORM's own. That SQL goes through
//! migguard's SQL reader and replay (`schema::replay`) into a [`SchemaModel`], the same
//! structure migrations and the live database produce, so the comparison is the drift
//! diff. The script also reports each entity's file, class line and property lines,
//! so findings point at the entity.

pub mod compare;
pub mod runner;

use crate::parse::ReadOptions;
use crate::schema::SchemaModel;
use crate::source::SourceFile;
use serde::Deserialize;
use std::path::PathBuf;

/// What the Node script prints.
#[derive(Debug, Clone, Deserialize)]
pub struct ScriptOutput {
    pub typeorm_version: Option<String>,
    /// The schema TypeORM creates unqualified tables in (DataSource `schema`, else the
    /// configured one).
    pub schema: String,
    /// The statements of TypeORM's schema builder, in order.
    pub sql: Vec<Statement>,
    pub entities: Vec<Entity>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Statement {
    pub sql: String,
}

/// One entity's metadata, as far as findings need it (its schema objects come from
/// the SQL).
#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    pub class: String,
    /// `schema.table` or `table`, as TypeORM writes the table path.
    pub table: String,
    /// `regular`, `junction`, `closure`, `closure-junction`, `entity-child`, `view`.
    pub kind: String,
    pub file: Option<PathBuf>,
    /// 1-based line of the class declaration (0 when the script could not find it).
    pub line: usize,
    pub columns: Vec<EntityColumn>,
    #[serde(default)]
    pub indices: Vec<String>,
    #[serde(default)]
    pub uniques: Vec<String>,
    #[serde(default)]
    pub foreign_keys: Vec<String>,
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(default)]
    pub exclusions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EntityColumn {
    pub name: String,
    pub property: String,
    pub file: Option<PathBuf>,
    pub line: usize,
}

impl Entity {
    /// The table as migguard names it (`schema.table`).
    pub fn qualified_table(&self, default_schema: &str) -> crate::ir::QualifiedName {
        crate::ir::QualifiedName::from_typeorm_path(&self.table, default_schema)
    }

    /// Whether the entity names a constraint or index `name`.
    pub fn names_object(&self, name: &str) -> bool {
        [
            &self.indices,
            &self.uniques,
            &self.foreign_keys,
            &self.checks,
            &self.exclusions,
        ]
        .iter()
        .any(|names| names.iter().any(|n| n == name))
    }
}

/// The entities of a project: their schema model and where each is declared.
#[derive(Debug, Clone)]
pub struct EntitySet {
    pub model: SchemaModel,
    pub entities: Vec<Entity>,
    pub default_schema: String,
    pub typeorm_version: Option<String>,
    /// TypeORM's SQL, one statement per line group (for `-v` and debugging).
    pub sql: String,
}

/// The entity model from the script's JSON: TypeORM's SQL replayed by migguard.
/// Pure; an unreadable statement is an error (the entity model must be exact).
pub fn from_script_output(json: &str) -> Result<EntitySet, String> {
    let out: ScriptOutput =
        serde_json::from_str(json).map_err(|e| format!("unreadable entity metadata: {e}"))?;
    let sql: String = out
        .sql
        .iter()
        .map(|s| format!("{};\n", s.sql.trim_end().trim_end_matches(';')))
        .collect();
    let opts = ReadOptions {
        default_schema: out.schema.clone(),
        ..ReadOptions::default()
    };
    let file = SourceFile::new(PathBuf::from("<typeorm entities>.sql"), sql.clone());
    let migrations = crate::parse::sql::read_sql_file(&file, &opts);
    let refs: Vec<&crate::ir::Migration> = migrations.iter().collect();
    let (model, conflicts) = crate::schema::replay::replay(&refs, &out.schema);
    if let Some(c) = conflicts.first() {
        return Err(format!(
            "TypeORM's schema SQL for the entities does not replay: {}: {}",
            c.object, c.message
        ));
    }
    if let Some((object, reasons)) = model.uncertain.iter().next() {
        return Err(format!(
            "TypeORM's schema SQL for the entities could not be read exactly ({object}: {})",
            reasons.join("; ")
        ));
    }
    Ok(EntitySet {
        model,
        entities: out.entities,
        default_schema: out.schema,
        typeorm_version: out.typeorm_version,
        sql,
    })
}

/// Read the entities of the project `config` describes (`[typeorm] datasource`),
/// running Node under the configured deadline.
pub fn load(config: &crate::config::Config) -> crate::error::Result<EntitySet> {
    let Some(datasource) = &config.typeorm.datasource else {
        return Err(crate::error::Error::Usage(
            "--entities needs the DataSource module: set `datasource = \"src/data-source.ts\"` under [typeorm] in migguard.toml".into(),
        ));
    };
    let opts = runner::RunOptions {
        default_schema: config.default_schema().to_string(),
        server_version: config
            .typeorm
            .server_version
            .clone()
            .unwrap_or_else(|| "15".into()),
        timeout: config
            .typeorm
            .entities_timeout_secs
            .map_or(runner::DEFAULT_TIMEOUT, std::time::Duration::from_secs),
    };
    let json = runner::run_script(datasource, &opts)?;
    from_script_output(&json).map_err(|message| crate::error::Error::Input {
        path: datasource.clone(),
        message,
    })
}

/// The entity findings of a loaded project (`lint --entities`): the entities against
/// the replay of all its migrations.
pub fn lint_findings(
    set: &EntitySet,
    migrations: &[crate::ir::Migration],
    history_table: &str,
    ignore_patterns: &[String],
    rules: &crate::ruleset::RuleSet,
) -> Vec<crate::finding::Finding> {
    let mut all: Vec<&crate::ir::Migration> = migrations.iter().collect();
    all.sort_by(|a, b| a.order.cmp(&b.order));
    let (replayed, _) = crate::schema::replay::replay(&all, &set.default_schema);
    let ignore = crate::drift::IgnoreList::new(history_table, &set.default_schema, ignore_patterns);
    compare::check(set, &replayed, migrations, &ignore, rules)
}

/// Give entity findings real spans: load each entity file into `sources` (so every
/// report format can show the line) and turn the script's line numbers into the
/// span of that line's text. Paths under the working directory become relative,
/// like the migrations' paths.
pub fn attach_sources(
    findings: &mut [crate::finding::Finding],
    sources: &mut std::collections::BTreeMap<PathBuf, SourceFile>,
) {
    let cwd = std::env::current_dir().ok();
    for f in findings.iter_mut() {
        let Some(file) = f.file.clone() else { continue };
        if f.migration.is_some() {
            continue; // a migration's own span, already exact
        }
        let shown = cwd
            .as_ref()
            .and_then(|c| file.strip_prefix(c).ok())
            .map_or(file.clone(), PathBuf::from);
        f.file = Some(shown.clone());
        if !sources.contains_key(&shown) {
            match crate::source::load(&file) {
                Ok(s) => {
                    sources.insert(shown.clone(), SourceFile::new(shown.clone(), s.text));
                }
                Err(_) => continue,
            }
        }
        let (Some(source), Some(span)) = (sources.get(&shown), f.span) else {
            continue;
        };
        if let Some((start, end)) = line_range(&source.text, span.line) {
            f.span = Some(source.span(start, end));
        }
    }
}

/// Byte range of the text of 1-based `line`, without its indentation.
fn line_range(text: &str, line: usize) -> Option<(usize, usize)> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let body = l.trim_end_matches(['\n', '\r']);
            let indent = body.len() - body.trim_start().len();
            return Some((offset + indent, offset + body.len()));
        }
        offset += l.len();
    }
    None
}

/// `drift --entities`: the live schema against the entities, each difference
/// reconciled against the pending migrations like drift does; a difference no pending
/// migration fixes says so, and names the entity behind it.
pub fn drift_report(
    set: &EntitySet,
    migrations: &[crate::ir::Migration],
    live: &SchemaModel,
    history: crate::drift::HistoryView,
    ignore: &crate::drift::IgnoreList,
) -> crate::drift::DriftReport {
    let mut report = crate::drift::reconcile::analyse_against(
        &set.model,
        migrations,
        live,
        history,
        &set.default_schema,
        ignore,
    );
    let ds = &set.default_schema;
    for item in &mut report.items {
        if item.reconcilable || !item.kind.is_missing() {
            continue;
        }
        let declared = set.entities.iter().find(|e| {
            let t = e.qualified_table(ds).to_string();
            item.object == t
                || item.object.starts_with(&format!("{t}."))
                || e.names_object(item.object.rsplit('.').next().unwrap_or_default())
        });
        if let Some(e) = declared {
            item.message = format!(
                "{} — entity {} declares it and no pending migration creates it",
                item.message, e.class
            );
            item.file = e.file.clone();
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(sql: &[&str]) -> String {
        serde_json::json!({
            "typeorm_version": "0.3.20",
            "schema": "public",
            "sql": sql.iter().map(|s| serde_json::json!({"sql": s, "parameters": []})).collect::<Vec<_>>(),
            "entities": [],
        })
        .to_string()
    }

    #[test]
    fn typeorm_sql_becomes_the_entity_model() {
        let set = from_script_output(&output(&[
            "CREATE TYPE \"user_role_enum\" AS ENUM('admin', 'user')",
            "CREATE TABLE \"user\" (\"id\" SERIAL NOT NULL, \"role\" \"user_role_enum\" NOT NULL DEFAULT 'user', CONSTRAINT \"PK_u\" PRIMARY KEY (\"id\"))",
        ]))
        .unwrap();
        let user = &set.model.tables[&crate::ir::QualifiedName::new("public", "user")];
        assert_eq!(
            user.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["id", "role"]
        );
        assert!(user.constraints.contains_key("PK_u"));
        assert_eq!(
            set.model.enums[&crate::ir::QualifiedName::new("public", "user_role_enum")].labels,
            ["admin", "user"]
        );
    }

    #[test]
    fn unreadable_output_or_sql_is_an_error_not_an_empty_model() {
        assert!(from_script_output("not json").is_err());
        let err = from_script_output(&output(&[
            "CREATE TABLE \"a\" (\"id\" integer)",
            "CREATE TABLE \"a\" (\"id\" integer)",
        ]))
        .unwrap_err();
        assert!(err.contains("does not replay"), "{err}");
        let err = from_script_output(&output(&[
            "DO $$ DECLARE t text := 'b'; BEGIN EXECUTE 'CREATE TABLE ' || t || ' (id int)'; END $$",
        ]))
        .unwrap_err();
        assert!(err.contains("could not be read exactly"), "{err}");
    }

    #[test]
    fn line_range_skips_indentation() {
        let text = "a\n    phone: string;\r\nb";
        assert_eq!(line_range(text, 2), Some((6, 20)));
        assert_eq!(&text[6..20], "phone: string;");
        assert_eq!(line_range(text, 9), None);
    }
}
