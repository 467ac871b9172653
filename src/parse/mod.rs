//! Readers: source text → [`Migration`](crate::ir::Migration)s with operations.
//!
//! `typeorm` reads TypeORM migration classes with tree-sitter; `sql` reads SQL text
//! (whole files, or SQL assembled from TypeORM `query()` strings) with sqlparser and
//! a lexical fallback. Both are pure: text in, IR out.

pub mod sql;
pub mod typeorm;

/// Settings every reader needs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Schema for unqualified names (`public` unless configured).
    pub default_schema: String,
    /// `[typeorm] read_only_helpers`: functions whose calls with the query runner
    /// are not operations.
    pub read_only_helpers: Vec<String>,
    /// `[flyway] placeholders`: values of Flyway `${name}` placeholders.
    pub flyway_placeholders: std::collections::BTreeMap<String, String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            default_schema: "public".to_string(),
            read_only_helpers: Vec::new(),
            flyway_placeholders: Default::default(),
        }
    }
}

use crate::ir::Migration;
use crate::source::{FileKind, SourceFile};

/// Read one discovered file into its migrations, by kind.
pub fn read_file(file: &SourceFile, kind: FileKind, opts: &ReadOptions) -> Vec<Migration> {
    match kind {
        FileKind::Typeorm => typeorm::read_typeorm_file(file, opts),
        FileKind::Sql => sql::read_sql_file(file, opts),
    }
}
