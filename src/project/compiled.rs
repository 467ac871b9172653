//! Annotations of compiled JavaScript migrations, recovered from their TypeScript.
//!
//! `tsc` drops comments that sit above type-only `import` lines (the import is elided
//! with its leading comments), so a `// @destructive:` / `// @expand-migration:`
//! header written above the imports is gone from the `.js` a release image carries,
//! and release-check would treat the contract migration as unannotated (its expand
//! check silently skipped). When a compiled migration has no annotation of its own,
//! they are read from the TypeScript it was compiled from: the source map's
//! `sourcesContent`, else the map's `sources` file, else a `.ts` shipped beside the
//! `.js`. Only annotation comments are borrowed, and they point at the JavaScript
//! class (the spans of another file would mislead every code frame).

use crate::annotations::annotations;
use crate::ir::{Comment, Migration, MigrationFormat};
use crate::parse::{read_file, ReadOptions};
use crate::source::{FileKind, SourceFile};
use std::path::{Path, PathBuf};

/// Where borrowed annotations were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationSource {
    pub migration: String,
    pub file: PathBuf,
    pub via: &'static str,
}

impl AnnotationSource {
    /// One line for the report.
    pub fn describe(&self) -> String {
        format!(
            "annotations of `{}` read from {} ({})",
            self.migration,
            crate::report::display_path(&self.file),
            self.via
        )
    }
}

fn is_compiled(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "cjs" | "mjs")
    )
}

/// The `sourceMappingURL` of a compiled file (the last one, as browsers and node do).
fn source_map_url(js: &str) -> Option<&str> {
    js.lines()
        .rev()
        .find_map(|l| {
            l.trim()
                .strip_prefix("//# sourceMappingURL=")
                .or_else(|| l.trim().strip_prefix("//@ sourceMappingURL="))
        })
        .map(str::trim)
        .filter(|u| !u.is_empty() && !u.starts_with("data:"))
}

/// The TypeScript candidates for a compiled file, best first: (path, text, how).
fn originals(js_path: &Path, js_text: &str) -> Vec<(PathBuf, String, &'static str)> {
    let mut out = Vec::new();
    let dir = js_path.parent().unwrap_or(Path::new(""));
    if let Some(url) = source_map_url(js_text) {
        let map_path = dir.join(url);
        let map: Option<serde_json::Value> = std::fs::read_to_string(&map_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        if let Some(map) = map {
            let map_dir = map_path.parent().unwrap_or(Path::new(""));
            let root = map["sourceRoot"].as_str().unwrap_or("");
            let sources = map["sources"].as_array().cloned().unwrap_or_default();
            for (i, s) in sources.iter().enumerate() {
                let Some(s) = s.as_str() else { continue };
                let path = map_dir.join(root).join(s);
                if let Some(text) = map["sourcesContent"][i].as_str() {
                    out.push((path.clone(), text.to_string(), "source map sourcesContent"));
                }
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text, "the source map's source file"));
                }
            }
        }
    }
    let beside = js_path.with_extension("ts");
    if let Ok(text) = std::fs::read_to_string(&beside) {
        out.push((beside, text, "the .ts beside the .js"));
    }
    out
}

/// Give each compiled TypeORM migration without annotations the annotation comments
/// of the same class in its TypeScript, where one can be found; returns where each
/// set was read from. Reads the source map and the TypeScript (I/O).
pub fn borrow_annotations(
    migrations: &mut [Migration],
    sources: &std::collections::BTreeMap<PathBuf, SourceFile>,
    opts: &ReadOptions,
) -> Vec<AnnotationSource> {
    let mut found = Vec::new();
    for m in migrations.iter_mut() {
        if m.format != MigrationFormat::Typeorm || !is_compiled(&m.file) {
            continue;
        }
        let own = annotations(m);
        if own.destructive.is_some() || own.expand.is_some() {
            continue;
        }
        let Some(js) = sources.get(&m.file) else {
            continue;
        };
        for (path, text, via) in originals(&m.file, &js.text) {
            let ts = read_file(
                &SourceFile::new(path.clone(), text),
                FileKind::Typeorm,
                opts,
            );
            let Some(original) = ts.iter().find(|o| o.name == m.name) else {
                continue;
            };
            let borrowed: Vec<Comment> = original
                .header_comments
                .iter()
                .filter(|c| c.text.trim_start().starts_with('@'))
                .map(|c| Comment {
                    text: c.text.clone(),
                    span: m.span,
                })
                .collect();
            if borrowed.is_empty() {
                continue;
            }
            m.header_comments.extend(borrowed);
            found.push(AnnotationSource {
                migration: m.name.clone(),
                file: path,
                via,
            });
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_map_url_is_the_last_comment_and_not_inline() {
        assert_eq!(
            source_map_url("x;\n//# sourceMappingURL=a.js.map\n"),
            Some("a.js.map")
        );
        assert_eq!(
            source_map_url("//# sourceMappingURL=data:application/json;base64,e30="),
            None
        );
        assert_eq!(source_map_url("x;"), None);
    }
}
