//! Migration classes: where they are, what TypeORM calls them, what they run.
//!
//! A migration is any class (declaration or expression, or tsc's ES5 function-class)
//! with an `up` method. Its identity is the `name` property or the class name, with
//! the timestamp in the last 13 characters; `transaction = false` opts out of the
//! wrapping transaction. The annotations and suppressions live in the comments above it.

use super::comments;
use super::inherit;
use super::strings;
use super::values;
use super::walker::{read_method, Methods};
use super::{Doc, EmbeddedSql};
use crate::ir::{Comment, Migration, MigrationFormat, MigrationOrder, Operation, ReadError, Span};
use std::collections::HashMap;
use tree_sitter::Node;

pub(super) fn has_up_method(class: Node, src: &str) -> bool {
    let Some(body) = class.child_by_field_name("body") else {
        return false;
    };
    let mut cursor = body.walk();
    let found = body.named_children(&mut cursor).any(|m| {
        m.child_by_field_name("name")
            .and_then(|n| src.get(n.byte_range()))
            == Some("up")
            && (m.kind() == "method_definition" || field_function(m).is_some())
    });
    found
}

/// `up = async (queryRunner) => {…}`: a class field holding a function.
fn field_function(member: Node) -> Option<Node> {
    if !matches!(
        member.kind(),
        "public_field_definition" | "field_definition"
    ) {
        return None;
    }
    let v = member.child_by_field_name("value")?;
    matches!(
        v.kind(),
        "arrow_function" | "function_expression" | "function"
    )
    .then_some(v)
}

/// TypeORM's rule: the timestamp is the last 13 characters of the name, read as a
/// number; a name without one is refused when migrations are loaded.
pub(super) fn timestamp(name: &str) -> Option<u128> {
    let chars: Vec<char> = name.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(13)..].iter().collect();
    let digits: String = tail.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse::<u128>().ok().filter(|v| *v != 0)
}

pub(super) fn read_class<'a>(
    doc: &Doc<'a>,
    class: Node<'a>,
    embedded: &mut Vec<EmbeddedSql>,
) -> Migration {
    let class_name = class
        .child_by_field_name("name")
        .map(|n| doc.text(n).to_string())
        .or_else(|| binding_name(doc, class));
    let mut name_prop = None;
    let mut transactional = true;
    let mut up = Vec::new();
    let methods = class_methods(doc, class);
    if let Some(body) = class.child_by_field_name("body") {
        let mut cursor = body.walk();
        for member in body.named_children(&mut cursor) {
            let member_name = member
                .child_by_field_name("name")
                .map(|n| doc.text(n))
                .unwrap_or("");
            match (member.kind(), member_name) {
                ("public_field_definition" | "field_definition", "name") => {
                    if let Some(v) = member.child_by_field_name("value") {
                        name_prop = strings::resolve_string(doc, v).or(name_prop);
                    }
                }
                ("public_field_definition" | "field_definition", "transaction") => {
                    if let Some(v) = member.child_by_field_name("value") {
                        if values::eval(doc, v) == values::Val::Bool(false) {
                            transactional = false;
                        }
                    }
                }
                ("method_definition", "constructor") => {
                    if let Some(b) = member.child_by_field_name("body") {
                        constructor_props(doc, b, &mut name_prop, &mut transactional);
                    }
                }
                ("method_definition", "up") => up = read_method(doc, member, &methods, embedded),
                ("method_definition", "down") => {
                    read_down_for_directives(doc, member, &methods, embedded)
                }
                (_, "up") => {
                    if let Some(f) = field_function(member) {
                        up = read_method(doc, f, &methods, embedded);
                    }
                }
                (_, "down") => {
                    if let Some(f) = field_function(member) {
                        read_down_for_directives(doc, f, &methods, embedded);
                    }
                }
                _ => {}
            }
        }
    }
    let span = class_header_span(doc, class);
    let mut errors = Vec::new();
    // No `up` of its own: TypeORM calls the one it inherits, so that is what runs.
    if !has_up_method(class, doc.src) {
        match inherit::inherited_up(doc, class, 0, &mut Vec::new()) {
            Ok(ops) => up = ops,
            Err(message) => errors.push(ReadError {
                message: format!("no `up` migguard can read: {message}"),
                span,
            }),
        }
    }
    let mut m = build_migration(doc, name_prop.or(class_name), transactional, up, span);
    m.read_errors.extend(errors);
    m
}

/// `export class X extends Y implements Z`: where findings about the class point.
pub(super) fn class_header_span(doc: &Doc, class: Node) -> Span {
    let header_end = class
        .child_by_field_name("body")
        .map(|b| b.start_byte())
        .unwrap_or(class.end_byte());
    let header = doc
        .src
        .get(class.start_byte()..header_end)
        .unwrap_or("")
        .trim_end();
    doc.file
        .span(class.start_byte(), class.start_byte() + header.len())
}

