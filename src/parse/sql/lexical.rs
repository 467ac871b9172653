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
            out[s..e].copy_from_slice(blank_for_patterns(body).as_bytes());
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Length of a dollar-quote tag (`$$`, `$body$`) starting at `i`, if one starts there.
fn dollar_tag_len(bytes: &[u8], i: usize) -> Option<usize> {
    // `$1` is a parameter and `a$b` an identifier, not a quote.
    if i > 0 && is_ident_byte(bytes[i - 1]) {
        return None;
    }
    let mut j = i + 1;
    if j < bytes.len() && bytes[j].is_ascii_digit() {
        return None;
    }
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
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

/// Scan `sql` once: blanked text, statement ranges and comment ranges.
pub fn scan(sql: &str) -> Lexed {
    let bytes = sql.as_bytes();
    let n = bytes.len();
    let mut out = bytes.to_vec();
    let mut comments = Vec::new();
    let mut dollar_bodies = Vec::new();
    let mut cuts = Vec::new();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to] {
            if *b != b'\n' && *b != b'\r' {
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
    while i < n {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = find_from(bytes, i, b"\n").unwrap_or(n);
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
            b'\'' => {
                let escapes = i > 0
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && (i < 2 || !is_ident_byte(bytes[i - 2]));
                let mut j = i + 1;
                let mut closed = false;
                while j < n {
                    if escapes && bytes[j] == b'\\' {
                        j += 2;
                    } else if bytes[j] == b'\'' {
                        if bytes.get(j + 1) == Some(&b'\'') {
                            j += 2;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                let inner_end = j.min(n);
                blank(&mut out, i + 1, inner_end);
                i = if closed { j + 1 } else { n };
            }
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
            b';' => {
                cuts.push(i);
                i += 1;
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
/// `;`), trimmed of whitespace and blanked comments. Only ASCII whitespace is trimmed:
/// a non-breaking space is not whitespace to PostgreSQL either.
fn statement_ranges(blanked: &[u8], cuts: &[usize]) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&blanked.len())) {
        let piece = &blanked[start..end];
        if let Some(first) = piece.iter().position(|b| !b.is_ascii_whitespace()) {
            let last = piece
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .unwrap_or(first);
            ranges.push((start + first, start + last + 1));
        }
        start = end + 1;
    }
    ranges
}

/// Ranges of the comma-separated parts of blanked statement text, split at commas
/// outside parentheses, trimmed. `ALTER TABLE t ADD a int, DROP b` → the header with
/// the first action, then each further action: lets each op point at its own action.
pub fn top_level_parts(blanked: &str) -> Vec<(usize, usize)> {
    let bytes = blanked.as_bytes();
    let mut cuts = Vec::new();
    let mut depth = 0i64;
    let mut in_ident = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_ident = !in_ident,
            b'(' if !in_ident => depth += 1,
            b')' if !in_ident => depth -= 1,
            b',' if !in_ident && depth == 0 => cuts.push(i),
            _ => {}
        }
    }
    statement_ranges(bytes, &cuts)
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
    for line in raw.split_inclusive('\n') {
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
}
