//! What a TypeORM DataSource (or ormconfig) file says about migrations, read
//! statically for `migguard init`.
//!
//! `migguard init` must find the migrations folder and the history table without
//! running the project's code (no `ts-node`, no database), so the options object is
//! read from the syntax tree with the same constant resolution the migration reader
//! uses: `new DataSource({...})` (also through a `const options = {...}`), or an
//! ormconfig's `export default {...}` / `module.exports = {...}`. A setting that is not
//! a literal (an environment variable, a function call) is reported as unreadable with
//! its source text, never guessed.

use super::strings::resolve_string;
use super::values::{eval, Val};
use super::Doc;
use tree_sitter::Node;

/// One entry of the DataSource's `migrations` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationsEntry {
    /// A glob or path as TypeORM receives it. `from_file_dir`: it was built from
    /// `__dirname`, so it is relative to the DataSource file's folder; otherwise
    /// TypeORM resolves it against the working directory (the project root).
    Glob {
        pattern: String,
        from_file_dir: bool,
    },
    /// Not a string migguard can read (a class reference, an environment variable):
    /// its source text.
    Unreadable(String),
}

/// A scalar setting: absent, a literal, or source text that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    Unset,
    Value(String),
    Unreadable(String),
}

/// The migration settings of a DataSource / ormconfig file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSourceOptions {
    /// 1-based line of the options object (for messages).
    pub line: usize,
    /// `None` when the object has no `migrations` key; an object spread (`...base`)
    /// could still set it, which `spread` records.
    pub migrations: Option<Vec<MigrationsEntry>>,
    pub migrations_table_name: Setting,
    /// `all` | `none` | `each`.
    pub migrations_transaction_mode: Setting,
    /// The schema TypeORM creates the migrations table in.
    pub schema: Setting,
    /// `type` (`postgres`, `mysql`…).
    pub db_type: Setting,
    /// The object spreads another one (`...base`): keys not written here may come from it.
    pub spread: bool,
    /// The `new DataSource(…)` is built inside a function: the module exports no
    /// instance `typeorm migration:run -d` could load.
    pub built_in_function: bool,
}

/// The options object of the file: the first `new DataSource(…)` argument, else an
/// ormconfig's default export.
pub(crate) fn find(doc: &Doc, root: Node) -> Option<DataSourceOptions> {
    let (object, built_in_function) = data_source_argument(doc, root)
        .or_else(|| default_export(doc, root).map(|o| (o, false)))?;
    Some(DataSourceOptions {
        built_in_function,
        ..read_options(doc, object)
    })
}

/// Whether `node` sits inside a function body (runs only when called).
fn inside_function(node: Node) -> bool {
    let mut n = node.parent();
    while let Some(p) = n {
        if matches!(
            p.kind(),
            "function_declaration"
                | "function_expression"
                | "function"
                | "arrow_function"
                | "method_definition"
                | "generator_function_declaration"
        ) {
            return true;
        }
        n = p.parent();
    }
    false
}

/// The object node an expression stands for (through constants, `as`, parentheses).
fn object_node<'a>(doc: &Doc<'a>, node: Node<'a>, depth: usize) -> Option<Node<'a>> {
    if depth > 8 {
        return None;
    }
    match node.kind() {
        "object" => Some(node),
        "identifier" => object_node(doc, doc.const_value(node)?, depth + 1),
        "parenthesized_expression" | "as_expression" | "satisfies_expression" => {
            object_node(doc, node.named_child(0)?, depth + 1)
        }
        _ => None,
    }
}

/// The options object of the first `new DataSource(…)`, and whether that call is
/// inside a function.
fn data_source_argument<'a>(doc: &Doc<'a>, root: Node<'a>) -> Option<(Node<'a>, bool)> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == "new_expression" {
            let class = node
                .child_by_field_name("constructor")
                .map(|c| doc.text(c).rsplit('.').next().unwrap_or("").to_string());
            if class.as_deref() == Some("DataSource") {
                let arg = node
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0));
                if let Some(object) = arg.and_then(|a| object_node(doc, a, 0)) {
                    return Some((object, inside_function(node)));
                }
            }
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// `export default {...}`, `export = {...}` or `module.exports = {...}` (ormconfig.ts/js).
fn default_export<'a>(doc: &Doc<'a>, root: Node<'a>) -> Option<Node<'a>> {
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        let value = match stmt.kind() {
            "export_statement" => stmt
                .child_by_field_name("value")
                .or_else(|| stmt.named_children(&mut stmt.walk()).last()),
            "expression_statement" => stmt.named_child(0).and_then(|e| {
                let left = e.child_by_field_name("left")?;
                (e.kind() == "assignment_expression" && doc.text(left) == "module.exports")
                    .then(|| e.child_by_field_name("right"))?
            }),
            _ => None,
        };
        if let Some(object) = value.and_then(|v| object_node(doc, v, 0)) {
            return Some(object);
        }
    }
    None
}

