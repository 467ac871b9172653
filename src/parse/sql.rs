//! SQL reader: SQL text → operations, statement by statement, with exact spans.
//!
//! The text is split into statements by our own lexer (`lexical`), then each piece
//! is tokenized and parsed by sqlparser on its own, and the parser must reach the end
//! of the piece (sqlparser's `parse_statement` can stop early without an error). A
//! piece it rejects goes to `fallback`, which recognises the schema-changing
//! statements sqlparser 0.63 lacks and leaves the rest `unparsed` with the parser's
//! error. One bad statement never costs the others: squawk skips a whole file on a
//! syntax error and so reports none of the `DROP TABLE`s in it.

pub mod do_block;
pub mod fallback;
pub mod lexical;
pub mod runs;
pub mod storage;
pub mod to_ops;

use super::ReadOptions;
use crate::ir::{Comment, Guard, Migration, MigrationFormat, OpKind, OpSource, Operation, TextMap};
use crate::source::layout::{self, Side, SqlIdentity};
use crate::source::SourceFile;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::rc::Rc;

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
        if let Some(close) = lexical::matching_paren(&upper, open) {
            out[open..=close].fill(b' ');
            changed = true;
        }
        from = after;
    }
    if changed {
        String::from_utf8(out).ok()
    } else {
        None
    }
}

/// `TRIM(BOTH FROM x)`: the SQL-standard spelling of `TRIM(x)` (both sides, spaces),
/// which sqlparser 0.63 rejects. `BOTH FROM` blanked (same length) leaves `TRIM(x)`,
/// exactly what PostgreSQL runs. `LEADING`/`TRAILING` have no same-length rewrite and
/// stay unparsed.
fn without_trim_both_from(text: &str, blanked: &str) -> Option<String> {
    let mut out = text.as_bytes().to_vec();
    let mut changed = false;
    for w in lexical::tokens(blanked).windows(4) {
        if w[0].is("TRIM") && w[1].text == "(" && w[2].is("BOTH") && w[3].is("FROM") {
            out[w[2].at..w[3].end()].fill(b' ');
            changed = true;
        }
    }
    if changed {
        String::from_utf8(out).ok()
    } else {
        None
    }
}

/// `CREATE INDEX … ON ONLY t` (pg_dump's form for partitioned tables), `UPDATE ONLY
/// t`, `DELETE FROM ONLY t`: the parent table alone. sqlparser 0.63 rejects (or
/// misreads) `ONLY` there; blanked, the statement reads the same for the rules and
/// the schema model.
fn without_only(text: &str, blanked: &str) -> Option<String> {
    let lead = to_ops::leading_words(blanked, 2);
    let before_only: &[&str] = match lead.split(' ').next() {
        _ if lead == "CREATE INDEX" || lead == "CREATE UNIQUE" => &["ON"],
        Some("UPDATE") => &["UPDATE"],
        Some("DELETE") => &["FROM"],
        _ => return None,
    };
    let upper = blanked.to_ascii_uppercase();
    let words: Vec<(usize, &str)> = upper
        .split_ascii_whitespace()
        .map(|w| (w.as_ptr() as usize - upper.as_ptr() as usize, w))
        .collect();
    let at = words
        .windows(2)
        .find(|w| before_only.contains(&w[0].1) && w[1].1 == "ONLY")
        .map(|w| w[1].0)?;
    let mut out = text.as_bytes().to_vec();
    out.get_mut(at..at + 4)?.fill(b' ');
    String::from_utf8(out).ok()
}

/// `CREATE TABLE t (…, CONSTRAINT n NOT NULL col, …)`: table-level NOT NULL
/// constraints (PostgreSQL 18, and what pg_dump 18 writes), which sqlparser 0.63
/// rejects. Returns the text with those elements blanked (same length) and the
/// folded columns they make NOT NULL.
fn without_table_not_null(text: &str, blanked: &str) -> Option<(String, Vec<String>)> {
    if to_ops::leading_words(blanked, 2) != "CREATE TABLE" {
        return None;
    }
    let open = blanked.find('(')?;
    let close = lexical::matching_paren(blanked, open);
    let inner_start = open + 1;
    let inner = blanked.get(inner_start..close?)?;
    let mut out = text.as_bytes().to_vec();
    let mut columns = Vec::new();
    for (s, e) in lexical::top_level_parts(inner) {
        let words: Vec<&str> = inner[s..e].split_whitespace().collect();
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        let rest = match upper.first().map(String::as_str) {
            Some("CONSTRAINT") if words.len() >= 2 => 2,
            _ => 0,
        };
        let tail: Vec<&str> = upper[rest..].iter().map(String::as_str).collect();
        let col = match tail.as_slice() {
            ["NOT", "NULL", _] | ["NOT", "NULL", _, "NO", "INHERIT"] => words[rest + 2],
            _ => continue,
        };
        columns.push(crate::ir::fold_sql_ident(col));
        // Blank the element and the comma before it (or after it, for the first).
        let (from, to) = (inner_start + s, inner_start + e);
        let before = blanked[..from].rfind(',').filter(|&c| c >= inner_start);
        let (from, to) = match before {
            Some(c) => (c, to),
            None => (
                from,
                blanked[to..].find(',').map(|c| to + c + 1).unwrap_or(to),
            ),
        };
        out[from..to].fill(b' ');
    }
    if columns.is_empty() {
        return None;
    }
    String::from_utf8(out).ok().map(|t| (t, columns))
}

/// Parse one statement's text into op kinds; never fails (unparsed at worst).
pub fn statement_kinds(text: &str, blanked: &str, opts: &ReadOptions) -> Vec<OpKind> {
    // Every `COMMENT ON` form, by one reader (sqlparser knows only some of them).
    if let Some(kinds) = fallback::comment_statement(text, blanked, opts) {
        return kinds;
    }
    // Every table storage clause, by one reader (sqlparser knows only some forms).
    if let Some(kinds) = storage::storage_statement(text, blanked, opts) {
        return kinds;
    }
    let e = match parse_one(text) {
        Ok(stmt) => return to_ops::statement_ops(&stmt, blanked, opts),
        Err(e) => e,
    };
    // Retries with clauses sqlparser lacks blanked out; each keeps byte offsets.
    let mut retry_text = text.to_string();
    let mut not_null_columns = Vec::new();
    if let Some(t) = without_identity_options(&retry_text, blanked) {
        retry_text = t;
    }
    if let Some(t) = without_only(&retry_text, blanked) {
        retry_text = t;
    }
    if let Some(t) = without_trim_both_from(&retry_text, blanked) {
        retry_text = t;
    }
    let retry_blanked = lexical::blank_comments_and_strings(&retry_text);
    if let Some((t, cols)) = without_table_not_null(&retry_text, &retry_blanked) {
        retry_text = t;
        not_null_columns = cols;
    }
    if retry_text != text {
        if let Ok(stmt) = parse_one(&retry_text) {
            let mut kinds = to_ops::statement_ops(&stmt, blanked, opts);
            for kind in &mut kinds {
                if let OpKind::CreateTable { columns, .. } = kind {
                    for c in columns.iter_mut() {
                        if not_null_columns.contains(&c.name) {
                            c.not_null = true;
                        }
                    }
                }
            }
            return kinds;
        }
    }
    if let Some(kinds) = alter_table_by_action(text, blanked, opts) {
        return kinds;
    }
    fallback::recognise(blanked, &e, opts)
}

