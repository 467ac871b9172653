//! Lexical helpers that work on SQL text without parsing it.
//!
//! One scanner understands exactly what matters to find statement boundaries and to
//! keep regexes honest: `--` and nested `/* */` comments, `'…'` strings (with `''`),
//! `E'…'` strings (with backslash escapes), `$tag$…$tag$` dollar quotes and `"…"`
//! identifiers. It never fails: junk bytes are just code. That is what lets one bad
//! statement cost one `unparsed` op instead of the whole file.

use std::ops::Range;

/// What a byte range of SQL text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    Code,
    LineComment,
    BlockComment,
    StringLiteral,
    DollarQuoted,
    QuotedIdent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub kind: RegionKind,
    pub range: Range<usize>,
}

/// Scan SQL into regions covering the whole text, in order.
pub fn scan(sql: &str) -> Vec<Region> {
    let b = sql.as_bytes();
    let mut out: Vec<Region> = Vec::new();
    let mut push = |kind: RegionKind, range: Range<usize>| {
        if range.is_empty() {
            return;
        }
        if let Some(last) = out.last_mut() {
            if last.kind == kind && kind == RegionKind::Code && last.range.end == range.start {
                last.range.end = range.end;
                return;
            }
        }
        out.push(Region { kind, range });
    };
    let mut i = 0;
    let mut code_start = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (kind, end) = if c == b'-' && next == Some(b'-') {
            let end = memchr(b'\n', &b[i..]).map(|p| i + p).unwrap_or(b.len());
            (RegionKind::LineComment, end)
        } else if c == b'/' && next == Some(b'*') {
            (RegionKind::BlockComment, block_comment_end(b, i))
        } else if c == b'\'' {
            let escapes =
                i > 0 && matches!(b[i - 1], b'E' | b'e') && (i < 2 || !is_ident_byte(b[i - 2]));
            (RegionKind::StringLiteral, quoted_end(b, i, b'\'', escapes))
        } else if c == b'"' {
            (RegionKind::QuotedIdent, quoted_end(b, i, b'"', false))
        } else if c == b'$' && (i == 0 || !is_ident_byte(b[i - 1])) {
            match dollar_tag(b, i) {
                Some(tag_len) => {
                    let tag = &b[i..i + tag_len];
                    let body = i + tag_len;
                    let end = find(&b[body..], tag)
                        .map(|p| body + p + tag_len)
                        .unwrap_or(b.len());
                    (RegionKind::DollarQuoted, end)
                }
                None => {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        };
        push(RegionKind::Code, code_start..i);
        push(kind, i..end);
        i = end;
        code_start = end;
    }
    push(RegionKind::Code, code_start..b.len());
    out
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn block_comment_end(b: &[u8], start: usize) -> usize {
    // PostgreSQL block comments nest.
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

fn quoted_end(b: &[u8], start: usize, quote: u8, backslash_escapes: bool) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        if backslash_escapes && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// Length of a `$tag$` opener at `start`, if there is one.
fn dollar_tag(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() && b[i] != b'$' {
        let c = b[i];
        let ok = if i == start + 1 {
            c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
        } else {
            is_ident_byte(c)
        };
        if !ok {
            return None;
        }
        i += 1;
    }
    (i < b.len()).then_some(i + 1 - start)
}

/// The text with comments and string literals (incl. dollar-quoted and `E''`)
/// replaced by spaces, byte length and newlines preserved; quoted identifiers kept.
/// Regexes from the rules file then never match inside `-- DROP TABLE x` or `'drop table'`.
pub fn blank_comments_and_strings(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    for r in scan(sql) {
        let piece = &sql[r.range.clone()];
        match r.kind {
            RegionKind::Code | RegionKind::QuotedIdent => out.push_str(piece),
            // One space per byte (multi-byte chars included) keeps offsets exact.
            _ => out.extend(piece.bytes().map(|c| if c == b'\n' { '\n' } else { ' ' })),
        }
    }
    out
}

/// Text for the rules' lexical patterns: like [`blank_comments_and_strings`], except
/// that the dollar-quoted body of a `DO` block is kept as code (recursively blanked),
/// because it *runs* during the migration — unlike a `CREATE FUNCTION` body.
pub fn blank_for_patterns(sql: &str) -> String {
    let blanked = blank_comments_and_strings(sql);
    let is_do = blanked
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("DO"));
    if !is_do {
        return blanked;
    }
    let mut out = blanked.into_bytes();
    for r in scan(sql)
        .into_iter()
        .filter(|r| r.kind == RegionKind::DollarQuoted)
    {
        let body = &sql[r.range.clone()];
        let tag_len = dollar_tag(body.as_bytes(), 0).unwrap_or(body.len());
        let inner_end = body.len().saturating_sub(tag_len).max(tag_len);
        let inner = blank_for_patterns(&body[tag_len..inner_end]);
        out[r.range.start + tag_len..r.range.start + inner_end].copy_from_slice(inner.as_bytes());
    }
    String::from_utf8(out).unwrap_or_default()
}

/// PostgreSQL's whitespace is ASCII only: a non-breaking space is a syntax error, so it
/// must end up in a statement of its own rather than vanish.
fn is_sql_whitespace(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Byte ranges of the statements in `sql`: split on top-level `;`, trimmed of
/// whitespace and comments, empty pieces dropped. The last statement needs no `;`.
pub fn split_statements(sql: &str) -> Vec<Range<usize>> {
    let regions = scan(sql);
    let mut out = Vec::new();
    let mut start: Option<usize> = None; // first significant byte of the current statement
    let mut last_end = 0; // end of the last significant byte
    for r in &regions {
        match r.kind {
            RegionKind::LineComment | RegionKind::BlockComment => {}
            RegionKind::Code => {
                for (off, ch) in sql[r.range.clone()].char_indices() {
                    let pos = r.range.start + off;
                    if ch == ';' {
                        if let Some(s) = start.take() {
                            out.push(s..last_end);
                        }
                    } else if !is_sql_whitespace(ch) {
                        if start.is_none() {
                            start = Some(pos);
                        }
                        last_end = pos + ch.len_utf8();
                    }
                }
            }
            _ => {
                if start.is_none() {
                    start = Some(r.range.start);
                }
                last_end = r.range.end;
            }
        }
    }
    if let Some(s) = start {
        out.push(s..last_end);
    }
    out
}

/// Every comment in `sql`, one entry per line, markers (`--`, `/*`, `*/`, leading `*`)
/// stripped and trimmed, with the byte range of that line of the comment.
pub fn comment_lines(sql: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    for r in scan(sql) {
        match r.kind {
            RegionKind::LineComment => {
                let text = sql[r.range.clone()].trim_start_matches('-').trim();
                out.push((r.range.clone(), text.to_string()));
            }
            RegionKind::BlockComment => {
                let mut pos = r.range.start;
                for line in sql[r.range.clone()].split_inclusive('\n') {
                    let len = line.len();
                    let t = line
                        .trim()
                        .trim_start_matches("/*")
                        .trim_end_matches("*/")
                        .trim()
                        .trim_start_matches('*')
                        .trim();
                    let trimmed_len = line.trim_end_matches('\n').len();
                    out.push((pos..pos + trimmed_len, t.to_string()));
                    pos += len;
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_comments_and_strings_but_keeps_length() {
        let sql = "DELETE FROM t WHERE a = 'drop table x'; -- DROP TABLE y\n/* drop /* nested */ table */ SELECT $f$drop table$f$, E'it\\'s', \"Drop\"";
        let blanked = blank_comments_and_strings(sql);
        assert_eq!(blanked.len(), sql.len());
        assert!(!blanked.to_lowercase().contains("drop table"));
        assert!(blanked.contains("\"Drop\""));
        assert!(blanked.contains('\n'));
    }

    #[test]
    fn do_block_bodies_stay_visible_to_patterns() {
        let sql = "DO $$ BEGIN -- DROP TABLE a\n DROP TABLE b; RAISE NOTICE 'drop table c'; END $$";
        let t = blank_for_patterns(sql);
        assert_eq!(t.len(), sql.len());
        assert_eq!(t.to_lowercase().matches("drop table").count(), 1);
        let f = "CREATE FUNCTION f() RETURNS void AS $$ DROP TABLE b $$ LANGUAGE sql";
        assert!(!blank_for_patterns(f).contains("DROP TABLE"));
    }

    #[test]
    fn blanking_multibyte_keeps_offsets() {
        let sql = "SELECT 'ça'; DROP TABLE t";
        let blanked = blank_comments_and_strings(sql);
        assert_eq!(blanked.len(), sql.len());
        assert_eq!(blanked.find("DROP"), sql.find("DROP"));
    }

    #[test]
    fn splits_on_top_level_semicolons_only() {
        let sql = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- c;\nINSERT INTO t VALUES ('a;b');  DROP TABLE x";
        let parts: Vec<&str> = split_statements(sql).into_iter().map(|r| &sql[r]).collect();
        assert_eq!(
            parts,
            vec![
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                "INSERT INTO t VALUES ('a;b')",
                "DROP TABLE x"
            ]
        );
    }

    #[test]
    fn junk_after_last_semicolon_is_its_own_statement() {
        let sql = "DROP TABLE a;\u{a0}";
        let parts: Vec<&str> = split_statements(sql).into_iter().map(|r| &sql[r]).collect();
        assert_eq!(parts, vec!["DROP TABLE a", "\u{a0}"]);
    }

    #[test]
    fn comment_lines_strip_markers() {
        let sql = "-- @destructive: drop x\n/**\n * @expand-migration: A\n */\nSELECT 1";
        let c: Vec<String> = comment_lines(sql).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            c,
            vec!["@destructive: drop x", "", "@expand-migration: A", ""]
        );
    }
}
