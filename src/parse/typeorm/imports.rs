//! Helpers imported from the project (`import { addAuditColumns } from "../helpers/audit"`,
//! or tsc's `const audit_1 = require("../helpers/audit")` … `(0, audit_1.addAuditColumns)(…)`).
//!
//! A migration that hands its query runner to a project helper would otherwise be
//! opaque: release-check blocks it and drift cannot verify the table. Project modules
//! are followed: relative imports, and `paths`/`baseUrl` aliases of the nearest
//! `tsconfig.json` ([`tsconfig`](super::tsconfig)); a package's code is not the
//! project's, and it is not beside the migration in the release image. The helper
//! file is found as Node/tsc would (`.ts`/`.js`, `index.*`), preferring the
//! migration's own extension so compiled JS reads compiled JS. Named, namespace and
//! default imports (`__importDefault` in tsc output) are followed, through
//! re-exports (`export { x } from`, `export *`, tsc's `Object.defineProperty(exports,
//! …)` getters and `__exportStar`) to the module that declares the function.
//! Anything that cannot be found stays opaque (fail closed).

use super::{tsconfig, Doc};
use crate::source::SourceFile;
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
                    // `import audit from "./audit"`: the module's default export.
                    ("identifier", None) if doc.text(part) == local => {
                        return Some((spec, "default".to_string()));
                    }
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

/// `require("./x")` → `./x`, also wrapped the way tsc's interop wraps it
/// (`__importDefault(require("./x"))`, `__importStar(…)`, `tslib_1.__importDefault`).
fn require_spec(doc: &Doc, value: Node) -> Option<String> {
    if value.kind() != "call_expression" {
        return None;
    }
    let f = value.child_by_field_name("function")?;
    let arg = value.child_by_field_name("arguments")?.named_child(0)?;
    let callee = doc.text(f);
    if callee.ends_with("__importDefault") || callee.ends_with("__importStar") {
        return require_spec(doc, arg);
    }
    if callee != "require" {
        return None;
    }
    (arg.kind() == "string").then(|| unquote(doc.text(arg)))
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .to_string()
}

/// The file a specifier names, as Node/tsc resolve it: a relative path, or a
/// `paths` alias / `baseUrl`-relative path of the nearest `tsconfig.json`; `None` for
/// a package (or anything that is not a file).
fn resolve(from: &Path, spec: &str) -> Option<PathBuf> {
    let own = from.extension().and_then(|e| e.to_str()).unwrap_or("ts");
    if spec.starts_with("./") || spec.starts_with("../") {
        let base = lexical(&from.parent().unwrap_or(Path::new("")).join(spec));
        return file_for(&base, own);
    }
    let config = tsconfig::nearest(from)?;
    config
        .candidates(spec)
        .into_iter()
        .find_map(|base| file_for(&base, own))
}