/// An `ALTER TABLE` with several actions that sqlparser rejected as a whole: read
/// each action on its own (`ALTER TABLE t <action>`), by the parser or the
/// fallback, so one unsupported action (`ALTER CONSTRAINT`, PostgreSQL 18 `ADD
/// CONSTRAINT n NOT NULL c`) costs one unparsed op, not its neighbours. Yields one
/// op per action, in order, so each gets its own span.
fn alter_table_by_action(text: &str, blanked: &str, opts: &ReadOptions) -> Option<Vec<OpKind>> {
    let parts = lexical::top_level_parts(blanked);
    if parts.len() < 2 {
        return None;
    }
    let (table, head_len) = fallback::alter_table_head(blanked, opts)?;
    let head = text.get(..head_len)?;
    let mut kinds = Vec::new();
    for (i, &(s, e)) in parts.iter().enumerate() {
        let s = if i == 0 { head_len } else { s };
        let (action, action_blanked) = (text.get(s..e)?, blanked.get(s..e)?);
        let parsed = parse_one(&format!("{head} {action}"));
        let mut got = match parsed {
            Ok(stmt) => to_ops::statement_ops(&stmt, blanked, opts),
            Err(err) => match fallback::alter_table_action_kind(action_blanked, &table, opts) {
                Some(kind) => vec![kind],
                None => vec![OpKind::Unparsed { reason: err }],
            },
        };
        kinds.append(&mut got);
    }
    Some(kinds)
}

/// Read every statement of `input` into operations (unparsable ones as `unparsed`).
pub fn read_statements(input: &SqlInput<'_>, opts: &ReadOptions) -> Vec<Operation> {
    read_range(input, 0, input.sql.len(), opts, &mut Session::default())
}

/// [`read_statements`] for one of several SQL texts sent over the same connection
/// (the `query()` calls of one TypeORM migration): a function created by one call and
/// called by a later one runs its body there.
pub fn read_statements_in(
    input: &SqlInput<'_>,
    opts: &ReadOptions,
    session: &mut Session,
) -> Vec<Operation> {
    read_range(input, 0, input.sql.len(), opts, session)
}

/// How deep SQL may run SQL (`EXPLAIN ANALYZE EXECUTE p`, a function calling a
/// function); deeper is unreadable, never skipped.
const MAX_NESTING: usize = 8;

/// An SQL text that defined something a later text may run (kept whole, so ranges
/// into it stay valid after the text it came from is gone).
#[derive(Debug)]
struct Source {
    sql: String,
    map: TextMap,
    dynamic: bool,
}

impl Source {
    fn input<'a>(&'a self, file: &'a SourceFile) -> SqlInput<'a> {
        SqlInput {
            sql: &self.sql,
            map: &self.map,
            file,
            dynamic: self.dynamic,
        }
    }
}

/// A routine created earlier, ranges absolute in its source's SQL.
#[derive(Debug, Clone)]
struct Routine {
    body: runs::Body,
    /// The `CREATE FUNCTION` statement (the text of an unreadable body's op).
    statement: (usize, usize),
    source: Rc<Source>,
}

