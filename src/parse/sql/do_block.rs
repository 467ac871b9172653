//! The guarded-DDL idiom `DO $$ BEGIN <DDL>; EXCEPTION WHEN duplicate_object THEN NULL;
//! END $$`, read as the statements it runs.
//!
//! Real migration sets use DO blocks mostly to make one DDL statement idempotent
//! (medusa's `RENAME COLUMN … EXCEPTION WHEN undefined_column`, the enum guard `CREATE
//! TYPE … EXCEPTION WHEN duplicate_object`). Such a body is plain SQL, so treating it
//! as unreadable would lose the exact rule for the DDL and the replay of its effect.
//! Only that shape is accepted (plus `EXECUTE <string expression>`, which the reader
//! decodes and reads as the SQL it runs): a body with declarations, control flow
//! (`IF`, loops), `PERFORM`, assignments or a handler that does anything but `NULL` /
//! `RAISE NOTICE` is not plain — unless it only moves data ([`data_only_do_block`]:
//! lemmy's backfills loop over rows and UPDATE them), when its data statements are
//! read and nothing in it changes the schema; anything else stays unreadable and the
//! caller falls back to the lexical reading.

use super::lexical;

/// A DO block whose body is a plain list of SQL statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoBlock {
    /// Byte range of the statements between `BEGIN` and `EXCEPTION`/`END`, relative to
    /// the text given to [`simple_do_block`].
    pub body: (usize, usize),
    /// How many statements the body holds.
    pub statements: usize,
    /// The error conditions the EXCEPTION clause swallows, as written
    /// (`duplicate_object`, `SQLSTATE '42P07'`); empty without a clause.
    pub swallows: Vec<String>,
}

/// Statements a plain body may hold: SQL, not PL/pgSQL.
const SQL_STATEMENTS: &[&str] = &[
    "ALTER", "CREATE", "DROP", "COMMENT", "GRANT", "REVOKE", "INSERT", "UPDATE", "DELETE",
    "TRUNCATE", "EXECUTE",
];

/// Words that make a handler more than "ignore the error".
fn handler_action_is_ignore(words: &[&str]) -> bool {
    match words {
        ["NULL"] => true,
        ["RAISE", level, ..] => {
            matches!(*level, "NOTICE" | "INFO" | "LOG" | "DEBUG" | "WARNING")
        }
        _ => false,
    }
}

/// Words of `blanked[from..to]` with their byte offsets (absolute), upper-cased: the
/// [`lexical::tokens`] that are names or keywords (a quoted identifier keeps its
/// quotes, so it never reads as a keyword); numbers, punctuation and dollar-quote
/// tags (`$body$`, the word glued to a `$`) are no words.
fn words(blanked: &str, from: usize, to: usize) -> Vec<(usize, String)> {
    let Some(part) = blanked.get(from..to) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut dollar_ends_at = None;
    for t in lexical::token_iter(part) {
        let tag = dollar_ends_at == Some(t.at);
        dollar_ends_at = (t.text == "$").then(|| t.end());
        if tag || t.is_punct() || t.text.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        out.push((from + t.at, t.text.to_ascii_uppercase()));
    }
    out
}

/// `text` is one statement (without its `;`). Returns the block when it is `DO
/// [LANGUAGE plpgsql] $tag$ BEGIN … [EXCEPTION WHEN … THEN NULL;] END[;] $tag$
/// [LANGUAGE plpgsql]` with a plain SQL body.
pub fn simple_do_block(text: &str) -> Option<DoBlock> {
    let (body_start, body_end) = plpgsql_do_body(text)?;
    let block = plain_body(&text[body_start..body_end])?;
    Some(DoBlock {
        body: (body_start + block.body.0, body_start + block.body.1),
        ..block
    })
}

/// A DO block that runs one statement only when no constraint of a given name exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintGuarded {
    /// Byte range of the guarded statement (without its `;`) in the text given to
    /// [`constraint_guarded_do_block`].
    pub statement: (usize, usize),
    /// The constraint name the guard looks up, exactly as written in the literal.
    pub constraint: String,
}