/// `migrations/../helpers/audit` → `helpers/audit`: Node (`path.resolve`) and tsc
/// resolve a relative specifier lexically, before any symlink is followed; the
/// shorter path is also the one reports show.
pub(super) fn lexical(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The file `base` stands for: itself, with an extension, or its folder's `index`,
/// preferring the importing file's own extension (compiled JS reads compiled JS).
fn file_for(base: &Path, own: &str) -> Option<PathBuf> {
    let other = if own == "js" { "ts" } else { "js" };
    let mut candidates = vec![base.to_path_buf()];
    for ext in [own, other] {
        let mut with = base.to_path_buf().into_os_string();
        with.push(format!(".{ext}"));
        candidates.push(PathBuf::from(with));
    }
    for ext in [own, other] {
        candidates.push(base.join(format!("index.{ext}")));
    }
    candidates.into_iter().find(|c| c.is_file())
}

/// How many modules an export is followed through (`export … from`, `export *`)
/// before giving up: re-export chains in real projects are short, cycles are cut
/// earlier by the visited set.
const MAX_REEXPORT_HOPS: usize = 16;

/// Where the function exported as `name` by the module at `path` is declared,
/// following re-exports (`export { x } from "./y"`, `export *`, an imported name
/// exported again, tsc's `Object.defineProperty(exports, …)` getters and
/// `__exportStar`); `None` when no readable module declares it.
pub(super) fn locate_export(
    path: PathBuf,
    name: String,
    opts: &crate::parse::ReadOptions,
) -> Option<(PathBuf, String)> {
    let mut pending = vec![(path, name)];
    let mut visited: Vec<(PathBuf, String)> = Vec::new();
    while let Some((path, name)) = pending.pop() {
        if visited.contains(&(path.clone(), name.clone())) || visited.len() >= MAX_REEXPORT_HOPS {
            continue;
        }
        visited.push((path.clone(), name.clone()));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file = SourceFile::new(path.clone(), text);
        let src = file.text.as_str();
        let Some(tree) = super::parse(src) else {
            continue;
        };
        let root = tree.root_node();
        let col = super::collect(root, src);
        let doc = Doc::new(src, &file, opts, &col);
        if find_function(&doc, root, &name).is_some() {
            return Some((path, name));
        }
        // Depth-first, in source order: the first module that declares it wins.
        let mut next = reexports(&doc, root, &name);
        next.reverse();
        pending.extend(next);
    }
    None
}

/// The modules (and names there) `name` may be re-exported from.
fn reexports(doc: &Doc, root: Node, name: &str) -> Vec<(PathBuf, String)> {
    let from = &doc.file.path;
    let mut found = Vec::new();
    let mut cursor = root.walk();
    let stmts: Vec<Node> = root.named_children(&mut cursor).collect();
    for stmt in &stmts {
        match stmt.kind() {
            "export_statement" => {
                let source = stmt
                    .child_by_field_name("source")
                    .map(|s| unquote(doc.text(s)));
                let clause = {
                    let mut c = stmt.walk();
                    let clause = stmt
                        .named_children(&mut c)
                        .find(|n| n.kind() == "export_clause");
                    clause
                };
                match (source, clause) {
                    // `export { a as name } from "./y"`
                    (Some(spec), Some(clause)) => {
                        if let Some(local) = exported_as(doc, clause, name) {
                            found.extend(resolve(from, &spec).map(|p| (p, local)));
                        }
                    }
                    // `export * from "./y"` (never the default export)
                    (Some(spec), None) if name != "default" && !is_namespace_export(*stmt) => {
                        found.extend(resolve(from, &spec).map(|p| (p, name.to_string())));
                    }
                    // `import { b as a } from "./y"; export { a as name }`
                    (None, Some(clause)) => {
                        if let Some(local) = exported_as(doc, clause, name) {
                            found.extend(imported_binding(doc, &stmts, &local, None));
                        }
                    }
                    _ => {}
                }
            }
            "expression_statement" => {
                let Some(expr) = stmt.named_child(0) else {
                    continue;
                };
                found.extend(compiled_reexport(doc, &stmts, expr, name));
            }
            _ => {}
        }
    }
    found
}

/// `export * as ns from "./y"` exports one object, not the module's names.
fn is_namespace_export(stmt: Node) -> bool {
    let mut cursor = stmt.walk();
    let found = stmt
        .named_children(&mut cursor)
        .any(|n| n.kind() == "namespace_export");
    found
}

/// tsc's CommonJS re-exports: `Object.defineProperty(exports, "name", { get:
/// function () { return y_1.a; } })`, `exports.name = y_1.a`, and
/// `__exportStar(require("./y"), exports)`.
fn compiled_reexport(
    doc: &Doc,
    stmts: &[Node],
    expr: Node,
    name: &str,
) -> Option<(PathBuf, String)> {
    let member_of_import = |value: Node| {
        let value = last_returned(value);
        if value.kind() != "member_expression" {
            return None;
        }
        let object = value.child_by_field_name("object")?;
        let property = value.child_by_field_name("property")?;
        (object.kind() == "identifier")
            .then(|| imported_binding(doc, stmts, doc.text(object), Some(doc.text(property))))?
    };
    match expr.kind() {
        "call_expression" => {
            let callee = doc.text(expr.child_by_field_name("function")?);
            let args = expr.child_by_field_name("arguments")?;
            let arg = |i| args.named_child(i);
            if callee.ends_with("__exportStar") {
                if name == "default" {
                    return None;
                }
                let spec = require_spec(doc, arg(0)?)?;
                return resolve(&doc.file.path, &spec).map(|p| (p, name.to_string()));
            }
            if callee != "Object.defineProperty"
                || doc.text(arg(0)?) != "exports"
                || unquote(doc.text(arg(1)?)) != name
            {
                return None;
            }
            let descriptor = arg(2)?;
            let mut cursor = descriptor.walk();
            let getter = descriptor
                .named_children(&mut cursor)
                .filter(|p| p.kind() == "pair")
                .find(|p| {
                    p.child_by_field_name("key")
                        .is_some_and(|k| doc.text(k) == "get")
                })?
                .child_by_field_name("value")?;
            member_of_import(getter)
        }
        "assignment_expression" => {
            let left = expr.child_by_field_name("left")?;
            if exports_member(doc, left) != Some(name) {
                return None;
            }
            member_of_import(expr.child_by_field_name("right")?)
        }
        _ => None,
    }
}

/// A getter's returned expression (`function () { return y_1.a; }`, `() => y_1.a`),
/// or the node itself.
fn last_returned(node: Node) -> Node {
    if !matches!(
        node.kind(),
        "function_expression" | "function" | "arrow_function"
    ) {
        return node;
    }
    let Some(body) = node.child_by_field_name("body") else {
        return node;
    };
    if body.kind() != "statement_block" {
        return body;
    }
    let mut cursor = body.walk();
    let returned = body
        .named_children(&mut cursor)
        .find(|s| s.kind() == "return_statement")
        .and_then(|r| r.named_child(0));
    returned.unwrap_or(node)
}

/// `exports.name` / `module.exports.name` → `name`.
fn exports_member<'a>(doc: &Doc<'a>, left: Node) -> Option<&'a str> {
    if left.kind() != "member_expression" {
        return None;
    }
    let object = doc.text(left.child_by_field_name("object")?);
    (object == "exports" || object == "module.exports")
        .then(|| left.child_by_field_name("property").map(|p| doc.text(p)))?
}