/// What earlier statements of one SQL text left behind for later ones: prepared
/// statements, routines, triggers, rules and event triggers (PostgreSQL keeps them
/// for the session, so what runs them later in the same text runs their SQL).
#[derive(Debug, Default)]
pub struct Session {
    prepared: std::collections::HashMap<String, (Rc<Source>, (usize, usize))>,
    routines: std::collections::HashMap<String, Routine>,
    /// (table, events, what runs, where a rule's commands are)
    fires: Vec<(String, Vec<&'static str>, runs::Fired, Rc<Source>)>,
    on_ddl: Vec<String>,
    /// Routines being expanded (a recursive call is read once).
    running: Vec<String>,
    depth: usize,
}

/// One op for SQL that runs but cannot be read.
fn unreadable_op(
    input: &SqlInput<'_>,
    range: (usize, usize),
    anchor_line: usize,
    reason: String,
) -> Operation {
    let (fs, fe) = input.map.map_range(range.0, range.1);
    Operation {
        kind: OpKind::Unparsed { reason },
        span: input.file.span(fs, fe),
        text: input
            .sql
            .get(range.0..range.1)
            .unwrap_or_default()
            .to_string(),
        source: OpSource::Sql,
        dynamic: input.dynamic,
        anchor_line,
        guard: None,
        origin: None,
    }
}

/// Read `input.sql[from..to]` one level deeper (inner SQL that runs).
fn read_nested(
    input: &SqlInput<'_>,
    (from, to): (usize, usize),
    anchor_line: usize,
    opts: &ReadOptions,
    session: &mut Session,
) -> Vec<Operation> {
    if session.depth >= MAX_NESTING {
        return vec![unreadable_op(
            input,
            (from, to),
            anchor_line,
            format!("SQL run by SQL nested more than {MAX_NESTING} levels deep"),
        )];
    }
    session.depth += 1;
    let mut ops = read_range(input, from, to, opts, session);
    session.depth -= 1;
    for op in &mut ops {
        // A `migguard-ignore` above the statement that runs it covers it.
        op.anchor_line = anchor_line;
    }
    ops
}

/// The SQL a PL/pgSQL `EXECUTE` runs (decoded from the expression at `expr_start`),
/// read as SQL text of its own whose spans map back through `input`'s map.
fn read_executed(
    input: &SqlInput<'_>,
    expr_start: usize,
    pieces: &[runs::Piece],
    dynamic: bool,
    anchor_line: usize,
    opts: &ReadOptions,
    depth: usize,
) -> Vec<Operation> {
    let mut sql = String::new();
    let mut map = TextMap::default();
    for p in pieces.iter().filter(|p| !p.text.is_empty()) {
        let (fs, fe) = input
            .map
            .map_range(expr_start + p.raw.0, expr_start + p.raw.1);
        map.push(crate::ir::Segment {
            sql_start: sql.len(),
            sql_len: p.text.len(),
            file_start: fs,
            file_end: fe,
            verbatim: p.verbatim && fe - fs == p.text.len(),
        });
        sql.push_str(&p.text);
    }
    let inner = SqlInput {
        sql: &sql,
        map: &map,
        file: input.file,
        dynamic: input.dynamic || dynamic,
    };
    let mut session = Session {
        depth: depth + 1,
        ..Session::default()
    };
    if session.depth > MAX_NESTING {
        return vec![unreadable_op(
            &inner,
            (0, sql.len()),
            anchor_line,
            format!("SQL run by SQL nested more than {MAX_NESTING} levels deep"),
        )];
    }
    let mut ops = read_range(&inner, 0, sql.len(), opts, &mut session);
    for op in &mut ops {
        op.anchor_line = anchor_line;
    }
    ops
}

/// The ops of the routines an expression (at `r` in `input`) calls.
fn run_called(
    input: &SqlInput<'_>,
    r: (usize, usize),
    anchor_line: usize,
    opts: &ReadOptions,
    session: &mut Session,
) -> Vec<Operation> {
    let blanked = input
        .sql
        .get(r.0..r.1)
        .map(|t| lexical::scan(t).blanked)
        .unwrap_or_default();
    let mut ops = Vec::new();
    for called in runs::called_names(&blanked) {
        ops.extend(run_routine(input, &called, anchor_line, opts, session));
    }
    ops
}

/// The ops of a routine's body, run by the statement at `anchor_line`.
fn run_routine(
    input: &SqlInput<'_>,
    name: &str,
    anchor_line: usize,
    opts: &ReadOptions,
    session: &mut Session,
) -> Vec<Operation> {
    let Some(routine) = session.routines.get(name).cloned() else {
        // Created outside this text: what it does is the database's business.
        return Vec::new();
    };
    if session.running.iter().any(|r| r == name) {
        return Vec::new();
    }
    session.running.push(name.to_string());
    let input = &routine.source.input(input.file);
    let ops = match routine.body {
        runs::Body::Sql(r) => read_nested(input, r, anchor_line, opts, session),
        runs::Body::PlPgSql(r) => match input.sql.get(r.0..r.1).and_then(do_block::plain_body) {
            Some(block) => {
                let mut ops = read_nested(
                    input,
                    (r.0 + block.body.0, r.0 + block.body.1),
                    anchor_line,
                    opts,
                    session,
                );
                apply_handler_guard(&mut ops, &block);
                ops
            }
            // A trigger body that only sets columns of the row: what its expressions
            // call is all it can do.
            None => match input
                .sql
                .get(r.0..r.1)
                .and_then(do_block::row_assignments_body)
            {
                Some(expressions) => expressions
                    .into_iter()
                    .flat_map(|(s, e)| {
                        run_called(input, (r.0 + s, r.0 + e), anchor_line, opts, session)
                    })
                    .collect(),
                None => vec![unreadable_op(
                    input,
                    r,
                    anchor_line,
                    format!("{name}() runs here; its PL/pgSQL body cannot be read statically"),
                )],
            },
        },
        runs::Body::Expression(r) => run_called(input, r, anchor_line, opts, session),
        runs::Body::Unreadable => vec![unreadable_op(
            input,
            routine.statement,
            anchor_line,
            format!("{name}() runs here; its body is not SQL or PL/pgSQL migguard can read"),
        )],
    };
    session.running.pop();
    ops
}

/// Routines a statement runs: those it calls, the triggers and rules its writes
/// fire, the event triggers its DDL fires.
fn invoked_ops(
    input: &SqlInput<'_>,
    blanked: &str,
    stmt_ops: &[Operation],
    anchor_line: usize,
    opts: &ReadOptions,
    session: &mut Session,
) -> Vec<Operation> {
    if session.routines.is_empty() && session.fires.is_empty() {
        return Vec::new();
    }
    let mut routines: Vec<String> = runs::called_names(blanked)
        .into_iter()
        .filter(|n| session.routines.contains_key(n))
        .collect();
    let mut commands = Vec::new();
    for op in stmt_ops {
        let event = match op.kind {
            OpKind::Insert { .. } => "insert",
            OpKind::Update { .. } => "update",
            OpKind::Delete { .. } => "delete",
            OpKind::Truncate { .. } => "truncate",
            _ => continue,
        };
        let Some(table) = op.kind.table() else {
            continue;
        };
        for (t, events, fired, source) in &session.fires {
            if *t == table.name && events.contains(&event) {
                match fired {
                    runs::Fired::Function(f) => routines.push(f.clone()),
                    runs::Fired::Commands(r) => commands.push((source.clone(), *r)),
                }
            }
        }
    }
    if stmt_ops.iter().any(|o| o.kind.changes_schema()) {
        routines.extend(session.on_ddl.iter().cloned());
    }
    let mut ops = Vec::new();
    for (source, r) in commands {
        let input = &source.input(input.file);
        ops.extend(read_nested(input, r, anchor_line, opts, session));
    }
    routines.dedup();
    for name in routines {
        ops.extend(run_routine(input, &name, anchor_line, opts, session));
    }
    ops
}

/// The statements of `input.sql[from..to]`; offsets stay those of `input.sql`, so
/// spans map through `input.map` unchanged.
fn read_range(
    input: &SqlInput<'_>,
    from: usize,
    to: usize,
    opts: &ReadOptions,
    session: &mut Session,
) -> Vec<Operation> {
    let Some(sql) = input.sql.get(from..to) else {
        return Vec::new();
    };
    let lexed = lexical::scan(sql);
    let mut ops = Vec::new();
    let mut previous: Option<(usize, usize)> = None;
    let mut kept: Option<Rc<Source>> = None;
    let mut keep = || {
        kept.get_or_insert_with(|| {
            Rc::new(Source {
                sql: input.sql.to_string(),
                map: input.map.clone(),
                dynamic: input.dynamic,
            })
        })
        .clone()
    };
    for &(rel_start, rel_end) in &lexed.statements {
        let (start, end) = (from + rel_start, from + rel_end);
        let (Some(text), Some(blanked)) = (
            input.sql.get(start..end),
            lexed.blanked.get(rel_start..rel_end),
        ) else {
            continue;
        };
        let span_of = |s: usize, e: usize| {
            let (fs, fe) = input.map.map_range(s, e);
            input.file.span(fs, fe)
        };
        let span = span_of(start, end);
        let anchor_line = span.line;
        // psql's `\gexec` runs every value the query before it returns: its string
        // literals are the SQL that may run (the meta-command itself stays unparsed).
        if text.starts_with("\\gexec") {
            if let Some((ps, pe)) = previous {
                let raw = input.sql.get(ps..pe).unwrap_or_default();
                let blanked_prev = lexed.blanked.get(ps - from..pe - from).unwrap_or_default();
                for pieces in runs::string_literals(raw, blanked_prev) {
                    ops.extend(read_executed(
                        input,
                        ps,
                        &pieces,
                        false,
                        anchor_line,
                        opts,
                        session.depth,
                    ));
                }
            }
        }
        previous = Some((start, end));
        if let Some(block) = do_block::simple_do_block(text) {
            ops.extend(read_do_block(
                input,
                start,
                &block,
                anchor_line,
                opts,
                session,
            ));
            continue;
        }
        if let Some(guarded) = do_block::constraint_guarded_do_block(text) {
            let (s, e) = guarded.statement;
            for mut op in read_range(input, start + s, start + e, opts, session) {
                op.anchor_line = anchor_line;
                if op.guard.is_none() {
                    op.guard = Some(Guard::ConstraintAbsent(guarded.constraint.clone()));
                }
                ops.push(op);
            }
            continue;
        }
        if let Some(data) = do_block::data_only_do_block(text) {
            // A backfill: its data statements are read (lint judges them); it
            // changes no schema, so replay has nothing to doubt.
            for (s, e, conditional) in data {
                for mut op in read_range(input, start + s, start + e, opts, session) {
                    op.anchor_line = anchor_line;
                    if conditional && op.guard.is_none() {
                        op.guard = Some(Guard::Condition("a branch or loop of a DO block".into()));
                    }
                    ops.push(op);
                }
            }
            continue;
        }
        let dollar_bodies: Vec<(usize, usize)> = lexed
            .dollar_bodies
            .iter()
            .filter(|b| b.0 >= rel_start && b.1 <= rel_end)
            .map(|b| (b.0 - rel_start, b.1 - rel_start))
            .collect();
        let abs = |r: (usize, usize)| (start + r.0, start + r.1);
        let mut new_on_ddl = None;
        match runs::recognise(blanked, &dollar_bodies) {
            Some(runs::Runs::Now(inner)) => {
                ops.extend(read_nested(input, abs(inner), anchor_line, opts, session));
                continue;
            }
            Some(runs::Runs::Prepare { name, inner }) => {
                session.prepared.insert(name, (keep(), abs(inner)));
            }
            Some(runs::Runs::ExecuteSql(expr)) => {
                let (es, ee) = abs(expr);
                let raw = input.sql.get(es..ee).unwrap_or_default();
                match runs::dynamic_sql(raw) {
                    Some((pieces, dynamic)) => ops.extend(read_executed(
                        input,
                        es,
                        &pieces,
                        dynamic,
                        anchor_line,
                        opts,
                        session.depth,
                    )),
                    None => ops.push(unreadable_op(
                        input,
                        (start, end),
                        anchor_line,
                        "EXECUTE of SQL built at run time".to_string(),
                    )),
                }
                continue;
            }
            Some(runs::Runs::Execute { name }) => {
                match session.prepared.get(&name).cloned() {
                    Some((source, inner)) => ops.extend(read_nested(
                        &source.input(input.file),
                        inner,
                        anchor_line,
                        opts,
                        session,
                    )),
                    None => ops.push(unreadable_op(
                        input,
                        (start, end),
                        anchor_line,
                        format!("EXECUTE {name}: prepared outside this SQL text, so what it runs is unknown"),
                    )),
                }
                continue;
            }
            Some(runs::Runs::Routine { name, body }) => {
                // A body in single quotes is read as is only when it holds no
                // escape (`''`, a backslash): its text is then the string's value.
                let escaped = |r: (usize, usize)| {
                    let (from, to) = abs(r);
                    input.sql.as_bytes().get(from.wrapping_sub(1)) == Some(&b'\'')
                        && input
                            .sql
                            .get(from..to)
                            .is_none_or(|t| t.contains(['\'', '\\']))
                };
                let body = match body {
                    runs::Body::Sql(r) | runs::Body::PlPgSql(r) if escaped(r) => {
                        runs::Body::Unreadable
                    }
                    runs::Body::Sql(r) => runs::Body::Sql(abs(r)),
                    runs::Body::PlPgSql(r) => runs::Body::PlPgSql(abs(r)),
                    runs::Body::Expression(r) => runs::Body::Expression(abs(r)),
                    runs::Body::Unreadable => runs::Body::Unreadable,
                };
                session.routines.insert(
                    name,
                    Routine {
                        body,
                        statement: (start, end),
                        source: keep(),
                    },
                );
            }
            Some(runs::Runs::Fires {
                table,
                events,
                body,
            }) => {
                let body = match body {
                    runs::Fired::Commands(r) => runs::Fired::Commands(abs(r)),
                    f => f,
                };
                session.fires.push((table, events, body, keep()));
            }
            // Registered after this statement: an event trigger does not fire for
            // its own creation.
            Some(runs::Runs::OnDdl { function }) => new_on_ddl = Some(function),
            None => {}
        }
        let kinds = statement_kinds(text, blanked, opts);
        // Each action of a multi-action ALTER TABLE gets its own span, so a finding on
        // `DROP COLUMN` points at that line, not at the whole statement.
        let parts = if kinds.len() > 1 && to_ops::leading_words(blanked, 2) == "ALTER TABLE" {
            lexical::top_level_parts(blanked)
        } else {
            Vec::new()
        };
        let per_action = parts.len() == kinds.len();
        let mut stmt_ops = Vec::with_capacity(kinds.len());
        for (i, kind) in kinds.into_iter().enumerate() {
            let span = match parts.get(i) {
                Some(&(s, e)) if per_action => {
                    span_of(start + if i == 0 { 0 } else { s }, start + e)
                }
                _ => span,
            };
            // An unparsed action is matched lexically on its own text (with the
            // `ALTER TABLE t` head), not on its parsed neighbours'.
            let op_text = match (&kind, parts.get(i)) {
                (OpKind::Unparsed { .. }, Some(&(s, e))) if per_action && i > 0 => {
                    let head_end = parts[0].1.min(text.len());
                    let head = fallback::alter_table_head(blanked, opts)
                        .and_then(|(_, len)| text.get(..len.min(head_end)));
                    match (head, text.get(s..e)) {
                        (Some(h), Some(a)) => format!("{h} {a}"),
                        _ => text.to_string(),
                    }
                }
                (OpKind::Unparsed { .. }, Some(&(_, e))) if per_action => {
                    text.get(..e).unwrap_or(text).to_string()
                }
                _ => text.to_string(),
            };
            stmt_ops.push(Operation {
                kind,
                span,
                text: op_text,
                source: OpSource::Sql,
                dynamic: input.dynamic,
                // A `migguard-ignore` above the statement covers all its actions.
                anchor_line,
                guard: None,
                origin: None,
            });
        }
        merge_unparsed(&mut stmt_ops);
        let invoked = invoked_ops(input, blanked, &stmt_ops, anchor_line, opts, session);
        ops.append(&mut stmt_ops);
        ops.extend(invoked);
        session.on_ddl.extend(new_on_ddl);
    }
    ops
}

/// The statements of a plain DO body, read like any others. Under an EXCEPTION
/// handler a single statement is `Swallowed` (it applies or is skipped, as PostgreSQL
/// does); several are a `Condition`, because an error in a later one rolls back the
/// earlier ones and replay cannot tell which ran.
fn read_do_block(
    input: &SqlInput<'_>,
    start: usize,
    block: &do_block::DoBlock,
    anchor_line: usize,
    opts: &ReadOptions,
    session: &mut Session,
) -> Vec<Operation> {
    let mut ops = read_range(
        input,
        start + block.body.0,
        start + block.body.1,
        opts,
        session,
    );
    for op in &mut ops {
        // A `migguard-ignore` above the DO covers what runs inside it.
        op.anchor_line = anchor_line;
    }
    apply_handler_guard(&mut ops, block);
    ops
}

/// The guard an EXCEPTION handler that only ignores errors puts on what its block runs.
fn apply_handler_guard(ops: &mut [Operation], block: &do_block::DoBlock) {
    let swallowed = block.swallows.join(" OR ");
    let guard = match (block.swallows.is_empty(), block.statements) {
        (true, _) => None,
        (false, 1) => Some(Guard::Swallowed(swallowed)),
        (false, _) => Some(Guard::Condition(format!(
            "no statement of the DO block raises {swallowed}"
        ))),
    };
    for op in ops {
        if op.guard.is_none() {
            op.guard = guard.clone();
        }
    }
}

/// Several unsupported actions of one statement are one problem to report, not one
/// per action: keep the first unparsed op, give it every unparsed action's text (so
/// the rules' patterns still see them all) and say how many there were.
fn merge_unparsed(ops: &mut Vec<Operation>) {
    let idx: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.kind, OpKind::Unparsed { .. }))
        .map(|(i, _)| i)
        .collect();
    let [first, rest @ ..] = idx.as_slice() else {
        return;
    };
    if rest.is_empty() {
        return;
    }
    let texts: Vec<String> = rest.iter().map(|&i| ops[i].text.clone()).collect();
    let end = ops[*rest.last().unwrap_or(first)].span;
    let head = &mut ops[*first];
    for t in texts {
        head.text.push('\n');
        head.text.push_str(&t);
    }
    head.span.end = end.end;
    head.span.end_line = end.end_line;
    head.span.end_column = end.end_column;
    if let OpKind::Unparsed { reason } = &mut head.kind {
        reason.push_str(&format!(
            " (and {} more unsupported actions in this statement)",
            rest.len()
        ));
    }
    for &i in rest.iter().rev() {
        ops.remove(i);
    }
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

