//! TypeORM reader: migration classes in TypeScript or compiled JavaScript.
//!
//! The release image only carries `dist/`, so the same reader must handle `.ts`
//! sources and tsc output (CommonJS `exports.X = X`, `module.exports = class …`,
//! downlevel `__awaiter(…, function* () { yield … })`). tree-sitter's TypeScript
//! grammar parses both. One parse per file, one thread-local parser per thread.
//!
//! What a migration does is read from its `up()`/`down()` bodies: `query(...)` calls
//! are assembled to SQL ([`strings`]) and handed to the SQL reader; QueryRunner
//! builder calls are mapped to ops ([`builder`]); anything else that could change the
//! schema and cannot be read statically becomes an `opaque` op (fail closed).

mod builder;
mod comments;
mod strings;
mod values;

use super::ReadOptions;
use crate::ir::{
    Comment, Migration, MigrationFormat, MigrationOrder, OpKind, OpSource, Operation, ReadError,
    Span,
};
use crate::parse::sql::{read_statements, SqlInput};
use crate::source::SourceFile;
use builder::{builder_call, Builder, READ_ONLY_METHODS};
use std::cell::RefCell;
use std::collections::HashMap;
pub(crate) use strings::EmbeddedSql;
use tree_sitter::{Node, Parser, Tree};

thread_local! {
    /// Parsers are expensive to create and not `Sync`: one per rayon worker thread.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// At most this many syntax errors are reported per file; the rest add nothing.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Every migration class in the file (a file may hold several).
pub fn read_typeorm_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    read(file, opts).0
}

/// The SQL assembled from every `query(...)` call of the file, in source order:
/// the step between the TypeScript and the SQL reader, exposed for tests.
#[cfg(test)]
pub(crate) fn embedded_sql(file: &SourceFile, opts: &ReadOptions) -> Vec<EmbeddedSql> {
    read(file, opts).1
}

fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into())
                .ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// The file being read: text, options and the constants that strings may refer to.
pub(crate) struct Doc<'a> {
    pub src: &'a str,
    pub file: &'a SourceFile,
    pub opts: &'a ReadOptions,
    /// Name → every binding of it in the file, resolved by scope at the use site.
    consts: HashMap<&'a str, Vec<Binding<'a>>>,
}

/// `const X = …` (or a `let`/`var` never reassigned in its scope).
struct Binding<'a> {
    /// Byte range of the block the declaration is visible in.
    scope: (usize, usize),
    value: Node<'a>,
    usable: bool,
}

impl<'a> Doc<'a> {
    pub fn text(&self, node: Node) -> &'a str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    /// The value an identifier is bound to: the innermost binding whose scope holds
    /// the use (`const table` in `up()` and another in `down()` do not clash).
    pub fn const_value(&self, ident: Node) -> Option<Node<'a>> {
        let at = ident.start_byte();
        let mut best: Option<&Binding> = None;
        let mut ambiguous = false;
        for b in self.consts.get(self.text(ident))? {
            if !(b.scope.0 <= at && at < b.scope.1) {
                continue;
            }
            match best {
                Some(cur) if cur.scope == b.scope => ambiguous = true,
                Some(cur) if cur.scope.0 >= b.scope.0 => {}
                _ => {
                    best = Some(b);
                    ambiguous = false;
                }
            }
        }
        let b = best?;
        (b.usable && !ambiguous).then_some(b.value)
    }

    fn span(&self, node: Node) -> Span {
        self.file.span(node.start_byte(), node.end_byte())
    }
}

/// What the first walk over the tree collects.
#[derive(Default)]
struct Collected<'a> {
    comments: Vec<Node<'a>>,
    errors: Vec<Node<'a>>,
    classes: Vec<Node<'a>>,
    /// `X.prototype.up = function …` assignments (tsc ES5 output).
    es5_ups: Vec<Node<'a>>,
    /// (name, value, declared with `const`, scope)
    bindings: Vec<(&'a str, Node<'a>, bool, (usize, usize))>,
    /// (name, where) of every assignment to a plain identifier.
    reassigned: Vec<(&'a str, usize)>,
}

