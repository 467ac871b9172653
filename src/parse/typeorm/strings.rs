//! String assembly: the first argument of `query(...)` → SQL text plus a [`TextMap`].
//!
//! Migrations build SQL from string literals, template literals, `+` concatenations
//! and identifiers bound to constant strings. We assemble the text TypeORM would send
//! and remember, segment by segment, where each byte came from, so a finding points
//! at the line inside the `.ts` file. A `${…}` we cannot resolve becomes a placeholder
//! identifier and marks the SQL `dynamic`; an argument with no literal text at all is
//! not SQL we can read (the caller turns it into an opaque op).

use super::Doc;
use crate::ir::{Segment, Span, TextMap};
use tree_sitter::Node;

/// How deep const → const → template chains are followed (guards cycles). A `+`
/// chain is flattened, so its length costs no depth. Hitting the limit makes the
/// whole argument unreadable (opaque), never a partly read, passing statement.
const MAX_DEPTH: usize = 16;

/// SQL assembled from one `query(...)` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EmbeddedSql {
    pub sql: String,
    pub map: TextMap,
    pub dynamic: bool,
    /// The whole `query(...)` call.
    pub call_span: Span,
}

/// Assembly in progress: text, map and placeholder counter.
#[derive(Default)]
pub(crate) struct Assembly {
    pub sql: String,
    pub map: TextMap,
    pub dynamic: bool,
    /// Bytes that came from literal text (not placeholders).
    pub literal_bytes: usize,
    placeholders: usize,
    /// Some part was not read because it nests deeper than [`MAX_DEPTH`].
    limit_hit: bool,
}

impl Assembly {
    fn push(&mut self, text: &str, file_start: usize, file_end: usize, verbatim: bool) {
        if text.is_empty() {
            return;
        }
        self.map.push(Segment {
            sql_start: self.sql.len(),
            sql_len: text.len(),
            file_start,
            file_end,
            verbatim,
        });
        self.sql.push_str(text);
    }

    fn placeholder(&mut self, node: Node) {
        self.placeholders += 1;
        self.dynamic = true;
        let p = format!("{}{}__", crate::ir::DYNAMIC_PLACEHOLDER, self.placeholders);
        self.push(&p, node.start_byte(), node.end_byte(), false);
    }
}

/// Assemble `node` as the SQL argument of a query call. `None` when the argument is
/// not built from string literals at all (a helper call, a parameter, a `let`).
pub(crate) fn assemble_sql(doc: &Doc, node: Node) -> Option<Assembly> {
    let mut asm = Assembly::default();
    if !append(doc, node, &mut asm, None, 0) {
        return None;
    }
    if asm.literal_bytes == 0 || asm.limit_hit {
        return None;
    }
    Some(asm)
}

/// Resolve `node` to a plain string (no placeholders allowed): for names, paths and
/// option values in builder calls.
pub(crate) fn resolve_string(doc: &Doc, node: Node) -> Option<String> {
    let mut asm = Assembly::default();
    if append(doc, node, &mut asm, None, 0) && !asm.dynamic && !asm.limit_hit {
        Some(asm.sql)
    } else {
        None
    }
}

