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

use super::builder::{builder_call, Builder, READ_ONLY_METHODS};
use super::strings;
use super::{imports, next_node, Doc, EmbeddedSql};
use crate::ir::{Guard, OpKind, OpSource, Operation};
use crate::parse::sql::{read_statements_in, Session, SqlInput};
use crate::source::SourceFile;
use std::collections::HashMap;
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
}

/// Longest literal array whose loop body is read once per element.
const MAX_LOOP_ELEMENTS: usize = 200;

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
                    path.push(member_name(doc.text(p)));
                }
                match node.child_by_field_name("object") {
                    Some(o) => node = o,
                    None => break,
                }
            }
            // `queryRunner["query"]`: a member written as a string subscript.
            "subscript_expression" => {
                let index = node.child_by_field_name("index");
                let key = index.filter(|i| i.kind() == "string").map(|i| {
                    doc.text(i)
                        .trim_matches(|c| c == '"' || c == '\'' || c == '`')
                });
                match (key, node.child_by_field_name("object")) {
                    (Some(k), Some(o)) => {
                        path.push(k);
                        node = o;
                    }
                    _ => break,
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

/// Member names the walker matches on, as written with unicode escapes
/// (`queryRunner.q\u0075ery`): the escaped spelling means the same member.
const MATCHED_MEMBERS: &[&str] = &[
    "query",
    "execute",
    "manager",
    "connection",
    "dataSource",
    "bind",
    "call",
    "apply",
    "createQueryBuilder",
];

fn member_name(written: &str) -> &str {
    if !written.contains('\\') {
        return written;
    }
    let decoded = strings::decode_identifier(written);
    MATCHED_MEMBERS
        .iter()
        .find(|m| **m == decoded)
        .copied()
        .unwrap_or(written)
}

/// A function's first parameter (`x => …`, `(x: string) => …`, `function (x) {…}`).
fn first_param(f: Node) -> Option<Node> {
    f.child_by_field_name("parameter").or_else(|| {
        let params = f.child_by_field_name("parameters")?;
        let mut cursor = params.walk();
        let first = params.named_children(&mut cursor).next()?;
        Some(first.child_by_field_name("pattern").unwrap_or(first))
    })
}

/// Whether some call under `node` has the identifier `name` as its first argument.
fn passes_as_first_argument(doc: &Doc, node: Node, name: &str) -> bool {
    let mut cursor = node.walk();
    let mut depth = 0usize;
    loop {
        let n = cursor.node();
        if n.kind() == "call_expression" {
            let first = n
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0));
            if first.is_some_and(|f| f.kind() == "identifier" && doc.text(f) == name) {
                return true;
            }
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        if !next_node(&mut cursor, &mut depth) {
            return false;
        }
    }
}

/// `manager`, `connection`, `dataSource`: objects on the query runner whose `query`
/// runs SQL just like its own.
fn is_runner_part(p: &str) -> bool {
    matches!(p, "manager" | "connection" | "dataSource")
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
        node.kind() == "identifier" && self.runners.iter().any(|r| *r == self.name(node))
    }

    /// An identifier as JavaScript reads it (unicode escapes decoded).
    fn name(&self, node: Node) -> std::borrow::Cow<'a, str> {
        strings::decode_identifier(self.doc.text(node))
    }

    /// Whether a call's callee mentions the query runner (or something taken from
    /// it) anywhere: `(0, queryRunner.query)(…)`, `queryRunner[method](…)`,
    /// `Reflect.apply(queryRunner.query, …)` hand it on in ways no rule reads.
    fn mentions_runner(&self, node: Node) -> bool {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind() == "identifier" {
                let name = self.name(n);
                if self.runners.iter().any(|r| *r == name)
                    || self.query_fns.iter().any(|q| *q == name)
                    || self.derived.iter().any(|d| *d == name)
                {
                    return true;
                }
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        false
    }

    /// Bind a parameter or declaration pattern whose value is the query runner.
    fn bind_pattern(&mut self, pattern: Node) {
        match pattern.kind() {
            "identifier" => self.runners.push(self.name(pattern).into_owned()),
            "object_pattern" => {
                let mut cursor = pattern.walk();
                for p in pattern.named_children(&mut cursor) {
                    let (key, local) = match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            (self.doc.text(p), self.doc.text(p))
                        }
                        "pair_pattern" => {
                            match (p.child_by_field_name("key"), p.child_by_field_name("value")) {
                                // `{ connection: { manager: m } }`: bind inside.
                                (Some(k), Some(v))
                                    if v.kind() == "object_pattern"
                                        && is_runner_part(self.doc.text(k)) =>
                                {
                                    self.bind_pattern(v);
                                    continue;
                                }
                                (Some(k), Some(v)) => (self.doc.text(k), self.doc.text(v)),
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    match key {
                        "query" => self.query_fns.push(local.to_string()),
                        "manager" | "connection" | "dataSource" => {
                            self.runners.push(local.to_string())
                        }
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
                    } else if self.is_runner(c.root)
                        && name.kind() == "identifier"
                        && is_handle(value, &c)
                    {
                        self.derived.push(self.doc.text(name).to_string());
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
                if let Some(cons_is_pg) = cond.and_then(|c| db_branch(self.doc.text(c))) {
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
                for op in &mut self.ops[first..] {
                    if !matches!(op.guard, Some(Guard::Condition(_))) {
                        op.guard = Some(Guard::Condition(text.clone()));
                    }
                }
                return false;
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

    /// `this.helper(queryRunner)` with `helper` a method of the same class: read its
    /// body with the query runner bound to the matching parameter.
    fn inline(&mut self, name: &'a str, args: &[Node<'a>]) -> bool {
        let Some(func) = self.methods.get(name).copied() else {
            return false;
        };
        if self.depth() >= MAX_INLINE_DEPTH || self.inlining.contains(&name) {
            return false;
        }
        let params: Vec<Node<'a>> = func
            .child_by_field_name("parameters")
            .map(|p| {
                let mut cursor = p.walk();
                p.named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .collect()
            })
            .unwrap_or_default();
        let runner_params: Vec<Node<'a>> = args
            .iter()
            .enumerate()
            .filter(|(_, a)| self.is_runner(**a))
            .filter_map(|(i, _)| params.get(i).copied())
            .collect();
        if runner_params.is_empty() {
            return false;
        }
        let mut inlining = self.inlining.clone();
        inlining.push(name);
        let mut sub = Walker {
            doc: self.doc,
            runners: Vec::new(),
            query_fns: Vec::new(),
            derived: Vec::new(),
            ops: Vec::new(),
            embedded: &mut *self.embedded,
            session: &mut *self.session,
            methods: self.methods,
            inlining,
            outer_depth: self.outer_depth,
            followed: self.followed.clone(),
            loop_values: Vec::new(),
        };
        for p in runner_params {
            sub.bind_pattern(p.child_by_field_name("pattern").unwrap_or(p));
        }
        if let Some(body) = func.child_by_field_name("body") {
            sub.walk(body);
        }
        let ops = sub.ops;
        self.ops.extend(ops);
        true
    }

    fn depth(&self) -> usize {
        self.outer_depth + self.inlining.len()
    }

    /// `addAuditColumns(queryRunner, …)` with the function imported from a relative
    /// module: read it like a same-class helper, in its own file. The ops are shown at
    /// the call (an op's span has no file of its own, and a `migguard-ignore` above the
    /// call must apply to them); their text is the helper's statement.
    fn inline_imported(&mut self, call: Node<'a>, callee: Node<'a>, args: &[Node<'a>]) -> bool {
        if !args.iter().any(|a| self.is_runner(*a)) || self.depth() >= MAX_INLINE_DEPTH {
            return false;
        }
        let Some((path, name)) = imports::imported_callee(self.doc, callee) else {
            return false;
        };
        if self.followed.iter().any(|(p, n)| *p == path && *n == name) {
            return false;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            return false;
        };
        let file = SourceFile::new(path.clone(), text);
        let src = file.text.as_str();
        let Some(tree) = super::parse(src) else {
            return false;
        };
        let root = tree.root_node();
        if root.has_error() {
            // A helper that does not parse is not read as if it did nothing.
            return false;
        }
        let col = super::collect(root, src);
        let doc = Doc::new(src, &file, self.doc.opts, &col);
        let Some(func) = imports::find_function(&doc, root, &name) else {
            return false;
        };
        let params: Vec<Node> = func
            .child_by_field_name("parameters")
            .map(|p| {
                let mut cursor = p.walk();
                p.named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .collect()
            })
            .unwrap_or_default();
        let runner_params: Vec<Node> = args
            .iter()
            .enumerate()
            .filter(|(_, a)| self.is_runner(**a))
            .filter_map(|(i, _)| params.get(i).copied())
            .collect();
        if runner_params.is_empty() {
            return false;
        }
        let methods = Methods::new();
        // `query()` strings of the helper live in the helper file: their comments are
        // not the migration's.
        let mut embedded = Vec::new();
        let mut followed = self.followed.clone();
        followed.push((path, name));
        let outer_depth = self.depth() + 1;
        let mut sub = Walker {
            doc: &doc,
            runners: Vec::new(),
            query_fns: Vec::new(),
            derived: Vec::new(),
            ops: Vec::new(),
            embedded: &mut embedded,
            session: &mut *self.session,
            methods: &methods,
            inlining: Vec::new(),
            outer_depth,
            followed,
            loop_values: Vec::new(),
        };
        for p in runner_params {
            sub.bind_pattern(p.child_by_field_name("pattern").unwrap_or(p));
        }
        if let Some(body) = func.child_by_field_name("body") {
            sub.walk(body);
        }
        let at = self.doc.span(call);
        let ops = sub.ops;
        self.ops.extend(ops.into_iter().map(|mut op| {
            op.span = at;
            op.anchor_line = at.line;
            op
        }));
        true
    }

    /// `switch (queryRunner.connection.options.type)`: only the PostgreSQL cases (and
    /// what falls through into them) run here; `default` only when no case names
    /// PostgreSQL.
    fn walk_db_switch(&mut self, node: Node<'a>) {
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        let mut cursor = body.walk();
        let cases: Vec<Node<'a>> = body.named_children(&mut cursor).collect();
        let doc = self.doc;
        let names_pg = |c: &Node| {
            c.child_by_field_name("value")
                .is_some_and(|v| doc.text(v).to_ascii_lowercase().contains("postgres"))
        };
        let any_pg = cases.iter().any(names_pg);
        let mut falling = false;
        for case in cases {
            let active = match case.kind() {
                "switch_case" => falling || names_pg(&case),
                "switch_default" => falling || !any_pg,
                _ => false,
            };
            let mut cursor = case.walk();
            let stmts: Vec<Node<'a>> = case.children_by_field_name("body", &mut cursor).collect();
            if active {
                for s in &stmts {
                    self.walk(*s);
                }
            }
            falling = active
                && !stmts.iter().any(|s| {
                    matches!(
                        s.kind(),
                        "break_statement" | "return_statement" | "throw_statement"
                    )
                });
        }
    }

    /// Whether `f` is a local function that only hands its first parameter to the
    /// query runner's `query` (`(sql) => queryRunner.query(sql)`, a one-statement
    /// block, `async` or not): a wrapper whose calls can be read like `query()`.
    fn forwards_sql(&self, f: Node) -> bool {
        if !matches!(
            f.kind(),
            "arrow_function" | "function_expression" | "function" | "function_declaration"
        ) {
            return false;
        }
        let param = first_param(f);
        let Some(param) = param.filter(|p| p.kind() == "identifier") else {
            return false;
        };
        let Some(mut body) = f.child_by_field_name("body") else {
            return false;
        };
        if body.kind() == "statement_block" {
            let mut cursor = body.walk();
            let stmts: Vec<Node> = body
                .named_children(&mut cursor)
                .filter(|n| n.kind() != "comment")
                .collect();
            match stmts.as_slice() {
                [s] if matches!(s.kind(), "expression_statement" | "return_statement") => {
                    match s.named_child(0) {
                        Some(e) => body = e,
                        None => return false,
                    }
                }
                _ => return false,
            }
        }
        while body.kind() == "await_expression" {
            match body.named_child(0) {
                Some(e) => body = e,
                None => return false,
            }
        }
        if body.kind() != "call_expression" {
            return false;
        }
        let Some(callee) = body.child_by_field_name("function") else {
            return false;
        };
        let c = chain(self.doc, callee);
        let calls_query = self.is_runner(c.root)
            && c.path.split_last().is_some_and(|(last, rest)| {
                *last == "query" && rest.iter().all(|p| is_runner_part(p))
            });
        let first_arg = body.child_by_field_name("arguments").and_then(|a| {
            let mut cursor = a.walk();
            let first = a.named_children(&mut cursor).next();
            first
        });
        calls_query
            && first_arg.is_some_and(|a| {
                a.kind() == "identifier" && self.doc.text(a) == self.doc.text(param)
            })
    }

    /// The elements of a literal array of strings (written inline or bound to a
    /// const), when every element is text the SQL reader can take.
    fn literal_elements(&self, node: Node<'a>) -> Option<Vec<Node<'a>>> {
        let array = match node.kind() {
            "array" => node,
            "identifier" => self.doc.const_value(node).filter(|v| v.kind() == "array")?,
            _ => return None,
        };
        let mut cursor = array.walk();
        let elements: Vec<Node<'a>> = array
            .named_children(&mut cursor)
            .filter(|e| e.kind() != "comment")
            .collect();
        let all_text = elements
            .iter()
            .all(|e| strings::assemble_sql(self.doc, *e).is_some());
        (all_text && !elements.is_empty() && elements.len() <= MAX_LOOP_ELEMENTS)
            .then_some(elements)
    }

    /// Walk `body` once per element with `name` bound to it; false (nothing walked)
    /// unless the body hands `name` itself to some call as its first argument — a
    /// loop over table names that builds SQL around them is read once, as before.
    fn walk_per_element(&mut self, name: &'a str, elements: Vec<Node<'a>>, body: Node<'a>) -> bool {
        if !passes_as_first_argument(self.doc, body, name) {
            return false;
        }
        for e in elements {
            self.loop_values.push((name, e));
            self.walk(body);
            self.loop_values.pop();
        }
        true
    }

    fn walk_literal_loop(&mut self, node: Node<'a>) -> bool {
        let of = node
            .child_by_field_name("operator")
            .is_some_and(|o| self.doc.text(o) == "of");
        let (Some(left), Some(right), Some(body)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
            node.child_by_field_name("body"),
        ) else {
            return false;
        };
        if !of || left.kind() != "identifier" {
            return false;
        }
        let Some(elements) = self.literal_elements(right) else {
            return false;
        };
        self.walk_per_element(self.doc.text(left), elements, body)
    }

    fn walk_literal_callback(&mut self, node: Node<'a>) -> bool {
        let Some(callee) = node
            .child_by_field_name("function")
            .filter(|f| f.kind() == "member_expression")
        else {
            return false;
        };
        let method = callee
            .child_by_field_name("property")
            .map(|p| self.doc.text(p));
        if !matches!(method, Some("forEach" | "map")) {
            return false;
        }
        let Some(elements) = callee
            .child_by_field_name("object")
            .and_then(|o| self.literal_elements(o))
        else {
            return false;
        };
        let callback = node.child_by_field_name("arguments").and_then(|a| {
            let mut cursor = a.walk();
            let first = a.named_children(&mut cursor).next();
            first
        });
        let Some(f) = callback.filter(|f| {
            matches!(
                f.kind(),
                "arrow_function" | "function_expression" | "function"
            )
        }) else {
            return false;
        };
        let param = first_param(f);
        let (Some(param), Some(body)) = (
            param.filter(|p| p.kind() == "identifier"),
            f.child_by_field_name("body"),
        ) else {
            return false;
        };
        self.walk_per_element(self.doc.text(param), elements, body)
    }

    /// `queryRunner.query('SELECT …').then(rows => queryRunner.query('UPDATE …'))`:
    /// the promise's own call and then its callbacks run in that order, and each is
    /// read like any other code (a callback's SQL built from the rows stays opaque).
    /// True when `callee` is such a `.then`/`.catch`/`.finally` on a call.
    fn walk_promise_chain(&mut self, callee: Node<'a>, method: &str) -> bool {
        if !matches!(method, "then" | "catch" | "finally") || callee.kind() != "member_expression" {
            return false;
        }
        let Some(promise) = callee
            .child_by_field_name("object")
            .filter(|o| o.kind() == "call_expression")
        else {
            return false;
        };
        let Some(args) = callee
            .parent()
            .and_then(|c| c.child_by_field_name("arguments"))
        else {
            return false;
        };
        self.walk(promise);
        self.walk(args);
        true
    }

    fn passes_runner(&self, args: Node) -> bool {
        let mut cursor = args.walk();
        let found = args.named_children(&mut cursor).any(|a| {
            let t = self.name(a);
            self.is_runner(a)
                || self.is_runner(chain(self.doc, a).root)
                || (a.kind() == "identifier"
                    && (self.query_fns.iter().any(|q| *q == t)
                        || self.derived.iter().any(|d| *d == t)))
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
        let root_name = self.name(c.root);
        let root_text: &str = &root_name;
        let is_query_fn = c.path.is_empty()
            && c.root.kind() == "identifier"
            && self.query_fns.iter().any(|q| q == root_text);
        if self.is_runner(c.root) || is_query_fn {
            let path = c.path.as_slice();
            let is_query = is_query_fn
                || path.split_last().is_some_and(|(last, rest)| {
                    *last == "query" && rest.iter().all(|p| is_runner_part(p))
                });
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
            if self.walk_promise_chain(callee, last) {
                return true;
            }
            // `….execute('<SQL>')`, a query builder's `execute()`: read where possible.
            if matches!(last, "query" | "execute")
                && self.other_handle_call(node, callee, &c, &args)
            {
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
        if c.root.kind() == "this" && c.path.len() == 1 && self.inline(c.path[0], &args) {
            return true;
        }
        if self.inline_imported(node, callee, &args) {
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
        if self.other_handle_call(node, callee, &c, &args) {
            return true;
        }
        if let Some(args_node) = node.child_by_field_name("arguments") {
            if self.passes_runner(args_node) {
                // `getVectorExtension(queryRunner)` or `this.db.getVectorExtension(…)`
                // with `getVectorExtension` declared read-only in the config.
                let name = self.doc.text(callee);
                let last = name.rsplit('.').next().unwrap_or(name);
                if self
                    .doc
                    .opts
                    .read_only_helpers
                    .iter()
                    .any(|h| h == name || h == last)
                {
                    return true;
                }
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

    /// Calls that reach the database without the query runner, or run code no rule
    /// can read: `AppDataSource.query(…)`, `this.dataSource.query`, a `pg` client's
    /// `query`, a query builder's `execute()`, `eval`, `new Function`, a child
    /// process, `import()`. True when handled.
    fn other_handle_call(
        &mut self,
        node: Node<'a>,
        callee: Node<'a>,
        c: &Chain<'a>,
        args: &[Node<'a>],
    ) -> bool {
        let callee_text = self.doc.text(callee);
        let last = c.path.last().copied();
        if matches!(last, Some("query" | "execute")) {
            let literal = args
                .first()
                .filter(|a| strings::assemble_sql(self.doc, self.loop_value(**a)).is_some());
            if let Some(arg) = literal {
                // Literal SQL, whatever the handle: read it like queryRunner.query.
                self.query(node, Some(*arg));
                return true;
            }
            if let Some(kind) = query_builder_write(self.doc, node) {
                // The SQL the query builder sends, shown at the call.
                self.push(node, kind, OpSource::Sql);
                return true;
            }
            if last == Some("query") {
                self.opaque_sql(
                    node,
                    format!("`{}` runs SQL built at run time", short(callee_text)),
                );
            } else {
                self.opaque(
                    node,
                    format!("`{}` runs a query migguard cannot read", short(callee_text)),
                );
            }
            return true;
        }
        let code_at_run_time = match callee.kind() {
            "identifier" => matches!(callee_text, "eval" | "Function"),
            "import" => true,
            _ => false,
        } || c.root.kind() == "identifier"
            && c.path.len() == 1
            && self.doc.text(c.root) == "Reflect"
            && self.mentions_runner(node);
        if code_at_run_time || self.mentions_runner(callee) {
            self.opaque(
                node,
                format!(
                    "`{}` runs code migguard cannot read statically",
                    short(callee_text)
                ),
            );
            return true;
        }
        if is_child_process(self.doc, callee, c) {
            self.opaque(
                node,
                format!(
                    "`{}` runs another program (psql?), which migguard cannot read",
                    short(callee_text)
                ),
            );
            return true;
        }
        false
    }

    /// A loop variable stands for the element of the iteration being read.
    fn loop_value(&self, arg: Node<'a>) -> Node<'a> {
        match self
            .loop_values
            .iter()
            .rev()
            .find(|(name, _)| arg.kind() == "identifier" && self.doc.text(arg) == *name)
        {
            Some((_, element)) => *element,
            None => arg,
        }
    }

    fn query(&mut self, call: Node<'a>, arg0: Option<Node<'a>>) {
        let Some(arg) = arg0 else {
            self.opaque_sql(call, "query() without SQL".into());
            return;
        };
        let arg = self.loop_value(arg);
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
            read_statements_in(&input, self.doc.opts, self.session)
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
            guard: None,
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

/// `exec`, `execSync`, `spawn`… of `child_process` (imported or `require`d), or
/// any call on `require("child_process")`.
fn is_child_process(doc: &Doc, callee: Node, c: &Chain) -> bool {
    const RUNNERS: &[&str] = &[
        "exec",
        "execSync",
        "execFile",
        "execFileSync",
        "spawn",
        "spawnSync",
        "fork",
    ];
    let text = doc.text(callee);
    if text.contains("child_process") {
        return true;
    }
    let last = c.path.last().copied().unwrap_or(text);
    RUNNERS.contains(&last) && doc.src.contains("child_process")
}

/// A TypeORM query builder's write, `createQueryBuilder().delete().from(User)
/// .where(…).execute()`: DELETE, UPDATE or INSERT of the table it names (an entity
/// class stands for its table), with or without a WHERE — classified like the SQL
/// TypeORM sends.
fn query_builder_write(doc: &Doc, execute_call: Node) -> Option<OpKind> {
    // (method, first argument) of every call down the chain.
    let mut calls: Vec<(&str, Option<Node>)> = Vec::new();
    let mut n = execute_call;
    loop {
        match n.kind() {
            "call_expression" => {
                let f = n.child_by_field_name("function")?;
                let first = n
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0));
                if let Some(p) = f.child_by_field_name("property") {
                    calls.push((member_name(doc.text(p)), first));
                }
                n = f;
            }
            "member_expression" => n = n.child_by_field_name("object")?,
            "await_expression" | "parenthesized_expression" | "non_null_expression" => {
                n = n.named_child(0)?
            }
            _ => break,
        }
    }
    if !calls.iter().any(|(m, _)| *m == "createQueryBuilder") {
        return None;
    }
    let has_where = calls
        .iter()
        .any(|(m, _)| m.contains("where") || m.contains("Where"));
    let table_of = |method: &str| {
        calls
            .iter()
            .find(|(m, _)| *m == method)
            .and_then(|(_, a)| *a)
            .map(|a| {
                doc.text(a)
                    .trim_matches(|c| c == '"' || c == '\'' || c == '`')
            })
            .map(|t| crate::ir::QualifiedName::from_typeorm_path(t, &doc.opts.default_schema))
    };
    if calls
        .iter()
        .any(|(m, _)| matches!(*m, "delete" | "softDelete"))
    {
        let table = table_of("from").or_else(|| table_of("createQueryBuilder"))?;
        return Some(OpKind::Delete { table, has_where });
    }
    if calls.iter().any(|(m, _)| *m == "update") {
        let table = table_of("update").or_else(|| table_of("createQueryBuilder"))?;
        return Some(OpKind::Update { table, has_where });
    }
    if calls.iter().any(|(m, _)| *m == "insert") {
        let table = table_of("into").or_else(|| table_of("createQueryBuilder"))?;
        return Some(OpKind::Insert { table });
    }
    None
}

/// Database drivers other than PostgreSQL, as multi-database migrations name them.
const OTHER_DATABASES: &[&str] = &[
    "sqlite",
    "mysql",
    "mariadb",
    "mssql",
    "oracle",
    "sap",
    "spanner",
    "cockroach",
    "mongodb",
    "sqljs",
    "cordova",
    "capacitor",
    "expo",
    "nativescript",
    "react-native",
];

/// An expression that reads which database the migration runs against.
fn is_db_type(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "options.type",
        "databasetype",
        "dbtype",
        "db_type",
        "driver.options",
    ]
    .iter()
    .any(|k| t.contains(k))
}

/// For `if (<database type test>)`: whether the consequence is the PostgreSQL path;
/// `None` when the condition is not such a test or is too complex to tell.
pub(super) fn db_branch(cond: &str) -> Option<bool> {
    if !is_db_type(cond) || cond.contains("&&") {
        return None;
    }
    let t = cond.to_ascii_lowercase();
    let pg = t.contains("postgres");
    let other = OTHER_DATABASES.iter().any(|d| t.contains(d));
    if pg == other {
        return None;
    }
    let negated = t.contains("!=") || t.trim_start_matches('(').trim_start().starts_with('!');
    if negated && t.contains("||") {
        return None;
    }
    Some(negated != pg)
}

fn short(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}
