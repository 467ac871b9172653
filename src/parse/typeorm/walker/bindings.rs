//! Which names stand for the query runner: the parameter and its aliases,
//! destructured `query`/`manager`/`connection`, wrappers that only forward SQL to
//! it, and values taken from it that can still act on the database. Callees are
//! flattened to a root and a member path ([`Chain`]) to compare them.

use super::super::{strings, Doc};
use super::Walker;
use tree_sitter::Node;

/// A callee flattened: `queryRunner.manager.getRepository(X).delete` →
/// root `queryRunner`, path `[manager, getRepository, delete]`.
pub(super) struct Chain<'a> {
    pub(super) root: Node<'a>,
    pub(super) path: Vec<&'a str>,
}

pub(super) fn chain<'a>(doc: &Doc<'a>, mut node: Node<'a>) -> Chain<'a> {
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

pub(super) fn member_name(written: &str) -> &str {
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
pub(super) fn first_param(f: Node) -> Option<Node> {
    f.child_by_field_name("parameter").or_else(|| {
        let params = f.child_by_field_name("parameters")?;
        let mut cursor = params.walk();
        let first = params.named_children(&mut cursor).next()?;
        Some(first.child_by_field_name("pattern").unwrap_or(first))
    })
}

/// `manager`, `connection`, `dataSource`: objects on the query runner whose `query`
/// runs SQL just like its own.
pub(super) fn is_runner_part(p: &str) -> bool {
    matches!(p, "manager" | "connection" | "dataSource")
}

/// Whether a value taken from the query runner can act on the database (a repository,
/// a query builder, a method reference) rather than being data it returned.
pub(super) fn is_handle(value: Node, c: &Chain) -> bool {
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

impl<'a> Walker<'_, 'a, '_> {
    pub(super) fn is_runner(&self, node: Node) -> bool {
        node.kind() == "identifier" && self.runners.iter().any(|r| *r == self.name(node))
    }

    /// An identifier as JavaScript reads it (unicode escapes decoded).
    pub(super) fn name(&self, node: Node) -> std::borrow::Cow<'a, str> {
        strings::decode_identifier(self.doc.text(node))
    }

    /// Whether a call's callee mentions the query runner (or something taken from
    /// it) anywhere: `(0, queryRunner.query)(…)`, `queryRunner[method](…)`,
    /// `Reflect.apply(queryRunner.query, …)` hand it on in ways no rule reads.
    pub(super) fn mentions_runner(&self, node: Node) -> bool {
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
    pub(super) fn bind_pattern(&mut self, pattern: Node) {
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
                                        && (is_runner_part(self.doc.text(k))
                                            || self.doc.text(k) == "queryRunner") =>
                                {
                                    self.bind_pattern(v);
                                    continue;
                                }
                                (Some(k), Some(v)) if v.kind() == "identifier" => {
                                    (self.doc.text(k), self.doc.text(v))
                                }
                                // `{ schemaBuilder: { dropColumns } }`, `{ x = … }`:
                                // every name bound inside is taken from the value.
                                (Some(_), Some(v)) => {
                                    self.bind_taken_from_runner(v);
                                    continue;
                                }
                                _ => continue,
                            }
                        }
                        "object_assignment_pattern" | "rest_pattern" => {
                            self.bind_taken_from_runner(p);
                            continue;
                        }
                        _ => continue,
                    };
                    match key {
                        "query" => self.query_fns.push(local.to_string()),
                        // `queryRunner`: a wrapper's context object (n8n's
                        // `up({ queryRunner, tablePrefix })`) hands on the runner.
                        "manager" | "connection" | "dataSource" | "queryRunner" => {
                            self.runners.push(local.to_string())
                        }
                        // Anything else taken from the runner (or from a context
                        // object a wrapper passes instead) may be a function that
                        // reaches the database (`dropColumns`, `runQuery`): its calls
                        // are opaque, never silently nothing.
                        _ => self.derived.push(local.to_string()),
                    }
                }
            }
            _ => {}
        }
    }

    /// Every identifier a destructuring pattern binds, as something taken from the query
    /// runner: its calls are opaque (see [`Walker::bind_pattern`]).
    pub(super) fn bind_taken_from_runner(&mut self, pattern: Node) {
        let mut stack = vec![pattern];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "identifier" | "shorthand_property_identifier_pattern" => {
                    self.derived.push(self.name(n).into_owned())
                }
                // A default value or a key names nothing that is bound.
                "object_assignment_pattern" | "assignment_pattern" => {
                    if let Some(left) = n.child_by_field_name("left") {
                        stack.push(left);
                    }
                }
                "pair_pattern" => {
                    if let Some(value) = n.child_by_field_name("value") {
                        stack.push(value);
                    }
                }
                _ => {
                    let mut cursor = n.walk();
                    stack.extend(n.named_children(&mut cursor));
                }
            }
        }
    }

    /// Whether `f` is a local function that only hands its first parameter to the
    /// query runner's `query` (`(sql) => queryRunner.query(sql)`, a one-statement
    /// block, `async` or not): a wrapper whose calls can be read like `query()`.
    pub(super) fn forwards_sql(&self, f: Node) -> bool {
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

    pub(super) fn passes_runner(&self, args: Node) -> bool {
        let mut cursor = args.walk();
        let found = args.named_children(&mut cursor).any(|a| {
            let t = self.name(a);
            let c = chain(self.doc, a);
            // `queryRunner.connection.options.type` is the driver's name, a string
            // that can run nothing (the options themselves could open a connection).
            let db_type = c.path.windows(2).any(|w| w == ["options", "type"]);
            self.is_runner(a)
                || (self.is_runner(c.root) && !db_type)
                || (a.kind() == "identifier"
                    && (self.query_fns.iter().any(|q| *q == t)
                        || self.derived.iter().any(|d| *d == t)))
        });
        found
    }
}
