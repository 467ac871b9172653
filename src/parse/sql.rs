//! SQL reader: SQL text → operations, statement by statement, with exact spans.
//!
//! The text is split lexically first (`lexical::split_statements`, which cannot fail),
//! then each statement is parsed on its own with sqlparser's PostgreSQL dialect. A
//! statement the parser rejects costs one `unparsed` op — never the file, unlike
//! tools that give up at the first syntax error — and is still classified lexically
//! by the rules' patterns; the schema changes sqlparser 0.63 cannot parse are
//! recognised by `fallback`. Spans go through the [`TextMap`] so SQL inside a
//! TypeORM string points into the `.ts` file.

pub mod fallback;
pub mod files;
pub mod lexical;
pub mod to_ops;

use super::ReadOptions;
use crate::ir::{OpKind, OpSource, Operation, TextMap};
use crate::source::SourceFile;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

pub use files::read_sql_file;

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

/// Deeply nested expressions make a recursive-descent parser recurse; real migrations
/// never come close to this, generated junk might.
const RECURSION_LIMIT: usize = 200;

/// Read every statement of `input` into operations (unparsable ones as `unparsed`).
pub fn read_statements(input: &SqlInput<'_>, opts: &ReadOptions) -> Vec<Operation> {
    let mut ops = Vec::new();
    for range in lexical::split_statements(input.sql) {
        let text = &input.sql[range.clone()];
        let (fs, fe) = input.map.map_range(range.start, range.end);
        let span = input.file.span(fs, fe);
        let make = |kind: OpKind| Operation {
            kind,
            span,
            text: text.to_string(),
            source: OpSource::Sql,
            dynamic: input.dynamic,
            anchor_line: span.line,
        };
        for kind in statement_kinds(text, &opts.default_schema) {
            ops.push(make(kind));
        }
    }
    ops
}

/// The op kinds of one statement's text (never empty).
pub fn statement_kinds(text: &str, default_schema: &str) -> Vec<OpKind> {
    let blanked = lexical::blank_comments_and_strings(text);
    let first = blanked
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if first == "DO" {
        return vec![OpKind::Unparsed {
            reason: "DO block: its body runs during the migration and is classified lexically"
                .into(),
        }];
    }
    match parse_one(text) {
        Ok(stmt) => match to_ops::statement_kinds_or_fallback(&stmt, &blanked, default_schema) {
            Ok(kinds) => kinds,
            Err(reason) => vec![OpKind::Unparsed { reason }],
        },
        Err(err) => match fallback::recognise(&blanked, default_schema) {
            Some(kinds) => kinds,
            None => vec![OpKind::Unparsed {
                reason: format!("sqlparser: {err}"),
            }],
        },
    }
}

/// Parse exactly one statement; trailing tokens are an error (sqlparser can stop early
/// without complaining — DESIGN §9).
fn parse_one(text: &str) -> Result<sqlparser::ast::Statement, String> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|e| e.to_string())?;
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
    let stmt = parser.parse_statement().map_err(|e| e.to_string())?;
    while parser.consume_token(&Token::SemiColon) {}
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!("unexpected {} after the statement", next.token));
    }
    Ok(stmt)
}

#[cfg(test)]
mod tests;