/// `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '<name>')
/// THEN <one SQL statement>; END IF; END $$`: the idiom that adds a constraint only
/// when none of that name exists (harbor's `unique_artifact_accessory`). The condition
/// asks the catalog about a name, which replay can answer from its model, so the
/// statement is read with that guard instead of the whole block being unreadable.
/// Only this exact shape (`SELECT 1` or `SELECT *`, no other filter) is accepted.
pub fn constraint_guarded_do_block(text: &str) -> Option<ConstraintGuarded> {
    let (body_start, body_end) = plpgsql_do_body(text)?;
    let body = &text[body_start..body_end];
    let inner = lexical::scan(body);
    if !inner.dollar_bodies.is_empty() || !inner.comments.is_empty() {
        return None;
    }
    let blanked = inner.blanked.as_str();
    let bw = words(blanked, 0, blanked.len());
    let w: Vec<&str> = bw.iter().map(|(_, x)| x.as_str()).collect();
    let n = w.len();
    if n < 12
        || w[..6] != ["BEGIN", "IF", "NOT", "EXISTS", "SELECT", "FROM"]
        || w[6..9] != ["PG_CONSTRAINT", "WHERE", "CONNAME"]
        || w[9] != "THEN"
        || w[n - 3..] != ["END", "IF", "END"]
    {
        return None;
    }
    let end_of = |i: usize| bw[i].0 + bw[i].1.len();
    let between = |a: usize, b: usize| blanked[end_of(a)..bw[b].0].trim();
    // Only whitespace between `BEGIN IF NOT EXISTS` and between `FROM pg_constraint
    // WHERE conname`; `(` before `SELECT`, `1` or `*` after it.
    if [0, 1, 2, 5, 6, 7]
        .iter()
        .any(|&i| !between(i, i + 1).is_empty())
        || between(3, 4) != "("
        || !matches!(between(4, 5), "1" | "*")
    {
        return None;
    }
    // `= '<name>' )`, read from the text itself (the blanked copy hides the name).
    let literal = body[end_of(8)..bw[9].0].trim();
    let literal = literal.strip_prefix('=')?.trim_start();
    let literal = literal.strip_suffix(')')?.trim_end();
    let name = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    if name.is_empty() || name.contains('\'') || name.contains('\\') {
        return None;
    }
    // `END IF ; END [;]`: only `;` and whitespace around the closing words.
    if !between(n - 3, n - 2).is_empty()
        || !between(n - 2, n - 1)
            .trim_matches(|c: char| c == ';' || c.is_whitespace())
            .is_empty()
        || blanked[end_of(n - 1)..]
            .chars()
            .any(|c| !(c.is_whitespace() || c == ';'))
    {
        return None;
    }
    // Exactly one SQL statement between THEN and END IF.
    let (from, to) = (end_of(9), bw[n - 3].0);
    let region = lexical::scan(&blanked[from..to]);
    let [(s, e)] = region.statements.as_slice() else {
        return None;
    };
    let first = words(&region.blanked, *s, *e).into_iter().next()?.1;
    if !SQL_STATEMENTS.contains(&first.as_str()) || first == "EXECUTE" {
        return None;
    }
    if blanked[from + e..to]
        .chars()
        .any(|c| !(c.is_whitespace() || c == ';'))
    {
        return None;
    }
    Some(ConstraintGuarded {
        statement: (body_start + from + s, body_start + from + e),
        constraint: name.to_string(),
    })
}

/// `DO [LANGUAGE plpgsql] $tag$ … $tag$ [LANGUAGE plpgsql]`: the byte range of the body.
fn plpgsql_do_body(text: &str) -> Option<(usize, usize)> {
    // Every statement comes through here: reject the others without scanning.
    let head = text.trim_start().as_bytes();
    if !(head.len() > 2
        && head[..2].eq_ignore_ascii_case(b"DO")
        && (head[2].is_ascii_whitespace() || head[2] == b'$'))
    {
        return None;
    }
    let outer = lexical::scan(text);
    let head = words(&outer.blanked, 0, outer.blanked.len());
    if head.first().map(|(_, w)| w.as_str()) != Some("DO") {
        return None;
    }
    // Exactly one dollar-quoted string: the body; around it only `LANGUAGE plpgsql`.
    let [(body_start, body_end)] = outer.dollar_bodies.as_slice() else {
        return None;
    };
    let outside: Vec<&str> = head
        .iter()
        .filter(|(at, _)| *at < *body_start || *at >= *body_end)
        .map(|(_, w)| w.as_str())
        .collect();
    if !matches!(outside.as_slice(), ["DO"] | ["DO", "LANGUAGE", "PLPGSQL"]) {
        return None;
    }
    // Nothing but whitespace and the quote tags may sit outside the words above.
    let stray = outer.blanked[..*body_start]
        .chars()
        .chain(outer.blanked[*body_end..].chars())
        .any(|c| !(c.is_whitespace() || c.is_ascii_alphanumeric() || c == '_' || c == '$'));
    if stray {
        return None;
    }
    Some((*body_start, *body_end))
}

