//! Finding and loading migration sources.
//!
//! Discovery walks the given paths (sorted, deterministic, no symlinks out of the
//! tree, skipping `node_modules`, `.git`, `*.d.ts`, `*.spec.*`, `*.test.*`, `*.map`)
//! and says what each file is: a TypeORM source or an SQL migration of one of the
//! supported layouts. Loading reads it as UTF-8 with a clear error otherwise.
//!
//! Decisions: a path that does not exist is an input error (exit 2), never "nothing
//! to check". A file named on the command line is taken as is (no skip patterns; a
//! `.sql` following no layout is read as a plain migration named after its stem).
//! Inside directories, a `.sql` file counts only when its name follows a layout (see
//! `layout`) — seeds and dumps next to the migrations are not migrations — and down
//! sides (`.down.sql`, diesel `down.sql`, Flyway `U…`) are not reported on their own:
//! the reader of the up file reads them. Symlinks are not followed into directories;
//! a symlinked file is kept only when its target lies inside the walked root.

pub mod flyway_checksum;
pub mod layout;
pub mod line_index;

pub use line_index::LineIndex;

use crate::error::Error;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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

/// The kind a file name says it is, if any.
fn kind_of(path: &Path) -> Option<FileKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "ts" | "js" | "mjs" | "cjs" | "mts" | "cts" => Some(FileKind::Typeorm),
        "sql" => Some(FileKind::Sql),
        _ => None,
    }
}

/// Skip patterns for files found inside a directory.
fn skipped_name(name: &str) -> bool {
    name.ends_with(".d.ts")
        || name.ends_with(".d.mts")
        || name.ends_with(".d.cts")
        || name.ends_with(".map")
        || name.contains(".spec.")
        || name.contains(".test.")
}

fn skipped_dir(name: &str) -> bool {
    name == "node_modules" || name == ".git"
}

/// Whether a file found while walking is a migration source to report.
fn is_discoverable(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if skipped_name(name) {
        return None;
    }
    match kind_of(path)? {
        FileKind::Sql => {
            let id = layout::sql_identity(path)?;
            (id.side == layout::Side::Up).then_some(FileKind::Sql)
        }
        FileKind::Typeorm => Some(FileKind::Typeorm),
    }
}

fn input_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Discover migration files under `paths`, sorted, with their kind.
/// Each directory is walked in file-name order; the roots keep the order given and a
/// file reached twice is reported once.
pub fn discover(paths: &[PathBuf]) -> crate::error::Result<Vec<(PathBuf, FileKind)>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => input_error(root, "no such file or directory"),
            _ => Error::io(root.display().to_string(), e),
        })?;
        if meta.is_file() {
            let kind = kind_of(root).ok_or_else(|| {
                input_error(
                    root,
                    "not a migration source (expected .ts, .js, .mjs, .cjs or .sql)",
                )
            })?;
            if seen.insert(root.clone()) {
                out.push((root.clone(), kind));
            }
            continue;
        }
        let canon_root = root
            .canonicalize()
            .map_err(|e| Error::io(root.display().to_string(), e))?;
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir() && e.file_name().to_str().is_some_and(skipped_dir))
            });
        for entry in walker {
            let entry = entry.map_err(|e| {
                let context = e.path().unwrap_or(root.as_path()).display().to_string();
                match e.into_io_error() {
                    Some(io) => Error::io(context, io),
                    None => input_error(root, "filesystem loop"),
                }
            })?;
            let path = entry.path();
            if entry.file_type().is_symlink() {
                // Only a link to a file inside the tree: never read outside the root.
                let inside = path
                    .canonicalize()
                    .ok()
                    .filter(|t| t.starts_with(&canon_root) && t.is_file());
                if inside.is_none() {
                    continue;
                }
            } else if !entry.file_type().is_file() {
                continue;
            }
            if let Some(kind) = is_discoverable(path) {
                if seen.insert(path.to_path_buf()) {
                    out.push((path.to_path_buf(), kind));
                }
            }
        }
    }
    Ok(out)
}