/// In an `export { … }` clause: the local name exported as `name`.
fn exported_as(doc: &Doc, clause: Node, name: &str) -> Option<String> {
    let mut cursor = clause.walk();
    let found = clause
        .named_children(&mut cursor)
        .filter(|s| s.kind() == "export_specifier")
        .find_map(|s| {
            let local = s.child_by_field_name("name").map(|n| doc.text(n))?;
            let exported = s.child_by_field_name("alias").map(|n| doc.text(n));
            (exported.unwrap_or(local) == name).then(|| local.to_string())
        });
    found
}

/// The module and exported name a top-level import binds `local` (or the
/// namespace `local` holding `member`) to.
fn imported_binding(
    doc: &Doc,
    stmts: &[Node],
    local: &str,
    member: Option<&str>,
) -> Option<(PathBuf, String)> {
    stmts.iter().find_map(|stmt| {
        let (spec, name) = binding_in(doc, *stmt, local, member)?;
        resolve(&doc.file.path, &spec).map(|p| (p, name))
    })
}

/// The function exported as `name` by this module, declared in it: `export
/// function name(…)`, `function name(…)` (tsc output), `export const name = async
/// (…) => …`, `export { local as name }`, `export default …` for `default`, and
/// tsc's `exports.name = function …` / `exports.name = local`.
pub(super) fn find_function<'a>(doc: &Doc<'a>, root: Node<'a>, name: &str) -> Option<Node<'a>> {
    if name != "default" {
        if let Some(f) = find_declared(doc, root, name) {
            return Some(f);
        }
    }
    let mut cursor = root.walk();
    let stmts: Vec<Node<'a>> = root.named_children(&mut cursor).collect();
    for stmt in stmts {
        let exported: Option<Node<'a>> = match stmt.kind() {
            "export_statement" if stmt.child_by_field_name("source").is_none() => {
                let is_default = {
                    let mut c = stmt.walk();
                    let default = stmt.children(&mut c).any(|t| t.kind() == "default");
                    default
                };
                if is_default && name == "default" {
                    stmt.child_by_field_name("declaration")
                        .or_else(|| stmt.child_by_field_name("value"))
                } else {
                    let mut c = stmt.walk();
                    let clause = stmt
                        .named_children(&mut c)
                        .find(|n| n.kind() == "export_clause");
                    let local = clause.and_then(|cl| exported_as(doc, cl, name));
                    match local {
                        Some(local) if local != name || name == "default" => {
                            find_declared(doc, root, &local)
                        }
                        _ => None,
                    }
                }
            }
            "expression_statement" => stmt
                .named_child(0)
                .filter(|e| e.kind() == "assignment_expression")
                .filter(|e| {
                    e.child_by_field_name("left")
                        .is_some_and(|l| exports_member(doc, l) == Some(name))
                })
                .and_then(|e| e.child_by_field_name("right")),
            _ => None,
        };
        let Some(value) = exported else { continue };
        match value.kind() {
            "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function" => return Some(value),
            "identifier" if doc.text(value) != name || name == "default" => {
                if let Some(f) = find_declared(doc, root, doc.text(value)) {
                    return Some(f);
                }
            }
            _ => {}
        }
    }
    None
}

/// The top-level function declared as `name`: `function name(…)` (exported or
/// not) or `const name = async (…) => …`.
fn find_declared<'a>(doc: &Doc<'a>, root: Node<'a>, name: &str) -> Option<Node<'a>> {
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