/// Words that make a DO body more than a data migration: DDL, dynamic SQL, calls of
/// procedures, transaction and session control.
const NOT_DATA: &[&str] = &[
    "CREATE",
    "ALTER",
    "DROP",
    "TRUNCATE",
    "EXECUTE",
    "GRANT",
    "REVOKE",
    "COMMENT",
    "CALL",
    "COPY",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "REINDEX",
    "CLUSTER",
    "VACUUM",
    "ANALYZE",
    "LOCK",
    "REFRESH",
    "IMPORT",
    "SECURITY",
    "RESET",
    "DISCARD",
    "PREPARE",
    "DEALLOCATE",
    "LOAD",
];

/// PL/pgSQL control words: a statement after one may not run (or run many times).
const CONTROL: &[&str] = &[
    "IF",
    "ELSIF",
    "ELSE",
    "CASE",
    "WHEN",
    "LOOP",
    "FOR",
    "FOREACH",
    "WHILE",
    "EXCEPTION",
];

/// The data statements of a DO block whose body only moves data: `UPDATE`, `INSERT`,
/// `DELETE` (and a `WITH` leading to one), `SELECT`/`PERFORM`, inside `IF`/loops, with
/// declarations and assignments (lemmy's backfills). Returns each `UPDATE`/`INSERT`/
/// `DELETE`/`WITH` statement's byte range in `text` and whether control flow decides if
/// it runs; `SELECT … INTO` and `PERFORM` read data into variables and are not
/// returned. `None` when the body could change the schema: a DDL word, `EXECUTE`, a
/// nested dollar quote (code in code), a `SET` outside an `UPDATE`, a `DO` outside
/// `ON CONFLICT`.
pub fn data_only_do_block(text: &str) -> Option<Vec<(usize, usize, bool)>> {
    let (body_start, body_end) = plpgsql_do_body(text)?;
    let body = &text[body_start..body_end];
    let inner = lexical::scan(body);
    if !inner.dollar_bodies.is_empty() {
        return None;
    }
    let bw = words(&inner.blanked, 0, inner.blanked.len());
    let has = |w: &str| bw.iter().any(|(_, x)| x == w);
    if !has("BEGIN") || bw.last().map(|(_, w)| w.as_str()) != Some("END") {
        return None;
    }
    if bw.iter().any(|(_, w)| NOT_DATA.contains(&w.as_str())) {
        return None;
    }
    let conditional = bw.iter().any(|(_, w)| CONTROL.contains(&w.as_str()));
    let mut out = Vec::new();
    for &(s, e) in &inner.statements {
        let pw = words(&inner.blanked, s, e);
        let in_piece = |w: &str| pw.iter().any(|(_, x)| x == w);
        if (in_piece("SET") && !in_piece("UPDATE")) || (in_piece("DO") && !in_piece("CONFLICT")) {
            return None;
        }
        // A statement starts the piece or follows BEGIN, THEN, ELSE or LOOP.
        let data_start = pw.iter().enumerate().find_map(|(i, (at, w))| {
            let starts = i == 0
                || matches!(
                    pw[i - 1].1.as_str(),
                    "BEGIN" | "THEN" | "ELSE" | "LOOP" | "DECLARE"
                );
            (starts && matches!(w.as_str(), "UPDATE" | "INSERT" | "DELETE" | "WITH")).then_some(*at)
        });
        if let Some(at) = data_start {
            let end = returning_into_at(&inner.blanked, &pw, at).unwrap_or(e);
            out.push((body_start + at, body_start + end, conditional));
        }
    }
    Some(out)
}