fn collect<'a>(root: Node<'a>, src: &'a str) -> Collected<'a> {
    let mut c = Collected::default();
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    // One cursor for the whole tree: no allocation per node.
    let mut cursor = root.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            c.errors.push(node);
        }
        match node.kind() {
            "comment" => c.comments.push(node),
            "class_declaration" | "class" | "abstract_class_declaration"
                if has_up_method(node, src) =>
            {
                c.classes.push(node);
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    if name.kind() == "identifier" {
                        let is_const = node
                            .parent()
                            .and_then(|p| p.child(0))
                            .is_some_and(|k| k.kind() == "const");
                        c.bindings
                            .push((text(name), value, is_const, scope_of(node)));
                    }
                }
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                if let Some(left) = node.child_by_field_name("left") {
                    if left.kind() == "identifier" {
                        c.reassigned.push((text(left), left.start_byte()));
                    } else if node.kind() == "assignment_expression"
                        && text(left).ends_with(".prototype.up")
                        && node
                            .child_by_field_name("right")
                            .is_some_and(|r| matches!(r.kind(), "function_expression" | "function"))
                    {
                        c.es5_ups.push(node);
                    }
                }
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        if !next_node(&mut cursor, &mut depth) {
            break;
        }
    }
    c.comments.sort_by_key(|n| n.start_byte());
    c.errors.sort_by_key(|n| n.start_byte());
    c
}

/// The block a declaration is visible in.
fn scope_of(declarator: Node) -> (usize, usize) {
    let mut n = declarator;
    while let Some(p) = n.parent() {
        if matches!(
            p.kind(),
            "statement_block" | "program" | "for_statement" | "for_in_statement" | "switch_body"
        ) {
            return (p.start_byte(), p.end_byte());
        }
        n = p;
    }
    (0, usize::MAX)
}

/// Move to the next node in pre-order that is not a descendant of the current one;
/// false when the walk (rooted at depth 0) is over.
fn next_node(cursor: &mut tree_sitter::TreeCursor, depth: &mut usize) -> bool {
    loop {
        if *depth == 0 {
            return false;
        }
        if cursor.goto_next_sibling() {
            return true;
        }
        cursor.goto_parent();
        *depth -= 1;
    }
}

fn has_up_method(class: Node, src: &str) -> bool {
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

fn read(file: &SourceFile, opts: &ReadOptions) -> (Vec<Migration>, Vec<EmbeddedSql>) {
    let src = file.text.as_str();
    let Some(tree) = parse(src) else {
        let m = fallback_migration(
            file,
            vec![ReadError {
                message: "the TypeScript parser gave up on this file".into(),
                span: file.span(0, 0),
            }],
        );
        return (vec![m], Vec::new());
    };
    let root = tree.root_node();
    let col = collect(root, src);

    let mut consts: HashMap<&str, Vec<Binding>> = HashMap::new();
    for (name, value, is_const, scope) in &col.bindings {
        let reassigned = col
            .reassigned
            .iter()
            .any(|(n, at)| n == name && scope.0 <= *at && *at < scope.1);
        consts.entry(*name).or_default().push(Binding {
            scope: *scope,
            value: *value,
            usable: *is_const || !reassigned,
        });
    }
    let doc = Doc {
        src,
        file,
        opts,
        consts,
    };

    let mut all_comments = Vec::new();
    for c in &col.comments {
        comments::comment_lines(file, *c, &mut all_comments);
    }
    let errors: Vec<(usize, ReadError)> = col
        .errors
        .iter()
        .take(MAX_SYNTAX_ERRORS)
        .map(|n| (n.start_byte(), syntax_error(&doc, *n)))
        .collect();

    let mut migrations = Vec::new();
    let mut embedded = Vec::new();
    // Each migration with the node whose range it owns (for syntax errors).
    let mut read: Vec<(Migration, Node)> = Vec::new();
    for class in &col.classes {
        let mut m = read_class(&doc, *class, &mut embedded);
        m.header_comments = header_comments(&doc, *class, root);
        read.push((m, *class));
    }
    for up in &col.es5_ups {
        let mut m = read_es5_class(&doc, *up, &mut embedded);
        let stmt = top_level_statement(*up, root);
        m.header_comments = header_comments(&doc, stmt, root);
        read.push((m, stmt));
    }
    let owners: Vec<std::ops::Range<usize>> = read.iter().map(|(_, n)| n.byte_range()).collect();
    for (i, (mut m, _)) in read.into_iter().enumerate() {
        m.comments = all_comments.clone();
        // An error inside this class belongs to it; one outside any class could hide
        // anything, so every migration of the file carries it.
        for (at, e) in &errors {
            let inside_other = owners
                .iter()
                .enumerate()
                .any(|(j, r)| j != i && r.contains(at));
            if !inside_other {
                m.read_errors.push(e.clone());
            }
        }
        migrations.push(m);
    }
    if migrations.is_empty() && !errors.is_empty() {
        // A syntax error may be what hides the migration class: report, don't skip.
        let mut m = fallback_migration(file, errors.into_iter().map(|(_, e)| e).collect());
        m.comments = all_comments;
        migrations.push(m);
    }
    (migrations, embedded)
}

fn fallback_migration(file: &SourceFile, read_errors: Vec<ReadError>) -> Migration {
    let name = file
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Migration {
        order: MigrationOrder {
            repeatable: false,
            version: Vec::new(),
            name: name.clone(),
        },
        name,
        version: None,
        format: MigrationFormat::Typeorm,
        file: file.path.clone(),
        span: file.span(0, 0),
        transactional: true,
        up: Vec::new(),
        down: Vec::new(),
        header_comments: Vec::new(),
        comments: Vec::new(),
        read_errors,
    }
}

fn syntax_error(doc: &Doc, node: Node) -> ReadError {
    let message = if node.is_missing() {
        format!("syntax error: missing `{}`", node.kind())
    } else {
        let snippet: String = doc
            .text(node)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .chars()
            .take(60)
            .collect();
        format!("syntax error: cannot parse `{snippet}`")
    };
    ReadError {
        message,
        span: doc.span(node),
    }
}

/// TypeORM's rule: the timestamp is the last 13 characters of the name, read as a
/// number; a name without one is refused when migrations are loaded.
fn timestamp(name: &str) -> Option<u128> {
    let chars: Vec<char> = name.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(13)..].iter().collect();
    let digits: String = tail.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse::<u128>().ok().filter(|v| *v != 0)
}

