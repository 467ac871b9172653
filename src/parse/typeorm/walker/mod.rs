//! `up()`/`down()` bodies → operations, walking calls in source order.
//!
//! The walker knows which names stand for the query runner (the parameter, aliases,
//! destructured `query`, `manager`/`connection`), turns `query(...)` calls into SQL for
//! the SQL reader, builder calls into ops, reads same-class helpers inline, follows
//! only the PostgreSQL path of database-type branches, and reports everything else that
//! goes through the query runner as `opaque`. Other handles are read too: any
//! `.query`/`.execute` with literal SQL is SQL (an imported data source, a `pg`
//! client), a query builder's `execute()` is the write it sends, and code that could
//! reach the database unread (`eval`, `new Function`, `import()`, a child process, the
//! query runner handed on through `.call`, `Reflect.apply` or a computed member) is
//! `opaque`. Identifiers are compared as JavaScript reads them (`\u` escapes).
//!
//! Split by concern: what names stand for the query runner ([`bindings`]), which
//! code runs and how often (PostgreSQL branches, loops over literal SQL,
//! [`control_flow`]), and what a call does (query, builder, helper, other handles,
//! [`calls`]). This file holds the walker itself and the ops it emits.

mod bindings;
mod calls;
mod control_flow;

use super::{next_node, Doc, EmbeddedSql};
use crate::ir::{Guard, OpKind, OpSource, Operation};
use crate::parse::sql::Session;
use bindings::{chain, is_handle, is_runner_part};
use control_flow::{db_condition, is_db_type};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// Methods of the class being read, by name: helpers `this.m(queryRunner)` calls.
pub(super) type Methods<'a> = HashMap<&'a str, Node<'a>>;

/// How deep `this.helper(queryRunner)` calls are followed.
const MAX_INLINE_DEPTH: usize = 4;

