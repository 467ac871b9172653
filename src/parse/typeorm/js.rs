//! Static evaluation of the JavaScript a migration passes to the query runner.
//!
//! Migrations are mostly literals: SQL strings, template literals, `+` concatenations,
//! `const` identifiers, and `new Table({...})`-style object literals. This module
//! turns such expressions into values ([`JsVal`]) and SQL text with a [`TextMap`]
//! back into the file. Whatever it cannot evaluate is `Unknown`, so the caller can
//! fail closed (opaque op, or a dynamic placeholder inside SQL).

use crate::ir::{Segment, TextMap};
use std::collections::BTreeMap;
use tree_sitter::Node;

/// A statically known JavaScript value.
#[derive(Debug, Clone, PartialEq)]
pub enum JsVal {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
    Undefined,
    Array(Vec<JsVal>),
    Object(Vec<(String, JsVal)>),
    /// `new Class(args)`
    New(String, Vec<JsVal>),
    /// Not statically known; the source text for messages.
    Unknown(String),
}

impl JsVal {
    pub fn get(&self, key: &str) -> Option<&JsVal> {
        match self {
            JsVal::Object(props) => props.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            // `new TableColumn({...})` reads like its options object.
            JsVal::New(_, args) => args.first().and_then(|a| a.get(key)),
            _ => None,
        }
    }

