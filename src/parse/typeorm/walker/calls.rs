//! What one call does: `query()` (SQL for the SQL reader), a QueryRunner builder
//! method, a same-class or imported helper read inline, another handle's `query`/
//! `execute`, or code that could reach the database unread (opaque).

use super::super::builder::{builder_call, Builder, READ_ONLY_METHODS};
use super::super::{imports, strings, Doc, EmbeddedSql};
use super::bindings::{chain, is_runner_part, member_name, Chain};
use super::{short, Methods, Walker, MAX_INLINE_DEPTH};
use crate::ir::{OpKind, OpSource, Operation, Origin};
use crate::parse::sql::{read_statements_in, SqlInput};
use crate::parse::typeorm;
use crate::source::SourceFile;
use std::path::PathBuf;
use tree_sitter::Node;

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
    /// `this.helper(queryRunner)` with `helper` a method of the same class: read its
    /// body with the query runner bound to the matching parameter.
    fn inline(&mut self, call: Node<'a>, name: &'a str, args: &[Node<'a>]) -> bool {
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
            read_ahead: Default::default(),
        };
        for p in runner_params {
            sub.bind_pattern(p.child_by_field_name("pattern").unwrap_or(p));
        }
        if let Some(body) = func.child_by_field_name("body") {
            sub.walk(body);
        }
        let ops = sub.ops;
        self.extend_at_call(call, ops, self.doc.file.path.clone());
        true
    }

    /// Ops read inside a helper, shown at `call` (where `up()` reaches the helper,
    /// and where a `migguard-ignore` goes), each remembering where in `helper_file`
    /// it is written. An op a nested helper produced keeps its innermost origin.
    fn extend_at_call(&mut self, call: Node<'a>, ops: Vec<Operation>, helper_file: PathBuf) {
        let at = self.doc.span(call);
        self.ops.extend(ops.into_iter().map(|mut op| {
            if op.origin.is_none() {
                op.origin = Some(Box::new(Origin {
                    file: helper_file.clone(),
                    span: op.span,
                    anchor_line: op.anchor_line,
                }));
            }
            op.span = at;
            op.anchor_line = at.line;
            op
        }));
    }

    fn depth(&self) -> usize {
        self.outer_depth + self.inlining.len()
    }

    /// `addAuditColumns(queryRunner, …)` with the function imported from a relative
    /// module: read it like a same-class helper, in its own file. The ops are shown at
    /// the call (a `migguard-ignore` above the call must apply to them) with their
    /// place in the helper file as their origin; their text is the helper's statement.
    fn inline_imported(&mut self, call: Node<'a>, callee: Node<'a>, args: &[Node<'a>]) -> bool {
        if !args.iter().any(|a| self.is_runner(*a)) || self.depth() >= MAX_INLINE_DEPTH {
            return false;
        }
        let Some((path, name)) = imports::imported_callee(self.doc, callee)
            .and_then(|(path, name)| imports::locate_export(path, name, self.doc.opts))
        else {
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
        let Some(tree) = typeorm::parse(src) else {
            return false;
        };
        let root = tree.root_node();
        if root.has_error() {
            // A helper that does not parse is not read as if it did nothing.
            return false;
        }
        let col = typeorm::collect(root, src);
        let mut doc = Doc::new(src, &file, self.doc.opts, &col);
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
        self.bind_arguments(&mut doc, func, &params, args, &col.reassigned);
        let methods = Methods::new();
        // `query()` strings of the helper live in the helper file: their comments are
        // not the migration's.
        let mut embedded = Vec::new();
        let mut followed = self.followed.clone();
        followed.push((path.clone(), name));
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
            read_ahead: Default::default(),
        };
        for p in runner_params {
            sub.bind_pattern(p.child_by_field_name("pattern").unwrap_or(p));
        }
        if let Some(body) = func.child_by_field_name("body") {
            sub.walk(body);
        }
        let ops = sub.ops;
        self.extend_at_call(call, ops, path);
        true
    }

    /// Handle one call; true when it was fully handled (its children need no walk).
    /// Bind the helper's parameters to what the call passes: the text of an
    /// argument the caller can read (a literal, a template of constants, its own bound
    /// parameter), else the default value for an argument left out or `undefined`.
    /// A parameter the helper reassigns, or one after a spread argument, stays
    /// unbound (`None`): only the running code knows it.
    fn bind_arguments(
        &self,
        helper: &mut Doc,
        func: Node,
        params: &[Node],
        args: &[Node<'a>],
        reassigned: &[(&str, usize)],
    ) {
        let range = (func.start_byte(), func.end_byte());
        helper.arguments = Some(typeorm::BoundArguments {
            function: range,
            params: Vec::new(),
        });
        let spread_at = args.iter().position(|a| a.kind() == "spread_element");
        for (i, param) in params.iter().enumerate() {
            let pattern = param.child_by_field_name("pattern").unwrap_or(*param);
            if pattern.kind() != "identifier" {
                continue;
            }
            let name = helper.text(pattern).to_string();
            let is_reassigned = reassigned
                .iter()
                .any(|(n, at)| *n == name && range.0 <= *at && *at < range.1);
            let passed = args.get(i).filter(|a| self.doc.text(**a) != "undefined");
            let value = match (passed, spread_at) {
                _ if is_reassigned => None,
                (_, Some(s)) if s <= i => None,
                (Some(a), _) => strings::resolve_string(self.doc, self.loop_value(*a)),
                // A default may name earlier parameters, which are bound by now.
                (None, _) => param
                    .child_by_field_name("value")
                    .and_then(|d| strings::resolve_string(helper, d)),
            };
            if let Some(bound) = &mut helper.arguments {
                bound.params.push((name, value));
            }
        }
    }

    pub(super) fn call(&mut self, node: Node<'a>) -> bool {
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
                            // An argument only known at run time (a column's
                            // `default: tenant`) stands as a placeholder in the op.
                            let dynamic = kind.has_run_time_part();
                            self.push(
                                node,
                                kind,
                                OpSource::Builder {
                                    method: method.to_string(),
                                },
                            );
                            if let Some(op) = self.ops.last_mut() {
                                op.dynamic = dynamic;
                            }
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
        if c.root.kind() == "this" && c.path.len() == 1 && self.inline(node, c.path[0], &args) {
            return true;
        }
        if self.inline_imported(node, callee, &args) {
            return true;
        }
        let is_derived =
            c.root.kind() == "identifier" && self.derived.iter().any(|d| d == root_text);
        if is_derived {
            let last = c.path.last().copied().unwrap_or("");
            if READ_ONLY_CHAIN_METHODS.contains(&last) || self.is_read_only_helper(callee) {
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
                if self.is_read_only_helper(callee) {
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

    /// Whether the config declares `callee` read-only (`[typeorm] read_only_helpers`), by
    /// its full text (`escape.tableName`) or its last name (`getVectorExtension`).
    fn is_read_only_helper(&self, callee: Node) -> bool {
        let name = self.doc.text(callee);
        let last = name.rsplit('.').next().unwrap_or(name);
        self.doc
            .opts
            .read_only_helpers
            .iter()
            .any(|h| h == name || h == last)
    }

    /// Calls that reach the database without the query runner, or run code no rule
    /// can read: `AppDataSource.query(…)`, `this.dataSource.query`, a `pg` client's
    /// `query`, a query builder's `execute()`, `eval`, `new Function`, a child
    /// process, `import()`. True when handled.
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