fn ops_of_file(file: &SourceFile, opts: &ReadOptions, format: MigrationFormat) -> Vec<Operation> {
    let flyway = matches!(
        format,
        MigrationFormat::FlywayVersioned | MigrationFormat::FlywayRepeatable
    );
    let placeholders = flyway
        .then(|| flyway_placeholders(&file.text, &opts.flyway_placeholders))
        .flatten();
    if let Some((sql, map)) = placeholders {
        let mut ops = read_statements(
            &SqlInput {
                sql: &sql,
                map: &map,
                file,
                dynamic: false,
            },
            opts,
        );
        // Only the statements a placeholder is in are built at run time.
        for op in &mut ops {
            op.dynamic |= op.text.contains(crate::ir::DYNAMIC_PLACEHOLDER);
        }
        return ops;
    }
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

/// Flyway replaces `${name}` placeholders (its default prefix and suffix, names as
/// its `PlaceholderReplacer` matches them) anywhere in a script before it runs it,
/// with values from its configuration: one configured in `[flyway] placeholders`
/// (`values`, by exact name) is replaced by its value; any other becomes a dynamic
/// placeholder, so what it names is uncertain rather than unreadable SQL. `None`
/// when the script has none.
fn flyway_placeholders(
    text: &str,
    values: &std::collections::BTreeMap<String, String>,
) -> Option<(String, TextMap)> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-');
    let (mut sql, mut map, mut copied, mut n) = (String::new(), TextMap::default(), 0, 0);
    let verbatim = |sql: &mut String, map: &mut TextMap, from: usize, to: usize| {
        map.push(crate::ir::Segment {
            sql_start: sql.len(),
            sql_len: to - from,
            file_start: from,
            file_end: to,
            verbatim: true,
        });
        sql.push_str(&text[from..to]);
    };
    let mut at = 0;
    while let Some(found) = text[at..].find("${") {
        let start = at + found;
        let name_len = text[start + 2..].find(|c: char| !is_name(c));
        match name_len {
            Some(len) if len > 0 && text[start + 2 + len..].starts_with('}') => {
                let end = start + 2 + len + 1;
                verbatim(&mut sql, &mut map, copied, start);
                n += 1;
                let placeholder = match values.get(&text[start + 2..start + 2 + len]) {
                    Some(value) => value.clone(),
                    None => format!("{}{n}__", crate::ir::DYNAMIC_PLACEHOLDER),
                };
                map.push(crate::ir::Segment {
                    sql_start: sql.len(),
                    sql_len: placeholder.len(),
                    file_start: start,
                    file_end: end,
                    verbatim: false,
                });
                sql.push_str(&placeholder);
                (copied, at) = (end, end);
            }
            _ => at = start + 2,
        }
    }
    if n == 0 {
        return None;
    }
    verbatim(&mut sql, &mut map, copied, text.len());
    Some((sql, map))
}

