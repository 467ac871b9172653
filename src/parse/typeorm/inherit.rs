//! Migration classes whose `up` is inherited: `class DropUsers1700000000001 extends
//! SqlFileMigration {}`.
//!
//! TypeORM calls `instance.up(queryRunner)`, so an inherited `up` runs like a written
//! one; skipping such a class would pass whatever the base runs as "0 migrations".
//! The base is read where it can be found — a class of the same file, or one imported
//! by a relative path (`import`, `require`, tsc's `base_1.X`) — and its `up` ops are
//! the derived migration's, shown at the derived class (with their place in the base
//! file as their `origin`, like a helper's). A base that cannot be found
//! or read (a package, a missing file, a base with no `up`) is a `read-error`.

use super::classes::{class_header_span, read_up_of_class, timestamp};
use super::{collect, parse, Doc, EmbeddedSql};
use crate::ir::{Operation, Origin};
use crate::source::{load, SourceFile};
use std::path::{Path, PathBuf};
use tree_sitter::Node;

/// How many bases deep an inherited `up` is looked for.
const MAX_BASE_DEPTH: usize = 4;

/// The expression after `extends`, if the class has one.
pub(super) fn extends_value<'a>(class: Node<'a>) -> Option<Node<'a>> {
    let mut cursor = class.walk();
    let heritage = class
        .named_children(&mut cursor)
        .find(|c| c.kind() == "class_heritage")?;
    let mut cursor = heritage.walk();
    let extends = heritage
        .named_children(&mut cursor)
        .find(|c| c.kind() == "extends_clause")?;
    extends.child_by_field_name("value")
}

/// The `up` ops a class inherits from the class it extends, or why they cannot be
/// read. `depth` counts the bases followed so far.
pub(super) fn inherited_up<'a>(
    doc: &Doc<'a>,
    class: Node<'a>,
    depth: usize,
    embedded: &mut Vec<EmbeddedSql>,
) -> Result<Vec<Operation>, String> {
    let base = extends_value(class).ok_or("the class has no `up` method and extends nothing")?;
    let base_text = doc.text(base);
    if depth >= MAX_BASE_DEPTH {
        return Err(format!(
            "`up` is inherited through more than {MAX_BASE_DEPTH} base classes (`{base_text}`)"
        ));
    }
    let root = root_of(class);
    // `extends Base` with `Base` a class of this file.
    if base.kind() == "identifier" {
        if let Some(local) = find_class(doc, root, base_text) {
            return read_up_of_class(doc, local, depth + 1, embedded);
        }
    }
    let (spec, exported) = import_of(doc, root, base).ok_or_else(|| {
        format!("`up` is inherited from `{base_text}`, which is neither a class of this file nor imported by a relative path")
    })?;
    if !spec.starts_with('.') {
        return Err(format!(
            "`up` is inherited from `{base_text}` of package `{spec}`, which migguard does not read"
        ));
    }
    let dir = doc.file.path.parent().unwrap_or(Path::new(""));
    let path = resolve(dir, &spec).ok_or_else(|| {
        format!(
            "`up` is inherited from `{base_text}`, but `{spec}` names no file migguard can find"
        )
    })?;
    let file = load(&path).map_err(|e| format!("`up` is inherited from `{base_text}`: {e}"))?;
    let mut ops = read_base_file(&file, doc.opts, &exported, depth + 1).map_err(|e| {
        format!(
            "`up` is inherited from `{base_text}` in {}: {e}",
            path.display()
        )
    })?;
    // Shown at this class: the base's positions belong to another file, where they
    // stay as the op's origin (a helper of the base keeps its own, innermost one).
    let at = class_header_span(doc, class);
    for op in &mut ops {
        if op.origin.is_none() {
            op.origin = Some(Box::new(Origin {
                file: path.clone(),
                span: op.span,
                anchor_line: op.anchor_line,
            }));
        }
        op.span = at;
        op.anchor_line = at.line;
    }
    Ok(ops)
}