fn read_class(doc: &Doc, class: Node, embedded: &mut Vec<EmbeddedSql>) -> Migration {
    let class_name = class
        .child_by_field_name("name")
        .map(|n| doc.text(n).to_string())
        .or_else(|| binding_name(doc, class));
    let mut name_prop = None;
    let mut transactional = true;
    let mut up = Vec::new();
    let mut down = Vec::new();
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
                ("method_definition", "up") => up = read_method(doc, member, embedded),
                ("method_definition", "down") => down = read_method(doc, member, embedded),
                (_, "up" | "down") => {
                    if let Some(f) = field_function(member) {
                        let ops = read_method(doc, f, embedded);
                        if member_name == "up" {
                            up = ops;
                        } else {
                            down = ops;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let header_end = class
        .child_by_field_name("body")
        .map(|b| b.start_byte())
        .unwrap_or(class.end_byte());
    let header = doc.src[class.start_byte()..header_end].trim_end();
    let span = doc
        .file
        .span(class.start_byte(), class.start_byte() + header.len());
    build_migration(doc, name_prop.or(class_name), transactional, up, down, span)
}

/// The migration as TypeORM identifies it: `name` property else class name, and the
/// timestamp in its last 13 characters.
fn build_migration(
    doc: &Doc,
    name: Option<String>,
    transactional: bool,
    up: Vec<Operation>,
    down: Vec<Operation>,
    span: Span,
) -> Migration {
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
        down,
        header_comments: Vec::new(),
        comments: Vec::new(),
        read_errors,
    }
}

/// tsc `--target es5` output: `function X() { this.name = … }` plus
/// `X.prototype.up = function (queryRunner) { … }` inside an IIFE.
fn read_es5_class(doc: &Doc, up_assign: Node, embedded: &mut Vec<EmbeddedSql>) -> Migration {
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
    let mut cursor = container.walk();
    for stmt in container.named_children(&mut cursor) {
        match stmt.kind() {
            "function_declaration"
                if stmt.child_by_field_name("name").map(|n| doc.text(n))
                    == Some(class_name.as_str()) =>
            {
                if let Some(b) = stmt.child_by_field_name("body") {
                    constructor_props(doc, b, &mut name_prop, &mut transactional);
                    let header = doc.src[stmt.start_byte()..b.start_byte()].trim_end();
                    span = doc
                        .file
                        .span(stmt.start_byte(), stmt.start_byte() + header.len());
                }
            }
            "expression_statement" => {
                if let Some((cls, method, f)) = es5_method(doc, stmt) {
                    if cls == class_name && method == "down" {
                        down_fn = Some(f);
                    }
                }
            }
            _ => {}
        }
    }
    let up = up_assign
        .child_by_field_name("right")
        .map(|f| read_method(doc, f, embedded))
        .unwrap_or_default();
    let down = down_fn
        .map(|f| read_method(doc, f, embedded))
        .unwrap_or_default();
    let name = name_prop.or((!class_name.is_empty()).then_some(class_name));
    build_migration(doc, name, transactional, up, down, span)
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
fn top_level_statement<'a>(node: Node<'a>, root: Node<'a>) -> Node<'a> {
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
fn header_comments(doc: &Doc, class: Node, root: Node) -> Vec<Comment> {
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

fn read_method(doc: &Doc, method: Node, embedded: &mut Vec<EmbeddedSql>) -> Vec<Operation> {
    let mut walker = Walker {
        doc,
        runners: Vec::new(),
        query_fns: Vec::new(),
        derived: Vec::new(),
        ops: Vec::new(),
        embedded,
    };
    if let Some(params) = method.child_by_field_name("parameters") {
        if let Some(first) = params.named_child(0) {
            let pattern = first.child_by_field_name("pattern").unwrap_or(first);
            walker.bind_pattern(pattern);
        }
    } else if let Some(single) = method.child_by_field_name("parameter") {
        // `queryRunner => …`
        walker.bind_pattern(single);
    }
    if let Some(body) = method.child_by_field_name("body") {
        walker.walk(body);
    }
    walker.ops
}

/// Walks one method body in source order, turning calls into operations.
struct Walker<'d, 'a, 'e> {
    doc: &'d Doc<'a>,
    /// Names bound to the query runner (the parameter, aliases, `manager`, `connection`).
    runners: Vec<String>,
    /// Names bound to its `query` function (`const { query } = queryRunner`).
    query_fns: Vec<String>,
    /// Names bound to something reached through it (`manager.getRepository(X)`).
    derived: Vec<String>,
    ops: Vec<Operation>,
    embedded: &'e mut Vec<EmbeddedSql>,
}

/// A callee flattened: `queryRunner.manager.getRepository(X).delete` →
/// root `queryRunner`, path `[manager, getRepository, delete]`.
struct Chain<'a> {
    root: Node<'a>,
    path: Vec<&'a str>,
}

fn chain<'a>(doc: &Doc<'a>, mut node: Node<'a>) -> Chain<'a> {
    let mut path = Vec::new();
    loop {
        match node.kind() {
            "member_expression" => {
                if let Some(p) = node.child_by_field_name("property") {
                    path.push(doc.text(p));
                }
                match node.child_by_field_name("object") {
                    Some(o) => node = o,
                    None => break,
                }
            }
            "call_expression" => match node.child_by_field_name("function") {
                Some(f) => node = f,
                None => break,
            },
            "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "await_expression" => match node.named_child(0) {
                Some(i) => node = i,
                None => break,
            },
            _ => break,
        }
    }
    path.reverse();
    Chain { root: node, path }
}

/// Whether a value taken from the query runner can act on the database (a repository,
/// a query builder, a method reference) rather than being data it returned.
fn is_handle(value: Node, c: &Chain) -> bool {
    let mut v = value;
    while matches!(
        v.kind(),
        "await_expression" | "parenthesized_expression" | "as_expression" | "non_null_expression"
    ) {
        match v.named_child(0) {
            Some(inner) => v = inner,
            None => break,
        }
    }
    v.kind() != "call_expression"
        || c.path.last().is_some_and(|m| {
            [
                "getRepository",
                "getTreeRepository",
                "getMongoRepository",
                "getCustomRepository",
                "withRepository",
                "createQueryBuilder",
            ]
            .contains(m)
        })
}

/// Methods on `queryRunner.manager…` chains that only read (or only hand out a
/// repository, whose own calls are checked).
const READ_ONLY_CHAIN_METHODS: &[&str] = &[
    "getRepository",
    "getTreeRepository",
    "find",
    "findOne",
    "findBy",
    "findOneBy",
    "findAndCount",
    "findOneOrFail",
    "findOneByOrFail",
    "count",
    "countBy",
    "exist",
    "exists",
    "existsBy",
    "hasMetadata",
    "getMetadata",
];

impl<'a> Walker<'_, 'a, '_> {
    fn is_runner(&self, node: Node) -> bool {
        node.kind() == "identifier" && self.runners.iter().any(|r| r == self.doc.text(node))
    }

    /// Bind a parameter or declaration pattern whose value is the query runner.
    fn bind_pattern(&mut self, pattern: Node) {
        match pattern.kind() {
            "identifier" => self.runners.push(self.doc.text(pattern).to_string()),
            "object_pattern" => {
                let mut cursor = pattern.walk();
                for p in pattern.named_children(&mut cursor) {
                    let (key, local) = match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            (self.doc.text(p), self.doc.text(p))
                        }
                        "pair_pattern" => {
                            match (p.child_by_field_name("key"), p.child_by_field_name("value")) {
                                (Some(k), Some(v)) => (self.doc.text(k), self.doc.text(v)),
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    match key {
                        "query" => self.query_fns.push(local.to_string()),
                        "manager" | "connection" => self.runners.push(local.to_string()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// Pre-order walk of `root` in source order; a handled call's subtree is skipped.
    fn walk(&mut self, root: Node<'a>) {
        let mut cursor = root.walk();
        let mut depth = 0usize;
        loop {
            if self.visit(cursor.node()) && cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            if !next_node(&mut cursor, &mut depth) {
                break;
            }
        }
    }

    /// Look at one node; false when its children need no walk.
    fn visit(&mut self, node: Node<'a>) -> bool {
        match node.kind() {
            "comment" => return false,
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    let c = chain(self.doc, value);
                    let aliases_runner = self.is_runner(c.root)
                        && (c.path.is_empty()
                            || matches!(c.path.as_slice(), ["manager"] | ["connection"]));
                    let bound_query = self.is_runner(c.root)
                        && matches!(c.path.as_slice(), ["query", "bind"])
                        && name.kind() == "identifier";
                    if bound_query {
                        // `const q = queryRunner.query.bind(queryRunner)`
                        self.query_fns.push(self.doc.text(name).to_string());
                        return false;
                    }
                    if aliases_runner {
                        self.bind_pattern(name);
                    } else if self.is_runner(c.root)
                        && name.kind() == "identifier"
                        && is_handle(value, &c)
                    {
                        self.derived.push(self.doc.text(name).to_string());
                    }
                }
            }
            "call_expression" if self.call(node) => return false,
            "new_expression" => {
                if let Some(args) = node.child_by_field_name("arguments") {
                    if self.passes_runner(args) {
                        self.opaque(
                            node,
                            "the query runner is passed to a constructor: what it runs cannot be read statically".into(),
                        );
                    }
                }
            }
            _ => {}
        }
        true
    }

    fn passes_runner(&self, args: Node) -> bool {
        let mut cursor = args.walk();
        let found = args.named_children(&mut cursor).any(|a| {
            let t = self.doc.text(a);
            self.is_runner(a)
                || (a.kind() == "identifier"
                    && (self.query_fns.iter().any(|q| q == t)
                        || self.derived.iter().any(|d| d == t)))
        });
        found
    }

    /// Handle one call; true when it was fully handled (its children need no walk).
    fn call(&mut self, node: Node<'a>) -> bool {
        let Some(callee) = node.child_by_field_name("function") else {
            return false;
        };
        let args: Vec<Node<'a>> = node
            .child_by_field_name("arguments")
            .map(|a| {
                let mut cursor = a.walk();
                a.named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .collect()
            })
            .unwrap_or_default();
        let c = chain(self.doc, callee);
        let root_text = self.doc.text(c.root);
        let is_query_fn = c.path.is_empty()
            && c.root.kind() == "identifier"
            && self.query_fns.iter().any(|q| q == root_text);
        if self.is_runner(c.root) || is_query_fn {
            let path = c.path.as_slice();
            let is_query = is_query_fn
                || matches!(
                    path,
                    ["query"] | ["manager", "query"] | ["connection", "query"]
                );
            if is_query {
                self.query(node, args.first().copied());
                return true;
            }
            if let [method] = path {
                if READ_ONLY_METHODS.contains(method) {
                    return false;
                }
                match builder_call(self.doc, method, &args) {
                    Builder::Ops(kinds) => {
                        for kind in kinds {
                            self.push(
                                node,
                                kind,
                                OpSource::Builder {
                                    method: method.to_string(),
                                },
                            );
                        }
                    }
                    Builder::Opaque(reason) => self.opaque(node, reason),
                    Builder::Unknown => self.opaque(
                        node,
                        format!("`{method}` on the query runner is not a method migguard can read"),
                    ),
                }
                return true;
            }
            let last = path.last().copied().unwrap_or("");
            if READ_ONLY_CHAIN_METHODS.contains(&last) {
                return true;
            }
            self.opaque(
                node,
                format!(
                    "`{}` runs through the query runner and cannot be read statically",
                    self.doc.text(callee)
                ),
            );
            return true;
        }
        let is_derived =
            c.root.kind() == "identifier" && self.derived.iter().any(|d| d == root_text);
        if is_derived {
            let last = c.path.last().copied().unwrap_or("");
            if READ_ONLY_CHAIN_METHODS.contains(&last) {
                return true;
            }
            self.opaque(
                node,
                format!(
                    "`{}` runs through the query runner and cannot be read statically",
                    self.doc.text(callee)
                ),
            );
            return true;
        }
        if let Some(args_node) = node.child_by_field_name("arguments") {
            if self.passes_runner(args_node) {
                self.opaque(
                    node,
                    format!(
                        "`{}` receives the query runner: what it runs cannot be read statically",
                        self.doc.text(callee)
                    ),
                );
            }
        }
        false
    }

    fn query(&mut self, call: Node<'a>, arg0: Option<Node<'a>>) {
        let Some(arg) = arg0 else {
            self.opaque_sql(call, "query() without SQL".into());
            return;
        };
        let Some(asm) = strings::assemble_sql(self.doc, arg) else {
            self.opaque_sql(
                call,
                format!(
                    "the SQL `{}` is built at run time and cannot be read statically",
                    short(self.doc.text(arg))
                ),
            );
            return;
        };
        let e = EmbeddedSql {
            sql: asm.sql,
            map: asm.map,
            dynamic: asm.dynamic,
            call_span: self.doc.span(call),
        };
        let input = SqlInput {
            sql: &e.sql,
            map: &e.map,
            file: self.doc.file,
            dynamic: e.dynamic,
        };
        // A `migguard-ignore` comment goes above the call, wherever the statement
        // sits inside the string.
        let anchor = e.call_span.line;
        self.ops.extend(
            read_statements(&input, self.doc.opts)
                .into_iter()
                .map(|mut op| {
                    op.anchor_line = anchor;
                    op
                }),
        );
        self.embedded.push(e);
    }

    fn push(&mut self, node: Node, kind: OpKind, source: OpSource) {
        self.ops.push(Operation {
            kind,
            span: self.doc.span(node),
            text: self.doc.text(node).to_string(),
            source,
            dynamic: false,
            anchor_line: self.doc.span(node).line,
        });
    }

    /// Schema work we cannot read: a helper, an unknown method, run-time SQL.
    fn opaque(&mut self, node: Node, reason: String) {
        let method = node
            .child_by_field_name("function")
            .or_else(|| node.child_by_field_name("constructor"))
            .map(|f| {
                let c = chain(self.doc, f);
                // `queryRunner.addColumn` → `addColumn`; a helper keeps its own name.
                if self.is_runner(c.root) && c.path.len() == 1 {
                    c.path[0].to_string()
                } else {
                    self.doc.text(f).to_string()
                }
            })
            .unwrap_or_default();
        self.push(
            node,
            OpKind::Opaque { reason },
            OpSource::Builder { method },
        );
    }

    /// A `query()` whose SQL only exists at run time.
    fn opaque_sql(&mut self, node: Node, reason: String) {
        self.push(node, OpKind::Opaque { reason }, OpSource::Sql);
        if let Some(op) = self.ops.last_mut() {
            op.dynamic = true;
        }
    }
}

fn short(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests;
