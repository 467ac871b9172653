//! Statements that run other SQL, found by their shape on blanked text.
//!
//! `EXPLAIN ANALYZE DELETE …` deletes (plain `EXPLAIN` does not), `COPY (DELETE …
//! RETURNING id) TO STDOUT` deletes, `PREPARE p AS DELETE …` runs at `EXECUTE p`, and
//! a function, procedure, trigger or rule created in a migration runs its body when
//! something later in the same migration calls it or fires it. PostgreSQL executes
//! all of these, so the reader reads the inner SQL like a top-level statement (its
//! ops pointing at the inner text). This module only recognises the shapes and says
//! where the inner SQL is; the reader (`super::read_range`) decides when it runs.

use super::lexical::{tokens, Token as Tok};
use crate::ir::fold_sql_ident;

/// What a statement says about SQL it runs or keeps for later. Ranges are byte
/// ranges of the statement text given to [`recognise`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runs {
    /// The statement runs this SQL now (`EXPLAIN ANALYZE`, `COPY (…) TO`).
    Now((usize, usize)),
    /// `PREPARE name AS …`: runs at `EXECUTE name`.
    Prepare { name: String, inner: (usize, usize) },
    /// `EXECUTE name`.
    Execute { name: String },
    /// PL/pgSQL `EXECUTE <string expression> [INTO …] [USING …]`: the expression
    /// (this range) is the SQL that runs; see [`dynamic_sql`].
    ExecuteSql((usize, usize)),
    /// `CREATE FUNCTION|PROCEDURE name`: runs when called.
    Routine { name: String, body: Body },
    /// `CREATE TRIGGER … ON table EXECUTE FUNCTION f()` or `CREATE RULE … ON event TO
    /// table DO …`: runs when one of `events` happens to `table`.
    Fires {
        table: String,
        events: Vec<&'static str>,
        body: Fired,
    },
    /// `CREATE EVENT TRIGGER … EXECUTE FUNCTION f()`: runs at the next DDL.
    OnDdl { function: String },
}

/// The body of a routine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `LANGUAGE sql AS $$ … $$`: SQL statements.
    Sql((usize, usize)),
    /// `LANGUAGE plpgsql AS $$ … $$`.
    PlPgSql((usize, usize)),
    /// A SQL-standard `RETURN expression` body: one expression, so only the
    /// routines it calls run.
    Expression((usize, usize)),
    /// A body migguard cannot read as SQL (another language, `BEGIN ATOMIC`): whatever
    /// runs it is unreadable.
    Unreadable,
}

/// What a trigger or rule runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    Function(String),
    /// A rule's commands (`DO INSTEAD DELETE …`, `DO ALSO (…; …)`).
    Commands((usize, usize)),
}

fn is_word(t: &Tok<'_>) -> bool {
    t.text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'"' || b >= 0x80)
}