/// A class's methods (and function-valued fields) by name.
fn class_methods<'a>(doc: &Doc<'a>, class: Node<'a>) -> Methods<'a> {
    let mut methods: Methods = HashMap::new();
    if let Some(body) = class.child_by_field_name("body") {
        let mut cursor = body.walk();
        for member in body.named_children(&mut cursor) {
            let f = if member.kind() == "method_definition" {
                Some(member)
            } else {
                field_function(member)
            };
            if let (Some(f), Some(n)) = (f, member.child_by_field_name("name")) {
                methods.insert(doc.text(n), f);
            }
        }
    }
    methods
}

/// `down()` is never gated, so its operations are not kept (nor, mostly, read): only a
/// `migguard` directive in a comment of one of its SQL strings matters (a
/// `-- migguard-ignore` there suppresses nothing and must be reported as unused, a
/// misspelled one as misspelled). Such a string is written in this file (in `down()`
/// or a helper it calls), so a file that never mentions the word holds none; in one
/// that does, `down()` is read as `up()` is, for its SQL strings (`embedded`).
fn read_down_for_directives<'a>(
    doc: &Doc<'a>,
    down: Node<'a>,
    methods: &Methods<'a>,
    embedded: &mut Vec<EmbeddedSql>,
) {
    if crate::ir::mentions_migguard(doc.src) {
        read_method(doc, down, methods, embedded);
    }
}

/// The ops of a class's `up`, its own or (up to a depth) the one it inherits.
pub(super) fn read_up_of_class<'a>(
    doc: &Doc<'a>,
    class: Node<'a>,
    depth: usize,
    embedded: &mut Vec<EmbeddedSql>,
) -> Result<Vec<Operation>, String> {
    let methods = class_methods(doc, class);
    match methods.get("up") {
        Some(up) => Ok(read_method(doc, *up, &methods, embedded)),
        None => inherit::inherited_up(doc, class, depth, embedded),
    }
}

/// The migration as TypeORM identifies it: `name` property else class name, and the
/// timestamp in its last 13 characters.
fn build_migration(
    doc: &Doc,
    name: Option<String>,
    transactional: bool,
    mut up: Vec<Operation>,
    span: Span,
) -> Migration {
    // The ops live until lint ends: room a growing vector kept for more is, on a
    // large history, megabytes of lint's peak.
    up.shrink_to_fit();
    let mut read_errors = Vec::new();
    let name = match name {
        Some(n) => n,
        None => {
            read_errors.push(ReadError {
                message: "migration class has no name and no `name` property".into(),
                span,
            });
            String::new()
        }
    };
    let ts = timestamp(&name);
    if ts.is_none() && !name.is_empty() {
        read_errors.push(ReadError {
            message: format!(
                "migration name `{name}` does not end in a 13-digit timestamp; TypeORM refuses to run it"
            ),
            span,
        });
    }
    Migration {
        order: MigrationOrder {
            repeatable: false,
            version: ts.into_iter().collect(),
            name: name.clone(),
        },
        version: ts.map(|t| t.to_string()),
        name,
        format: MigrationFormat::Typeorm,
        file: doc.file.path.clone(),
        span,
        transactional,
        up,
        header_comments: Vec::new(),
        comments: Vec::new(),
        read_errors,
    }
}

