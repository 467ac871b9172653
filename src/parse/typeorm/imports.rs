//! Helpers imported from the project (`import { addAuditColumns } from "../helpers/audit"`,
//! or tsc's `const audit_1 = require("../helpers/audit")` … `(0, audit_1.addAuditColumns)(…)`).
//!
//! A migration that hands its query runner to a project helper would otherwise be
//! opaque: release-check blocks it and drift cannot verify the table. Only relative
//! imports are followed (a package's code is not the project's, and it is not beside
//! the migration in the release image); the helper file is found as Node/tsc would
//! (`.ts`/`.js`, `index.*`), preferring the migration's own extension so compiled JS
//! reads compiled JS. Anything that cannot be found stays opaque (fail closed).

use super::Doc;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

/// The file and exported name a call's callee refers to, when it is a relative import.
pub(super) fn imported_callee(doc: &Doc, callee: Node) -> Option<(PathBuf, String)> {
    let callee = unwrap_comma(callee);
    let (local, member) = match callee.kind() {
        "identifier" => (doc.text(callee), None),
        "member_expression" => {
            let object = callee.child_by_field_name("object")?;
            let property = callee.child_by_field_name("property")?;
            if object.kind() != "identifier" {
                return None;
            }
            (doc.text(object), Some(doc.text(property)))
        }
        _ => return None,
    };
    let root = program(callee);
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if let Some((spec, name)) = binding_in(doc, stmt, local, member) {
            return resolve(&doc.file.path, &spec).map(|p| (p, name));
        }
    }
    None
}

/// `(0, audit_1.addAuditColumns)` → `audit_1.addAuditColumns` (tsc's call form).
fn unwrap_comma(mut n: Node) -> Node {
    loop {
        match n.kind() {
            "parenthesized_expression" => match n.named_child(0) {
                Some(i) => n = i,
                None => return n,
            },
            "sequence_expression" => {
                let mut cursor = n.walk();
                match n.named_children(&mut cursor).last() {
                    Some(last) => n = last,
                    None => return n,
                }
            }
            _ => return n,
        }
    }
}

fn program(mut n: Node) -> Node {
    while let Some(p) = n.parent() {
        n = p;
    }
    n
}

/// Whether top-level statement `stmt` binds `local` (or the namespace `local` holding
/// `member`) to a relative module: (module specifier, exported name).
fn binding_in(
    doc: &Doc,
    stmt: Node,
    local: &str,
    member: Option<&str>,
) -> Option<(String, String)> {
    match stmt.kind() {
        "import_statement" => {
            let spec = unquote(doc.text(stmt.child_by_field_name("source")?));
            let mut cursor = stmt.walk();
            let clause = stmt
                .named_children(&mut cursor)
                .find(|c| c.kind() == "import_clause")?;
            let mut cursor = clause.walk();
            for part in clause.named_children(&mut cursor) {
                match (part.kind(), member) {
                    ("named_imports", None) => {
                        let mut c2 = part.walk();
                        for s in part.named_children(&mut c2) {
                            let name = s.child_by_field_name("name").map(|n| doc.text(n));
                            let alias = s.child_by_field_name("alias").map(|n| doc.text(n));
                            if alias.or(name) == Some(local) {
                                return Some((spec, name?.to_string()));
                            }
                        }
                    }
                    ("namespace_import", Some(m)) => {
                        let mut c2 = part.walk();
                        let ns = part.named_children(&mut c2).last().map(|n| doc.text(n));
                        if ns == Some(local) {
                            return Some((spec, m.to_string()));
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        "lexical_declaration" | "variable_declaration" => {
            let mut cursor = stmt.walk();
            for d in stmt.named_children(&mut cursor) {
                let (Some(name), Some(value)) = (
                    d.child_by_field_name("name"),
                    d.child_by_field_name("value"),
                ) else {
                    continue;
                };
                let Some(spec) = require_spec(doc, value) else {
                    continue;
                };
                match (name.kind(), member) {
                    ("identifier", Some(m)) if doc.text(name) == local => {
                        return Some((spec, m.to_string()))
                    }
                    ("object_pattern", None) => {
                        let mut c2 = name.walk();
                        for p in name.named_children(&mut c2) {
                            let (key, bound) = match p.kind() {
                                "shorthand_property_identifier_pattern" => {
                                    (doc.text(p), doc.text(p))
                                }
                                "pair_pattern" => (
                                    p.child_by_field_name("key").map(|k| doc.text(k))?,
                                    p.child_by_field_name("value").map(|v| doc.text(v))?,
                                ),
                                _ => continue,
                            };
                            if bound == local {
                                return Some((spec, key.to_string()));
                            }
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        _ => None,
    }
}

/// `require("./x")` → `./x`.
fn require_spec(doc: &Doc, value: Node) -> Option<String> {
    if value.kind() != "call_expression" {
        return None;
    }
    let f = value.child_by_field_name("function")?;
    if doc.text(f) != "require" {
        return None;
    }
    let arg = value.child_by_field_name("arguments")?.named_child(0)?;
    (arg.kind() == "string").then(|| unquote(doc.text(arg)))
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .to_string()
}

/// The file a relative specifier names, as Node/tsc resolve it; `None` for a package.
fn resolve(from: &Path, spec: &str) -> Option<PathBuf> {
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return None;
    }
    let base = from.parent().unwrap_or(Path::new("")).join(spec);
    let own = from.extension().and_then(|e| e.to_str()).unwrap_or("ts");
    let other = if own == "js" { "ts" } else { "js" };
    let mut candidates = vec![base.clone()];
    for ext in [own, other] {
        let mut with = base.clone().into_os_string();
        with.push(format!(".{ext}"));
        candidates.push(PathBuf::from(with));
    }
    for ext in [own, other] {
        candidates.push(base.join(format!("index.{ext}")));
    }
    candidates.into_iter().find(|c| c.is_file())
}

/// The top-level function named `name` in a helper file: `export function name(…)`,
/// `function name(…)` (tsc output), or `export const name = async (…) => …`.
pub(super) fn find_function<'a>(doc: &Doc<'a>, root: Node<'a>, name: &str) -> Option<Node<'a>> {
    let mut cursor = root.walk();
    let stmts: Vec<Node<'a>> = root.named_children(&mut cursor).collect();
    for stmt in stmts {
        let inner = if stmt.kind() == "export_statement" {
            stmt.child_by_field_name("declaration")
        } else {
            Some(stmt)
        };
        let Some(decl) = inner else { continue };
        match decl.kind() {
            "function_declaration" | "generator_function_declaration"
                if decl.child_by_field_name("name").map(|n| doc.text(n)) == Some(name) =>
            {
                return Some(decl);
            }
            "lexical_declaration" | "variable_declaration" => {
                let mut c2 = decl.walk();
                let found = decl.named_children(&mut c2).find_map(|d| {
                    let n = d.child_by_field_name("name")?;
                    let v = d.child_by_field_name("value")?;
                    (doc.text(n) == name
                        && matches!(
                            v.kind(),
                            "arrow_function" | "function_expression" | "function"
                        ))
                    .then_some(v)
                });
                if found.is_some() {
                    return found;
                }
            }
            _ => {}
        }
    }
    None
}
