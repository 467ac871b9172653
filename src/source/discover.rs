//! Discovery and loading of migration sources.
//!
//! Walks the given paths in sorted order (deterministic across machines), never
//! follows symlinks out of the tree, and skips what is never a migration:
//! `node_modules`, `.git`, `*.d.ts`, `*.spec.*`, `*.test.*`, `*.map`, and the down/undo
//! side of SQL layouts. A `.sql` file that matches no supported layout is skipped
//! (it would have no identity to match against a history table).

use super::{FileKind, SourceFile};
use crate::error::{Error, Result};
use crate::parse::sql::files::{is_down_file, sql_identity};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Files larger than this are refused: no migration is this big, and reading one
/// would only hide the real problem (a dump or a binary in the migrations folder).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".d.ts")
        || name.ends_with(".map")
        || name.contains(".spec.")
        || name.contains(".test.")
    {
        return None;
    }
    let ext = path.extension()?.to_str()?;
    match ext {
        "ts" | "js" | "mjs" | "cjs" | "mts" | "cts" => Some(FileKind::Typeorm),
        "sql" if !is_down_file(path) && sql_identity(path).is_some() => Some(FileKind::Sql),
        _ => None,
    }
}

fn skipped_dir(name: &str) -> bool {
    matches!(name, "node_modules" | ".git")
}

/// Discover migration files under `paths`, sorted, with their kind. A path given
/// explicitly that is a file is taken if it has a migration extension.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<(PathBuf, FileKind)>> {
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| Error::Input {
            path: root.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".into(),
                _ => e.to_string(),
            },
        })?;
        if meta.is_file() {
            match kind_of(root) {
                Some(k) => out.push((root.clone(), k)),
                None => return Err(Error::Input {
                    path: root.clone(),
                    message:
                        "not a migration file (expected .ts/.js/.mjs/.cjs or an up-migration .sql)"
                            .into(),
                }),
            }
            continue;
        }
        let canonical_root =
            std::fs::canonicalize(root).map_err(|e| Error::io(root.display().to_string(), e))?;
        let walker = WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !e.file_type().is_dir()
                    || !skipped_dir(&e.file_name().to_string_lossy())
            });
        for entry in walker {
            let entry = entry.map_err(|e| Error::Input {
                path: root.clone(),
                message: e.to_string(),
            })?;
            let path = entry.path();
            if entry.file_type().is_symlink() {
                // A symlinked file inside the tree is fine; one pointing outside is not ours.
                match std::fs::canonicalize(path) {
                    Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                    _ => continue,
                }
            } else if !entry.file_type().is_file() {
                continue;
            }
            if let Some(k) = kind_of(path) {
                out.push((path.to_path_buf(), k));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Load one file as UTF-8. Non-UTF-8, binary and oversized files are clear errors
/// naming the file (and the position of the first bad byte).
pub fn load(path: &Path) -> Result<SourceFile> {
    let input_err = |message: String| Error::Input {
        path: path.to_path_buf(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(input_err(format!(
            "file is {} MB, larger than the {} MB limit for a migration source",
            meta.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(input_err(format!(
            "binary file (NUL byte at line {line}, byte offset {pos}): not a migration source"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let pos = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
        input_err(format!(
            "not valid UTF-8 (first bad byte at line {line}, byte offset {pos}); save the file as UTF-8"
        ))
    })?;
    if text.trim().is_empty() {
        return Err(input_err("empty file: a migration file must contain a migration (delete it, or add the migration)".into()));
    }
    // A UTF-8 BOM is harmless to every migration tool; keep offsets stable by blanking
    // it rather than removing it.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("   {rest}"),
        None => text,
    };
    Ok(SourceFile::new(path.to_path_buf(), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_is_sorted_and_skips_noise() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "b/1700000000002-B.ts",
            "a/1700000000001-A.ts",
            "a/x.d.ts",
            "a/x.spec.ts",
            "a/x.js.map",
            "node_modules/pkg/1-x.js",
            "sql/1_init.up.sql",
            "sql/1_init.down.sql",
            "sql/notes.sql",
            "README.md",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let found: Vec<String> = discover(&[d.to_path_buf()])
            .unwrap()
            .into_iter()
            .map(|(p, _)| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(
            found,
            vec![
                "a/1700000000001-A.ts",
                "b/1700000000002-B.ts",
                "sql/1_init.up.sql"
            ]
        );
    }

    #[test]
    fn missing_path_is_an_input_error() {
        let err = discover(&[PathBuf::from("/definitely/not/here")]).unwrap_err();
        assert!(
            err.to_string().contains("no such file or directory"),
            "{err}"
        );
    }

    #[test]
    fn non_utf8_and_binary_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("1_x.up.sql");
        std::fs::write(&p, b"SELECT 1;\nSELECT '\xff';").unwrap();
        let err = load(&p).unwrap_err().to_string();
        assert!(
            err.contains("not valid UTF-8") && err.contains("line 2"),
            "{err}"
        );
        std::fs::write(&p, b"\x00\x01").unwrap();
        assert!(load(&p).unwrap_err().to_string().contains("binary file"));
    }
}
