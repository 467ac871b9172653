//! Byte offset → 1-based line/column conversion.
//!
//! Every span that leaves migguard (JSON, SARIF, GitHub annotations, code frames) is
//! 1-based line/column; internally we keep byte offsets. One `LineIndex` is built per
//! file, once, and shared by everything that needs positions.

/// Line starts of one file, for O(log n) offset → (line, column) lookups.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Lines with only ASCII bytes: their column is a subtraction, so spans on a
    /// huge single-line file (minified or generated SQL) stay O(1) each.
    ascii_lines: Vec<bool>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut ascii_lines = Vec::new();
        let mut ascii = true;
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            // LF, CRLF and a bare CR each end a line: PostgreSQL's lexer ends a `--`
            // comment at a bare CR, so the statement after it is on a line of its own
            // (and a `migguard-ignore` comment before it targets that line).
            let bare_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
            if b == b'\n' || bare_cr {
                line_starts.push(i + 1);
                ascii_lines.push(ascii);
                ascii = true;
            } else if !b.is_ascii() {
                ascii = false;
            }
        }
        ascii_lines.push(ascii);
        LineIndex {
            line_starts,
            ascii_lines,
            len: text.len(),
        }
    }

    /// 1-based (line, column) of a byte offset. Columns count characters (not bytes),
    /// as editors and SARIF viewers do. Offsets past the end clamp to the end.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        if self.ascii_lines.get(line).copied().unwrap_or(false) {
            return (line + 1, offset - start + 1);
        }
        let col = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// Byte offset where the given 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.len)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Build a full [`Span`](crate::ir::Span) for a byte range of this file.
    pub fn span(&self, text: &str, start: usize, end: usize) -> crate::ir::Span {
        let (line, column) = self.line_col(text, start);
        let (end_line, end_column) = self.line_col(text, end.max(start));
        crate::ir::Span {
            start,
            end: end.max(start),
            line,
            column,
            end_line,
            end_column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let text = "ab\nçd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        // 'ç' is two bytes: offset 5 is 'd', the second character of line 2.
        assert_eq!(idx.line_col(text, 5), (2, 2));
        assert_eq!(idx.line_col(text, 999), (3, 1));
    }

    #[test]
    fn a_bare_cr_ends_a_line_and_crlf_ends_one() {
        let text = "-- note\rDROP TABLE a;\r\nDROP TABLE b;";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.line_col(text, text.find("DROP TABLE a").unwrap()),
            (2, 1)
        );
        assert_eq!(
            idx.line_col(text, text.find("DROP TABLE b").unwrap()),
            (3, 1)
        );
        assert_eq!(idx.line_count(), 3);
    }
}
