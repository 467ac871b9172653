//! Lexical helpers that work on SQL text without parsing it.
//!
//! One scanner knows where PostgreSQL comments (`--`, nested `/* */`), string literals
//! (`'…'` with `''`, `E'…'` with backslash escapes, `$tag$…$tag$`) and quoted
//! identifiers begin and end. Three things are built on it, so they always agree:
//! the text with comments and strings blanked (what the rules' regexes see), the
//! statement boundaries (top-level `;`, plus the end of the text), and the comments
//! (raw material for annotations and suppressions).
//!
//! We split with this scanner rather than with sqlparser's tokenizer because the
//! tokenizer fails on the whole input at the first character it dislikes (an
//! unterminated string, a stray byte): one bad statement must cost one unparsed
//! op, not the file. Each piece is then tokenized and parsed on its own.

/// What the scanner found in a piece of SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexed {
    /// The text with comment bodies and string contents replaced by spaces (newlines
    /// kept, string delimiters kept, byte length unchanged).
    pub blanked: String,
    /// Byte ranges of the non-empty statements, trimmed of whitespace and comments,
    /// without their terminating `;`.
    pub statements: Vec<(usize, usize)>,
    /// Byte ranges of the comments, markers included.
    pub comments: Vec<(usize, usize)>,
    /// Byte ranges of the bodies of dollar-quoted strings (between the tags).
    pub dollar_bodies: Vec<(usize, usize)>,
}

/// The text with comments and string literals (incl. dollar-quoted, E'' strings, quoted
/// identifiers kept) replaced by spaces, byte length preserved, so regexes from the
/// rules file never match inside `-- DROP TABLE x` or `'drop table'`.
pub fn blank_comments_and_strings(sql: &str) -> String {
    scan(sql).blanked
}