/// Where PL/pgSQL's `INTO <variables>` starts in `INSERT|UPDATE|DELETE … RETURNING …
/// INTO [STRICT] v, …` (the statement starting at `from`, its words `pw`): that clause
/// is PL/pgSQL, not SQL, so the statement PostgreSQL runs ends there. Only an `INTO`
/// at the top level after the last top-level `RETURNING` counts (a CTE's `RETURNING` is
/// followed by the main statement's `INSERT INTO`).
fn returning_into_at(blanked: &str, pw: &[(usize, String)], from: usize) -> Option<usize> {
    let depth_at = |at: usize| {
        blanked[from..at].bytes().fold(0i32, |d, b| match b {
            b'(' => d + 1,
            b')' => d - 1,
            _ => d,
        })
    };
    let top = |i: usize| pw[i].0 >= from && depth_at(pw[i].0) == 0;
    let returning = (0..pw.len())
        .rev()
        .find(|&i| pw[i].1 == "RETURNING" && top(i))?;
    (returning + 1..pw.len())
        .find(|&i| {
            pw[i].1 == "INTO" && top(i) && !matches!(pw[i - 1].1.as_str(), "INSERT" | "MERGE")
        })
        .map(|i| pw[i].0)
}

/// A PL/pgSQL block `BEGIN <SQL>; … [EXCEPTION WHEN … THEN NULL;] END[;]` (the body
/// of a DO or of a `LANGUAGE plpgsql` function) whose statements are plain SQL; the
/// returned range is relative to `body`.
pub fn plain_body(body: &str) -> Option<DoBlock> {
    let BeginEnd {
        inner,
        words: bw,
        begin_at,
        end_at,
    } = begin_end(body)?;
    let stmts_from = begin_at + "BEGIN".len();
    let exception_at = bw
        .iter()
        .find(|(at, w)| *at > begin_at && *at < end_at && w == "EXCEPTION")
        .map(|(at, _)| *at);
    let stmts_to = exception_at.unwrap_or(end_at);

    // The body's statements: each must be SQL.
    let region = &inner.blanked[stmts_from..stmts_to];
    let split = lexical::scan(region);
    if split.statements.is_empty() {
        return None;
    }
    for &(s, e) in &split.statements {
        let first_word = words(region, s, e).into_iter().next().map(|(_, w)| w);
        if !first_word.is_some_and(|w| SQL_STATEMENTS.contains(&w.as_str())) {
            return None;
        }
    }
    if region.contains(":=") {
        return None;
    }

    let swallows = match exception_at {
        None => Vec::new(),
        Some(at) => handler_conditions(body, &inner.blanked, at + "EXCEPTION".len(), end_at)?,
    };
    Some(DoBlock {
        body: (stmts_from, stmts_to),
        statements: split.statements.len(),
        swallows,
    })
}

/// A body written `BEGIN … END`, with only `;` and whitespace after `END`.
struct BeginEnd {
    inner: lexical::Lexed,
    words: Vec<(usize, String)>,
    begin_at: usize,
    end_at: usize,
}

/// The [`BeginEnd`] a body is; `None` for any other shape.
fn begin_end(body: &str) -> Option<BeginEnd> {
    let inner = lexical::scan(body);
    let bw = words(&inner.blanked, 0, inner.blanked.len());
    let (&(begin_at, ref first), &(end_at, ref last)) = (bw.first()?, bw.last()?);
    if first != "BEGIN" || last != "END" {
        return None;
    }
    if inner.blanked[end_at + 3..]
        .chars()
        .any(|c| !(c.is_whitespace() || c == ';'))
    {
        return None;
    }
    Some(BeginEnd {
        inner,
        words: bw,
        begin_at,
        end_at,
    })
}

/// Words that make an expression of a row-assigning trigger body more than an
/// expression: a statement hidden in it, or anything [`NOT_DATA`] lists.
const STATEMENT_WORDS: &[&str] = &["INSERT", "UPDATE", "DELETE", "MERGE", "PERFORM", "DO"];

/// A trigger body `BEGIN NEW.<column> := <expression>; … RETURN NEW|OLD|NULL; END`
/// (`=` for `:=` too), as BEFORE triggers that fill a column are written: it runs no
/// statement, only the expressions, which are returned (ranges relative to `body`)
/// so the routines they call can be read. `None` for any other body: a declaration,
/// control flow, a handler, a statement, a nested dollar quote, or an expression
/// holding a statement word.
pub fn row_assignments_body(body: &str) -> Option<Vec<(usize, usize)>> {
    let BeginEnd {
        inner,
        begin_at,
        end_at,
        ..
    } = begin_end(body)?;
    if !inner.dollar_bodies.is_empty() {
        return None;
    }
    let from = begin_at + "BEGIN".len();
    let region = &inner.blanked[from..end_at];
    let mut expressions = Vec::new();
    for &(s, e) in &lexical::scan(region).statements {
        let stmt = &region[s..e];
        let toks: Vec<lexical::Token> = lexical::token_iter(stmt).take(4).collect();
        match toks.as_slice() {
            [ret, row] if ret.is("RETURN") && ["NEW", "OLD", "NULL"].iter().any(|w| row.is(w)) => {}
            [new, dot, column, ..] if new.is("NEW") && dot.text == "." && !column.is_punct() => {
                let rest = &stmt[column.end()..];
                let operator = rest.len() - rest.trim_start().len();
                let after = if rest.trim_start().starts_with(":=") {
                    operator + 2
                } else if rest.trim_start().starts_with('=') {
                    operator + 1
                } else {
                    return None;
                };
                let expr = (from + s + column.end() + after, from + e);
                let acts = words(&inner.blanked, expr.0, expr.1)
                    .into_iter()
                    .any(|(_, w)| {
                        NOT_DATA.contains(&w.as_str()) || STATEMENT_WORDS.contains(&w.as_str())
                    });
                if acts || expr.0 >= expr.1 {
                    return None;
                }
                expressions.push(expr);
            }
            _ => return None,
        }
    }
    Some(expressions)
}

