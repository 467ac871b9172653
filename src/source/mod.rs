//! Finding and loading migration sources.
//!
//! Discovery walks the given paths (sorted, deterministic, following symlinks,
//! skipping `node_modules`, `.git`, `*.d.ts`, `*.spec.*`, `*.test.*`, `*.map`) and says what each file is: a TypeORM source or an SQL migration of one of the
//! supported layouts. Loading reads it as UTF-8 with a clear error otherwise.
//!
//! Decisions: a path that does not exist is an input error (exit 2), never "nothing
//! to check". A file named on the command line is taken as is (no skip patterns; a
//! `.sql` following no layout is read as a plain migration named after its stem).
//! Inside directories, a `.sql` file counts only when its name follows a layout (see
//! `layout`) — seeds and dumps next to the migrations are not migrations — and down
//! sides (`.down.sql`, diesel `down.sql`, Flyway `U…`) are not reported on their own:
//! the reader of the up file reads them. Symlinked files and folders are followed
//! (TypeORM's glob and golang-migrate follow them, so what they point to runs, even
//! outside the root); a symlink loop or a dangling link is an input error naming the
//! link — never a silent skip.

pub mod flyway_checksum;
pub mod flyway_java;
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
    /// What the migration tool keeps beside an SQL migration (a Flyway `.conf`, a
    /// diesel `metadata.toml`), read by [`load`] so that the SQL reader touches no
    /// other file; the defaults for a file made from text.
    pub tool_settings: ToolSettings,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_index = LineIndex::new(&text);
        SourceFile {
            path,
            text,
            line_index,
            tool_settings: ToolSettings::default(),
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
        // Symlinks are followed like TypeORM's glob and golang-migrate follow them:
        // a migration linked in from elsewhere runs, so it is read. walkdir tells
        // loops (a link to an ancestor) apart; a link to nothing is refused too.
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir() && e.file_name().to_str().is_some_and(skipped_dir))
            });
        for entry in walker {
            let entry = entry.map_err(|e| walk_error(root, e))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            if let Some(kind) = is_discoverable(path) {
                // Keyed by the path as reached: a link under another name is another
                // migration to the tool (golang-migrate runs `4_alias.up.sql` too).
                if seen.insert(path.to_path_buf()) {
                    out.push((path.to_path_buf(), kind));
                }
            }
        }
    }
    Ok(out)
}

/// A walk error as an input error naming the link or file at fault: a symlink loop
/// names the link and the ancestor it leads back to; a link to nothing is dangling.
fn walk_error(root: &Path, e: walkdir::Error) -> Error {
    let at = e.path().unwrap_or(root).to_path_buf();
    if let Some(ancestor) = e.loop_ancestor() {
        return input_error(
            &at,
            format!(
                "symlink loop: this link leads back to {}, which contains it",
                ancestor.display()
            ),
        );
    }
    let dangling = std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(&at).is_err();
    if dangling {
        let target = std::fs::read_link(&at)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return input_error(
            &at,
            format!("dangling symlink (points to `{target}`, which does not exist)"),
        );
    }
    match e.into_io_error() {
        Some(io) => Error::io(at.display().to_string(), io),
        None => input_error(&at, "cannot walk this path"),
    }
}

/// Files larger than this are refused: no migration is this big, and reading one
/// would only hide the real problem (a dump or a binary in the migrations folder).
/// (The reader itself is linear: 50 MB of SQL reads in about 12 s in a debug build.)
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why [`read_bounded`] read nothing.
#[derive(Debug)]
pub enum BoundedReadError {
    Io(std::io::Error),
    /// Not a regular file, or over the limit: the message says which.
    Refused(String),
}

impl std::fmt::Display for BoundedReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BoundedReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                f.write_str("no such file or directory")
            }
            BoundedReadError::Io(e) => e.fmt(f),
            BoundedReadError::Refused(m) => f.write_str(m),
        }
    }
}

/// Read a regular file of at most `limit` bytes. Every file migguard reads goes
/// through here: `/dev/zero`, `/dev/urandom` or a FIFO report a length of 0 and
/// would be read forever (or block), and a size checked before reading can grow
/// while reading, so the read itself stops one byte past the limit.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, BoundedReadError> {
    use std::io::Read;
    let refuse = |m: String| BoundedReadError::Refused(m);
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(BoundedReadError::Io)?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "not a regular file (a {}): a {what} must be a file",
            file_type_name(&meta.file_type())
        )));
    }
    let too_big = |len: u64| {
        refuse(format!(
            "file is {} KB, larger than the {} KB limit for a {what}",
            len.div_ceil(1024),
            limit / 1024
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(BoundedReadError::Io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(BoundedReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

fn file_type_name(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

/// Load one file as UTF-8: non-UTF-8, binary, empty and oversized files are clear
/// errors naming the file (and the position of the first bad byte).
pub fn load(path: &Path) -> crate::error::Result<SourceFile> {
    let bytes = read_bounded(path, MAX_FILE_BYTES, "migration source").map_err(|e| match e {
        BoundedReadError::Io(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Error::io(path.display().to_string(), e)
        }
        e => input_error(path, e.to_string()),
    })?;
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
    Ok(with_tool_settings(SourceFile::new(
        path.to_path_buf(),
        text,
    )))
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

/// `file` with the settings its migration tool keeps beside it on disk (an SQL
/// migration's Flyway `.conf` or diesel `metadata.toml`); other files as they are.
/// [`load`] gives every file them; a caller that reads another version of a file
/// (the base branch's text) gives it the same.
pub fn with_tool_settings(mut file: SourceFile) -> SourceFile {
    if kind_of(&file.path) == Some(FileKind::Sql) {
        if let Some(id) = layout::sql_identity(&file.path) {
            file.tool_settings = read_tool_settings(&file.path, &id);
        }
    }
    file
}

/// Read the tool's per-migration settings file, if there is one. Unreadable or
/// malformed settings are ignored: the default (transactional) is the stricter case.
fn read_tool_settings(path: &Path, id: &layout::SqlIdentity) -> ToolSettings {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings a tool keeps beside an SQL migration come with the file when it
    /// is loaded, and can be given to another version of its text; a file made from
    /// text alone has the defaults.
    #[test]
    fn tool_settings_are_read_beside_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("V1__idx.sql");
        std::fs::write(&script, "CREATE INDEX CONCURRENTLY i ON t (a);").unwrap();
        std::fs::write(
            dir.path().join("V1__idx.sql.conf"),
            "executeInTransaction=false\n",
        )
        .unwrap();
        assert!(load(&script).unwrap().tool_settings.no_transaction);
        let text = SourceFile::new(
            script.clone(),
            "-- older\nCREATE INDEX CONCURRENTLY i ON t (a);".into(),
        );
        assert!(!text.tool_settings.no_transaction);
        assert!(with_tool_settings(text).tool_settings.no_transaction);
        let diesel = dir.path().join("2024-01-01-000000_x/up.sql");
        std::fs::create_dir_all(diesel.parent().unwrap()).unwrap();
        std::fs::write(&diesel, "CREATE INDEX CONCURRENTLY j ON t (b);").unwrap();
        assert!(!load(&diesel).unwrap().tool_settings.no_transaction);
        std::fs::write(
            diesel.with_file_name("metadata.toml"),
            "run_in_transaction = false\n",
        )
        .unwrap();
        assert!(load(&diesel).unwrap().tool_settings.no_transaction);
    }

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
