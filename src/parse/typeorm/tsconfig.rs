//! Module aliases of the nearest `tsconfig.json` (`compilerOptions.baseUrl` and
//! `paths`), so `import { addAuditColumns } from "@app/helpers/audit"` finds the
//! project's helper as tsc does instead of being taken for a package.
//!
//! tsconfig is JSON with comments and trailing commas; tree-sitter's TypeScript
//! grammar reads that as an object literal, so the file is parsed with the reader's
//! own parser rather than a second JSON dialect. The search stops at the project
//! root (the first folder holding a `package.json`): a tsconfig above it is another
//! project's. `extends` is not followed; an unreadable tsconfig aliases nothing
//! (the import stays opaque).

use std::path::{Path, PathBuf};
use tree_sitter::Node;

/// The aliases one tsconfig declares.
pub(super) struct TsConfig {
    /// The folder holding the tsconfig.
    dir: PathBuf,
    /// `compilerOptions.baseUrl`, resolved against `dir`.
    base_url: Option<PathBuf>,
    /// `compilerOptions.paths`: pattern (at most one `*`) → targets.
    paths: Vec<(String, Vec<String>)>,
}

/// The tsconfig.json nearest above `from`, within its project.
pub(super) fn nearest(from: &Path) -> Option<TsConfig> {
    let mut dir = from.parent();
    while let Some(d) = dir {
        let candidate = d.join("tsconfig.json");
        if candidate.is_file() {
            let text = std::fs::read_to_string(&candidate).ok()?;
            return parse(d, &text);
        }
        if d.join("package.json").is_file() {
            return None;
        }
        dir = d.parent();
    }
    None
}

fn parse(dir: &Path, text: &str) -> Option<TsConfig> {
    // An object literal on its own would read as a block: parenthesise it.
    let src = format!("({text}\n)");
    let tree = super::parse(&src)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut object = root.named_child(0)?.named_child(0)?;
    while object.kind() == "parenthesized_expression" {
        object = object.named_child(0)?;
    }
    let options = field(&src, object, "compilerOptions")?;
    let base_url = field(&src, options, "baseUrl")
        .and_then(|v| string(&src, v))
        .map(|b| dir.join(b));
    let mut paths = Vec::new();
    if let Some(p) = field(&src, options, "paths").filter(|p| p.kind() == "object") {
        let mut cursor = p.walk();
        for pair in p.named_children(&mut cursor).filter(|n| n.kind() == "pair") {
            let (Some(key), Some(value)) = (
                pair.child_by_field_name("key")
                    .and_then(|k| string(&src, k)),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            let mut c2 = value.walk();
            let targets = value
                .named_children(&mut c2)
                .filter_map(|t| string(&src, t))
                .collect();
            paths.push((key, targets));
        }
    }
    Some(TsConfig {
        dir: dir.to_path_buf(),
        base_url,
        paths,
    })
}

/// The value of `key` in an object literal.
fn field<'t>(src: &str, object: Node<'t>, key: &str) -> Option<Node<'t>> {
    let mut cursor = object.walk();
    let found = object
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "pair")
        .find(|p| {
            p.child_by_field_name("key")
                .and_then(|k| string(src, k).or_else(|| src.get(k.byte_range()).map(String::from)))
                .is_some_and(|k| k == key)
        })
        .and_then(|p| p.child_by_field_name("value"));
    found
}

fn string(src: &str, node: Node) -> Option<String> {
    (node.kind() == "string").then(|| {
        src.get(node.byte_range())
            .unwrap_or("")
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string()
    })
}

impl TsConfig {
    /// Where tsc looks for `spec`, in order: the targets of the `paths` pattern with
    /// the longest prefix matching it, then `baseUrl`/`spec`. Paths without a
    /// `baseUrl` are relative to the tsconfig's folder (TypeScript 4.1+).
    pub(super) fn candidates(&self, spec: &str) -> Vec<PathBuf> {
        let root = self.base_url.as_deref().unwrap_or(&self.dir);
        let mut best: Option<(usize, &Vec<String>, &str)> = None;
        for (pattern, targets) in &self.paths {
            let matched = match pattern.split_once('*') {
                None => (pattern == spec).then_some((pattern.len(), "")),
                Some((prefix, suffix)) => (spec.len() >= prefix.len() + suffix.len()
                    && spec.starts_with(prefix)
                    && spec.ends_with(suffix))
                .then(|| (prefix.len(), &spec[prefix.len()..spec.len() - suffix.len()])),
            };
            if let Some((len, star)) = matched {
                if best.is_none_or(|(b, _, _)| len > b) {
                    best = Some((len, targets, star));
                }
            }
        }
        let mut out: Vec<PathBuf> = best
            .map(|(_, targets, star)| {
                targets
                    .iter()
                    .map(|t| root.join(t.replacen('*', star, 1)))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(base) = &self.base_url {
            out.push(base.join(spec));
        }
        out
    }
}