/// tsc `--target es5` output: `function X() { this.name = … }` plus
/// `X.prototype.up = function (queryRunner) { … }` inside an IIFE.
pub(super) fn read_es5_class<'a>(
    doc: &Doc<'a>,
    up_assign: Node<'a>,
    embedded: &mut Vec<EmbeddedSql>,
) -> Migration {
    let left = up_assign.child_by_field_name("left");
    let class_name = left
        .and_then(|l| l.child_by_field_name("object"))
        .and_then(|o| o.child_by_field_name("object"))
        .map(|n| doc.text(n).to_string())
        .unwrap_or_default();
    let container = es5_container(up_assign);
    let mut name_prop = None;
    let mut transactional = true;
    let mut span = left.map(|l| doc.span(l)).unwrap_or_default();
    let mut down_fn = None;
    let mut methods: Methods = HashMap::new();
    let mut cursor = container.walk();
    for stmt in container.named_children(&mut cursor) {
        match stmt.kind() {
            "function_declaration"
                if stmt.child_by_field_name("name").map(|n| doc.text(n))
                    == Some(class_name.as_str()) =>
            {
                if let Some(b) = stmt.child_by_field_name("body") {
                    constructor_props(doc, b, &mut name_prop, &mut transactional);
                    let header = doc
                        .src
                        .get(stmt.start_byte()..b.start_byte())
                        .unwrap_or("")
                        .trim_end();
                    span = doc
                        .file
                        .span(stmt.start_byte(), stmt.start_byte() + header.len());
                }
            }
            "expression_statement" => {
                if let Some((cls, method, f)) = es5_method(doc, stmt) {
                    if cls == class_name {
                        methods.insert(method, f);
                        if method == "down" {
                            down_fn = Some(f);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let up = up_assign
        .child_by_field_name("right")
        .map(|f| read_method(doc, f, &methods, embedded))
        .unwrap_or_default();
    if let Some(f) = down_fn {
        read_down_for_directives(doc, f, &methods, embedded);
    }
    let name = name_prop.or((!class_name.is_empty()).then_some(class_name));
    build_migration(doc, name, transactional, up, span)
}

/// `X.prototype.m = function (…) {…};` → (X, m, the function).
fn es5_method<'a>(doc: &Doc<'a>, stmt: Node<'a>) -> Option<(&'a str, &'a str, Node<'a>)> {
    let assign = stmt.named_child(0)?;
    if assign.kind() != "assignment_expression" {
        return None;
    }
    let left = assign.child_by_field_name("left")?;
    let right = assign.child_by_field_name("right")?;
    if !matches!(
        right.kind(),
        "function_expression" | "function" | "arrow_function"
    ) {
        return None;
    }
    let method = doc.text(left.child_by_field_name("property")?);
    let proto = left.child_by_field_name("object")?;
    if proto.kind() != "member_expression"
        || proto.child_by_field_name("property").map(|p| doc.text(p)) != Some("prototype")
    {
        return None;
    }
    let cls = doc.text(proto.child_by_field_name("object")?);
    Some((cls, method, right))
}

/// The block holding an ES5 class's constructor and prototype assignments.
fn es5_container(up_assign: Node) -> Node {
    let mut n = up_assign;
    while let Some(p) = n.parent() {
        if matches!(p.kind(), "statement_block" | "program") {
            return p;
        }
        n = p;
    }
    n
}

/// The top-level statement that holds `node` (for comments above it).
pub(super) fn top_level_statement<'a>(node: Node<'a>, root: Node<'a>) -> Node<'a> {
    let mut n = node;
    while let Some(p) = n.parent() {
        if p.id() == root.id() {
            return n;
        }
        n = p;
    }
    n
}

/// The name a class expression is bound to: `const X = class {…}`,
/// `exports.X = class {…}`.
fn binding_name(doc: &Doc, class: Node) -> Option<String> {
    let parent = class.parent()?;
    match parent.kind() {
        "variable_declarator" => parent
            .child_by_field_name("name")
            .map(|n| doc.text(n).to_string()),
        "assignment_expression" => {
            let left = parent.child_by_field_name("left")?;
            let prop = left.child_by_field_name("property")?;
            let p = doc.text(prop);
            (p != "exports").then(|| p.to_string())
        }
        _ => None,
    }
}

/// `this.name = '…'` and `this.transaction = false` in a constructor (tsc output).
fn constructor_props(doc: &Doc, body: Node, name: &mut Option<String>, transactional: &mut bool) {
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        if node.kind() == "assignment_expression" {
            let left = node.child_by_field_name("left");
            let right = node.child_by_field_name("right");
            if let (Some(l), Some(r)) = (left, right) {
                match doc.text(l).replace(' ', "").as_str() {
                    "this.name" => {
                        if let Some(s) = strings::resolve_string(doc, r) {
                            *name = Some(s);
                        }
                    }
                    "this.transaction" if values::eval(doc, r) == values::Val::Bool(false) => {
                        *transactional = false;
                    }
                    _ => {}
                }
            }
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
}

/// Comment lines directly above the class (across `export` and decorators), else the
/// file's leading comment block.
pub(super) fn header_comments(doc: &Doc, class: Node, root: Node) -> Vec<Comment> {
    let mut anchor = class;
    while let Some(p) = anchor.parent() {
        if p.id() == root.id() || p.kind() == "statement_block" || p.kind() == "class_body" {
            break;
        }
        anchor = p;
    }
    let mut nodes = Vec::new();
    let mut prev = anchor.prev_sibling();
    while let Some(p) = prev {
        if p.kind() != "comment" {
            break;
        }
        nodes.push(p);
        prev = p.prev_sibling();
    }
    // A class's own decorators precede `class` inside the declaration.
    if nodes.is_empty() {
        let mut cursor = anchor.walk();
        for child in anchor.children(&mut cursor) {
            match child.kind() {
                "comment" => nodes.push(child),
                "decorator" | "export" => {}
                _ => break,
            }
        }
    }
    if nodes.is_empty() {
        let mut cursor = root.walk();
        for child in root.children(&mut cursor) {
            match child.kind() {
                "comment" => nodes.push(child),
                "expression_statement" if is_directive(doc, child) => {}
                _ => break,
            }
        }
    }
    nodes.sort_by_key(|n| n.start_byte());
    let mut out = Vec::new();
    for n in nodes {
        comments::comment_lines(doc.file, n, &mut out);
    }
    out
}

/// `"use strict";` at the top of tsc output.
fn is_directive(doc: &Doc, stmt: Node) -> bool {
    stmt.named_child(0).is_some_and(|e| e.kind() == "string")
        && doc.text(stmt).trim_end_matches(';').len() < 20
}