pub(super) fn read_method<'a>(
    doc: &Doc<'a>,
    method: Node<'a>,
    methods: &Methods<'a>,
    embedded: &mut Vec<EmbeddedSql>,
) -> Vec<Operation> {
    let mut session = Session::default();
    let mut walker = Walker {
        doc,
        runners: Vec::new(),
        query_fns: Vec::new(),
        derived: Vec::new(),
        ops: Vec::new(),
        embedded,
        session: &mut session,
        methods,
        inlining: Vec::new(),
        outer_depth: 0,
        followed: Vec::new(),
        loop_values: Vec::new(),
        read_ahead: HashSet::new(),
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
    /// What earlier `query()` calls left on the connection (functions, prepared
    /// statements, triggers) for later calls.
    session: &'e mut Session,
    methods: &'d Methods<'a>,
    /// Helper methods being followed (cycle and depth guard).
    inlining: Vec<&'a str>,
    /// Helpers already followed in the files that led here: they count towards
    /// [`MAX_INLINE_DEPTH`] too.
    outer_depth: usize,
    /// Imported helpers being followed, (file, function) (cycle guard across files).
    followed: Vec<(std::path::PathBuf, String)>,
    /// Loop variables over a literal array of SQL strings, bound to the element of
    /// the iteration being read (`for (const sql of [...])`, `xs.forEach(sql => …)`).
    loop_values: Vec<(&'a str, Node<'a>)>,
    /// Statements already read, out of the cursor's order, as running only when an
    /// early `return` before them was not taken (node ids): the cursor skips them.
    read_ahead: HashSet<usize>,
}

impl<'a> Walker<'_, 'a, '_> {
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
        if self.read_ahead.contains(&node.id()) {
            return false;
        }
        match node.kind() {
            "comment" => return false,
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    let c = chain(self.doc, value);
                    let aliases_runner = self.is_runner(c.root)
                        && (c.path.is_empty() || c.path.iter().all(|p| is_runner_part(p)));
                    let bound_query = self.is_runner(c.root)
                        && matches!(c.path.as_slice(), ["query", "bind"])
                        && name.kind() == "identifier";
                    if bound_query || (name.kind() == "identifier" && self.forwards_sql(value)) {
                        // `const q = queryRunner.query.bind(queryRunner)`, or
                        // `const q = (sql) => queryRunner.query(sql)`: calls of `q` are
                        // `query()` calls, read at the call site.
                        self.query_fns.push(self.doc.text(name).to_string());
                        return false;
                    }
                    if aliases_runner {
                        self.bind_pattern(name);
                    } else if self.is_runner(c.root) && is_handle(value, &c) {
                        if name.kind() == "identifier" {
                            self.derived.push(self.doc.text(name).to_string());
                        } else {
                            // `const { dropColumns } = context.schemaBuilder`.
                            self.bind_taken_from_runner(name);
                        }
                    }
                }
            }
            // `async function exec(sql) { await queryRunner.query(sql); }` is hoisted:
            // registered when its block is entered, so a call above it is read too.
            "statement_block" => {
                let mut cursor = node.walk();
                let wrappers: Vec<String> = node
                    .named_children(&mut cursor)
                    .filter(|f| f.kind() == "function_declaration" && self.forwards_sql(*f))
                    .filter_map(|f| f.child_by_field_name("name"))
                    .map(|n| self.doc.text(n).to_string())
                    .collect();
                self.query_fns.extend(wrappers);
            }
            "function_declaration" if self.forwards_sql(node) => return false,
            // `for (const sql of [...]) await queryRunner.query(sql)`: the body is
            // read once per element, with `sql` standing for it.
            "for_in_statement" if self.walk_literal_loop(node) => return false,
            // `[...].forEach((sql) => queryRunner.query(sql))`, `.map(…)` likewise.
            "call_expression" if self.walk_literal_callback(node) => return false,
            "call_expression" if self.call(node) => return false,
            "switch_statement"
                if node
                    .child_by_field_name("value")
                    .is_some_and(|v| is_db_type(self.doc.text(v))) =>
            {
                self.walk_db_switch(node);
                return false;
            }
            "if_statement" => {
                let cond = node.child_by_field_name("condition");
                if let Some(cons_is_pg) = cond.and_then(|c| db_condition(self.doc, c)) {
                    let branch = if cons_is_pg {
                        node.child_by_field_name("consequence")
                    } else {
                        node.child_by_field_name("alternative")
                    };
                    if let Some(b) = branch {
                        self.walk(b);
                    }
                    return false;
                }
                // Any other condition is only known when the migration runs (`if
                // (columnExists[0].exists)`): both branches are read — lint judges
                // everything that might run — and their ops carry the condition so
                // replay does not take them for certain.
                if let Some(c) = cond {
                    self.walk(c);
                }
                let first = self.ops.len();
                for field in ["consequence", "alternative"] {
                    if let Some(b) = node.child_by_field_name(field) {
                        self.walk(b);
                    }
                }
                let text = cond.map(|c| short(self.doc.text(c))).unwrap_or_default();
                self.guard_from(first, &text);
                // `if (rows.length === 0) { return; }`: what follows in the block runs
                // only when the condition was false, so it carries the negation.
                if node.child_by_field_name("alternative").is_none()
                    && node
                        .child_by_field_name("consequence")
                        .is_some_and(always_exits)
                {
                    let rest = self.ops.len();
                    let mut next = node.next_sibling();
                    while let Some(statement) = next {
                        self.walk(statement);
                        self.read_ahead.insert(statement.id());
                        next = statement.next_sibling();
                    }
                    self.guard_from(rest, &format!("!{text}"));
                }
                return false;
            }
            // `type === 'postgres' ? await this.postgresUp(qr) : await this.sqliteUp(qr)`
            "ternary_expression" => {
                let cond = node.child_by_field_name("condition");
                if let Some(cons_is_pg) = cond.and_then(|c| db_condition(self.doc, c)) {
                    let field = if cons_is_pg {
                        "consequence"
                    } else {
                        "alternative"
                    };
                    if let Some(b) = node.child_by_field_name(field) {
                        self.walk(b);
                    }
                    return false;
                }
            }
            "new_expression"
                if node
                    .child_by_field_name("constructor")
                    .is_some_and(|c| self.doc.text(c) == "Function") =>
            {
                self.opaque(
                    node,
                    "`new Function(…)` builds code at run time: migguard cannot read it".into(),
                );
                return false;
            }
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

    /// Ops from `first` on run only if `condition` holds (an inner condition stays).
    fn guard_from(&mut self, first: usize, condition: &str) {
        for op in &mut self.ops[first..] {
            if !matches!(op.guard, Some(Guard::Condition(_))) {
                op.guard = Some(Guard::Condition(condition.to_string()));
            }
        }
    }

    fn push(&mut self, node: Node, kind: OpKind, source: OpSource) {
        self.ops.push(Operation {
            kind,
            span: self.doc.span(node),
            text: self.doc.text(node).to_string(),
            source,
            dynamic: false,
            anchor_line: self.doc.span(node).line,
            guard: None,
            origin: None,
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

/// Whether a branch always leaves the function (`return;`, `{ …; throw e; }`). Only
/// the statements after it in the same block are read as conditional: a `return`
/// nested deeper leaves what follows its enclosing block read as certain.
fn always_exits(branch: Node) -> bool {
    let last = if branch.kind() == "statement_block" {
        let mut cursor = branch.walk();
        let last = branch
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .last();
        last
    } else {
        Some(branch)
    };
    last.is_some_and(|n| matches!(n.kind(), "return_statement" | "throw_statement"))
}

fn short(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}