fn read_options(doc: &Doc, object: Node) -> DataSourceOptions {
    let props = eval(doc, object);
    let setting = |key: &str| match props.get(key) {
        None | Some(Val::Undefined) => Setting::Unset,
        Some(Val::Str(s)) => Setting::Value(s.clone()),
        Some(Val::Unknown(text)) => Setting::Unreadable(text.clone()),
        Some(other) => Setting::Unreadable(format!("{other:?}")),
    };
    let spread = props
        .props()
        .is_some_and(|p| p.iter().any(|(k, _)| k == "[spread]" || k == "[computed]"));
    DataSourceOptions {
        line: object.start_position().row + 1,
        migrations: migrations_value(doc, object).map(|v| migrations_entries(doc, v)),
        migrations_table_name: setting("migrationsTableName"),
        migrations_transaction_mode: setting("migrationsTransactionMode"),
        schema: setting("schema"),
        db_type: setting("type"),
        spread,
        built_in_function: false,
    }
}

/// The value node of the object's last `migrations` key.
fn migrations_value<'a>(doc: &Doc<'a>, object: Node<'a>) -> Option<Node<'a>> {
    let mut cursor = object.walk();
    let children: Vec<Node> = object.named_children(&mut cursor).collect();
    children
        .into_iter()
        .rev()
        .find_map(|child| match child.kind() {
            "pair" => {
                let key = child.child_by_field_name("key")?;
                let name = match key.kind() {
                    "string" => resolve_string(doc, key)?,
                    _ => doc.text(key).to_string(),
                };
                (name == "migrations").then(|| child.child_by_field_name("value"))?
            }
            "shorthand_property_identifier" if doc.text(child) == "migrations" => {
                doc.const_value(child)
            }
            _ => None,
        })
}

fn migrations_entries(doc: &Doc, value: Node) -> Vec<MigrationsEntry> {
    let value = match value.kind() {
        "identifier" => doc.const_value(value).unwrap_or(value),
        _ => value,
    };
    if value.kind() != "array" {
        return vec![entry(doc, value)];
    }
    let mut cursor = value.walk();
    let items: Vec<Node> = value
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    items.into_iter().map(|item| entry(doc, item)).collect()
}

/// One glob: a string (constants and `+` resolved), `__dirname + "/…"`, or
/// `path.join(__dirname, "…", …)` / `join(…)` / `path.resolve(…)`.
fn entry(doc: &Doc, node: Node) -> MigrationsEntry {
    if let Some(pattern) = resolve_string(doc, node) {
        return MigrationsEntry::Glob {
            pattern,
            from_file_dir: false,
        };
    }
    let unreadable = || MigrationsEntry::Unreadable(doc.text(node).to_string());
    match node.kind() {
        "binary_expression" => {
            let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return unreadable();
            };
            match (doc.text(left), resolve_string(doc, right)) {
                ("__dirname", Some(rest)) => MigrationsEntry::Glob {
                    pattern: rest.trim_start_matches('/').to_string(),
                    from_file_dir: true,
                },
                _ => unreadable(),
            }
        }
        "call_expression" => {
            let callee = node
                .child_by_field_name("function")
                .map(|f| doc.text(f))
                .unwrap_or("");
            let is_path_join = matches!(callee.rsplit('.').next(), Some("join") | Some("resolve"))
                && (callee.contains("path") || !callee.contains('.'));
            let args: Vec<Node> = node
                .child_by_field_name("arguments")
                .map(|a| a.named_children(&mut a.walk()).collect())
                .unwrap_or_default();
            let Some((first, rest)) = args.split_first() else {
                return unreadable();
            };
            if !is_path_join || doc.text(*first) != "__dirname" {
                return unreadable();
            }
            let parts: Option<Vec<String>> = rest.iter().map(|a| resolve_string(doc, *a)).collect();
            match parts {
                Some(parts) => MigrationsEntry::Glob {
                    pattern: parts
                        .iter()
                        .map(|p| p.trim_matches('/'))
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join("/"),
                    from_file_dir: true,
                },
                None => unreadable(),
            }
        }
        _ => unreadable(),
    }
}