/// The `up` of class `name` in another file.
fn read_base_file(
    file: &SourceFile,
    opts: &crate::parse::ReadOptions,
    name: &str,
    depth: usize,
) -> Result<Vec<Operation>, String> {
    let tree = parse(&file.text).ok_or("the TypeScript parser gave up on the file")?;
    let root = tree.root_node();
    let col = collect(root, &file.text);
    if let Some(e) = col.errors.first() {
        return Err(format!(
            "syntax error at line {}",
            file.span(e.start_byte(), e.end_byte()).line
        ));
    }
    let doc = Doc::new(&file.text, file, opts, &col);
    let class = find_class(&doc, root, name).ok_or_else(|| format!("no class `{name}` found"))?;
    // Its SQL comments belong to the other file: not suppressions here.
    read_up_of_class(&doc, class, depth, &mut Vec::new())
}

fn root_of(node: Node) -> Node {
    let mut n = node;
    while let Some(p) = n.parent() {
        n = p;
    }
    n
}

/// A class declared (or bound by `const X = class …`) under `name` anywhere in the file.
fn find_class<'a>(doc: &Doc<'a>, root: Node<'a>, name: &str) -> Option<Node<'a>> {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "class_declaration" | "abstract_class_declaration"
                if n.child_by_field_name("name").map(|x| doc.text(x)) == Some(name) =>
            {
                return Some(n);
            }
            "variable_declarator" => {
                let value = n.child_by_field_name("value");
                if n.child_by_field_name("name").map(|x| doc.text(x)) == Some(name) {
                    if let Some(v) = value.filter(|v| v.kind() == "class") {
                        return Some(v);
                    }
                }
            }
            _ => {}
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    None
}