/// Text for the rules' lexical patterns: like [`blank_comments_and_strings`], except
/// that the dollar-quoted body of a `DO` block is kept as code (itself blanked the
/// same way), because it *runs* during the migration — unlike a `CREATE FUNCTION`
/// body, which only defines code.
pub fn blank_for_patterns(sql: &str) -> String {
    let lexed = scan(sql);
    let is_do = lexed
        .blanked
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("DO"));
    if !is_do {
        return lexed.blanked;
    }
    let mut out = lexed.blanked.into_bytes();
    for &(s, e) in &lexed.dollar_bodies {
        if let Some(body) = sql.get(s..e) {
            out[s..e].copy_from_slice(with_executed_strings(body).as_bytes());
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A DO body for the patterns: blanked like any code, except that what a PL/pgSQL
/// `EXECUTE` runs (its string operands up to the end of the statement) stays
/// visible, since that text is SQL that runs: `EXECUTE 'DROP TABLE ' || t` in a
/// block migguard cannot read still matches `drop-table`.
fn with_executed_strings(body: &str) -> String {
    let blanked = blank_for_patterns(body);
    let upper = blanked.to_ascii_uppercase();
    let mut out = blanked.into_bytes();
    let mut from = 0;
    while let Some(pos) = upper[from..].find("EXECUTE") {
        let at = from + pos;
        let end_word = at + "EXECUTE".len();
        from = end_word;
        let bytes = upper.as_bytes();
        let standalone = (at == 0 || !is_ident_cont(bytes[at - 1]))
            && bytes.get(end_word).is_none_or(|&b| !is_ident_cont(b));
        if !standalone {
            continue;
        }
        let stmt_end = upper[end_word..]
            .find(';')
            .map_or(body.len(), |p| end_word + p);
        out[end_word..stmt_end].copy_from_slice(&body.as_bytes()[end_word..stmt_end]);
        from = stmt_end;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Bytes that may start an identifier or keyword (PostgreSQL's `ident_start`: any
/// byte of a non-ASCII character counts).
fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// Bytes that continue an identifier (`ident_cont`): `$` included, so `a$b$` is one
/// identifier and never opens a dollar quote.
fn is_ident_cont(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

/// PostgreSQL's lexer ends a `--` comment at either newline byte (`newline [\n\r]`
/// in scan.l): a bare CR ends it as surely as LF does.
fn is_newline(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Length of a dollar-quote tag (`$$`, `$body$`) starting at `i`, if one starts there.
/// scan.l: `\$({dolq_start}{dolq_cont}*)?\$`, where non-ASCII bytes count as letters
/// (so `$ä$` is a tag). The caller never calls this inside an identifier.
fn dollar_tag_len(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if j < bytes.len() && is_ident_start(bytes[j]) {
        j += 1;
        while j < bytes.len() && is_ident_cont(bytes[j]) && bytes[j] != b'$' {
            j += 1;
        }
    }
    (j < bytes.len() && bytes[j] == b'$').then_some(j + 1 - i)
}

fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// End of a quoted string whose opening quote is at `open`: the index of the closing
/// quote, or `None` when it never closes. `''` is a quote inside the string; with
/// `backslash_escapes` (`E'…'`, or any plain string once `standard_conforming_strings`
/// is off) a backslash escapes the next byte.
fn string_end(bytes: &[u8], open: usize, backslash_escapes: bool) -> Option<usize> {
    let mut j = open + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' if backslash_escapes => j += 2,
            b'\'' if bytes.get(j + 1) == Some(&b'\'') => j += 2,
            b'\'' => return Some(j),
            _ => j += 1,
        }
    }
    None
}

/// What a finished statement does to `standard_conforming_strings`, which decides
/// whether a backslash escapes a quote in a plain `'…'` string for every statement
/// after it (the server's lexer and psql's both follow the setting). `Some(false)`
/// turns backslash escapes on. `SET [SESSION|LOCAL] standard_conforming_strings
/// {TO|=} value`, `… TO DEFAULT`, `RESET standard_conforming_strings` and `RESET ALL`
/// are read; `SET LOCAL` is taken to last (its transaction usually spans the rest of
/// the migration).
fn conforming_strings_setting(raw: &str, blanked: &str) -> Option<bool> {
    let words: Vec<(usize, String)> = blanked
        .split(|c: char| c.is_ascii_whitespace() || c == '=')
        .filter(|w| !w.is_empty())
        .map(|w| {
            (
                w.as_ptr() as usize - blanked.as_ptr() as usize,
                w.to_ascii_lowercase(),
            )
        })
        .collect();
    let word = |k: usize| words.get(k).map(|(_, w)| w.as_str());
    match word(0)? {
        "reset" => match word(1)? {
            "standard_conforming_strings" | "all" => Some(true),
            _ => None,
        },
        "set" => {
            let k = if matches!(word(1)?, "session" | "local") {
                2
            } else {
                1
            };
            if word(k)? != "standard_conforming_strings" {
                return None;
            }
            let v = if word(k + 1)? == "to" { k + 2 } else { k + 1 };
            let (at, _) = words.get(v)?;
            // The value may be quoted (blanked in `blanked`): read it from the raw text.
            let value: String = raw
                .get(*at..)?
                .trim_start_matches(['\'', '"'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            match value.as_str() {
                "off" | "false" | "no" | "0" | "of" | "f" | "n" => Some(false),
                _ => Some(true),
            }
        }
        _ => None,
    }
}

/// Scan `sql` once: blanked text, statement ranges and comment ranges.
///
/// The rules are PostgreSQL 15's scan.l (and psql's psqlscan.l, which mirrors it):
/// `--` comments end at LF or CR; `/* */` nest; an identifier runs over letters,
/// digits, `_`, `$` and non-ASCII bytes, so `a$x$` is a name, not a dollar quote;
/// `E'…'` strings take backslash escapes, `U&'…'`, `B'…'`, `X'…'`, `N'…'` and plain
/// strings double their quotes; plain strings also take backslash escapes after
/// `SET standard_conforming_strings = off`; dollar-quote tags are case-sensitive and
/// may hold non-ASCII letters. A backslash outside any quote is a psql meta-command
/// running to the end of its line (`\gexec`, `\i`, `\echo '`): it is cut out as a
/// statement of its own (which then reads as unparsed), and `\;` separates
/// statements as psql sends them.
pub fn scan(sql: &str) -> Lexed {
    let bytes = sql.as_bytes();
    let n = bytes.len();
    let mut out = bytes.to_vec();
    let mut comments = Vec::new();
    let mut dollar_bodies = Vec::new();
    // (end of a statement, start of the next one)
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut plain_strings_escape = false;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to] {
            if !is_newline(*b) {
                *b = b' ';
            }
        }
    };
    // A UTF-8 byte-order mark is editor noise, not SQL: treat it as whitespace.
    let mut i = 0;
    if sql.starts_with('\u{FEFF}') {
        out[..3].copy_from_slice(b"   ");
        i = 3;
    }
    let quoted = |out: &mut Vec<u8>, open: usize, escapes: bool| -> usize {
        match string_end(bytes, open, escapes) {
            Some(close) => {
                blank(out, open + 1, close);
                close + 1
            }
            None => {
                blank(out, open + 1, n);
                n
            }
        }
    };
    while i < n {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = bytes[i..]
                    .iter()
                    .position(|&c| is_newline(c))
                    .map_or(n, |p| i + p);
                blank(&mut out, i, end);
                comments.push((i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                let mut j = i;
                while j < n {
                    if bytes[j] == b'/' && bytes.get(j + 1) == Some(&b'*') {
                        depth += 1;
                        j += 2;
                    } else if bytes[j] == b'*' && bytes.get(j + 1) == Some(&b'/') {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                let end = j.min(n);
                blank(&mut out, i, end);
                comments.push((i, end));
                i = end;
            }
            b'\'' => i = quoted(&mut out, i, plain_strings_escape),
            b'"' => {
                // Quoted identifiers stay visible; skip them so a `;` or `--` inside
                // one is not taken for syntax.
                let mut j = i + 1;
                while j < n {
                    if bytes[j] == b'"' {
                        if bytes.get(j + 1) == Some(&b'"') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                i = (j + 1).min(n);
            }
            b'$' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                // `$1`: a parameter.
                i += 1;
                while i < n && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            b'$' => match dollar_tag_len(bytes, i) {
                Some(tag_len) => {
                    let tag = &bytes[i..i + tag_len];
                    match find_from(bytes, i + tag_len, tag) {
                        Some(close) => {
                            blank(&mut out, i + tag_len, close);
                            dollar_bodies.push((i + tag_len, close));
                            i = close + tag_len;
                        }
                        None => {
                            blank(&mut out, i + tag_len, n);
                            dollar_bodies.push((i + tag_len, n));
                            i = n;
                        }
                    }
                }
                None => i += 1,
            },
            b'\\' if bytes.get(i + 1) == Some(&b';') => {
                cuts.push((i, i + 2));
                i += 2;
            }
            b'\\' => {
                // A psql meta-command: the query so far ends here, the command runs
                // to the end of the line (quotes in it do not span lines).
                let end = bytes[i..]
                    .iter()
                    .position(|&c| is_newline(c))
                    .map_or(n, |p| i + p);
                cuts.push((i, i));
                cuts.push((end, end));
                i = end;
            }
            b';' => {
                let from = cuts.last().map_or(0, |c| c.1);
                if let (Some(raw), Ok(blanked)) =
                    (sql.get(from..i), std::str::from_utf8(&out[from..i]))
                {
                    if let Some(conforming) = conforming_strings_setting(raw, blanked) {
                        plain_strings_escape = !conforming;
                    }
                }
                cuts.push((i, i + 1));
                i += 1;
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < n && is_ident_cont(bytes[i]) {
                    i += 1;
                }
                let word = &bytes[start..i];
                let next = bytes.get(i).copied();
                if next == Some(b'\'') && word.eq_ignore_ascii_case(b"e") {
                    i = quoted(&mut out, i, true);
                } else if next == Some(b'&')
                    && bytes.get(i + 1) == Some(&b'\'')
                    && word.eq_ignore_ascii_case(b"u")
                {
                    // U&'…' never takes backslash escapes (PostgreSQL refuses it when
                    // standard_conforming_strings is off).
                    i = quoted(&mut out, i + 1, false);
                }
            }
            c if c.is_ascii_digit() => {
                // A number (`1e5`, `1.5`): `$` is not part of it, so `1$a$` opens a
                // dollar quote after the number, as in PostgreSQL.
                while i < n
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced, and always whole runs between ASCII delimiters,
    // so the result is still UTF-8; the lossy path is a guard, not an expected case.
    let blanked = String::from_utf8(out).unwrap_or_else(|e| {
        String::from_utf8_lossy(e.as_bytes())
            .chars()
            .map(|c| if c == '\u{FFFD}' { ' ' } else { c })
            .collect()
    });
    let statements = statement_ranges(blanked.as_bytes(), &cuts);
    Lexed {
        blanked,
        statements,
        comments,
        dollar_bodies,
    }
}

/// Pieces between the cuts (and the end of the text: the last statement often has no
/// `;`), trimmed of whitespace and blanked comments. Each cut is the end of one piece
/// and the start of the next. Only ASCII whitespace is trimmed: a non-breaking space
/// is not whitespace to PostgreSQL either.
fn statement_ranges(blanked: &[u8], cuts: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for &(end, next) in cuts
        .iter()
        .chain(std::iter::once(&(blanked.len(), blanked.len())))
    {
        let piece = &blanked[start.min(end)..end];
        if let Some(first) = piece.iter().position(|b| !b.is_ascii_whitespace()) {
            let last = piece
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .unwrap_or(first);
            ranges.push((start + first, start + last + 1));
        }
        start = next;
    }
    ranges
}

/// The bytes of `text` outside `'…'` literals and `"…"` identifiers, each with the
/// parenthesis depth after it (`(` raises it first): the one walk behind
/// [`matching_paren`], [`top_level_positions`] and the readers and schema code that
/// need them. `visit` returns whether to go on. Bytes: UTF-8 never hides an ASCII
/// byte inside another character.
fn walk_structure(text: &str, mut visit: impl FnMut(usize, u8, i64) -> bool) {
    let mut depth = 0i64;
    let mut quote: Option<u8> = None;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, _) => {
                depth += match b {
                    b'(' => 1,
                    b')' => -1,
                    _ => 0,
                };
                if !visit(i, b, depth) {
                    return;
                }
            }
        }
    }
}

/// The byte offset of the `)` that closes the `(` at byte `open` of `text`.
pub fn matching_paren(text: &str, open: usize) -> Option<usize> {
    if text.as_bytes().get(open) != Some(&b'(') {
        return None;
    }
    let mut close = None;
    walk_structure(&text[open..], |i, b, depth| {
        if b == b')' && depth == 0 {
            close = Some(open + i);
        }
        close.is_none()
    });
    close
}

/// The byte offsets of `byte` (a comma, a dot) in `text` outside parentheses and
/// quotes.
pub fn top_level_positions(text: &str, byte: u8) -> Vec<usize> {
    let mut found = Vec::new();
    walk_structure(text, |i, b, depth| {
        if b == byte && depth == 0 {
            found.push(i);
        }
        true
    });
    found
}

/// A token of blanked statement text (see [`tokens`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// Byte offset in the text.
    pub at: usize,
    pub text: &'a str,
}

impl Token<'_> {
    /// The byte offset just past the token.
    pub fn end(&self) -> usize {
        self.at + self.text.len()
    }

    /// Is the token this keyword (any case; a quoted identifier never is one)?
    pub fn is(&self, keyword: &str) -> bool {
        self.text.eq_ignore_ascii_case(keyword)
    }

    /// One ASCII punctuation byte (`(`, `,`, `.`, `$`…), not a word.
    pub fn is_punct(&self) -> bool {
        self.text
            .bytes()
            .next()
            .is_some_and(|b| !(is_ident_start(b) || b.is_ascii_digit() || b == b'"'))
    }
}

/// The tokens of blanked statement text (comments and strings already spaces, as
/// [`blank_comments_and_strings`] leaves them), for the recognisers that read a
/// statement by its words: a word is a keyword, a name or a number (PostgreSQL's
/// identifier bytes: letters, digits, `_`, `$` after the first byte, any non-ASCII
/// byte), or a `"quoted identifier"` with its quotes (`""` inside it); a dotted name
/// is words and `.`; anything else is one ASCII punctuation byte. Whitespace
/// separates and is dropped.
pub fn tokens(blanked: &str) -> Vec<Token<'_>> {
    token_iter(blanked).collect()
}

/// [`tokens`] one at a time, for a reader that needs only the first few (a
/// statement's leading keywords) and should not walk a long statement to the end.
pub fn token_iter(blanked: &str) -> impl Iterator<Item = Token<'_>> {
    let bytes = blanked.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let start = i;
        let b = *bytes.get(i)?;
        if b == b'"' {
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        } else if is_ident_start(b) || b.is_ascii_digit() {
            while i < bytes.len() && is_ident_cont(bytes[i]) {
                i += 1;
            }
        } else {
            // Non-ASCII bytes start words above: only ASCII reaches here.
            i += 1;
        }
        Some(Token {
            at: start,
            text: &blanked[start..i.min(bytes.len())],
        })
    })
}

/// Ranges of the comma-separated parts of blanked statement text, split at commas
/// outside parentheses, trimmed. `ALTER TABLE t ADD a int, DROP b` → the header with
/// the first action, then each further action: lets each op point at its own action.
pub fn top_level_parts(blanked: &str) -> Vec<(usize, usize)> {
    let cuts: Vec<(usize, usize)> = top_level_positions(blanked, b',')
        .into_iter()
        .map(|i| (i, i + 1))
        .collect();
    statement_ranges(blanked.as_bytes(), &cuts)
}

/// The text of one comment, line by line, without markers: `(byte offset, text)`.
/// Lines of a block comment lose a leading `*` (the usual ` * ` gutter).
pub fn comment_lines(sql: &str, range: (usize, usize)) -> Vec<(usize, usize, String)> {
    let (start, end) = range;
    let Some(raw) = sql.get(start..end) else {
        return Vec::new();
    };
    if let Some(body) = raw.strip_prefix("--") {
        return vec![(start, end, body.trim().to_string())];
    }
    let mut lines = Vec::new();
    let mut offset = start;
    // A bare CR ends a line too (as it ends a `--` comment).
    for line in raw.split_inclusive(['\n', '\r']) {
        let line_end = offset + line.trim_end_matches(['\n', '\r']).len();
        let mut text = line.trim();
        text = text.strip_prefix("/*").unwrap_or(text);
        text = text.strip_suffix("*/").unwrap_or(text);
        let text = text.trim();
        let text = text.strip_prefix('*').unwrap_or(text).trim();
        if !text.is_empty() {
            lines.push((offset, line_end, text.to_string()));
        }
        offset += line.len();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(sql: &str) -> Vec<&str> {
        scan(sql)
            .statements
            .iter()
            .map(|&(s, e)| &sql[s..e])
            .collect()
    }

    #[test]
    fn blanks_comments_and_string_contents_keeping_length() {
        let sql = "DROP x; -- DROP TABLE y\nSELECT 'drop table', E'a\\'b;', $f$ ; drop $f$, \"Id;\" /* a /* b */ c */;";
        let b = blank_comments_and_strings(sql);
        assert_eq!(b.len(), sql.len());
        assert!(!b.to_lowercase().contains("drop table"));
        assert!(b.contains("\"Id;\""), "quoted identifiers are kept: {b}");
        assert!(b.contains("'          '"), "string delimiters kept: {b}");
        assert!(b.contains("$f$"), "dollar tags kept: {b}");
        assert!(!b.contains(" c "), "nested comment fully blanked: {b}");
        assert_eq!(b.matches('\n').count(), 1);
    }

    #[test]
    fn splits_on_top_level_semicolons_and_keeps_the_last_statement() {
        let sql = "CREATE TABLE a (x int);\n-- c;\nINSERT INTO a VALUES (';');\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n;\n DROP TABLE a";
        assert_eq!(
            pieces(sql),
            vec![
                "CREATE TABLE a (x int)",
                "INSERT INTO a VALUES (';')",
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                "DROP TABLE a"
            ]
        );
    }

    #[test]
    fn tokens_are_words_quoted_identifiers_and_punctuation() {
        let sql =
            "ALTER TABLE s.\"a \"\"b\"\" c\" ADD x$1 int8[] DEFAULT 12, ADD \u{e9}t\u{e9} ($1)";
        let toks = tokens(sql);
        let texts: Vec<&str> = toks.iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            [
                "ALTER",
                "TABLE",
                "s",
                ".",
                "\"a \"\"b\"\" c\"",
                "ADD",
                "x$1",
                "int8",
                "[",
                "]",
                "DEFAULT",
                "12",
                ",",
                "ADD",
                "\u{e9}t\u{e9}",
                "(",
                "$",
                "1",
                ")"
            ]
        );
        for t in &toks {
            assert_eq!(&sql[t.at..t.end()], t.text);
        }
        let punct: String = toks
            .iter()
            .filter(|t| t.is_punct())
            .map(|t| t.text)
            .collect();
        assert_eq!(punct, ".[],($)");
        assert!(toks[0].is("alter") && !toks[4].is("a \"b\" c"));
        // An unclosed quoted identifier runs to the end, as the scanner leaves it.
        assert_eq!(tokens("x \"y").last().map(|t| t.text), Some("\"y"));
    }

    #[test]
    fn token_iter_yields_the_tokens_one_at_a_time() {
        let sql = "CREATE INDEX \"i\" ON t (a, (lower(b)))";
        let first: Vec<Token<'_>> = token_iter(sql).take(3).collect();
        assert_eq!(first, tokens(sql)[..3]);
        assert_eq!(token_iter(sql).count(), tokens(sql).len());
        assert_eq!(token_iter("  ").next(), None);
    }

    #[test]
    fn nbsp_after_last_semicolon_is_a_statement() {
        let sql = "DROP TABLE a;\u{a0}";
        assert_eq!(pieces(sql), vec!["DROP TABLE a", "\u{a0}"]);
    }

    #[test]
    fn unterminated_string_runs_to_the_end() {
        let sql = "SELECT 'abc; DROP TABLE x;";
        assert_eq!(pieces(sql).len(), 1);
    }

    #[test]
    fn dollar_params_and_identifiers_are_not_quotes() {
        let sql = "UPDATE a$b SET x = $1; DELETE FROM c";
        assert_eq!(pieces(sql), vec!["UPDATE a$b SET x = $1", "DELETE FROM c"]);
    }

    #[test]
    fn top_level_parts_ignore_nested_commas() {
        let sql = "ALTER TABLE t ADD a numeric(12, 2), DROP \"b,c\" ,  DROP d";
        let parts: Vec<&str> = top_level_parts(sql)
            .iter()
            .map(|&(s, e)| &sql[s..e])
            .collect();
        assert_eq!(
            parts,
            vec![
                "ALTER TABLE t ADD a numeric(12, 2)",
                "DROP \"b,c\"",
                "DROP d"
            ]
        );
    }

    #[test]
    fn do_bodies_stay_visible_to_patterns_function_bodies_do_not() {
        let d = blank_for_patterns("DO $$ BEGIN DROP TABLE x; PERFORM 'drop table y'; END $$");
        assert!(d.contains("DROP TABLE x"), "{d}");
        assert!(!d.contains("drop table y"), "{d}");
        let f = blank_for_patterns(
            "CREATE FUNCTION f() RETURNS void AS $$ DROP TABLE x $$ LANGUAGE sql",
        );
        assert!(!f.contains("DROP TABLE"), "{f}");
    }

    /// Each case was run through `psql -f` on PostgreSQL 15; the pieces are what it
    /// executes (or rejects) one by one.
    #[test]
    fn a_bare_cr_ends_a_line_comment() {
        assert_eq!(
            pieces("-- note\rDROP TABLE users;\n"),
            vec!["DROP TABLE users"]
        );
        let lexed = scan("-- note\rDROP TABLE users");
        assert_eq!(lexed.comments, vec![(0, 7)]);
    }

    #[test]
    fn dollars_inside_identifiers_do_not_open_quotes() {
        // `a$$x$` is one identifier; the DROP runs.
        assert_eq!(
            pieces("SELECT a$$x$ ; DROP TABLE users; SELECT $x$;"),
            vec!["SELECT a$$x$", "DROP TABLE users", "SELECT $x$"]
        );
        // `a$E` is an identifier, so `'\'` is a plain string ending at its second quote.
        assert_eq!(
            pieces(r"SELECT 1 AS a$E'\'; DROP TABLE users; --';"),
            vec![r"SELECT 1 AS a$E'\'", "DROP TABLE users"]
        );
        // After a number, `$x$` does open a quote (PostgreSQL then rejects the statement).
        assert_eq!(pieces("SELECT 1$x$; DROP TABLE users; $x$;").len(), 1);
    }

    #[test]
    fn dollar_tags_hold_non_ascii_letters_and_are_case_sensitive() {
        assert_eq!(
            pieces("SELECT $\u{e4}$ $x$ $\u{e4}$; DROP TABLE users; SELECT $x$;"),
            vec![
                "SELECT $\u{e4}$ $x$ $\u{e4}$",
                "DROP TABLE users",
                "SELECT $x$"
            ]
        );
        assert_eq!(
            pieces("SELECT $a$ $A$; DROP TABLE users; $A$ $a$;"),
            vec!["SELECT $a$ $A$; DROP TABLE users; $A$ $a$"]
        );
    }

    #[test]
    fn escape_strings_and_unicode_strings() {
        // E'\'' is one quote character; the DROP runs.
        assert_eq!(
            pieces(r"SELECT E'\''; DROP TABLE users; --';"),
            vec![r"SELECT E'\''", "DROP TABLE users"]
        );
        // U&'\' takes no backslash escape for its quote (PostgreSQL rejects the
        // escape, then runs the DROP).
        assert_eq!(
            pieces(r"SELECT U&'\'; DROP TABLE users; --';"),
            vec![r"SELECT U&'\'", "DROP TABLE users"]
        );
        assert_eq!(
            pieces(r#"SELECT U&"a;b" FROM t; DROP TABLE users"#),
            vec![r#"SELECT U&"a;b" FROM t"#, "DROP TABLE users"]
        );
    }

    #[test]
    fn nested_block_comments_hide_what_they_enclose() {
        assert_eq!(
            pieces("/* a /* b */ DROP TABLE users; */ SELECT 1;"),
            vec!["SELECT 1"]
        );
    }

    #[test]
    fn standard_conforming_strings_off_makes_backslash_escape_quotes() {
        // PostgreSQL: one string, nothing dropped.
        assert_eq!(
            pieces("SET standard_conforming_strings = off;\nSELECT 'a\\'; DROP TABLE users; --';"),
            vec![
                "SET standard_conforming_strings = off",
                "SELECT 'a\\'; DROP TABLE users; --'"
            ]
        );
        // Back on (RESET), the backslash is a plain character again.
        assert_eq!(
            pieces(
                r"SET LOCAL standard_conforming_strings TO 'off'; RESET standard_conforming_strings; SELECT 'a\'; DROP TABLE users"
            ),
            vec![
                "SET LOCAL standard_conforming_strings TO 'off'",
                "RESET standard_conforming_strings",
                r"SELECT 'a\'",
                "DROP TABLE users"
            ]
        );
    }

    #[test]
    fn psql_meta_commands_end_at_the_end_of_their_line() {
        // psql: `\echo '` is an unterminated quote in the meta-command; the DROP runs.
        assert_eq!(
            pieces("\\echo '\nDROP TABLE users;\n-- '\n"),
            vec!["\\echo '", "DROP TABLE users"]
        );
        assert_eq!(
            pieces("SELECT 'DROP TABLE users' \\gexec\nSELECT 1"),
            vec!["SELECT 'DROP TABLE users'", "\\gexec", "SELECT 1"]
        );
        assert_eq!(
            pieces("DROP TABLE a \\; DROP TABLE b;"),
            vec!["DROP TABLE a", "DROP TABLE b"]
        );
    }

    #[test]
    fn what_a_do_block_executes_stays_visible_to_patterns() {
        let d = blank_for_patterns(
            "DO $$ DECLARE t text := 'x'; BEGIN EXECUTE $q$DROP TABLE $q$ || t; RAISE NOTICE 'drop table y'; END $$",
        );
        assert!(d.contains("$q$DROP TABLE $q$ || t"), "{d}");
        assert!(!d.contains("drop table y"), "{d}");
    }

    #[test]
    fn comment_lines_strip_markers() {
        let sql = "-- @destructive: drop x\n/* one\n * two\n */";
        let lexed = scan(sql);
        let lines: Vec<String> = lexed
            .comments
            .iter()
            .flat_map(|&r| comment_lines(sql, r))
            .map(|(_, _, t)| t)
            .collect();
        assert_eq!(lines, vec!["@destructive: drop x", "one", "two"]);
    }

    #[test]
    fn parentheses_and_commas_outside_quotes() {
        let text = "f(a, ')', \"b)(\", (c, d)), e";
        assert_eq!(matching_paren(text, 1), Some(text.rfind(')').unwrap()));
        assert_eq!(matching_paren(text, 17), Some(22));
        assert_eq!(matching_paren("(a", 0), None);
        assert_eq!(matching_paren("a", 0), None);
        assert_eq!(top_level_positions(text, b','), [text.len() - 3]);
        assert_eq!(top_level_positions("'a,b', \"c,d\", (e,f)", b','), [5, 12]);
        assert_eq!(top_level_positions("\"a.b\".numeric(1.5)", b'.'), [5]);
        // A doubled quote stays inside its literal.
        assert_eq!(top_level_positions("'it''s, fine', x", b','), [13]);
    }
}
