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
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            default_schema: "public".to_string(),
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
