//! Source comments → [`Comment`] lines.
//!
//! Annotations (`@destructive`, `@expand-migration`) and suppressions
//! (`migguard-ignore`) live in comments. We hand them on one line at a time with the
//! comment markers stripped and the span of the remaining text, so the annotation
//! checks never need to know JavaScript comment syntax.

use crate::ir::Comment;
use crate::source::SourceFile;
use tree_sitter::Node;

/// Split one `comment` node into per-line [`Comment`]s.
pub(crate) fn comment_lines(file: &SourceFile, node: Node, out: &mut Vec<Comment>) {
    let start = node.start_byte();
    let Some(text) = file.text.get(start..node.end_byte()) else {
        return;
    };
    let mut offset = start;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let (a, b) = strip_markers(line);
        let content = &line[a..b];
        if content.is_empty() {
            continue;
        }
        out.push(Comment {
            text: content.to_string(),
            span: file.span(line_start + a, line_start + b),
        });
    }
}

/// Byte range of the text in one comment line without `//`, `/*`, `/**`, `*`, `*/`
/// and surrounding whitespace.
fn strip_markers(line: &str) -> (usize, usize) {
    let mut b = line.trim_end().len();
    // A line of only whitespace (a blank line inside a block comment) would put
    // the start past the end.
    let mut a = (line.len() - line.trim_start().len()).min(b);
    if line[a..b].starts_with("//") {
        a += 2;
    } else {
        if line[a..b].starts_with("/*") {
            a += 2;
            while line[a..b].starts_with('*') && !line[a..b].starts_with("*/") {
                a += 1;
            }
        } else if line[a..b].starts_with('*') && !line[a..b].starts_with("*/") {
            a += 1;
        }
        if line[a..b].ends_with("*/") {
            b -= 2;
        }
    }
    let inner = &line[a..b];
    let lead = inner.len() - inner.trim_start().len();
    let trail = inner.trim_end().len();
    (a + lead, a + trail.max(lead))
}

#[cfg(test)]
mod tests {
    use super::strip_markers;

    fn strip(l: &str) -> &str {
        let (a, b) = strip_markers(l);
        &l[a..b]
    }

    #[test]
    fn strips_all_marker_styles() {
        assert_eq!(strip("// @destructive: x"), "@destructive: x");
        assert_eq!(strip("  /** doc */"), "doc");
        assert_eq!(strip("/* a"), "a");
        assert_eq!(strip("   * middle"), "middle");
        assert_eq!(strip("   */"), "");
        assert_eq!(strip("//"), "");
        assert_eq!(strip("/**/"), "");
    }

    /// Found by the `typeorm_reader` fuzz target: a whitespace-only line in a block
    /// comment panicked (`begin > end`).
    #[test]
    fn a_whitespace_only_line_is_empty() {
        assert_eq!(strip("                  "), "");
        assert_eq!(strip("\t \u{a0}"), "");
    }
}
