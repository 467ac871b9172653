//! SQL reader: SQL text → operations, statement by statement, with exact spans.
//!
//! The text is split into statements by our own lexer (`lexical`), then each piece
//! is tokenized and parsed by sqlparser on its own, and the parser must reach the end
//! of the piece (sqlparser's `parse_statement` can stop early without an error). A
//! piece it rejects goes to `fallback`, which recognises the schema-changing
//! statements sqlparser 0.63 lacks and leaves the rest `unparsed` with the parser's
//! error. One bad statement never costs the others: squawk skips a whole file on a
//! syntax error and so reports none of the `DROP TABLE`s in it.

pub mod fallback;
pub mod lexical;
pub mod to_ops;

use super::ReadOptions;
use crate::ir::{Comment, Migration, OpKind, OpSource, Operation, TextMap};
use crate::source::layout::{self, Side, SqlIdentity};
use crate::source::SourceFile;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Deep enough for any real migration, shallow enough that a hostile or generated
/// file cannot overflow the stack.
const RECURSION_LIMIT: usize = 64;

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

/// Parse one statement with sqlparser, requiring it to consume the whole text.
fn parse_one(text: &str) -> Result<sqlparser::ast::Statement, String> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|e| e.to_string())?;
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
    let parsed = parser.parse_statement().and_then(|stmt| {
        let next = parser.peek_token();
        if next.token == Token::EOF {
            Ok(stmt)
        } else {
            Err(sqlparser::parser::ParserError::ParserError(format!(
                "unexpected {} after the end of the statement at line {}, column {}",
                next.token, next.span.start.line, next.span.start.column
            )))
        }
    });
    parsed.map_err(|e| e.to_string())
}

