//! Text from migration files, file names and the database reaches a terminal in
//! human output. Control characters in it (ESC sequences, a bare CR, C1 controls,
//! bidirectional overrides) could move the cursor, erase lines or reorder text — and
//! so forge a "passed" line under a failure. Everything untrusted that human output
//! prints goes through [`escape_controls`]; source text shown in a code frame goes
//! through [`mask_controls`], which keeps byte offsets so spans stay valid.

use std::borrow::Cow;

/// Characters a terminal may act on rather than print: C0 controls and DEL, C1
/// controls, and the Unicode bidirectional embeddings, overrides and isolates.
fn is_active(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `\x1b`, `\r`, `\u{9b}`, `\u{202e}`: every active character spelled out, except
/// newlines and tabs, which keep their layout role.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_active(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_active(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Source text for a code frame: each active character replaced by a visible one
/// of the same UTF-8 length (`?`, `¿`, `�`), so byte offsets and character columns
/// are unchanged. A CR before LF (CRLF files) is kept.
pub fn mask_controls(s: &str) -> Cow<'_, str> {
    let active = |(i, c): (usize, char)| {
        is_active(c) && c != '\n' && c != '\t' && !(c == '\r' && s[i + 1..].starts_with('\n'))
    };
    if !s.char_indices().any(active) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if active((i, c)) {
            out.push(match c.len_utf8() {
                1 => '?',
                2 => '¿',
                _ => '\u{fffd}',
            });
        } else {
            out.push(c);
        }
    }
    debug_assert_eq!(out.len(), s.len());
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_act_on() {
        assert_eq!(escape_controls("plain\n\ttext"), "plain\n\ttext");
        assert_eq!(
            escape_controls("a\u{1b}[2Kb\rc\u{9b}d\u{202e}e\u{7f}"),
            "a\\x1b[2Kb\\rc\\u{9b}d\\u{202e}e\\x7f"
        );
    }

    #[test]
    fn masking_keeps_offsets_and_crlf() {
        let s = "DROP\u{1b}[1A x;\r\n-- \u{9b}\u{202e}\rz\n";
        let m = mask_controls(s);
        assert_eq!(m.len(), s.len());
        assert_eq!(m, "DROP?[1A x;\r\n-- ¿\u{fffd}?z\n");
    }
}