    pub fn str(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            JsVal::Str(s) => Some(s.clone()),
            JsVal::Num(n) => Some(n.clone()),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            JsVal::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsVal::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn strings(&self, key: &str) -> Vec<String> {
        match self.get(key) {
            Some(JsVal::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            Some(JsVal::Str(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }
}

/// `const` bindings of the file: name → initializer node. Top-level and local consts
/// share one namespace; a migration file is small and shadowing is rare, and when a
/// name is bound twice it is treated as unknown (never guessed).
#[derive(Default)]
pub struct Env<'t> {
    bindings: BTreeMap<String, Option<Node<'t>>>,
}

/// Visit `root` and its descendants in source order with one tree cursor (a cursor
/// per node would allocate per node: this walk is the reader's hot path). `f`
/// returns whether to descend into the node's children.
pub fn preorder<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    let mut descend = f(cursor.node());
    loop {
        if descend && cursor.goto_first_child() {
            descend = f(cursor.node());
            continue;
        }
        loop {
            if cursor.node().id() == root.id() {
                return;
            }
            if cursor.goto_next_sibling() {
                descend = f(cursor.node());
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

impl<'t> Env<'t> {
    pub fn collect(root: Node<'t>, src: &[u8]) -> Self {
        let mut env = Env::default();
        preorder(root, |n| {
            if n.kind() == "lexical_declaration" && n.child(0).is_some_and(|c| c.kind() == "const")
            {
                let mut c = n.walk();
                for d in n
                    .named_children(&mut c)
                    .filter(|d| d.kind() == "variable_declarator")
                {
                    if let (Some(name), Some(value)) = (
                        d.child_by_field_name("name"),
                        d.child_by_field_name("value"),
                    ) {
                        if name.kind() == "identifier" {
                            let key = text(name, src).to_string();
                            let slot = env.bindings.entry(key).or_insert(Some(value));
                            if slot.is_some_and(|v| v.id() != value.id()) {
                                *slot = None;
                            }
                        }
                    }
                }
            }
            n.is_named()
        });
        env
    }

    pub fn lookup(&self, name: &str) -> Option<Node<'t>> {
        self.bindings.get(name).copied().flatten()
    }
}

pub fn text<'a>(n: Node<'_>, src: &'a [u8]) -> &'a str {
    std::str::from_utf8(&src[n.byte_range()]).unwrap_or("")
}

/// Strip wrappers that do not change the value: `( … )`, `x as T`, `x!`, `await x`.
pub fn unwrap_expr(mut n: Node<'_>) -> Node<'_> {
    loop {
        match n.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "await_expression" => match n.named_child(0) {
                Some(c) => n = c,
                None => return n,
            },
            _ => return n,
        }
    }
}

const MAX_DEPTH: usize = 32;

/// Evaluate an expression to a value.
pub fn eval<'t>(n: Node<'t>, src: &[u8], env: &Env<'t>) -> JsVal {
    eval_depth(n, src, env, 0)
}

fn eval_depth<'t>(n: Node<'t>, src: &[u8], env: &Env<'t>, depth: usize) -> JsVal {
    let n = unwrap_expr(n);
    if depth > MAX_DEPTH {
        return JsVal::Unknown(text(n, src).to_string());
    }
    match n.kind() {
        "string" | "template_string" | "binary_expression" => {
            let mut sql = Sql::default();
            if assemble(n, src, env, &mut sql, depth) && !sql.dynamic {
                JsVal::Str(sql.text)
            } else {
                JsVal::Unknown(text(n, src).to_string())
            }
        }
        "number" => JsVal::Num(text(n, src).to_string()),
        "true" => JsVal::Bool(true),
        "false" => JsVal::Bool(false),
        "null" => JsVal::Null,
        "undefined" => JsVal::Undefined,
        "unary_expression" if text(n, src).starts_with('-') => {
            JsVal::Num(text(n, src).replace(' ', ""))
        }
        "identifier" => {
            let name = text(n, src);
            if name == "undefined" {
                return JsVal::Undefined;
            }
            match env.lookup(name) {
                Some(v) => eval_depth(v, src, env, depth + 1),
                None => JsVal::Unknown(name.to_string()),
            }
        }
        "array" => {
            let mut c = n.walk();
            JsVal::Array(
                n.named_children(&mut c)
                    .filter(|x| x.kind() != "comment")
                    .map(|x| eval_depth(x, src, env, depth + 1))
                    .collect(),
            )
        }
        "object" => {
            let mut props = Vec::new();
            let mut c = n.walk();
            for p in n.named_children(&mut c) {
                match p.kind() {
                    "pair" => {
                        let (Some(k), Some(v)) =
                            (p.child_by_field_name("key"), p.child_by_field_name("value"))
                        else {
                            continue;
                        };
                        let key = match k.kind() {
                            "string" => text(k, src)
                                .trim_matches(|c| c == '"' || c == '\'')
                                .to_string(),
                            _ => text(k, src).to_string(),
                        };
                        props.push((key, eval_depth(v, src, env, depth + 1)));
                    }
                    "shorthand_property_identifier" => {
                        let name = text(p, src).to_string();
                        let v = env
                            .lookup(&name)
                            .map(|v| eval_depth(v, src, env, depth + 1))
                            .unwrap_or(JsVal::Unknown(name.clone()));
                        props.push((name, v));
                    }
                    _ => props.push(("...".into(), JsVal::Unknown(text(p, src).to_string()))),
                }
            }
            JsVal::Object(props)
        }
        "new_expression" => {
            let class = n
                .child_by_field_name("constructor")
                .map(|c| text(c, src).to_string())
                .unwrap_or_default();
            let class = class.rsplit('.').next().unwrap_or("").to_string();
            let args = n
                .child_by_field_name("arguments")
                .map(|a| {
                    let mut c = a.walk();
                    a.named_children(&mut c)
                        .filter(|x| x.kind() != "comment")
                        .map(|x| eval_depth(x, src, env, depth + 1))
                        .collect()
                })
                .unwrap_or_default();
            JsVal::New(class, args)
        }
        _ => JsVal::Unknown(text(n, src).to_string()),
    }
}

/// SQL assembled from a query argument, with its map into the file.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    pub map: TextMap,
    /// Some `${…}` could not be resolved and is a placeholder.
    pub dynamic: bool,
    placeholders: usize,
}

impl Sql {
    fn push(&mut self, s: &str, file_start: usize, file_end: usize, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        self.map.push(Segment {
            sql_start: self.text.len(),
            sql_len: s.len(),
            file_start,
            file_end,
            verbatim: verbatim && s.len() == file_end - file_start,
        });
        self.text.push_str(s);
    }

    fn placeholder(&mut self, file_start: usize, file_end: usize) {
        self.placeholders += 1;
        self.dynamic = true;
        let p = format!("__migguard_dynamic_{}__", self.placeholders);
        self.push(&p, file_start, file_end, false);
    }
}

/// Decode a JS escape sequence (`\n`, `\'`, `\u00e9`, `\x41`, line continuation).
fn decode_escape(esc: &str) -> String {
    let body = &esc[1..];
    match body.chars().next() {
        Some('n') => "\n".into(),
        Some('t') => "\t".into(),
        Some('r') => "\r".into(),
        Some('b') => "\u{8}".into(),
        Some('f') => "\u{c}".into(),
        Some('v') => "\u{b}".into(),
        Some('0') if body.len() == 1 => "\0".into(),
        Some('\n') | Some('\r') => String::new(),
        Some('u') => {
            let hex = body[1..].trim_matches(|c| c == '{' || c == '}');
            u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_default()
        }
        Some('x') => u32::from_str_radix(&body[1..], 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
        Some(c) => c.to_string(),
        None => String::new(),
    }
}

/// Append the SQL an expression evaluates to. Returns false when (a part of) it is
/// not a string at all (then the caller fails closed). Unresolvable `${…}` parts
/// become placeholders and set `dynamic`.
pub fn assemble<'t>(n: Node<'t>, src: &[u8], env: &Env<'t>, out: &mut Sql, depth: usize) -> bool {
    let n = unwrap_expr(n);
    if depth > MAX_DEPTH {
        return false;
    }
    match n.kind() {
        "string" | "template_string" => {
            let mut c = n.walk();
            // Both literal kinds have a one-byte delimiter on each side.
            let inner_start = n.start_byte() + 1;
            let inner_end = n.end_byte().saturating_sub(1).max(inner_start);
            let mut pos = inner_start;
            for child in n.children(&mut c) {
                if child.start_byte() < inner_start || child.end_byte() > inner_end {
                    continue;
                }
                // Raw text between children (tree-sitter does not always emit fragments).
                if child.start_byte() > pos {
                    let raw = std::str::from_utf8(&src[pos..child.start_byte()]).unwrap_or("");
                    out.push(raw, pos, child.start_byte(), true);
                }
                match child.kind() {
                    "string_fragment" => {
                        out.push(text(child, src), child.start_byte(), child.end_byte(), true)
                    }
                    "escape_sequence" => out.push(
                        &decode_escape(text(child, src)),
                        child.start_byte(),
                        child.end_byte(),
                        false,
                    ),
                    "template_substitution" => {
                        let resolved = child.named_child(0).and_then(|e| {
                            match eval_depth(e, src, env, depth + 1) {
                                JsVal::Str(s) => Some(s),
                                JsVal::Num(s) => Some(s),
                                _ => None,
                            }
                        });
                        match resolved {
                            Some(s) => out.push(&s, child.start_byte(), child.end_byte(), false),
                            None => out.placeholder(child.start_byte(), child.end_byte()),
                        }
                    }
                    _ => {}
                }
                pos = child.end_byte();
            }
            if pos < inner_end {
                let raw = std::str::from_utf8(&src[pos..inner_end]).unwrap_or("");
                out.push(raw, pos, inner_end, true);
            }
            true
        }
        "binary_expression" => {
            let op = n
                .child_by_field_name("operator")
                .map(|o| text(o, src))
                .unwrap_or("");
            match (
                op,
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) {
                ("+", Some(l), Some(r)) => {
                    assemble(l, src, env, out, depth + 1) && assemble(r, src, env, out, depth + 1)
                }
                _ => false,
            }
        }
        "identifier" => match env
            .lookup(text(n, src))
            .map(|v| eval_depth(v, src, env, depth + 1))
        {
            Some(JsVal::Str(s)) => {
                out.push(&s, n.start_byte(), n.end_byte(), false);
                true
            }
            _ => false,
        },
        "number" => {
            out.push(text(n, src), n.start_byte(), n.end_byte(), true);
            true
        }
        _ => false,
    }
}
