//! Mapping from offsets in a piece of SQL text back to offsets in the source file.
//!
//! SQL inside a TypeORM `queryRunner.query(...)` call is assembled from string literals,
//! template literals, `+` concatenations and `const` strings: the SQL text is not a
//! slice of the file. A [`TextMap`] records, for each segment of the assembled SQL,
//! where it came from, so that a finding points into the `.ts` file, not into the string.
//! For a plain `.sql` file the map is the identity shifted by zero.

/// One contiguous piece of assembled SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Start of the segment in the assembled SQL text (bytes).
    pub sql_start: usize,
    /// Length of the segment in the assembled SQL text (bytes).
    pub sql_len: usize,
    /// Start of the source range that produced it (bytes in the file).
    pub file_start: usize,
    /// End of that source range (bytes in the file).
    pub file_end: usize,
    /// True when SQL bytes map 1:1 onto file bytes (no escapes, no substitution), so
    /// offsets inside the segment can be mapped exactly; otherwise every offset inside
    /// maps to the whole source range.
    pub verbatim: bool,
}

/// Offsets of assembled SQL text → offsets in the file it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextMap {
    segments: Vec<Segment>,
}

impl TextMap {
    /// The identity map for SQL that *is* the file from `file_start` on (a `.sql` file).
    pub fn identity(file_start: usize, len: usize) -> Self {
        TextMap {
            segments: vec![Segment {
                sql_start: 0,
                sql_len: len,
                file_start,
                file_end: file_start + len,
                verbatim: true,
            }],
        }
    }

    /// Append a segment; segments must be pushed in SQL-text order.
    pub fn push(&mut self, segment: Segment) {
        self.segments.push(segment);
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Map a byte range of the SQL text to a byte range of the file.
    pub fn map_range(&self, sql_start: usize, sql_end: usize) -> (usize, usize) {
        let start = self.map_offset(sql_start, false);
        let end = self.map_offset(sql_end.max(sql_start), true);
        (start, end.max(start))
    }

    fn map_offset(&self, offset: usize, is_end: bool) -> usize {
        if self.segments.is_empty() {
            return 0;
        }
        // The segment containing the offset (for an end offset, the one it closes).
        // Segments are pushed in SQL-text order and never overlap, so each lookup is
        // a binary search: a query() built from 100k pieces has 100k segments.
        let segs = &self.segments;
        let seg = if is_end {
            let i = segs.partition_point(|s| s.sql_start + s.sql_len < offset);
            segs.get(i)
                .filter(|s| offset > s.sql_start && offset <= s.sql_start + s.sql_len)
                .or_else(|| {
                    let j = segs.partition_point(|s| s.sql_start < offset.max(1));
                    j.checked_sub(1).and_then(|j| segs.get(j))
                })
        } else {
            let i = segs.partition_point(|s| s.sql_start + s.sql_len <= offset);
            // Containing it, or else the first segment after it.
            segs.get(i)
        }
        .unwrap_or_else(|| segs.last().expect("non-empty"));
        if seg.verbatim {
            let delta = offset.saturating_sub(seg.sql_start).min(seg.sql_len);
            seg.file_start + delta
        } else if is_end {
            seg.file_end
        } else {
            seg.file_start
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_map_shifts() {
        let m = TextMap::identity(10, 20);
        assert_eq!(m.map_range(0, 5), (10, 15));
        assert_eq!(m.map_range(18, 20), (28, 30));
    }

    #[test]
    fn non_verbatim_segment_maps_to_whole_source_range() {
        let mut m = TextMap::default();
        m.push(Segment {
            sql_start: 0,
            sql_len: 6,
            file_start: 100,
            file_end: 106,
            verbatim: true,
        });
        // `${table}` resolved to "users" from a const elsewhere
        m.push(Segment {
            sql_start: 6,
            sql_len: 5,
            file_start: 106,
            file_end: 114,
            verbatim: false,
        });
        m.push(Segment {
            sql_start: 11,
            sql_len: 3,
            file_start: 114,
            file_end: 117,
            verbatim: true,
        });
        assert_eq!(m.map_range(0, 4), (100, 104));
        assert_eq!(m.map_range(7, 9), (106, 114));
        assert_eq!(m.map_range(0, 14), (100, 117));
        assert_eq!(m.map_range(12, 13), (115, 116));
    }
}