/// `GENERATED … AS IDENTITY (START WITH 1 INCREMENT BY 1)` as pg_dump writes it: the
/// sequence options sqlparser 0.63 rejects, blanked (same length), so the rest of
/// the statement (usually a whole CREATE TABLE) is still read. The options only
/// tune the identity's sequence; the column and its identity are kept.
fn without_identity_options(text: &str, blanked: &str) -> Option<String> {
    let upper = blanked.to_ascii_uppercase();
    let mut out = text.as_bytes().to_vec();
    let mut changed = false;
    let mut from = 0;
    while let Some(pos) = upper[from..].find("IDENTITY") {
        let after = from + pos + "IDENTITY".len();
        let rest = &upper[after..];
        let open = after + (rest.len() - rest.trim_start().len());
        if upper.as_bytes().get(open) == Some(&b'(') {
            let mut depth = 0usize;
            for (i, b) in upper.bytes().enumerate().skip(open) {
                match b {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            out[open..=i].fill(b' ');
                            changed = true;
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        from = after;
    }
    if changed {
        String::from_utf8(out).ok()
    } else {
        None
    }
}

/// Parse one statement's text into op kinds; never fails (unparsed at worst).
pub fn statement_kinds(text: &str, blanked: &str, opts: &ReadOptions) -> Vec<OpKind> {
    match parse_one(text) {
        Ok(stmt) => to_ops::statement_ops(&stmt, blanked, opts),
        Err(e) => {
            if let Some(stmt) =
                without_identity_options(text, blanked).and_then(|t| parse_one(&t).ok())
            {
                return to_ops::statement_ops(&stmt, blanked, opts);
            }
            fallback::recognise(blanked, &e, opts)
        }
    }
}

/// Read every statement of `input` into operations (unparsable ones as `unparsed`).
pub fn read_statements(input: &SqlInput<'_>, opts: &ReadOptions) -> Vec<Operation> {
    let lexed = lexical::scan(input.sql);
    let mut ops = Vec::new();
    for &(start, end) in &lexed.statements {
        let (Some(text), Some(blanked)) =
            (input.sql.get(start..end), lexed.blanked.get(start..end))
        else {
            continue;
        };
        let span_of = |s: usize, e: usize| {
            let (fs, fe) = input.map.map_range(s, e);
            input.file.span(fs, fe)
        };
        let span = span_of(start, end);
        let kinds = statement_kinds(text, blanked, opts);
        // Each action of a multi-action ALTER TABLE gets its own span, so a finding on
        // `DROP COLUMN` points at that line, not at the whole statement.
        let parts = if kinds.len() > 1 && to_ops::leading_words(blanked, 2) == "ALTER TABLE" {
            lexical::top_level_parts(blanked)
        } else {
            Vec::new()
        };
        let per_action = parts.len() == kinds.len();
        for (i, kind) in kinds.into_iter().enumerate() {
            let span = match parts.get(i) {
                Some(&(s, e)) if per_action => {
                    span_of(start + if i == 0 { 0 } else { s }, start + e)
                }
                _ => span,
            };
            ops.push(Operation {
                kind,
                span,
                text: text.to_string(),
                source: OpSource::Sql,
                dynamic: input.dynamic,
            });
        }
    }
    ops
}

/// Every comment line of a `.sql` file, and the leading block (comments before the
/// first statement, where `@destructive` / `@expand-migration` live).
fn file_comments(file: &SourceFile, lexed: &lexical::Lexed) -> (Vec<Comment>, Vec<Comment>) {
    let first_stmt = lexed.statements.first().map(|s| s.0).unwrap_or(usize::MAX);
    let mut all = Vec::new();
    let mut header = Vec::new();
    for &range in &lexed.comments {
        for (s, e, text) in lexical::comment_lines(&file.text, range) {
            let c = Comment {
                text,
                span: file.span(s, e),
            };
            if range.0 < first_stmt {
                header.push(c.clone());
            }
            all.push(c);
        }
    }
    (header, all)
}

fn ops_of_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Operation> {
    let map = TextMap::identity(0, file.text.len());
    read_statements(
        &SqlInput {
            sql: &file.text,
            map: &map,
            file,
            dynamic: false,
        },
        opts,
    )
}

/// The down side kept next to an up file (golang-migrate `.down.sql`, diesel
/// `down.sql`, Flyway `U…`). It is never gated, so a missing or unreadable one is
/// simply absent.
fn read_down_side(file: &SourceFile, id: &SqlIdentity, opts: &ReadOptions) -> Vec<Operation> {
    let path = layout::down_sibling(&file.path, id)
        .filter(|p| p.is_file())
        .or_else(|| crate::source::find_flyway_undo(&file.path, id));
    match path.and_then(|p| crate::source::load(&p).ok()) {
        Some(down) => ops_of_file(&down, opts),
        None => Vec::new(),
    }
}

/// Whether the tool runs the file's `up` side inside a transaction (what decides
/// whether `CONCURRENTLY` fails at run time).
///
/// - golang-migrate sends the whole file as one simple query; PostgreSQL runs a
///   multi-statement query as one implicit transaction, a single statement alone.
/// - Flyway wraps each migration in a transaction unless the script's `.conf` says
///   `executeInTransaction=false`, and runs a script outside one when it detects a
///   non-transactional statement such as `CREATE INDEX CONCURRENTLY`.
/// - diesel wraps each migration unless `metadata.toml` says `run_in_transaction = false`.
/// - An unknown tool (plain numbered files) is assumed to use a transaction, so
///   `CONCURRENTLY` is flagged rather than trusted (fail closed).
pub fn runs_in_transaction(id: &SqlIdentity, up: &[Operation], opted_out: bool) -> bool {
    use crate::ir::MigrationFormat;
    if opted_out {
        return false;
    }
    let concurrent = up.iter().any(|o| {
        matches!(
            &o.kind,
            OpKind::CreateIndex(d) if d.concurrently
        ) || matches!(
            &o.kind,
            OpKind::DropIndex {
                concurrently: true,
                ..
            }
        )
    });
    match id.format {
        MigrationFormat::GolangMigrate => {
            let statements: std::collections::BTreeSet<usize> =
                up.iter().map(|o| o.span.start).collect();
            statements.len() > 1
        }
        MigrationFormat::FlywayVersioned | MigrationFormat::FlywayRepeatable => !concurrent,
        _ => true,
    }
}

/// Read a `.sql` migration file (identity from its file name, `up` side only; a
/// golang-migrate `.down.sql` / Flyway `U…` file yields a migration whose ops are `down`).
pub fn read_sql_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    let id =
        layout::sql_identity(&file.path).unwrap_or_else(|| layout::fallback_identity(&file.path));
    let lexed = lexical::scan(&file.text);
    let (header_comments, comments) = file_comments(file, &lexed);
    let ops = ops_of_file(file, opts);
    let settings = crate::source::read_tool_settings(&file.path, &id);
    let (up, down) = match id.side {
        Side::Up => (ops, read_down_side(file, &id, opts)),
        Side::Down => (Vec::new(), ops),
    };
    let transactional = runs_in_transaction(&id, &up, settings.no_transaction);
    vec![Migration {
        name: id.name.clone(),
        version: id.version.clone(),
        order: id.order.clone(),
        format: id.format,
        file: file.path.clone(),
        span: file.span(0, file.text.len()),
        transactional,
        up,
        down,
        header_comments,
        comments,
        read_errors: Vec::new(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Segment, Span};
    use serde::Serialize;
    use std::path::PathBuf;

    /// A compact view of an op for snapshots: where it is, what it is.
    #[derive(Serialize)]
    struct View {
        at: String,
        #[serde(flatten)]
        kind: OpKind,
    }

    fn at(span: &Span) -> String {
        format!(
            "{}:{}-{}:{}",
            span.line, span.column, span.end_line, span.end_column
        )
    }

    fn views(ops: &[Operation]) -> Vec<View> {
        ops.iter()
            .map(|o| View {
                at: at(&o.span),
                kind: o.kind.clone(),
            })
            .collect()
    }

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from(name), text.to_string())
    }

    fn read(text: &str) -> Vec<Operation> {
        let f = file("m.sql", text);
        ops_of_file(&f, &ReadOptions::default())
    }

    fn fixture(name: &str) -> SourceFile {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sql")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("fixture exists");
        SourceFile::new(PathBuf::from(name), text)
    }

    #[test]
    fn every_op_kind() {
        let f = fixture("all_kinds.sql");
        let ops = ops_of_file(&f, &ReadOptions::default());
        insta::assert_yaml_snapshot!(views(&ops));
    }

    #[test]
    fn fallback_statements() {
        let f = fixture("fallback.sql");
        let ops = ops_of_file(&f, &ReadOptions::default());
        insta::assert_yaml_snapshot!(views(&ops));
    }

    #[test]
    fn typeorm_and_pg_dump_output() {
        let f = fixture("generated.sql");
        let ops = ops_of_file(&f, &ReadOptions::default());
        insta::assert_yaml_snapshot!(views(&ops));
    }

    #[test]
    fn statement_in_the_middle_has_exact_span_and_text() {
        let sql = "CREATE TABLE a (id int);\n\n  -- note\n  DROP TABLE a;\nSELECT 1;";
        let ops = read(sql);
        let drop = &ops[1];
        assert_eq!(drop.kind.name(), "drop_table");
        assert_eq!(drop.text, "DROP TABLE a");
        assert_eq!(&sql[drop.span.start..drop.span.end], "DROP TABLE a");
        assert_eq!(at(&drop.span), "4:3-4:15");
    }

    #[test]
    fn embedded_sql_spans_map_into_the_file() {
        // `await queryRunner.query("DROP TABLE " + T)` with T = "users" from a const.
        let ts = "await queryRunner.query(\"DROP TABLE \" + T);\nconst T = \"users\";";
        let f = file("m.ts", ts);
        let mut map = TextMap::default();
        map.push(Segment {
            sql_start: 0,
            sql_len: 11,
            file_start: 25,
            file_end: 36,
            verbatim: true,
        });
        map.push(Segment {
            sql_start: 11,
            sql_len: 5,
            file_start: 40,
            file_end: 41,
            verbatim: false,
        });
        let ops = read_statements(
            &SqlInput {
                sql: "DROP TABLE users",
                map: &map,
                file: &f,
                dynamic: true,
            },
            &ReadOptions::default(),
        );
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].kind.object().as_deref(), Some("public.users"));
        assert_eq!((ops[0].span.start, ops[0].span.end), (25, 41));
        assert_eq!(at(&ops[0].span), "1:26-1:42");
        assert!(ops[0].dynamic);
    }

    #[test]
    fn comments_and_strings_are_not_operations() {
        let ops = read("-- DROP TABLE x;\n/* DROP TABLE y; */\nINSERT INTO log VALUES ('drop table z; truncate w');");
        let kinds: Vec<&str> = ops.iter().map(|o| o.kind.name()).collect();
        assert_eq!(kinds, vec!["insert"]);
    }

    #[test]
    fn last_statement_without_semicolon_is_kept() {
        let ops = read("ALTER TABLE a ADD COLUMN b int;\nDROP TABLE c");
        let kinds: Vec<&str> = ops.iter().map(|o| o.kind.name()).collect();
        assert_eq!(kinds, vec!["add_column", "drop_table"]);
    }

    #[test]
    fn nbsp_after_last_semicolon_costs_one_unparsed_op() {
        let mut sql = String::new();
        for i in 0..100 {
            sql.push_str(&format!("DROP TABLE t{i};\n"));
        }
        sql.push('\u{a0}');
        let ops = read(&sql);
        assert_eq!(
            ops.iter().filter(|o| o.kind.name() == "drop_table").count(),
            100
        );
        let unparsed: Vec<&Operation> =
            ops.iter().filter(|o| o.kind.name() == "unparsed").collect();
        assert_eq!(unparsed.len(), 1);
        assert_eq!(unparsed[0].span.line, 101);
    }

    #[test]
    fn names_fold_like_postgresql() {
        let ops = read("DROP TABLE Core.\"UserAccount\", Product");
        let objects: Vec<String> = ops.iter().filter_map(|o| o.kind.object()).collect();
        assert_eq!(objects, vec!["core.UserAccount", "public.product"]);
        let opts = ReadOptions {
            default_schema: "app".to_string(),
        };
        let f = file("m.sql", "TRUNCATE t");
        let map = TextMap::identity(0, f.text.len());
        let ops = read_statements(
            &SqlInput {
                sql: &f.text,
                map: &map,
                file: &f,
                dynamic: false,
            },
            &opts,
        );
        assert_eq!(ops[0].kind.object().as_deref(), Some("app.t"));
    }

    #[test]
    fn unterminated_and_garbage_input_never_panics() {
        for sql in [
            "SELECT 'abc",
            "/* never closed",
            "$$",
            "CREATE TABLE (",
            "\u{feff}DROP TABLE x",
            ";;;",
            "\"",
            "E'\\",
        ] {
            let ops = read(sql);
            for o in &ops {
                assert!(o.span.end <= sql.len());
            }
        }
        let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
        let ops = read(&deep);
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].kind.name(), "unparsed");
    }

    #[test]
    fn bom_is_not_a_statement() {
        let kinds: Vec<&str> = read("\u{feff}DROP TABLE x")
            .iter()
            .map(|o| o.kind.name())
            .collect();
        assert_eq!(kinds, vec!["drop_table"]);
    }
}