/// Index of the `)` closing the `(` at `open`.
fn closing(toks: &[Tok<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.text {
            "(" => depth += 1,
            ")" => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// A dotted name starting at token `k`: its folded last part and the index after it.
fn name_at(toks: &[Tok<'_>], mut k: usize) -> Option<(String, usize)> {
    loop {
        let t = toks.get(k).filter(|t| is_word(t))?;
        k += 1;
        if toks.get(k).is_some_and(|t| t.text == ".") {
            k += 1;
        } else {
            return Some((fold_sql_ident(t.text), k));
        }
    }
}

/// The range from token `k` to the end of the text, if anything is there.
fn rest_from(toks: &[Tok<'_>], k: usize, len: usize) -> Option<(usize, usize)> {
    toks.get(k).map(|t| (t.at, len))
}

/// Recognise a statement that runs (or stores) other SQL. `blanked` is the statement
/// text with comments and strings blanked; `dollar_bodies` are the ranges of its
/// dollar-quoted strings (from the same scan).
pub fn recognise(blanked: &str, dollar_bodies: &[(usize, usize)]) -> Option<Runs> {
    let toks = tokens(blanked);
    let first = toks.first()?;
    let len = blanked.len();
    if first.is("EXPLAIN") {
        return explain(&toks, len);
    }
    if first.is("COPY") {
        // `COPY ( query ) TO …`: the query runs; `COPY t FROM` runs no SQL of its own.
        let open = 1;
        if toks.get(open)?.text != "(" {
            return None;
        }
        let close = closing(&toks, open)?;
        let inner = (toks.get(open + 1)?.at, toks[close].at);
        return Some(Runs::Now(inner));
    }
    if first.is("PREPARE") {
        let (name, mut k) = name_at(&toks, 1)?;
        if toks.get(k)?.text == "(" {
            k = closing(&toks, k)? + 1;
        }
        if !toks.get(k)?.is("AS") {
            return None;
        }
        let inner = rest_from(&toks, k + 1, len)?;
        return Some(Runs::Prepare { name, inner });
    }
    if first.is("EXECUTE") {
        let (second, third) = (toks.get(1)?, toks.get(2));
        let literal = second.text == "'"
            || second.text == "$"
            || ((second.is("E") || second.is("format"))
                && third.is_some_and(|t| t.text == "'" || t.text == "("));
        if literal {
            return Some(Runs::ExecuteSql((second.at, len)));
        }
        let (name, _) = name_at(&toks, 1)?;
        return Some(Runs::Execute { name });
    }
    if !first.is("CREATE") {
        return None;
    }
    let mut k = 1;
    if toks.get(k)?.is("OR") && toks.get(k + 1)?.is("REPLACE") {
        k += 2;
    }
    let what = toks.get(k)?;
    if what.is("FUNCTION") || what.is("PROCEDURE") {
        routine(&toks, k + 1, dollar_bodies)
    } else if what.is("TRIGGER") || (what.is("CONSTRAINT") && toks.get(k + 1)?.is("TRIGGER")) {
        trigger(&toks)
    } else if what.is("EVENT") && toks.get(k + 1)?.is("TRIGGER") {
        let at = toks.iter().position(|t| t.is("EXECUTE"))?;
        let (function, _) = name_at(&toks, at + 2)?;
        Some(Runs::OnDdl { function })
    } else if what.is("RULE") {
        rule(&toks, len)
    } else {
        None
    }
}

/// `EXPLAIN ANALYZE [VERBOSE] stmt` or `EXPLAIN (ANALYZE [true|on|1], …) stmt`: the
/// statement runs. Without ANALYZE (or `ANALYZE false`) nothing runs.
fn explain(toks: &[Tok<'_>], len: usize) -> Option<Runs> {
    let analyze_word = |t: &Tok<'_>| t.is("ANALYZE") || t.is("ANALYSE");
    let mut k = 1;
    let mut analyze = false;
    if toks.get(k)?.text == "(" {
        let close = closing(toks, k)?;
        for option in toks[k + 1..close].split(|t| t.text == ",") {
            if option.first().is_some_and(analyze_word) {
                let value = option.get(1).map(|t| t.text.to_ascii_lowercase());
                let off = value
                    .as_deref()
                    .is_some_and(|v| matches!(v, "false" | "off" | "0" | "no"));
                // A quoted value (`ANALYZE 'off'`) is blanked: read it as on (fail closed).
                analyze |= !off;
            }
        }
        k = close + 1;
    } else {
        while toks
            .get(k)
            .is_some_and(|t| analyze_word(t) || t.is("VERBOSE"))
        {
            analyze |= analyze_word(&toks[k]);
            k += 1;
        }
    }
    if !analyze {
        return None;
    }
    rest_from(toks, k, len).map(Runs::Now)
}

/// `name ( args ) … LANGUAGE lang … AS $$ body $$`.
fn routine(toks: &[Tok<'_>], k: usize, dollar_bodies: &[(usize, usize)]) -> Option<Runs> {
    let (name, k) = name_at(toks, k)?;
    if toks.get(k)?.text != "(" {
        return None;
    }
    let after_args = closing(toks, k)? + 1;
    let rest = &toks[after_args..];
    let language = rest
        .iter()
        .position(|t| t.is("LANGUAGE"))
        .and_then(|p| rest.get(p + 1))
        .map(|t| t.text.trim_matches('"').to_ascii_lowercase());
    // The body is the string right after `AS`: dollar-quoted, or in single quotes
    // (blanked here: the range between the quotes; the reader refuses one holding
    // escapes). A SQL-standard `RETURN expression` body ends the statement.
    let after_as = rest.iter().position(|t| t.is("AS")).map(|p| p + 1);
    let body_range = match after_as.and_then(|p| Some((p, rest.get(p)?))) {
        Some((_, t)) if t.text == "$" => dollar_bodies.iter().find(|b| b.0 > t.at).copied(),
        Some((p, t)) if t.text == "'" => rest[p + 1..]
            .iter()
            .find(|c| c.text == "'")
            .map(|c| (t.at + 1, c.at)),
        _ => None,
    };
    let return_body = rest
        .iter()
        .find(|t| t.is("RETURN"))
        .filter(|_| !rest.iter().any(|t| t.is("ATOMIC")))
        .map(|t| {
            (
                t.at + t.text.len(),
                toks.last().map_or(t.at, |l| l.at + l.text.len()),
            )
        });
    let body = match (language.as_deref(), body_range, return_body) {
        (Some("sql"), Some(r), _) => Body::Sql(r),
        (Some("plpgsql"), Some(r), _) => Body::PlPgSql(r),
        (Some("sql") | None, None, Some(r)) => Body::Expression(r),
        _ => Body::Unreadable,
    };
    Some(Runs::Routine { name, body })
}

/// The DML events named in a trigger or rule head.
fn events(toks: &[Tok<'_>]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for t in toks {
        for e in ["insert", "update", "delete", "truncate"] {
            if t.is(e) && !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}

/// `CREATE [CONSTRAINT] TRIGGER n {BEFORE|AFTER|INSTEAD OF} ev [OR ev] ON table …
/// EXECUTE {FUNCTION|PROCEDURE} f(…)`.
fn trigger(toks: &[Tok<'_>]) -> Option<Runs> {
    let on = toks.iter().position(|t| t.is("ON"))?;
    let (table, _) = name_at(toks, on + 1)?;
    let exec = toks.iter().rposition(|t| t.is("EXECUTE"))?;
    let (function, _) = name_at(toks, exec + 2)?;
    Some(Runs::Fires {
        table,
        events: events(&toks[..on]),
        body: Fired::Function(function),
    })
}

/// `CREATE RULE n AS ON event TO table [WHERE …] DO [ALSO|INSTEAD] {NOTHING | cmd |
/// (cmd; …)}`.
fn rule(toks: &[Tok<'_>], len: usize) -> Option<Runs> {
    let on = toks.iter().position(|t| t.is("ON"))?;
    let event = toks.get(on + 1)?;
    if !toks.get(on + 2)?.is("TO") {
        return None;
    }
    let (table, _) = name_at(toks, on + 3)?;
    let mut k = toks.iter().position(|t| t.is("DO"))? + 1;
    if toks.get(k)?.is("ALSO") || toks.get(k)?.is("INSTEAD") {
        k += 1;
    }
    if toks.get(k)?.is("NOTHING") {
        return None;
    }
    let commands = if toks[k].text == "(" {
        let close = closing(toks, k)?;
        (toks.get(k + 1)?.at, toks[close].at)
    } else {
        rest_from(toks, k, len)?
    };
    Some(Runs::Fires {
        table,
        events: events(std::slice::from_ref(event)),
        body: Fired::Commands(commands),
    })
}

/// The folded names called as functions in a statement (`f(`, `s.f (`, `CALL p(`),
/// for statements that run what they name. Definitions and references that do not
/// call (`CREATE FUNCTION`, `DROP FUNCTION`, `COMMENT ON`, `GRANT`, a view or rule
/// that only stores the call, a trigger that only names it) call nothing.
pub fn called_names(blanked: &str) -> Vec<String> {
    let toks = tokens(blanked);
    let Some(first) = toks.first() else {
        return Vec::new();
    };
    let mut k = 1;
    if toks.get(1).is_some_and(|t| t.is("OR")) {
        k = 3;
    }
    let stores = first.is("CREATE")
        && toks.get(k).is_some_and(|t| {
            // A materialized view is filled when created, so its calls do run.
            [
                "FUNCTION",
                "PROCEDURE",
                "VIEW",
                "RECURSIVE",
                "RULE",
                "TRIGGER",
                "EVENT",
                "CONSTRAINT",
            ]
            .iter()
            .any(|w| t.is(w))
        });
    let refers = ["DROP", "ALTER", "COMMENT", "GRANT", "REVOKE", "SECURITY"]
        .iter()
        .any(|w| first.is(w))
        && toks
            .iter()
            .any(|t| t.is("FUNCTION") || t.is("PROCEDURE") || t.is("ROUTINE"));
    if stores || refers {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if is_word(t) && toks.get(i + 1).is_some_and(|n| n.text == "(") {
            let name = fold_sql_ident(t.text);
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::sql::lexical::scan;

    fn runs(sql: &str) -> Option<(String, Runs)> {
        let lexed = scan(sql);
        let r = recognise(&lexed.blanked, &lexed.dollar_bodies)?;
        let inner = match &r {
            Runs::Now(r) | Runs::Prepare { inner: r, .. } => sql[r.0..r.1].to_string(),
            Runs::Routine {
                body: Body::Sql(r) | Body::PlPgSql(r),
                ..
            } => sql[r.0..r.1].to_string(),
            Runs::Fires {
                body: Fired::Commands(r),
                ..
            } => sql[r.0..r.1].to_string(),
            _ => String::new(),
        };
        Some((inner, r))
    }

    #[test]
    fn explain_runs_its_statement_only_with_analyze() {
        assert_eq!(
            runs("EXPLAIN ANALYZE DELETE FROM users").unwrap().0,
            "DELETE FROM users"
        );
        assert_eq!(
            runs("EXPLAIN ANALYSE VERBOSE DELETE FROM users").unwrap().0,
            "DELETE FROM users"
        );
        assert_eq!(
            runs("EXPLAIN (FORMAT JSON, ANALYZE) DELETE FROM users")
                .unwrap()
                .0,
            "DELETE FROM users"
        );
        assert_eq!(
            runs("EXPLAIN (ANALYZE true) DELETE FROM users").unwrap().0,
            "DELETE FROM users"
        );
        assert_eq!(runs("EXPLAIN DELETE FROM users"), None);
        assert_eq!(runs("EXPLAIN (ANALYZE off) DELETE FROM users"), None);
        assert_eq!(runs("EXPLAIN VERBOSE DELETE FROM users"), None);
    }

    #[test]
    fn copy_of_a_query_runs_it() {
        assert_eq!(
            runs("COPY (DELETE FROM users RETURNING id) TO STDOUT")
                .unwrap()
                .0,
            "DELETE FROM users RETURNING id"
        );
        assert_eq!(runs("COPY users FROM STDIN"), None);
    }

    #[test]
    fn prepare_and_execute() {
        let (inner, r) = runs("PREPARE p (int) AS DELETE FROM users WHERE id = $1").unwrap();
        assert_eq!(inner, "DELETE FROM users WHERE id = $1");
        assert!(matches!(r, Runs::Prepare { name, .. } if name == "p"));
        assert_eq!(
            runs("EXECUTE P(1)").unwrap().1,
            Runs::Execute { name: "p".into() }
        );
    }

    #[test]
    fn routines_triggers_and_rules() {
        let (inner, r) = runs(
            "CREATE OR REPLACE FUNCTION public.wipe() RETURNS void LANGUAGE sql AS $f$ DELETE FROM users $f$",
        )
        .unwrap();
        assert_eq!(inner, " DELETE FROM users ");
        assert!(matches!(r, Runs::Routine { name, body: Body::Sql(_) } if name == "wipe"));
        // A body in single quotes: the text between them (blanked; the reader
        // refuses one holding escapes).
        let (inner, r) = runs("CREATE PROCEDURE p() AS 'DELETE FROM users' LANGUAGE sql").unwrap();
        assert_eq!(inner, "DELETE FROM users");
        assert!(matches!(
            r,
            Runs::Routine {
                body: Body::Sql(_),
                ..
            }
        ));
        let (_, r) =
            runs("CREATE FUNCTION f(text) RETURNS text LANGUAGE sql IMMUTABLE RETURN lower($1)")
                .unwrap();
        assert!(matches!(
            r,
            Runs::Routine {
                body: Body::Expression(_),
                ..
            }
        ));
        let (_, r) = runs("CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'f'").unwrap();
        assert!(matches!(
            r,
            Runs::Routine {
                body: Body::Unreadable,
                ..
            }
        ));
        let (_, r) = runs(
            "CREATE TRIGGER t AFTER INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION wipe()",
        )
        .unwrap();
        assert_eq!(
            r,
            Runs::Fires {
                table: "orders".into(),
                events: vec!["insert", "update"],
                body: Fired::Function("wipe".into())
            }
        );
        let (inner, r) =
            runs("CREATE RULE r AS ON INSERT TO orders DO INSTEAD DELETE FROM users").unwrap();
        assert_eq!(inner, "DELETE FROM users");
        assert!(matches!(r, Runs::Fires { events, .. } if events == vec!["insert"]));
        assert_eq!(
            runs("CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION wipe()")
                .unwrap()
                .1,
            Runs::OnDdl {
                function: "wipe".into()
            }
        );
    }

    #[test]
    fn calls_are_found_where_they_run() {
        assert_eq!(
            called_names("SELECT public.wipe(), \"Keep\"(1)"),
            vec!["wipe", "Keep"]
        );
        assert_eq!(called_names("CALL wipe ()"), vec!["wipe"]);
        assert!(called_names("DROP FUNCTION wipe()").is_empty());
        assert!(called_names("CREATE VIEW v AS SELECT wipe()").is_empty());
    }
}

/// One piece of SQL decoded from a PL/pgSQL string expression, and where it was
/// written (byte range of the expression text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub raw: (usize, usize),
    /// `text` is byte for byte `raw` (no escapes, no substitution).
    pub verbatim: bool,
}

/// The SQL a PL/pgSQL `EXECUTE` runs, decoded from its expression: string
/// literals (`'…'`, `E'…'`, `$$…$$`) joined with `||`, or `format('<literal>',
/// args…)` with `%I`, `%L`, `%s` and `%%`. An operand or argument that is not a
/// literal becomes a `__migguard_dynamic_N__` placeholder (`dynamic`), so the kind
/// of statement and the names written out are still read. `None` when the
/// expression has no literal SQL text at all or a shape not handled here.
pub fn dynamic_sql(raw: &str) -> Option<(Vec<Piece>, bool)> {
    let mut p = Parser {
        raw,
        at: 0,
        dynamic: 0,
    };
    p.ws();
    let pieces = if p.eat_word("format") {
        p.ws();
        if !p.eat("(") {
            return None;
        }
        let (fmt, fmt_raw) = p.literal()?;
        let mut args = Vec::new();
        loop {
            p.ws();
            if p.eat(")") {
                break;
            }
            if !p.eat(",") {
                return None;
            }
            p.ws();
            let start = p.at;
            args.push(match p.literal() {
                Some((v, _)) => Some(v),
                None => {
                    p.skip_expression();
                    if p.at == start {
                        return None;
                    }
                    None
                }
            });
        }
        let text = p.format(&fmt, &args)?;
        vec![Piece {
            text,
            raw: fmt_raw,
            verbatim: false,
        }]
    } else {
        let mut pieces = Vec::new();
        loop {
            p.ws();
            let start = p.at;
            let before = p.at;
            match p.literal_pieces() {
                Some(mut lit) => pieces.append(&mut lit),
                None => {
                    p.skip_expression();
                    if p.at == before {
                        return None;
                    }
                    pieces.push(Piece {
                        text: p.placeholder(),
                        raw: (start, p.at),
                        verbatim: false,
                    });
                }
            }
            p.ws();
            if !p.eat("||") {
                break;
            }
        }
        pieces
    };
    p.ws();
    // What may follow the expression: INTO / USING clauses, the end.
    let rest = raw[p.at..].trim_start().to_ascii_uppercase();
    if !(rest.is_empty() || rest.starts_with("INTO") || rest.starts_with("USING")) {
        return None;
    }
    let literal_text = pieces
        .iter()
        .any(|x| x.verbatim || !x.text.starts_with("__migguard"));
    literal_text.then_some((pieces, p.dynamic > 0))
}

/// Every string literal of a statement (`raw` with its blanked twin), decoded: what
/// psql's `\gexec` may run, since it executes each value the query returns.
pub fn string_literals(raw: &str, blanked: &str) -> Vec<Vec<Piece>> {
    let mut p = Parser {
        raw,
        at: 0,
        dynamic: 0,
    };
    let mut out = Vec::new();
    while p.at < raw.len() {
        if blanked.as_bytes().get(p.at) == Some(&b'\'') {
            match p.literal_pieces() {
                Some(pieces) => out.push(pieces),
                None => break,
            }
        } else {
            p.at += 1;
        }
    }
    out
}

struct Parser<'a> {
    raw: &'a str,
    at: usize,
    dynamic: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.raw[self.at..]
    }

    fn ws(&mut self) {
        let r = self.rest();
        self.at += r.len() - r.trim_start().len();
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.at += s.len();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        let r = self.rest();
        let ok = r.len() >= w.len()
            && r[..w.len()].eq_ignore_ascii_case(w)
            && !r[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        if ok {
            self.at += w.len();
        }
        ok
    }

    fn placeholder(&mut self) -> String {
        self.dynamic += 1;
        format!("{}{}__", crate::ir::DYNAMIC_PLACEHOLDER, self.dynamic)
    }

    /// A string literal as pieces: runs between doubled quotes map byte for byte.
    fn literal_pieces(&mut self) -> Option<Vec<Piece>> {
        let start = self.at;
        let raw = self.raw;
        let r = &raw[start..];
        if let Some(body) = r.strip_prefix('\'') {
            let mut pieces = Vec::new();
            let mut i = 0;
            let mut run = 0;
            let base = start + 1;
            let bytes = body.as_bytes();
            loop {
                match bytes.get(i) {
                    None => return None,
                    Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => {
                        if i > run {
                            pieces.push(Piece {
                                text: body[run..i].to_string(),
                                raw: (base + run, base + i),
                                verbatim: true,
                            });
                        }
                        pieces.push(Piece {
                            text: "'".into(),
                            raw: (base + i, base + i + 2),
                            verbatim: false,
                        });
                        i += 2;
                        run = i;
                    }
                    Some(b'\'') => {
                        if i > run {
                            pieces.push(Piece {
                                text: body[run..i].to_string(),
                                raw: (base + run, base + i),
                                verbatim: true,
                            });
                        }
                        self.at = base + i + 1;
                        return Some(pieces);
                    }
                    Some(_) => i += 1,
                }
            }
        }
        if r.starts_with(['e', 'E']) && r[1..].starts_with('\'') {
            let bytes = r.as_bytes();
            let mut i = 2;
            let mut text = String::new();
            loop {
                match bytes.get(i)? {
                    b'\\' => {
                        let c = *bytes.get(i + 1)?;
                        text.push(match c {
                            b'n' => '\n',
                            b't' => '\t',
                            b'r' => '\r',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            c => c as char,
                        });
                        i += 2;
                    }
                    b'\'' if bytes.get(i + 1) == Some(&b'\'') => {
                        text.push('\'');
                        i += 2;
                    }
                    b'\'' => break,
                    _ => {
                        let ch = r[i..].chars().next()?;
                        text.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            self.at = start + i + 1;
            return Some(vec![Piece {
                text,
                raw: (start, start + i + 1),
                verbatim: false,
            }]);
        }
        if r.starts_with('$') {
            let bytes = r.as_bytes();
            let tag_end = 1 + bytes[1..].iter().position(|&b| b == b'$')?;
            let tag = &r[..=tag_end];
            if !tag[1..tag.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
            {
                return None;
            }
            let close = r[tag.len()..].find(tag)? + tag.len();
            self.at = start + close + tag.len();
            return Some(vec![Piece {
                text: r[tag.len()..close].to_string(),
                raw: (start + tag.len(), start + close),
                verbatim: true,
            }]);
        }
        None
    }

    /// A string literal's value and raw range.
    fn literal(&mut self) -> Option<(String, (usize, usize))> {
        let start = self.at;
        let pieces = self.literal_pieces()?;
        Some((
            pieces.iter().map(|p| p.text.as_str()).collect(),
            (start, self.at),
        ))
    }

    /// Skip one non-literal operand: up to a top-level `,`, `)`, `||`, INTO or USING.
    fn skip_expression(&mut self) {
        let bytes = self.raw.as_bytes();
        let mut depth = 0usize;
        let raw = self.raw;
        while self.at < bytes.len() {
            let r = &raw[self.at..];
            let at_word = |w: &str| {
                r.len() >= w.len()
                    && r[..w.len()].eq_ignore_ascii_case(w)
                    && !r[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            };
            if depth == 0
                && (r.starts_with(',')
                    || r.starts_with(')')
                    || r.starts_with("||")
                    || at_word("INTO")
                    || at_word("USING"))
            {
                return;
            }
            match bytes[self.at] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b'\'' => {
                    if self.literal_pieces().is_some() {
                        continue;
                    }
                    self.at = bytes.len();
                    return;
                }
                _ => {}
            }
            self.at += 1;
        }
    }

    /// PostgreSQL's `format()` for `%s`, `%I`, `%L`, `%%` (positions and widths are
    /// not read: `None`). A missing literal argument is a placeholder.
    fn format(&mut self, fmt: &str, args: &[Option<String>]) -> Option<String> {
        let mut out = String::new();
        let mut next = 0;
        let mut chars = fmt.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let spec = chars.next()?;
            if spec == '%' {
                out.push('%');
                continue;
            }
            let arg = args.get(next)?;
            next += 1;
            let value = match arg {
                None => {
                    out.push_str(&self.placeholder());
                    continue;
                }
                Some(v) => v,
            };
            match spec {
                's' => out.push_str(value),
                'I' => {
                    let plain = value
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                        && value
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if plain {
                        out.push_str(value);
                    } else {
                        out.push('"');
                        out.push_str(&value.replace('"', "\"\""));
                        out.push('"');
                    }
                }
                'L' => {
                    out.push('\'');
                    out.push_str(&value.replace('\'', "''"));
                    out.push('\'');
                }
                _ => return None,
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod dynamic_tests {
    use super::dynamic_sql;

    fn sql(raw: &str) -> Option<(String, bool)> {
        dynamic_sql(raw).map(|(p, d)| (p.iter().map(|p| p.text.as_str()).collect(), d))
    }

    #[test]
    fn literals_and_concatenations() {
        assert_eq!(
            sql("'ALTER TABLE product DROP COLUMN legacy_code'"),
            Some(("ALTER TABLE product DROP COLUMN legacy_code".into(), false))
        );
        assert_eq!(
            sql("'DROP TABLE ' || 'it''s' || tbl USING 1"),
            Some(("DROP TABLE it's__migguard_dynamic_1__".into(), true))
        );
        assert_eq!(
            sql("E'DROP TABLE \\'x\\''"),
            Some(("DROP TABLE 'x'".into(), false))
        );
        assert_eq!(
            sql("$q$DROP TABLE x$q$"),
            Some(("DROP TABLE x".into(), false))
        );
        assert_eq!(sql("some_function()"), None);
    }

    #[test]
    fn format_with_literal_and_unknown_arguments() {
        assert_eq!(
            sql("format('ALTER TABLE %I DROP COLUMN %I', 'Product', 'legacy_code')"),
            Some((
                "ALTER TABLE \"Product\" DROP COLUMN legacy_code".into(),
                false
            ))
        );
        assert_eq!(
            sql("format('DELETE FROM %I WHERE note = %L', t, 'it''s')"),
            Some((
                "DELETE FROM __migguard_dynamic_1__ WHERE note = 'it''s'".into(),
                true
            ))
        );
        assert_eq!(sql("format('DROP TABLE %1$I', 'x')"), None);
    }
}