/// Whether the tool runs the file's `up` side inside a transaction (what decides
/// whether `CONCURRENTLY` fails at run time).
///
/// - golang-migrate sends the whole file as one simple query; PostgreSQL runs a
///   multi-statement query as one implicit transaction, a single statement alone.
/// - Flyway wraps each migration in a transaction unless the script's `.conf` says
///   `executeInTransaction=false`, and runs a script outside one when it detects a
///   non-transactional statement such as `CREATE INDEX CONCURRENTLY` — but only when
///   every statement is one (`mixed = false`, the default, refuses a mix).
/// - diesel wraps each migration unless `metadata.toml` says `run_in_transaction = false`.
/// - Prisma Migrate sends `migration.sql` as one script, like golang-migrate (a
///   multi-statement file with `CREATE INDEX CONCURRENTLY` fails in
///   `PreventInTransactionBlock`, prisma/prisma#14456); a single statement runs alone.
/// - An unknown tool (plain numbered files) is assumed to use a transaction, so
///   `CONCURRENTLY` is flagged rather than trusted (fail closed).
pub fn runs_in_transaction(id: &SqlIdentity, up: &[Operation], opted_out: bool) -> bool {
    if opted_out {
        return false;
    }
    // What Flyway's PostgreSQLParser runs outside a transaction
    // (`detectCanExecuteInTransaction`): CREATE/DROP INDEX CONCURRENTLY, any VACUUM,
    // REINDEX SCHEMA|DATABASE|SYSTEM (not REINDEX … CONCURRENTLY, nor CLUSTER).
    let is_concurrent = |o: &Operation| match &o.kind {
        OpKind::CreateIndex(d) => d.concurrently,
        OpKind::DropIndex { concurrently, .. } => *concurrently,
        OpKind::Vacuum { .. } => true,
        OpKind::Reindex { target, .. } => {
            matches!(target.as_str(), "schema" | "database" | "system")
        }
        _ => false,
    };
    let concurrent = up.iter().any(is_concurrent);
    // Statements Flyway neither counts as transactional nor as the opposite.
    let neutral = |o: &Operation| {
        matches!(
            o.kind,
            OpKind::SetOption { .. } | OpKind::TransactionControl { .. } | OpKind::Comment { .. }
        )
    };
    match id.format {
        MigrationFormat::GolangMigrate | MigrationFormat::Prisma => {
            let statements: std::collections::BTreeSet<usize> =
                up.iter().map(|o| o.span.start).collect();
            statements.len() > 1
        }
        // With `mixed = false` (Flyway's default) a script that also holds
        // transactional statements is refused at run time rather than run outside a
        // transaction: as broken as CONCURRENTLY inside one.
        MigrationFormat::FlywayVersioned | MigrationFormat::FlywayRepeatable => {
            !concurrent || up.iter().any(|o| !is_concurrent(o) && !neutral(o))
        }
        _ => true,
    }
}