/// Append the text of `node` to `asm`. `anchor` is the file range every segment maps
/// to when the text comes from elsewhere (a const's definition reached through an
/// identifier): the span should show the use, not the definition.
/// Returns false when `node` cannot be read as text at all.
fn append(
    doc: &Doc,
    node: Node,
    asm: &mut Assembly,
    anchor: Option<(usize, usize)>,
    depth: usize,
) -> bool {
    if depth > MAX_DEPTH {
        asm.limit_hit = true;
        return false;
    }
    match node.kind() {
        "string" | "template_string" => {
            append_literal(doc, node, asm, anchor, depth);
            true
        }
        "number" => {
            let t = doc.text(node);
            let (s, e) = anchor.unwrap_or((node.start_byte(), node.end_byte()));
            asm.literal_bytes += t.len();
            asm.push(t, s, e, anchor.is_none());
            true
        }
        "parenthesized_expression"
        | "as_expression"
        | "non_null_expression"
        | "satisfies_expression" => match node.named_child(0) {
            Some(inner) => append(doc, inner, asm, anchor, depth + 1),
            None => false,
        },
        "binary_expression" => {
            let Some(operands) = concatenated(doc, node) else {
                return false;
            };
            // An unreadable operand of a concatenation is a hole in the SQL, like `${x}`.
            for operand in operands {
                if !append(doc, operand, asm, anchor, depth + 1) {
                    asm.placeholder(operand);
                }
            }
            true
        }
        "identifier" => match doc.param_value(node) {
            // A literal the call passed: text, but not from this file.
            Some(Some(text)) => {
                let (s, e) = anchor.unwrap_or((node.start_byte(), node.end_byte()));
                asm.literal_bytes += text.len();
                asm.push(text, s, e, false);
                true
            }
            Some(None) => false,
            None => match doc.const_value(node) {
                Some(value) => {
                    let a = anchor.unwrap_or((node.start_byte(), node.end_byte()));
                    append(doc, value, asm, Some(a), depth + 1)
                }
                None => false,
            },
        },
        "call_expression" => append_join(doc, node, asm, anchor, depth),
        _ => false,
    }
}

/// The operands of a `a + b + c …` chain in order, walked with an explicit stack so a
/// chain of any length (generated code joins thousands of pieces) neither hits the
/// depth limit nor the call stack. `None` when `node` is not a `+`.
fn concatenated<'t>(doc: &Doc, node: Node<'t>) -> Option<Vec<Node<'t>>> {
    let plus = |n: &Node| {
        n.kind() == "binary_expression"
            && n.child_by_field_name("operator").map(|o| doc.text(o)) == Some("+")
    };
    if !plus(&node) {
        return None;
    }
    let mut operands = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match (
            plus(&n),
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) {
            (true, Some(l), Some(r)) => {
                stack.push(r);
                stack.push(l);
            }
            _ => operands.push(n),
        }
    }
    Some(operands)
}

/// `[a, b].join(sep)`: a common way to write several statements in one call.
fn append_join(
    doc: &Doc,
    node: Node,
    asm: &mut Assembly,
    anchor: Option<(usize, usize)>,
    depth: usize,
) -> bool {
    let Some(callee) = node.child_by_field_name("function") else {
        return false;
    };
    if callee.kind() != "member_expression" {
        return false;
    }
    let (Some(obj), Some(prop)) = (
        callee.child_by_field_name("object"),
        callee.child_by_field_name("property"),
    ) else {
        return false;
    };
    let obj = match obj.kind() {
        "identifier" => match doc.const_value(obj) {
            Some(v) => v,
            None => return false,
        },
        _ => obj,
    };
    let method = doc.text(prop);
    if method == "trim"
        && node
            .child_by_field_name("arguments")
            .is_some_and(|a| a.named_child_count() == 0)
    {
        return append(doc, obj, asm, anchor, depth + 1);
    }
    if method != "join" || obj.kind() != "array" {
        return false;
    }
    let sep = match node
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0))
    {
        None => ",".to_string(),
        Some(s) => match resolve_string(doc, s) {
            Some(s) => s,
            None => return false,
        },
    };
    let (ss, se) = anchor.unwrap_or((node.start_byte(), node.end_byte()));
    let mut cursor = obj.walk();
    for (i, item) in obj.named_children(&mut cursor).enumerate() {
        if item.kind() == "comment" {
            continue;
        }
        if i > 0 {
            asm.push(&sep, ss, se, false);
        }
        if !append(doc, item, asm, anchor, depth + 1) {
            asm.placeholder(item);
        }
    }
    true
}

