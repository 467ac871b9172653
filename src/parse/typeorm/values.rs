//! Static evaluation of the JavaScript values builder calls receive.
//!
//! `new Table({...})`, `new TableColumn({...})`, plain object literals, arrays,
//! strings, numbers and booleans — and identifiers bound to such constants in the
//! file — are read into a small [`Val`] tree. Anything else is `Unknown` and keeps
//! its source text, so the caller can report it instead of guessing.

use super::strings::resolve_string;
use super::Doc;
use tree_sitter::Node;

const MAX_DEPTH: usize = 16;

/// A statically known JavaScript value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Str(String),
    /// Number as written.
    Num(String),
    Bool(bool),
    Null,
    Undefined,
    Array(Vec<Val>),
    /// Object literal properties in source order.
    Object(Vec<(String, Val)>),
    /// `new Class(arg0)`: class name without module prefix (`typeorm_1.Table` → `Table`).
    New {
        class: String,
        arg: Box<Val>,
    },
    /// Not statically readable; the source text.
    Unknown(String),
}

impl Val {
    /// Properties of an object literal, or of `new X({...})`'s argument.
    pub fn props(&self) -> Option<&[(String, Val)]> {
        match self {
            Val::Object(p) => Some(p),
            Val::New { arg, .. } => arg.props(),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.props()?
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Strings and numbers as text (lengths are written both ways).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Val::Str(s) => Some(s.clone()),
            Val::Num(n) => Some(n.clone()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether any part of the value could not be read.
    pub fn has_unknown(&self) -> bool {
        match self {
            Val::Unknown(_) => true,
            Val::Array(a) => a.iter().any(Val::has_unknown),
            Val::Object(p) => p.iter().any(|(_, v)| v.has_unknown()),
            Val::New { arg, .. } => arg.has_unknown(),
            _ => false,
        }
    }

    /// A list of strings (`columnNames: ['a', 'b']`).
    pub fn str_list(&self) -> Option<Vec<String>> {
        match self {
            Val::Array(a) => a.iter().map(|v| v.as_text()).collect(),
            _ => None,
        }
    }
}

/// Evaluate `node` statically.
pub(crate) fn eval(doc: &Doc, node: Node) -> Val {
    eval_at(doc, node, 0)
}

fn eval_at(doc: &Doc, node: Node, depth: usize) -> Val {
    if depth > MAX_DEPTH {
        return Val::Unknown(doc.text(node).to_string());
    }
    match node.kind() {
        "string" | "template_string" | "binary_expression" => match resolve_string(doc, node) {
            Some(s) => Val::Str(s),
            None => Val::Unknown(doc.text(node).to_string()),
        },
        "number" => Val::Num(doc.text(node).to_string()),
        "true" => Val::Bool(true),
        "false" => Val::Bool(false),
        "null" => Val::Null,
        "undefined" => Val::Undefined,
        "unary_expression" => {
            // `!0` / `!1`: minifiers and some compilers write booleans this way.
            let t = doc.text(node).replace(' ', "");
            match t.as_str() {
                "!0" => Val::Bool(true),
                "!1" => Val::Bool(false),
                "void0" => Val::Undefined,
                _ if t.starts_with('-')
                    && t[1..].chars().all(|c| c.is_ascii_digit() || c == '.') =>
                {
                    Val::Num(t)
                }
                _ => Val::Unknown(doc.text(node).to_string()),
            }
        }
        // `await queryRunner.getTable("user")`: TypeORM loads the table by name, which
        // is all a builder call needs from it.
        "call_expression" => {
            let callee = node.child_by_field_name("function");
            let is_get_table = callee
                .and_then(|f| f.child_by_field_name("property"))
                .is_some_and(|p| doc.text(p) == "getTable");
            let name = node
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0))
                .and_then(|a| resolve_string(doc, a));
            match (is_get_table, name) {
                (true, Some(name)) => Val::New {
                    class: "Table".to_string(),
                    arg: Box::new(Val::Object(vec![("name".to_string(), Val::Str(name))])),
                },
                _ => Val::Unknown(doc.text(node).to_string()),
            }
        }
        "parenthesized_expression"
        | "as_expression"
        | "non_null_expression"
        | "await_expression"
        | "satisfies_expression" => match node.named_child(0) {
            Some(inner) => eval_at(doc, inner, depth + 1),
            None => Val::Unknown(doc.text(node).to_string()),
        },
        "identifier" => {
            let name = doc.text(node);
            if name == "undefined" {
                return Val::Undefined;
            }
            if let Some(param) = doc.param_value(node) {
                return match param {
                    Some(text) => Val::Str(text.to_string()),
                    None => Val::Unknown(name.to_string()),
                };
            }
            match doc.const_value(node) {
                Some(v) => eval_at(doc, v, depth + 1),
                None => Val::Unknown(name.to_string()),
            }
        }
        "array" => {
            let mut cursor = node.walk();
            let items = node
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .map(|c| eval_at(doc, c, depth + 1))
                .collect();
            Val::Array(items)
        }
        "object" => {
            let mut props = Vec::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "pair" => {
                        let (Some(k), Some(v)) = (
                            child.child_by_field_name("key"),
                            child.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        let key = match k.kind() {
                            "string" => resolve_string(doc, k),
                            "property_identifier" | "number" => Some(doc.text(k).to_string()),
                            _ => None,
                        };
                        match key {
                            Some(key) => props.push((key, eval_at(doc, v, depth + 1))),
                            // A computed key could set anything.
                            None => props.push((
                                String::from("[computed]"),
                                Val::Unknown(doc.text(child).to_string()),
                            )),
                        }
                    }
                    "shorthand_property_identifier" => {
                        let name = doc.text(child).to_string();
                        let v = eval_at(doc, child, depth + 1);
                        let v = match (&v, doc.param_value(child), doc.const_value(child)) {
                            (Val::Unknown(_), Some(Some(text)), _) => Val::Str(text.to_string()),
                            (Val::Unknown(_), None, Some(n)) => eval_at(doc, n, depth + 1),
                            _ => v,
                        };
                        props.push((name, v));
                    }
                    "comment" => {}
                    _ => props.push((
                        String::from("[spread]"),
                        Val::Unknown(doc.text(child).to_string()),
                    )),
                }
            }
            Val::Object(props)
        }
        "new_expression" => {
            let class = node
                .child_by_field_name("constructor")
                .map(|c| {
                    let t = doc.text(c);
                    t.rsplit('.').next().unwrap_or(t).to_string()
                })
                .unwrap_or_default();
            let arg = node
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0))
                .map(|a| eval_at(doc, a, depth + 1))
                .unwrap_or(Val::Undefined);
            Val::New {
                class,
                arg: Box::new(arg),
            }
        }
        _ => Val::Unknown(doc.text(node).to_string()),
    }
}
