//! TypeORM reader: migration classes in TypeScript or compiled JavaScript.
//!
//! tree-sitter parses `.ts` and tsc's `.js` output alike (ES classes, CommonJS
//! `exports.X = X`, `module.exports = class …`, downlevel `__awaiter` generators),
//! because a release image carries only `dist/`. Every class with an `up` method is a
//! migration; its identity is the `name` property if set, else the class name, and
//! its timestamp the last 13 digits of that (TypeORM's own rule).
//!
//! Inside `up()`/`down()`, `query(…)` arguments are assembled into SQL (literals,
//! templates, `+`, `const`s — `js`) and read by the SQL reader with a map back into
//! this file; schema builder calls become ops with TypeORM's semantics (`builder`);
//! anything else that hands the query runner to code we cannot see is `opaque`.

mod builder;
mod js;

use super::ReadOptions;
use crate::ir::{
    Comment, Migration, MigrationFormat, MigrationOrder, OpKind, OpSource, Operation, ReadError,
    Span,
};
use crate::parse::sql::{read_statements, SqlInput};
use crate::source::SourceFile;
use js::{eval, preorder, text, unwrap_expr, Env, JsVal, Sql};
use std::cell::RefCell;
use tree_sitter::{Node, Parser};

thread_local! {
    // One parser per rayon worker: creating one per file costs more than parsing.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

fn parse(text: &str) -> Option<tree_sitter::Tree> {
    PARSER.with(|p| {
        let mut slot = p.borrow_mut();
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

/// Every migration class in the file (a file may hold several).
pub fn read_typeorm_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    let Some(tree) = parse(&file.text) else {
        return Vec::new();
    };
    let src = file.text.as_bytes();
    let root = tree.root_node();
    let env = Env::collect(root, src);
    let comments = collect_comments(root, file);
    let errors = read_errors(root, file);
    let mut out = Vec::new();
    let mut stack = vec![root];
    let mut classes = Vec::new();
    while let Some(n) = stack.pop() {
        if matches!(
            n.kind(),
            "class_declaration" | "class" | "abstract_class_declaration"
        ) {
            classes.push(n);
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    classes.sort_by_key(|n| n.start_byte());
    for class in classes {
        if let Some(m) = read_class(class, file, &env, &comments, opts) {
            out.push(m);
        }
    }
    // Read errors belong to every migration of the file (we cannot tell whose code
    // the broken part was); with no class found they still must not pass silently.
    if let Some(first) = out.first_mut() {
        first.read_errors.extend(errors);
    } else if !errors.is_empty() && looks_like_migration(&file.text) {
        out.push(Migration {
            name: file
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("unknown")
                .to_string(),
            version: None,
            order: MigrationOrder {
                repeatable: false,
                version: vec![],
                name: String::new(),
            },
            format: MigrationFormat::Typeorm,
            file: file.path.clone(),
            span: errors[0].span,
            transactional: true,
            up: Vec::new(),
            down: Vec::new(),
            header_comments: Vec::new(),
            comments,
            read_errors: errors,
        });
    }
    out
}

fn looks_like_migration(text: &str) -> bool {
    text.contains("queryRunner") || text.contains("MigrationInterface") || text.contains(" up(")
}

fn collect_comments(root: Node<'_>, file: &SourceFile) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut nodes = Vec::new();
    preorder(root, |n| {
        if n.kind() == "comment" {
            nodes.push(n);
            return false;
        }
        true
    });
    for n in nodes {
        let raw = &file.text[n.byte_range()];
        let mut pos = n.start_byte();
        for line in raw.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let t = content
                .trim()
                .trim_start_matches("//")
                .trim_start_matches("/*")
                .trim_end_matches("*/")
                .trim()
                .trim_start_matches('*')
                .trim();
            out.push(Comment {
                text: t.to_string(),
                span: file.span(pos, pos + content.len()),
            });
            pos += line.len();
        }
    }
    out
}

fn read_errors(root: Node<'_>, file: &SourceFile) -> Vec<ReadError> {
    if !root.has_error() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            let span = file.span(
                n.start_byte(),
                n.end_byte().max(n.start_byte() + 1).min(file.text.len()),
            );
            let message = if n.is_missing() {
                format!("syntax error: missing `{}` at line {}", n.kind(), span.line)
            } else {
                format!("syntax error at line {}, column {}", span.line, span.column)
            };
            out.push(ReadError { message, span });
            continue;
        }
        if n.has_error() {
            let mut c = n.walk();
            stack.extend(n.children(&mut c));
        }
    }
    out.sort_by_key(|e| e.span.start);
    out.truncate(5);
    out
}

/// The last 13 digits of a migration name (TypeORM: `name.substr(-13)` must be a number).
fn timestamp_of(name: &str) -> Option<u128> {
    let tail: String = name
        .chars()
        .rev()
        .take(13)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (tail.len() == 13 && tail.chars().all(|c| c.is_ascii_digit()))
        .then(|| tail.parse().ok())
        .flatten()
}

fn read_class(
    class: Node<'_>,
    file: &SourceFile,
    env: &Env<'_>,
    comments: &[Comment],
    opts: &ReadOptions,
) -> Option<Migration> {
    let src = file.text.as_bytes();
    let body = class.child_by_field_name("body")?;
    let mut up = None;
    let mut down = None;
    let mut name_prop = None;
    let mut transactional = true;
    let mut c = body.walk();
    for member in body.named_children(&mut c) {
        match member.kind() {
            "method_definition" => {
                let mname = member
                    .child_by_field_name("name")
                    .map(|n| text(n, src))
                    .unwrap_or("");
                match mname {
                    "up" => up = Some(member),
                    "down" => down = Some(member),
                    "constructor" => {
                        // tsc output: `this.name = '…'; this.transaction = false;`
                        if let Some(b) = member.child_by_field_name("body") {
                            for (k, v) in this_assignments(b, src) {
                                match (k.as_str(), eval(v, src, env)) {
                                    ("name", JsVal::Str(s)) => name_prop = Some(s),
                                    ("transaction", JsVal::Bool(false)) => transactional = false,
                                    _ => {}
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            "public_field_definition" | "field_definition" => {
                let key = member
                    .child_by_field_name("name")
                    .or_else(|| member.child_by_field_name("property"))
                    .map(|n| text(n, src))
                    .unwrap_or("");
                if let Some(v) = member.child_by_field_name("value") {
                    match (key, eval(v, src, env)) {
                        ("name", JsVal::Str(s)) => name_prop = Some(s),
                        ("transaction", JsVal::Bool(false)) => transactional = false,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let up = up?;
    let class_name = class
        .child_by_field_name("name")
        .map(|n| text(n, src).to_string());
    let name = name_prop
        .or(class_name.clone())
        .unwrap_or_else(|| "anonymous".into());
    let header_end = class
        .child_by_field_name("name")
        .map(|n| n.end_byte())
        .unwrap_or(body.start_byte());
    let span = file.span(class.start_byte(), header_end);
    let mut read_errors = Vec::new();
    let ts = timestamp_of(&name);
    if ts.is_none() {
        read_errors.push(ReadError {
            message: format!("migration name `{name}` does not end in a 13-digit timestamp: TypeORM refuses to run it"),
            span,
        });
    }
    let ctx = Ctx {
        file,
        env,
        opts,
        runner: runner_name(up, src),
    };
    let up_ops = ctx.body_ops(up);
    let down_ops = down
        .map(|d| {
            Ctx {
                runner: runner_name(d, src),
                ..ctx.clone()
            }
            .body_ops(d)
        })
        .unwrap_or_default();
    Some(Migration {
        version: ts.map(|t| format!("{t:013}")),
        order: MigrationOrder {
            repeatable: false,
            version: ts.into_iter().collect(),
            name: name.clone(),
        },
        name,
        format: MigrationFormat::Typeorm,
        file: file.path.clone(),
        span,
        transactional,
        up: up_ops,
        down: down_ops,
        header_comments: header_comments(class, file, comments),
        comments: comments.to_vec(),
        read_errors,
    })
}

/// `this.key = value` statements directly in a block.
fn this_assignments<'t>(block: Node<'t>, src: &[u8]) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    let mut c = block.walk();
    for stmt in block.named_children(&mut c) {
        let Some(e) = stmt
            .named_child(0)
            .filter(|_| stmt.kind() == "expression_statement")
        else {
            continue;
        };
        if e.kind() != "assignment_expression" {
            continue;
        }
        let (Some(l), Some(r)) = (
            e.child_by_field_name("left"),
            e.child_by_field_name("right"),
        ) else {
            continue;
        };
        if l.kind() == "member_expression"
            && l.child_by_field_name("object")
                .is_some_and(|o| o.kind() == "this")
        {
            if let Some(p) = l.child_by_field_name("property") {
                out.push((text(p, src).to_string(), r));
            }
        }
    }
    out
}

/// Name of the method's first parameter (`queryRunner`, `qr`, …).
fn runner_name(method: Node<'_>, src: &[u8]) -> Option<String> {
    let params = method.child_by_field_name("parameters")?;
    let first = params.named_child(0)?;
    let pat = first.child_by_field_name("pattern").unwrap_or(first);
    (pat.kind() == "identifier").then(|| text(pat, src).to_string())
}

/// Comment lines directly above the class (through `export`, decorators, blank lines
/// between comment lines excluded), else the file's leading comment block.
fn header_comments(class: Node<'_>, file: &SourceFile, comments: &[Comment]) -> Vec<Comment> {
    let mut top = class;
    while let Some(p) = top.parent() {
        if matches!(
            p.kind(),
            "export_statement"
                | "expression_statement"
                | "assignment_expression"
                | "lexical_declaration"
                | "variable_declarator"
        ) {
            top = p;
        } else {
            break;
        }
    }
    let class_line = file.line_index.line_col(&file.text, top.start_byte()).0;
    let mut block: Vec<Comment> = Vec::new();
    let mut expect = class_line.saturating_sub(1);
    for c in comments.iter().rev() {
        if c.span.end_line == expect && c.span.line <= expect {
            block.push(c.clone());
            expect = c.span.line - 1;
        } else if c.span.line >= class_line {
            continue;
        } else {
            break;
        }
    }
    block.reverse();
    if block.iter().any(|c| c.text.starts_with('@')) {
        return block;
    }
    // File header: comments before the first code.
    let first_code = {
        let root = {
            let mut n = class;
            while let Some(p) = n.parent() {
                n = p;
            }
            n
        };
        let mut c = root.walk();
        let first = root
            .named_children(&mut c)
            .find(|n| n.kind() != "comment")
            .map(|n| n.start_byte())
            .unwrap_or(usize::MAX);
        first
    };
    let mut header: Vec<Comment> = comments
        .iter()
        .filter(|c| c.span.start < first_code)
        .cloned()
        .collect();
    header.extend(block);
    header
}

#[derive(Clone)]
struct Ctx<'a, 't> {
    file: &'a SourceFile,
    env: &'a Env<'t>,
    opts: &'a ReadOptions,
    runner: Option<String>,
}

impl<'t> Ctx<'_, 't> {
    fn src(&self) -> &[u8] {
        self.file.text.as_bytes()
    }

    /// Ops of a method body, in source order.
    fn body_ops(&self, method: Node<'t>) -> Vec<Operation> {
        let mut ops = Vec::new();
        if let Some(b) = method.child_by_field_name("body") {
            self.walk(b, &mut ops);
        }
        ops
    }

    fn walk(&self, n: Node<'t>, ops: &mut Vec<Operation>) {
        preorder(n, |node| {
            if !node.is_named() {
                return false;
            }
            // A migration call is handled whole: do not look inside its arguments.
            !(node.kind() == "call_expression" && self.call(node, ops))
        });
    }

    fn is_runner(&self, obj: Node<'t>) -> bool {
        let obj = unwrap_expr(obj);
        let t = text(obj, self.src());
        self.runner.as_deref() == Some(t)
            || t == "queryRunner"
            || t.ends_with(".queryRunner")
            || t == "qr"
    }

    /// Handle a call; true when it was a migration call (don't descend into it).
    fn call(&self, call: Node<'t>, ops: &mut Vec<Operation>) -> bool {
        let src = self.src();
        let Some(func) = call.child_by_field_name("function") else {
            return false;
        };
        let args: Vec<Node<'t>> = call
            .child_by_field_name("arguments")
            .map(|a| {
                let mut c = a.walk();
                a.named_children(&mut c)
                    .filter(|x| x.kind() != "comment")
                    .collect()
            })
            .unwrap_or_default();
        let (object, method) = match func.kind() {
            "member_expression" => (
                func.child_by_field_name("object"),
                func.child_by_field_name("property")
                    .map(|p| text(p, src))
                    .unwrap_or(""),
            ),
            "identifier" => (None, text(func, src)),
            _ => return false,
        };
        let anchor = self.file.span(call.start_byte(), call.end_byte());
        if method == "query" {
            match args.first() {
                Some(arg) => self.query(call, *arg, anchor, ops),
                None => ops.push(self.opaque(call, "query() without SQL".into())),
            }
            return true;
        }
        let on_runner = object.is_some_and(|o| self.is_runner(o));
        if on_runner && builder::BUILDER_METHODS.contains(&method) {
            let values: Vec<JsVal> = args.iter().map(|a| eval(*a, src, self.env)).collect();
            match builder::builder_ops(method, &values, &self.opts.default_schema) {
                Ok(kinds) => {
                    for kind in kinds {
                        ops.push(Operation {
                            kind,
                            span: anchor,
                            text: text(call, src).to_string(),
                            source: OpSource::Builder {
                                method: method.to_string(),
                            },
                            dynamic: false,
                            anchor_line: anchor.line,
                        });
                    }
                }
                Err(reason) => {
                    ops.push(self.opaque(call, format!("queryRunner.{method}(): {reason}")))
                }
            }
            return true;
        }
        // Repository / entity-manager data changes through the query runner.
        let callee = text(func, src);
        if [
            "delete",
            "update",
            "save",
            "insert",
            "remove",
            "clear",
            "softDelete",
            "upsert",
            "increment",
            "decrement",
        ]
        .contains(&method)
            && (callee.contains(".manager")
                || callee.contains("getRepository")
                || callee.contains("createQueryBuilder"))
        {
            ops.push(self.opaque(
                call,
                format!("data change through TypeORM's `{method}()` cannot be read statically"),
            ));
            return true;
        }
        // The query runner handed to code we cannot see.
        let passes_runner = args
            .iter()
            .any(|a| self.is_runner(*a) || text(*a, src) == "this");
        if passes_runner
            && !matches!(
                method,
                "__awaiter" | "log" | "warn" | "info" | "error" | "debug"
            )
        {
            ops.push(self.opaque(
                call,
                format!(
                    "`{}` receives the query runner; migguard cannot see what it runs",
                    callee.chars().take(60).collect::<String>()
                ),
            ));
            return true;
        }
        false
    }

    fn opaque(&self, call: Node<'t>, reason: String) -> Operation {
        let span = self.file.span(call.start_byte(), call.end_byte());
        Operation {
            kind: OpKind::Opaque { reason },
            span,
            text: text(call, self.src()).to_string(),
            source: OpSource::Sql,
            dynamic: true,
            anchor_line: span.line,
        }
    }

    fn query(&self, call: Node<'t>, arg: Node<'t>, anchor: Span, ops: &mut Vec<Operation>) {
        let mut sql = Sql::default();
        if !js::assemble(arg, self.src(), self.env, &mut sql, 0) {
            let what = text(unwrap_expr(arg), self.src())
                .chars()
                .take(60)
                .collect::<String>();
            ops.push(self.opaque(call, format!("the SQL passed to query() (`{what}`) is not a literal or constant migguard can read")));
            return;
        }
        let input = SqlInput {
            sql: &sql.text,
            map: &sql.map,
            file: self.file,
            dynamic: sql.dynamic,
        };
        for mut op in read_statements(&input, self.opts) {
            op.anchor_line = anchor.line;
            ops.push(op);
        }
    }
}

#[cfg(test)]
mod tests;