/// The migrations of `(path, sql)` files, each read as [`read_sql_file`] reads it
/// with the default options: how unit tests elsewhere state a project.
#[cfg(test)]
pub(crate) fn read_sql_texts(files: &[(&str, &str)]) -> Vec<Migration> {
    files
        .iter()
        .flat_map(|(path, sql)| {
            read_sql_file(
                &SourceFile::new((*path).into(), sql.to_string()),
                &ReadOptions::default(),
            )
        })
        .collect()
}

/// Read a `.sql` migration file (identity from its file name, `up` side only; a
/// golang-migrate `.down.sql` / Flyway `U…` file yields a migration with no ops).
pub fn read_sql_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    let id =
        layout::sql_identity(&file.path).unwrap_or_else(|| layout::fallback_identity(&file.path));
    let lexed = lexical::scan(&file.text);
    let (header_comments, comments) = file_comments(file, &lexed);
    // A down side (named on the command line: discovery skips them) is never gated
    // and its operations are not kept, so it is not parsed; its comments still are
    // read above, for unused or misspelled suppressions.
    let up = match id.side {
        Side::Up => ops_of_file(file, opts, id.format),
        Side::Down => Vec::new(),
    };
    // `-- migguard:no-transaction` in the header: the runner is configured not to use
    // a transaction in a way migguard cannot see (a CLI flag, a global setting).
    let opted_out = file.tool_settings.no_transaction
        || header_comments
            .iter()
            .any(|c| c.text.eq_ignore_ascii_case("migguard:no-transaction"));
    let transactional = runs_in_transaction(&id, &up, opted_out);
    vec![Migration {
        name: id.name.clone(),
        version: id.version.clone(),
        order: id.order.clone(),
        format: id.format,
        file: file.path.clone(),
        span: file.span(0, file.text.len()),
        transactional,
        up,
        header_comments,
        comments,
        read_errors: Vec::new(),
    }]
}