/// Where `base` comes from: (module specifier, name the module exports it under).
/// `import { X } from "./m"`, `import { Y as X }`, `import X from "./m"` (its default
/// export is looked up by the local name), `const { X } = require("./m")`, and tsc's
/// `const m_1 = require("./m"); class D extends m_1.X`.
fn import_of(doc: &Doc, root: Node, base: Node) -> Option<(String, String)> {
    let (local, member) = match base.kind() {
        "identifier" => (doc.text(base), None),
        "member_expression" => {
            let object = base.child_by_field_name("object")?;
            let property = base.child_by_field_name("property")?;
            (object.kind() == "identifier").then_some(())?;
            (doc.text(object), Some(doc.text(property)))
        }
        _ => return None,
    };
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "import_statement" => {
                let spec = n
                    .child_by_field_name("source")
                    .map(|s| unquote(doc.text(s)));
                if let (Some(spec), None) = (spec, member) {
                    if let Some(exported) = imported_name(doc, n, local) {
                        return Some((spec, exported));
                    }
                }
                continue;
            }
            "variable_declarator" => {
                let spec = n
                    .child_by_field_name("value")
                    .and_then(|v| require_spec(doc, v));
                if let (Some(spec), Some(name)) = (spec, n.child_by_field_name("name")) {
                    match (name.kind(), member) {
                        ("identifier", Some(m)) if doc.text(name) == local => {
                            return Some((spec, m.to_string()));
                        }
                        ("object_pattern", None) => {
                            if let Some(exported) = destructured_name(doc, name, local) {
                                return Some((spec, exported));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    None
}

/// The exported name an import statement binds to `local`.
fn imported_name(doc: &Doc, import: Node, local: &str) -> Option<String> {
    let mut stack = vec![import];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "import_specifier" => {
                let name = n.child_by_field_name("name").map(|x| doc.text(x));
                let alias = n.child_by_field_name("alias").map(|x| doc.text(x));
                if alias.or(name) == Some(local) {
                    return name.map(str::to_string);
                }
            }
            // `import X from "./m"`: a default export, looked up by its class name.
            "import_clause" => {
                let mut cursor = n.walk();
                let default = n
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "identifier" && doc.text(c) == local);
                if default {
                    return Some(local.to_string());
                }
            }
            _ => {}
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    None
}

/// `{ X }` or `{ Y: X }` binding `local`: the property name.
fn destructured_name(doc: &Doc, pattern: Node, local: &str) -> Option<String> {
    let mut cursor = pattern.walk();
    let found = pattern
        .named_children(&mut cursor)
        .find_map(|p| match p.kind() {
            "shorthand_property_identifier_pattern" if doc.text(p) == local => {
                Some(local.to_string())
            }
            "pair_pattern" => {
                let key = p.child_by_field_name("key")?;
                let value = p.child_by_field_name("value")?;
                (doc.text(value) == local).then(|| doc.text(key).to_string())
            }
            _ => None,
        });
    found
}

/// `require("./m")` (also under `__importDefault(…)`/`__importStar(…)`) → `./m`.
fn require_spec(doc: &Doc, value: Node) -> Option<String> {
    if value.kind() != "call_expression" {
        return None;
    }
    let callee = doc.text(value.child_by_field_name("function")?);
    let arg = value.child_by_field_name("arguments")?.named_child(0)?;
    match callee {
        "require" if arg.kind() == "string" => Some(unquote(doc.text(arg))),
        "__importDefault" | "__importStar" | "tslib_1.__importStar" => require_spec(doc, arg),
        _ => None,
    }
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .to_string()
}

/// A relative module specifier → the file Node/ts-node would load (`./m` → `m.ts`,
/// `m.js`, …, `m/index.ts`; ESM-style `./m.js` written for `m.ts`).
fn resolve(dir: &Path, spec: &str) -> Option<PathBuf> {
    const EXTS: [&str; 6] = ["ts", "js", "mts", "cts", "mjs", "cjs"];
    // Lexically, as Node resolves it: also the path reports show (`origin`).
    let base = super::imports::lexical(&dir.join(spec));
    let mut candidates = vec![base.clone()];
    for ext in EXTS {
        let mut with = base.clone().into_os_string();
        with.push(format!(".{ext}"));
        candidates.push(PathBuf::from(with));
    }
    if let Some(stem) = spec.strip_suffix(".js") {
        candidates.push(super::imports::lexical(&dir.join(format!("{stem}.ts"))));
    }
    for ext in EXTS {
        candidates.push(base.join(format!("index.{ext}")));
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// Whether a class is one TypeORM would take for a migration even though migguard
/// sees no `up` in it: it extends something, implements `MigrationInterface`, or its
/// name (or `name` property) ends in a TypeORM timestamp.
pub(super) fn looks_like_migration(class: Node, src: &str) -> bool {
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    let mut cursor = class.walk();
    let heritage = class
        .named_children(&mut cursor)
        .find(|c| c.kind() == "class_heritage");
    let implements_migration = heritage.is_some_and(|h| text(h).contains("MigrationInterface"));
    // TypeORM loads the exported classes of a migration file; a local helper class
    // extending something (`class Failure extends Error`) is not a migration.
    let exported_subclass = heritage.is_some() && is_exported(class, src);
    let named_with_timestamp = class
        .child_by_field_name("name")
        .is_some_and(|n| timestamp(text(n)).is_some());
    let name_field = class.child_by_field_name("body").is_some_and(|body| {
        let mut cursor = body.walk();
        let found = body.named_children(&mut cursor).any(|m| {
            m.child_by_field_name("name").map(text) == Some("name")
                && m.child_by_field_name("value")
                    .is_some_and(|v| timestamp(&unquote(text(v))).is_some())
        });
        found
    });
    implements_migration || exported_subclass || named_with_timestamp || name_field
}

/// `export class X`, `export default class`, `module.exports = class …`, or tsc's
/// `exports.X = X` further down.
fn is_exported(class: Node, src: &str) -> bool {
    let parent = class.parent();
    if parent.is_some_and(|p| p.kind() == "export_statement") {
        return true;
    }
    if parent.is_some_and(|p| p.kind() == "assignment_expression") {
        return true;
    }
    let name = class
        .child_by_field_name("name")
        .and_then(|n| src.get(n.byte_range()));
    name.is_some_and(|n| {
        src.contains(&format!("exports.{n} = {n}")) || src.contains(&format!("exports.{n}={n}"))
    })
}