/// Files larger than this are refused: no migration is this big, and reading one
/// would only hide the real problem (a dump or a binary in the migrations folder).
/// (The reader itself is linear: 50 MB of SQL reads in about 12 s in a debug build.)
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Load one file as UTF-8: non-UTF-8, binary, empty and oversized files are clear
/// errors naming the file (and the position of the first bad byte).
pub fn load(path: &Path) -> crate::error::Result<SourceFile> {
    let io_err = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => input_error(path, "no such file or directory"),
        _ => Error::io(path.display().to_string(), e),
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(input_error(
            path,
            format!(
                "file is {} MB, larger than the {} MB limit for a migration source",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(io_err)?;
    let text = decode(&bytes).map_err(|m| input_error(path, m))?;
    if text.trim().is_empty() {
        return Err(input_error(
            path,
            "empty file: a migration file must contain a migration (delete it, or add the migration)",
        ));
    }
    // A UTF-8 BOM is harmless to every migration tool; blank it rather than remove it
    // so byte offsets stay those of the file.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("   {rest}"),
        None => text,
    };
    Ok(SourceFile::new(path.to_path_buf(), text))
}

/// Bytes → text, or a message naming the line and byte offset of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let line_of = |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(format!(
            "binary file (NUL byte at line {}, byte offset {nul})",
            line_of(nul)
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            Err(format!(
                "not valid UTF-8 (byte 0x{:02x} at line {}, byte offset {at}); save the file as UTF-8",
                bytes[at],
                line_of(at)
            ))
        }
    }
}

/// Per-migration settings a tool keeps beside the SQL file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolSettings {
    /// Flyway `V3__x.sql.conf` `executeInTransaction=false`, diesel `metadata.toml`
    /// `run_in_transaction = false`.
    pub no_transaction: bool,
}

/// Read the tool's per-migration settings file, if there is one. Unreadable or
/// malformed settings are ignored: the default (transactional) is the stricter case.
pub fn read_tool_settings(path: &Path, id: &layout::SqlIdentity) -> ToolSettings {
    use crate::ir::MigrationFormat;
    let read = |p: PathBuf| std::fs::read_to_string(p).ok();
    let no_transaction = match id.format {
        MigrationFormat::FlywayVersioned | MigrationFormat::FlywayRepeatable => {
            let mut conf = path.as_os_str().to_owned();
            conf.push(".conf");
            read(PathBuf::from(conf)).is_some_and(|t| {
                t.lines().any(|l| {
                    let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                    l.eq_ignore_ascii_case("executeInTransaction=false")
                })
            })
        }
        MigrationFormat::Diesel => read(path.with_file_name("metadata.toml"))
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("run_in_transaction").and_then(|v| v.as_bool()))
            .is_some_and(|v| !v),
        _ => false,
    };
    ToolSettings { no_transaction }
}

/// Flyway's checksum of every local Flyway script (migration name → checksum),
/// read from the file's bytes as Flyway reads them; `None` where it cannot be
/// reproduced (unreadable, not UTF-8, placeholders in a repeatable).
pub fn flyway_checksums(
    migrations: &[crate::ir::Migration],
) -> std::collections::BTreeMap<String, Option<i32>> {
    use crate::ir::MigrationFormat;
    migrations
        .iter()
        .filter(|m| {
            matches!(
                m.format,
                MigrationFormat::FlywayVersioned | MigrationFormat::FlywayRepeatable
            )
        })
        .map(|m| {
            let repeatable = m.format == MigrationFormat::FlywayRepeatable;
            let sum = std::fs::read(&m.file)
                .ok()
                .and_then(|bytes| flyway_checksum::script_checksum(&bytes, repeatable));
            (m.name.clone(), sum)
        })
        .collect()
}

/// A Flyway undo file (`U3__x.sql`) next to its versioned twin (`V3__x.sql`).
pub fn find_flyway_undo(path: &Path, id: &layout::SqlIdentity) -> Option<PathBuf> {
    if id.format != crate::ir::MigrationFormat::FlywayVersioned || id.side != layout::Side::Up {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let undo = path.with_file_name(format!("U{}", name.get(1..)?));
    undo.is_file().then_some(undo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_names_line_and_offset() {
        let e = decode(b"ok\nbad \xff here").unwrap_err();
        assert!(e.contains("line 2, byte offset 7"), "{e}");
        let e = decode(b"a\0b").unwrap_err();
        assert!(e.contains("binary") && e.contains("byte offset 1"), "{e}");
        assert_eq!(decode(b"").unwrap(), "");
    }

    #[test]
    fn skip_patterns() {
        assert!(is_discoverable(Path::new("m/1700000000000-X.d.ts")).is_none());
        assert!(is_discoverable(Path::new("m/x.spec.ts")).is_none());
        assert!(is_discoverable(Path::new("m/x.test.js")).is_none());
        assert!(is_discoverable(Path::new("m/x.js.map")).is_none());
        assert!(is_discoverable(Path::new("m/3_x.down.sql")).is_none());
        assert!(is_discoverable(Path::new("m/seed.sql")).is_none());
        assert_eq!(
            is_discoverable(Path::new("m/3_x.up.sql")),
            Some(FileKind::Sql)
        );
        assert_eq!(
            is_discoverable(Path::new("m/1-X.cjs")),
            Some(FileKind::Typeorm)
        );
    }
}