/// Behaviour tests written against the first reader on main, kept as a second,
/// independent check of the same contract.
#[cfg(test)]
mod seed_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Segment, Span};
    use serde::Serialize;
    use std::path::PathBuf;

    #[test]
    fn configured_flyway_placeholders_are_read_as_their_values() {
        let f = SourceFile::new(
            PathBuf::from("db/migration/V1__init.sql"),
            "CREATE TABLE ${schema}.account (id int);\nCREATE TABLE ${other}.audit (id int);\n"
                .to_string(),
        );
        let mut opts = ReadOptions::default();
        opts.flyway_placeholders
            .insert("schema".to_string(), "app".to_string());
        // Flyway matches the name exactly.
        opts.flyway_placeholders
            .insert("Other".to_string(), "wrong".to_string());
        let migrations = read_sql_file(&f, &opts);
        let ops = &migrations[0].up;
        assert_eq!(ops.len(), 2, "{ops:?}");
        assert_eq!(
            ops[0].kind.table(),
            Some(&crate::ir::QualifiedName::new("app", "account"))
        );
        assert!(!ops[0].dynamic, "{:?}", ops[0]);
        assert_eq!(ops[0].span.line, 1);
        assert!(ops[1].dynamic, "{:?}", ops[1]);
        assert_eq!(ops[1].span.line, 2);
    }

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
        ops_of_file(&f, &ReadOptions::default(), MigrationFormat::SqlPlain)
    }

    fn fixture(name: &str) -> SourceFile {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sql")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("fixture exists");
        SourceFile::new(PathBuf::from(name), text)
    }

    /// VACUUM, CLUSTER, REINDEX, ATTACH/DETACH PARTITION and SET [UN]LOGGED in
    /// PostgreSQL 15's grammar, each one op that replay, locks and rules see.
    #[test]
    fn maintenance_partition_and_persistence_statements() {
        use crate::ir::QualifiedName;
        let q = |s: &str, n: &str| QualifiedName::new(s, n);
        let kinds = |sql: &str| -> Vec<OpKind> { read(sql).into_iter().map(|o| o.kind).collect() };
        let vacuum = |tables: Vec<QualifiedName>, full| vec![OpKind::Vacuum { tables, full }];
        for (sql, want) in [
            ("VACUUM", vacuum(vec![], false)),
            ("VACUUM FULL", vacuum(vec![], true)),
            ("VACUUM FULL users", vacuum(vec![q("public", "users")], true)),
            (
                "VACUUM FULL VERBOSE ANALYZE core.a, b (x, y)",
                vacuum(vec![q("core", "a"), q("public", "b")], true),
            ),
            ("VACUUM (FULL, ANALYZE) users", vacuum(vec![q("public", "users")], true)),
            ("VACUUM (FULL false) users", vacuum(vec![q("public", "users")], false)),
            ("VACUUM (FULL off, VERBOSE) users", vacuum(vec![q("public", "users")], false)),
            ("VACUUM (ANALYZE, PARALLEL 2) users", vacuum(vec![q("public", "users")], false)),
            ("VACUUM ANALYZE users", vacuum(vec![q("public", "users")], false)),
            ("CLUSTER", vec![OpKind::Cluster { table: None }]),
            ("CLUSTER VERBOSE", vec![OpKind::Cluster { table: None }]),
            (
                "CLUSTER users USING users_pkey",
                vec![OpKind::Cluster { table: Some(q("public", "users")) }],
            ),
            (
                "CLUSTER (VERBOSE) core.users",
                vec![OpKind::Cluster { table: Some(q("core", "users")) }],
            ),
            (
                "CLUSTER users_pkey ON users",
                vec![OpKind::Cluster { table: Some(q("public", "users")) }],
            ),
            (
                "REINDEX INDEX users_email_idx",
                vec![OpKind::Reindex {
                    target: "index".into(),
                    name: q("public", "users_email_idx"),
                    concurrently: false,
                }],
            ),
            (
                "REINDEX TABLE CONCURRENTLY core.users",
                vec![OpKind::Reindex {
                    target: "table".into(),
                    name: q("core", "users"),
                    concurrently: true,
                }],
            ),
            (
                "REINDEX (VERBOSE, CONCURRENTLY) INDEX i",
                vec![OpKind::Reindex {
                    target: "index".into(),
                    name: q("public", "i"),
                    concurrently: true,
                }],
            ),
            (
                "REINDEX (CONCURRENTLY false) SCHEMA app",
                vec![OpKind::Reindex {
                    target: "schema".into(),
                    name: q("", "app"),
                    concurrently: false,
                }],
            ),
            (
                "REINDEX DATABASE",
                vec![OpKind::Reindex {
                    target: "database".into(),
                    name: q("", ""),
                    concurrently: false,
                }],
            ),
            (
                "ALTER TABLE events ATTACH PARTITION core.events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                vec![OpKind::AttachPartition {
                    table: q("public", "events"),
                    partition: q("core", "events_2026"),
                }],
            ),
            (
                "ALTER TABLE events ATTACH PARTITION events_rest DEFAULT",
                vec![OpKind::AttachPartition {
                    table: q("public", "events"),
                    partition: q("public", "events_rest"),
                }],
            ),
            (
                "ALTER TABLE ONLY events DETACH PARTITION events_2025",
                vec![OpKind::DetachPartition {
                    table: q("public", "events"),
                    partition: q("public", "events_2025"),
                    concurrently: false,
                    finalize: false,
                }],
            ),
            (
                "ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY",
                vec![OpKind::DetachPartition {
                    table: q("public", "events"),
                    partition: q("public", "events_2025"),
                    concurrently: true,
                    finalize: false,
                }],
            ),
            (
                "ALTER TABLE events DETACH PARTITION events_2025 FINALIZE",
                vec![OpKind::DetachPartition {
                    table: q("public", "events"),
                    partition: q("public", "events_2025"),
                    concurrently: false,
                    finalize: true,
                }],
            ),
            (
                "ALTER TABLE users SET UNLOGGED",
                vec![OpKind::SetPersistence {
                    table: q("public", "users"),
                    logged: false,
                }],
            ),
            (
                "ALTER TABLE users SET LOGGED",
                vec![OpKind::SetPersistence {
                    table: q("public", "users"),
                    logged: true,
                }],
            ),
        ] {
            assert_eq!(kinds(sql), want, "{sql}");
        }
        // What PostgreSQL 15 would reject is not guessed at: unparsed, never safe.
        for sql in [
            "REINDEX users",
            "REINDEX SCHEMA",
            "CLUSTER a b",
            "VACUUM FULL users junk",
            "ALTER TABLE events DETACH PARTITION p NOW",
            "ALTER TABLE events ATTACH PARTITION p",
        ] {
            let got = kinds(sql);
            assert!(
                matches!(got.as_slice(), [OpKind::Unparsed { .. }]),
                "{sql}: {got:?}"
            );
        }
    }

    #[test]
    fn every_op_kind() {
        let f = fixture("all_kinds.sql");
        let ops = ops_of_file(&f, &ReadOptions::default(), MigrationFormat::SqlPlain);
        insta::assert_yaml_snapshot!(views(&ops));
    }

    #[test]
    fn fallback_statements() {
        let f = fixture("fallback.sql");
        let ops = ops_of_file(&f, &ReadOptions::default(), MigrationFormat::SqlPlain);
        insta::assert_yaml_snapshot!(views(&ops));
    }

    #[test]
    fn typeorm_and_pg_dump_output() {
        let f = fixture("generated.sql");
        let ops = ops_of_file(&f, &ReadOptions::default(), MigrationFormat::SqlPlain);
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
            ..ReadOptions::default()
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
    fn table_level_not_null_constraints_pg18() {
        let ops = read(
            "CREATE TABLE t (\n  CONSTRAINT t_id_not_null NOT NULL id,\n  id int GENERATED BY DEFAULT AS IDENTITY (START WITH 1 INCREMENT BY 1),\n  \"Name\" text,\n  NOT NULL \"Name\" NO INHERIT\n)",
        );
        let OpKind::CreateTable { columns, .. } = &ops[0].kind else {
            panic!("{:?}", ops[0].kind)
        };
        let cols: Vec<(&str, bool)> = columns
            .iter()
            .map(|c| (c.name.as_str(), c.not_null))
            .collect();
        assert_eq!(cols, vec![("id", true), ("Name", true)]);
    }

    #[test]
    fn one_unsupported_alter_table_action_costs_one_op() {
        let sql = "ALTER TABLE ONLY t\n    ADD COLUMN a int,\n    ALTER CONSTRAINT t_fk NOT ENFORCED,\n    ADD CONSTRAINT a_nn NOT NULL a,\n    DROP COLUMN b,\n    FROBNICATE c";
        let ops = read(sql);
        let got: Vec<String> = ops
            .iter()
            .map(|o| {
                format!(
                    "{} {} {}",
                    at(&o.span),
                    o.kind.name(),
                    o.text.replace('\n', " ")
                )
            })
            .collect();
        assert_eq!(
            got[0],
            format!("1:1-2:21 add_column {}", sql.replace('\n', " "))
        );
        // The two unsupported actions (lines 3 and 6) are one unparsed op.
        assert_eq!(
            got[1],
            "3:5-6:17 unparsed ALTER TABLE ONLY t ALTER CONSTRAINT t_fk NOT ENFORCED ALTER TABLE ONLY t FROBNICATE c"
        );
        assert!(got[2].starts_with("4:5-4:35 set_not_null "), "{}", got[2]);
        assert!(got[3].starts_with("5:5-5:18 drop_column "), "{}", got[3]);
        assert_eq!(ops.len(), 4);
    }

    #[test]
    fn several_unsupported_actions_are_one_unparsed_op() {
        let sql = "ALTER TABLE t\n  ALTER CONSTRAINT a NOT ENFORCED,\n  DROP COLUMN x,\n  ALTER CONSTRAINT b NOT ENFORCED";
        let ops = read(sql);
        let kinds: Vec<&str> = ops.iter().map(|o| o.kind.name()).collect();
        assert_eq!(kinds, vec!["unparsed", "drop_column"]);
        let u = &ops[0];
        assert_eq!(at(&u.span), "1:1-4:34");
        assert!(u.text.contains("ALTER CONSTRAINT a") && u.text.contains("ALTER CONSTRAINT b"));
        assert!(
            matches!(&u.kind, OpKind::Unparsed { reason } if reason.ends_with("(and 1 more unsupported actions in this statement)"))
        );
        assert_eq!(at(&ops[1].span), "3:3-3:16");
    }

    #[test]
    fn only_names_the_table_after_it() {
        let targets: Vec<String> = read(
            "DELETE FROM ONLY u; UPDATE ONLY public.v SET a = 1; DELETE FROM ONLY core.w WHERE x; \
             DELETE FROM only_log",
        )
        .iter()
        .map(|o| format!("{} {}", o.kind.name(), o.kind.object().unwrap_or_default()))
        .collect();
        assert_eq!(
            targets,
            [
                "delete public.u",
                "update public.v",
                "delete core.w",
                "delete public.only_log"
            ]
        );
    }

    /// `TRIM(BOTH FROM x)` (hmpps-activities-management-api): SQL's spelling of
    /// `TRIM(x)`, which sqlparser 0.63 rejects. Read as `TRIM(x)`, what PostgreSQL
    /// runs; `LEADING`/`TRAILING` without characters stay unparsed (not rewritten).
    #[test]
    fn trim_both_from_reads_as_trim() {
        let ops = read(
            "UPDATE appointment SET note = NULL WHERE TRIM(BOTH FROM note) = '';\n\
             UPDATE appointment SET note = NULL WHERE trim ( both\n from note ) = '';\n\
             UPDATE appointment SET note = NULL WHERE TRIM(LEADING FROM note) = '';",
        );
        let kinds: Vec<String> = ops
            .iter()
            .map(|o| format!("{} {}", o.kind.name(), o.kind.object().unwrap_or_default()))
            .collect();
        assert_eq!(
            kinds,
            [
                "update public.appointment",
                "update public.appointment",
                "unparsed "
            ]
        );
        assert_eq!(at(&ops[1].span).split(':').next(), Some("2"));
    }

    #[test]
    fn bom_is_not_a_statement() {
        let kinds: Vec<&str> = read("\u{feff}DROP TABLE x")
            .iter()
            .map(|o| o.kind.name())
            .collect();
        assert_eq!(kinds, vec!["drop_table"]);
    }

    /// The guarded-DDL idiom is read as its statement, with the guard replay needs;
    /// PL/pgSQL stays unreadable.
    #[test]
    fn do_blocks_with_a_plain_body_are_read_as_their_statements() {
        let ops = read(
            "DO $$ BEGIN ALTER TABLE t ADD COLUMN a int; END $$;\n\
             DO $$\nBEGIN\n  CREATE TYPE mood AS ENUM ('a');\nEXCEPTION\n  WHEN duplicate_object THEN null;\nEND $$;\n\
             DO $$ BEGIN CREATE TYPE x AS ENUM ('a'); CREATE TYPE y AS ENUM ('b'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n\
             DO $$ BEGIN IF true THEN DROP TABLE t; END IF; END $$;",
        );
        let got: Vec<(&str, usize, usize, Option<Guard>)> = ops
            .iter()
            .map(|o| (o.kind.name(), o.span.line, o.anchor_line, o.guard.clone()))
            .collect();
        let both = Some(Guard::Condition(
            "no statement of the DO block raises duplicate_object".into(),
        ));
        assert_eq!(
            got,
            vec![
                ("add_column", 1, 1, None),
                // The span is the inner statement's; a suppression goes above the DO.
                (
                    "create_type_enum",
                    4,
                    2,
                    Some(Guard::Swallowed("duplicate_object".into()))
                ),
                ("create_type_enum", 8, 8, both.clone()),
                ("create_type_enum", 8, 8, both),
                ("unparsed", 9, 9, None),
            ]
        );
    }

    /// lemmy's backfill DO blocks: the data statements are read, nothing in them is
    /// unparsed, and replay has nothing to doubt about the tables they touch.
    #[test]
    fn do_blocks_that_only_move_data_are_read_as_their_data_statements() {
        let sql = "CREATE TABLE person (id int, name text);
                   DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT id FROM person LOOP
                       UPDATE person SET name = lower(name) WHERE id = r.id;
  END LOOP;
                     DELETE FROM person;
END $$;
                   DO $$ BEGIN IF true THEN ALTER TABLE person ADD COLUMN x int; END IF; END $$;";
        let ops = read(sql);
        let kinds: Vec<(&str, usize)> = ops.iter().map(|o| (o.kind.name(), o.span.line)).collect();
        assert_eq!(
            kinds,
            vec![
                ("create_table", 1),
                ("update", 6),
                ("delete", 8),
                ("unparsed", 10)
            ]
        );
        assert!(ops[1].guard.is_some() && ops[2].anchor_line == 2);
        let mut m = read_sql_file(&file("0001_m.sql", sql), &ReadOptions::default())
            .pop()
            .expect("one migration");
        m.up.truncate(3);
        let (model, _) = crate::schema::replay::replay(&[&m], "public");
        assert!(model.uncertain.is_empty(), "{:?}", model.uncertain);
    }
}
