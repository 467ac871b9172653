//! Finding and loading migration sources.
//!
//! Discovery walks the given paths (sorted, deterministic, no symlinks out of the
//! tree, skipping `node_modules`, `.git`, `*.d.ts`, `*.spec.*`, `*.test.*`, `*.map`)
//! and says what each file is: a TypeORM source or an SQL migration of one of the
//! supported layouts. Loading reads it as UTF-8 with a clear error otherwise.

pub mod discover;
pub mod line_index;

pub use line_index::LineIndex;

use std::path::PathBuf;

/// One loaded source file. Text is read once; everything else borrows it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as discovered (relative when the user gave a relative path).
    pub path: PathBuf,
    pub text: String,
    pub line_index: LineIndex,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_index = LineIndex::new(&text);
        SourceFile {
            path,
            text,
            line_index,
        }
    }

    /// Full span (line/column) for a byte range of this file.
    pub fn span(&self, start: usize, end: usize) -> crate::ir::Span {
        self.line_index.span(&self.text, start, end)
    }
}

/// What a discovered file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `.ts`, `.js`, `.mjs`, `.cjs`
    Typeorm,
    /// An SQL migration in one of the supported layouts.
    Sql,
}

pub use discover::{discover, load};