/// A string or template literal: text between the delimiters is verbatim except for
/// escape sequences (decoded, mapped to their source range) and substitutions.
fn append_literal(
    doc: &Doc,
    node: Node,
    asm: &mut Assembly,
    anchor: Option<(usize, usize)>,
    depth: usize,
) {
    let start = node.start_byte() + 1;
    let end = node.end_byte().saturating_sub(1).max(start);
    let mut pos = start;
    let mut cursor = node.walk();
    let verbatim_run = |asm: &mut Assembly, from: usize, to: usize| {
        if to > from {
            let t = doc.src.get(from..to).unwrap_or("");
            asm.literal_bytes += t.len();
            match anchor {
                Some((s, e)) => asm.push(t, s, e, false),
                None => asm.push(t, from, to, true),
            }
        }
    };
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "escape_sequence" => {
                verbatim_run(asm, pos, child.start_byte());
                let decoded = decode_escape(doc.text(child));
                asm.literal_bytes += decoded.len();
                let (s, e) = anchor.unwrap_or((child.start_byte(), child.end_byte()));
                asm.push(&decoded, s, e, false);
                pos = child.end_byte();
            }
            "template_substitution" => {
                verbatim_run(asm, pos, child.start_byte());
                let inner = child.named_child(0);
                let sub_anchor = anchor.unwrap_or((child.start_byte(), child.end_byte()));
                let mut sub = Assembly {
                    placeholders: asm.placeholders,
                    ..Assembly::default()
                };
                let ok =
                    inner.is_some_and(|n| append(doc, n, &mut sub, Some(sub_anchor), depth + 1));
                if ok && !sub.dynamic {
                    asm.literal_bytes += sub.sql.len();
                    asm.push(&sub.sql, sub_anchor.0, sub_anchor.1, false);
                } else {
                    asm.placeholder(child);
                }
                pos = child.end_byte();
            }
            _ => {}
        }
    }
    verbatim_run(asm, pos, end);
}

/// Decode one JavaScript escape sequence (`\n`, `\'`, `\x41`, `\u{1F600}`, line
/// continuation).
pub(crate) fn decode_escape(esc: &str) -> String {
    let body = esc.strip_prefix('\\').unwrap_or(esc);
    let mut chars = body.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    match first {
        'n' => "\n".into(),
        't' => "\t".into(),
        'r' => "\r".into(),
        'b' => "\u{8}".into(),
        'f' => "\u{c}".into(),
        'v' => "\u{b}".into(),
        '0' if body.len() == 1 => "\0".into(),
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => String::new(),
        'x' => u32::from_str_radix(&body[1..], 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_else(|| esc.to_string()),
        'u' => {
            let hex = body[1..].trim_start_matches('{').trim_end_matches('}');
            u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_else(|| esc.to_string())
        }
        c => c.to_string(),
    }
}

/// An identifier as JavaScript reads it: `q\u0075eryRunner` is `queryRunner`
/// (identifiers may contain `\uXXXX` and `\u{X}` escapes).
pub(crate) fn decode_identifier(ident: &str) -> std::borrow::Cow<'_, str> {
    if !ident.contains('\\') {
        return std::borrow::Cow::Borrowed(ident);
    }
    let mut out = String::with_capacity(ident.len());
    let mut rest = ident;
    while let Some(at) = rest.find("\\u") {
        out.push_str(&rest[..at]);
        let esc = &rest[at..];
        let len = if esc[2..].starts_with('{') {
            esc.find('}').map(|e| e + 1).unwrap_or(esc.len())
        } else {
            (2 + 4).min(esc.len())
        };
        let piece = esc.get(..len).unwrap_or(esc);
        out.push_str(&decode_escape(piece));
        rest = &esc[piece.len()..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::decode_escape;

    #[test]
    fn decodes_identifier_escapes() {
        use super::decode_identifier;
        assert_eq!(decode_identifier("q\\u0075eryRunner"), "queryRunner");
        assert_eq!(decode_identifier("\\u{71}uery"), "query");
        assert_eq!(decode_identifier("plain"), "plain");
    }

    #[test]
    fn decodes_common_escapes() {
        assert_eq!(decode_escape("\\n"), "\n");
        assert_eq!(decode_escape("\\'"), "'");
        assert_eq!(decode_escape("\\`"), "`");
        assert_eq!(decode_escape("\\x41"), "A");
        assert_eq!(decode_escape("\\u00e9"), "é");
        assert_eq!(decode_escape("\\u{1F600}"), "😀");
        assert_eq!(decode_escape("\\\n"), "");
        assert_eq!(decode_escape("\\$"), "$");
    }
}
