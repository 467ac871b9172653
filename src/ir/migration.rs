//! Migration-level IR types: a migration (TypeORM class or SQL file), where it came
//! from, how its tool orders and runs it, its comments and what its reader could not
//! read. The operations it holds are in `ops`.

use serde::Serialize;
use std::path::PathBuf;

use super::Operation;

/// A source range: byte offsets plus 1-based line/column of both ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Where a migration came from and how its tool runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationFormat {
    /// TypeORM migration class (TypeScript or compiled JavaScript).
    Typeorm,
    /// `0003_add_x.sql`
    SqlPlain,
    /// `3_add_x.up.sql` (golang-migrate)
    GolangMigrate,
    /// `V3__add_x.sql` (Flyway versioned)
    FlywayVersioned,
    /// `R__x.sql` (Flyway repeatable: runs after versioned ones, when changed)
    FlywayRepeatable,
    /// `<version>_<name>/up.sql` (diesel)
    Diesel,
    /// `<timestamp>_<name>/migration.sql` (Prisma Migrate)
    Prisma,
}

/// The order key a migration tool sorts by: TypeORM timestamp, SQL version.
/// Versions compare numerically part by part (`3_1` < `3_10`, Flyway `V3_1` < `V3_2`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct MigrationOrder {
    /// Flyway repeatables sort after every versioned migration.
    pub repeatable: bool,
    /// Numeric version parts (`[3, 1]` for `V3_1`, `[1779000000000]` for TypeORM).
    pub version: Vec<u128>,
    /// Tie-breaker: the migration name.
    pub name: String,
}

/// One migration: a TypeORM class or one SQL file (its `up` side).
#[derive(Debug, Clone, Serialize)]
pub struct Migration {
    /// Identity as the migration tool records it in its history table: TypeORM class
    /// `name` property or class name; SQL: the version + name from the file name
    /// (`0003_add_x`, `V3__add_x` → version `3`, description `add x`…, see `source`).
    pub name: String,
    /// Version as the tool stores it: TypeORM timestamp (last 13 digits of the name),
    /// SQL version string (`0003`, `3`, `3.1`, `20240101120000`).
    pub version: Option<String>,
    pub order: MigrationOrder,
    pub format: MigrationFormat,
    /// Path as given/discovered (relative to the working directory where possible).
    pub file: PathBuf,
    /// The span that shows the migration: the class declaration, or the whole file.
    pub span: Span,
    /// Whether the tool wraps `up` in a transaction (TypeORM `transaction = false` opts out).
    pub transactional: bool,
    /// What `up` runs. `down` is never gated and not kept: no check reads it, and on
    /// a large history it was a third of what lint held (docs/contract.md).
    pub up: Vec<Operation>,
    /// Leading comment lines of the migration (file header or directly above the
    /// class), with their spans: the raw material for annotations and file-level
    /// suppressions.
    pub header_comments: Vec<Comment>,
    /// Every comment in the file that could carry a line-level `migguard-ignore`.
    pub comments: Vec<Comment>,
    /// Problems the reader hit that are not operations (malformed source, error nodes).
    pub read_errors: Vec<ReadError>,
}

/// A source comment, text without the comment markers, one entry per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// Whether `text` could hold a migguard directive (`migguard-ignore`,
/// `migguard:no-transaction`, or a misspelling of one, which is reported): it names
/// the word, in any case. Text that does not is passed over without being read.
pub fn mentions_migguard(text: &str) -> bool {
    const WORD: &[u8] = b"migguard";
    text.as_bytes()
        .windows(WORD.len())
        .any(|w| w.eq_ignore_ascii_case(WORD))
}

/// Something a reader could not read. Fail closed: it becomes a finding, never a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadError {
    pub message: String,
    pub span: Span,
}
