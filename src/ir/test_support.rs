//! A builder for [`Migration`]s in unit tests. A `Migration` literal names a dozen
//! fields (run order, format, span, comments…) that a test rarely cares about; the
//! builder fills them as the readers would for the name given, so a test says only
//! what it is about (its ops, its header, whether it runs in a transaction).

use super::{Comment, Migration, MigrationFormat, MigrationOrder, Operation, Span};
use std::path::PathBuf;

/// Builds a [`Migration`]; start from [`MigrationBuilder::typeorm`] or
/// [`MigrationBuilder::sql`].
pub struct MigrationBuilder(Migration);

impl MigrationBuilder {
    /// A TypeORM class `name` (its timestamp is the last 13 characters, as TypeORM
    /// reads it) in `src/migrations/<timestamp>-<name>.ts`, transactional, empty.
    pub fn typeorm(name: &str) -> MigrationBuilder {
        let timestamp = &name[name.len().saturating_sub(13)..];
        let version: u128 = timestamp.parse().unwrap_or_default();
        MigrationBuilder::new(
            name,
            Some(timestamp.to_string()),
            version,
            MigrationFormat::Typeorm,
            format!("src/migrations/{timestamp}-{name}.ts").into(),
        )
    }

    /// A numbered SQL file `<name>.sql` (`0002_add_x`: version `0002`),
    /// transactional, empty.
    pub fn sql(name: &str) -> MigrationBuilder {
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        MigrationBuilder::new(
            name,
            Some(digits.clone()),
            digits.parse().unwrap_or_default(),
            MigrationFormat::SqlPlain,
            format!("{name}.sql").into(),
        )
    }

    /// Any migration: `name`, the `version` its tool records, its numeric run
    /// `order`, `format` and `file`; transactional, empty.
    pub fn new(
        name: &str,
        version: Option<String>,
        order: u128,
        format: MigrationFormat,
        file: PathBuf,
    ) -> MigrationBuilder {
        MigrationBuilder(Migration {
            name: name.into(),
            version,
            order: MigrationOrder {
                repeatable: false,
                version: vec![order],
                name: name.into(),
            },
            format,
            file,
            span: Span::default(),
            transactional: true,
            up: vec![],
            header_comments: vec![],
            comments: vec![],
            read_errors: vec![],
        })
    }

    pub fn file(mut self, file: impl Into<PathBuf>) -> Self {
        self.0.file = file.into();
        self
    }

    /// Where the migration shows (the class declaration, or the whole file).
    pub fn span(mut self, span: Span) -> Self {
        self.0.span = span;
        self
    }

    pub fn transactional(mut self, transactional: bool) -> Self {
        self.0.transactional = transactional;
        self
    }

    pub fn up(mut self, ops: Vec<Operation>) -> Self {
        self.0.up = ops;
        self
    }

    /// Header comment lines, one per source line from line 1 (column 1).
    pub fn header(self, lines: &[&str]) -> Self {
        let comments = lines
            .iter()
            .enumerate()
            .map(|(i, text)| Comment {
                text: text.to_string(),
                span: Span {
                    line: i + 1,
                    column: 1,
                    ..Span::default()
                },
            })
            .collect();
        self.header_comments(comments)
    }

    pub fn header_comments(mut self, comments: Vec<Comment>) -> Self {
        self.0.header_comments = comments;
        self
    }

    /// The comments that may carry a line-level `migguard-ignore`.
    pub fn comments(mut self, comments: Vec<Comment>) -> Self {
        self.0.comments = comments;
        self
    }

    pub fn build(self) -> Migration {
        self.0
    }
}