/// `WHEN c [OR c] THEN NULL; [WHEN …]` → the conditions, or `None` when a handler does
/// more than ignore the error.
fn handler_conditions(raw: &str, blanked: &str, from: usize, to: usize) -> Option<Vec<String>> {
    let ws = words(blanked, from, to);
    let mut conditions = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        if ws[i].1 != "WHEN" {
            return None;
        }
        let then = ws[i..].iter().position(|(_, w)| w == "THEN")? + i;
        // Conditions as written (SQLSTATE '…' keeps its string).
        let cond_text = raw[ws[i].0 + 4..ws[then].0].trim();
        conditions.extend(
            cond_text
                .split(|c: char| c.is_whitespace())
                .collect::<Vec<_>>()
                .join(" ")
                .split(" OR ")
                .flat_map(|c| c.split(" or "))
                .map(str::to_string),
        );
        // Actions up to the next WHEN (or the end): `;`-separated statements.
        let next = ws[then + 1..]
            .iter()
            .position(|(_, w)| w == "WHEN")
            .map_or(ws.len(), |p| p + then + 1);
        let actions_to = ws.get(next).map_or(to, |(at, _)| *at);
        let actions = &blanked[ws[then].0 + 4..actions_to];
        for action in actions.split(';').map(str::trim).filter(|a| !a.is_empty()) {
            let aw: Vec<String> = words(action, 0, action.len())
                .into_iter()
                .map(|(_, w)| w)
                .collect();
            let aw: Vec<&str> = aw.iter().map(String::as_str).collect();
            if !handler_action_is_ignore(&aw) {
                return None;
            }
        }
        i = next;
    }
    (!conditions.is_empty()).then_some(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_names_and_keywords_not_tags_numbers_or_quoted_names() {
        let blanked = "DO $body$ BEGIN UPDATE \"when\" SET n = 1; END $body$ LANGUAGE plpgsql";
        let found: Vec<(usize, String)> = words(blanked, 0, blanked.len());
        let texts: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            texts,
            ["DO", "BEGIN", "UPDATE", "\"WHEN\"", "SET", "N", "END", "LANGUAGE", "PLPGSQL"]
        );
        assert_eq!(found[1].0, blanked.find("BEGIN").unwrap());
        // Offsets stay absolute inside a range.
        let at = blanked.find("END").unwrap();
        assert_eq!(words(blanked, at, at + 3), [(at, "END".to_string())]);
        // A range that does not fall on character boundaries has no words (no panic).
        assert_eq!(words("é", 0, 1), []);
    }

    fn body_of(text: &str) -> Option<(String, usize, Vec<String>)> {
        simple_do_block(text).map(|b| {
            (
                text[b.body.0..b.body.1].trim().to_string(),
                b.statements,
                b.swallows,
            )
        })
    }

    #[test]
    fn plain_body_is_read() {
        assert_eq!(
            body_of("DO $$ BEGIN ALTER TABLE t ADD COLUMN a int; END $$"),
            Some(("ALTER TABLE t ADD COLUMN a int;".into(), 1, vec![]))
        );
    }

    #[test]
    fn exception_guard_is_read_with_its_conditions() {
        let text = "DO\n$$\n  BEGIN\n    ALTER TABLE piv\n      RENAME COLUMN quantity TO required_quantity;\n  EXCEPTION\n    WHEN undefined_column THEN\n  END;\n$$";
        assert_eq!(
            body_of(text),
            Some((
                "ALTER TABLE piv\n      RENAME COLUMN quantity TO required_quantity;".into(),
                1,
                vec!["undefined_column".into()]
            ))
        );
        let enum_guard = "DO LANGUAGE plpgsql $body$ BEGIN CREATE TYPE mood AS ENUM ('a', 'b'); \
                          EXCEPTION WHEN duplicate_object OR SQLSTATE '42710' THEN null; \
                          WHEN others THEN RAISE NOTICE 'skipped %', SQLERRM; END $body$";
        assert_eq!(
            body_of(enum_guard).map(|b| b.2),
            Some(vec![
                "duplicate_object".into(),
                "SQLSTATE '42710'".into(),
                "others".into()
            ])
        );
    }

    #[test]
    fn plpgsql_stays_unreadable() {
        for text in [
            // control flow
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'm') THEN CREATE TYPE m AS ENUM ('a'); END IF; END $$",
            // declarations and assignments
            "DO $$ DECLARE n int; BEGIN n := 1; ALTER TABLE t ADD COLUMN a int; END $$",
            // dynamic SQL built from a variable
            "DO $$ DECLARE t text := 'x'; BEGIN EXECUTE 'DROP TABLE ' || t; END $$",
            "DO $$ BEGIN PERFORM pg_sleep(1); END $$",
            // a handler that does something
            "DO $$ BEGIN ALTER TABLE t ADD COLUMN a int; EXCEPTION WHEN duplicate_column THEN ALTER TABLE t DROP COLUMN a; END $$",
            "DO $$ BEGIN ALTER TABLE t ADD COLUMN a int; EXCEPTION WHEN others THEN RAISE EXCEPTION 'no'; END $$",
            // another language, a labelled block, a quoted body
            "DO LANGUAGE plpython3u $$ BEGIN DROP TABLE t; END $$",
            "DO $$ <<outer>> BEGIN DROP TABLE t; END $$",
            "DO 'BEGIN DROP TABLE t; END'",
            // empty body
            "DO $$ BEGIN END $$",
        ] {
            assert_eq!(simple_do_block(text), None, "{text}");
        }
    }

    #[test]
    fn data_only_bodies_give_their_data_statements() {
        let text = "DO $$\nDECLARE r record;\nBEGIN\n  FOR r IN SELECT id FROM person LOOP\n    UPDATE person SET name = lower(name) WHERE id = r.id;\n  END LOOP;\n  IF (SELECT count(*) FROM site) = 0 THEN\n    INSERT INTO site (name) VALUES ('x');\n  END IF;\n  PERFORM 1;\nEND $$";
        let got: Vec<(&str, bool)> = data_only_do_block(text)
            .expect("data only")
            .into_iter()
            .map(|(s, e, c)| (text[s..e].trim(), c))
            .collect();
        assert_eq!(
            got,
            vec![
                ("UPDATE person SET name = lower(name) WHERE id = r.id", true),
                ("INSERT INTO site (name) VALUES ('x')", true),
            ]
        );
        let plain =
            "DO $$ BEGIN DELETE FROM t; INSERT INTO u VALUES (1) ON CONFLICT DO NOTHING; END $$";
        assert_eq!(data_only_do_block(plain).map(|v| v.len()), Some(2));
        for text in [
            "DO $$ BEGIN IF true THEN DROP TABLE t; END IF; END $$",
            "DO $$ DECLARE t text := 'x'; BEGIN EXECUTE 'UPDATE ' || t || ' SET a = 1'; END $$",
            "DO $$ BEGIN UPDATE t SET a = 1; ALTER TABLE t ADD COLUMN b int; END $$",
            "DO $$ BEGIN SET search_path = other; UPDATE t SET a = 1; END $$",
            "DO $$ BEGIN PERFORM f($q$ x $q$); END $$",
            "DO $$ BEGIN COMMIT; END $$",
            "DO LANGUAGE plpython3u $$ UPDATE t SET a = 1 $$",
        ] {
            assert_eq!(data_only_do_block(text), None, "{text}");
        }
    }

    #[test]
    fn several_statements_are_counted() {
        let b = simple_do_block(
            "DO $$ BEGIN CREATE TYPE a AS ENUM ('x'); CREATE TYPE b AS ENUM ('y'); EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        )
        .unwrap();
        assert_eq!(b.statements, 2);
        assert_eq!(b.swallows, vec!["duplicate_object".to_string()]);
    }
}
