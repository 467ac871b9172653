//! SQL reader: SQL text → operations, statement by statement, with exact spans.
//! (Interface stub; the SQL reader work fills it in.)

pub mod lexical;

use super::ReadOptions;
use crate::ir::{Migration, Operation, TextMap};
use crate::source::SourceFile;

/// SQL text to read and where it came from.
pub struct SqlInput<'a> {
    /// The SQL text (for a `.sql` file, the whole file; for TypeORM, the assembled
    /// `query()` argument with unresolved `${…}` replaced by placeholders).
    pub sql: &'a str,
    /// SQL offsets → file offsets.
    pub map: &'a TextMap,
    /// The file the SQL lives in (for spans).
    pub file: &'a SourceFile,
    /// Part of the text is a placeholder for an unresolved expression.
    pub dynamic: bool,
}

/// Read every statement of `input` into operations (unparsable ones as `unparsed`).
pub fn read_statements(input: &SqlInput<'_>, opts: &ReadOptions) -> Vec<Operation> {
    let _ = (input, opts);
    Vec::new()
}

/// Read a `.sql` migration file (identity from its file name, `up` side only; a
/// golang-migrate `.down.sql` / Flyway `U…` file yields a migration whose ops are `down`).
pub fn read_sql_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    let _ = (file, opts);
    Vec::new()
}
