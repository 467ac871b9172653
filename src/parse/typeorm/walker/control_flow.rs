//! Which code runs, and how often: only the PostgreSQL path of database-type
//! branches (`switch`/`if` on `options.type`), and a loop over a literal array of SQL
//! strings read once per element with the loop variable bound to it.

use super::super::{next_node, strings, Doc};
use super::bindings::first_param;
use super::Walker;
use tree_sitter::Node;

/// Longest literal array whose loop body is read once per element.
const MAX_LOOP_ELEMENTS: usize = 200;

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

impl<'a> Walker<'_, 'a, '_> {
    /// `switch (queryRunner.connection.options.type)`: only the PostgreSQL cases (and
    /// what falls through into them) run here; `default` only when no case names
    /// PostgreSQL. A case naming no database migguard knows (`case DbType.PG:`) may
    /// be PostgreSQL's, so it is read too.
    pub(super) fn walk_db_switch(&mut self, node: Node<'a>) {
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        let mut cursor = body.walk();
        let cases: Vec<Node<'a>> = body.named_children(&mut cursor).collect();
        let doc = self.doc;
        let names = |c: &Node| {
            c.child_by_field_name("value").and_then(|v| match v.kind() {
                "string" | "template_string" | "member_expression" => names_literal(doc, v),
                _ => names_database(doc.text(v)),
            })
        };
        let any_pg = cases.iter().any(|c| names(c) == Some(true));
        let mut falling = false;
        for case in cases {
            let active = match case.kind() {
                "switch_case" => falling || names(&case) != Some(false),
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

    pub(super) fn walk_literal_loop(&mut self, node: Node<'a>) -> bool {
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

    pub(super) fn walk_literal_callback(&mut self, node: Node<'a>) -> bool {
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

    /// A loop variable stands for the element of the iteration being read.
    pub(super) fn loop_value(&self, arg: Node<'a>) -> Node<'a> {
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
pub(super) fn is_db_type(text: &str) -> bool {
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

/// Whether the text of a value names PostgreSQL (`Some(true)`), another database
/// (`Some(false)`), or neither or both (`None`).
fn names_database(text: &str) -> Option<bool> {
    let t = text.to_ascii_lowercase();
    let pg = t.contains("postgres");
    let other = OTHER_DATABASES.iter().any(|d| t.contains(d));
    (pg != other).then_some(pg)
}

/// Constants followed from a condition into the test they are bound to
/// (`const isSqlite = […].includes(…)`), at most this deep.
const MAX_CONDITION_DEPTH: usize = 8;

/// What a database type test (`if`, `?:`) evaluates to on PostgreSQL: `Some(true)`
/// when it is true there, `Some(false)` when false, `None` when it is not such a test
/// or only the running code knows. Comparisons of the database type with a name
/// (`===`, `!==`, `[…].includes(type)`, `type.startsWith(…)`) are its leaves; `!`,
/// `&&` and `||` combine them in three-valued logic (`type === 'sqlite' && flag` is
/// false on PostgreSQL whatever `flag` is; `type === 'postgres' || flag` true), and a
/// constant stands for the test it is bound to.
pub(super) fn db_condition<'a>(doc: &Doc<'a>, node: Node<'a>) -> Option<bool> {
    db_condition_at(doc, node, 0)
}

fn db_condition_at<'a>(doc: &Doc<'a>, node: Node<'a>, depth: usize) -> Option<bool> {
    if depth > MAX_CONDITION_DEPTH {
        return None;
    }
    let inner = |n: Node<'a>| db_condition_at(doc, n, depth + 1);
    match node.kind() {
        "parenthesized_expression"
        | "as_expression"
        | "non_null_expression"
        | "satisfies_expression" => inner(node.named_child(0)?),
        "unary_expression"
            if node.child_by_field_name("operator").map(|o| doc.text(o)) == Some("!") =>
        {
            inner(node.child_by_field_name("argument")?).map(|v| !v)
        }
        "identifier" => inner(doc.const_value(node)?),
        "binary_expression" => {
            let (left, right) = (
                node.child_by_field_name("left")?,
                node.child_by_field_name("right")?,
            );
            match doc.text(node.child_by_field_name("operator")?) {
                "||" => match (inner(left), inner(right)) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                },
                "&&" => match (inner(left), inner(right)) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                },
                op @ ("===" | "==" | "!==" | "!=") => {
                    let equal = compared_name(doc, left, right)
                        .or_else(|| compared_name(doc, right, left))?;
                    Some(equal == matches!(op, "===" | "=="))
                }
                _ => None,
            }
        }
        "call_expression" => {
            let callee = node.child_by_field_name("function")?;
            let method = doc.text(callee.child_by_field_name("property")?);
            let object = callee.child_by_field_name("object")?;
            let first = node.child_by_field_name("arguments")?.named_child(0)?;
            match method {
                // `['sqlite', 'better-sqlite3'].includes(type)`
                "includes" if is_db_type(doc.text(first)) => {
                    let array = match object.kind() {
                        "identifier" => doc.const_value(object)?,
                        _ => object,
                    };
                    if array.kind() != "array" {
                        return None;
                    }
                    let mut cursor = array.walk();
                    let names: Vec<Option<bool>> = array
                        .named_children(&mut cursor)
                        // Each element is compared whole, as `===` compares it:
                        // `'postgres-legacy'` is not PostgreSQL's name.
                        .map(|e| names_literal(doc, e))
                        .collect();
                    if names.contains(&Some(true)) {
                        Some(true)
                    } else {
                        (!names.is_empty() && names.iter().all(|n| *n == Some(false)))
                            .then_some(false)
                    }
                }
                // `type.startsWith('postgres')`
                "includes" | "startsWith" | "endsWith" if is_db_type(doc.text(object)) => {
                    names_literal(doc, first)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `type === <name>`: whether the name compared with the database type is
/// PostgreSQL's, when `db` reads the type and `name` is a literal or an enum member.
fn compared_name(doc: &Doc, db: Node, name: Node) -> Option<bool> {
    let reads_type = (is_db_type(doc.text(db)) && names_database(doc.text(db)).is_none())
        || destructured_db_type(doc, db);
    reads_type.then(|| names_literal(doc, name)).flatten()
}

/// `type` after `const { type } = queryRunner.connection.options` (or `{ type: kind }`):
/// the nearest declaration of the name in the blocks around it, before it and inside
/// the same function, is that destructuring. A nearer declaration shadows it.
fn destructured_db_type(doc: &Doc, ident: Node) -> bool {
    if ident.kind() != "identifier" {
        return false;
    }
    let name = doc.text(ident);
    let mut scope = ident.parent();
    while let Some(block) = scope {
        if matches!(block.kind(), "statement_block" | "program") {
            let mut cursor = block.walk();
            let mut found = None;
            for statement in block.named_children(&mut cursor) {
                if statement.start_byte() >= ident.start_byte() {
                    break;
                }
                if !matches!(
                    statement.kind(),
                    "lexical_declaration" | "variable_declaration"
                ) {
                    continue;
                }
                let mut inner = statement.walk();
                for declarator in statement.named_children(&mut inner) {
                    if let Some(from_options) = declares(doc, declarator, name) {
                        found = Some(from_options);
                    }
                }
            }
            if let Some(from_options) = found {
                return from_options;
            }
            // A function's parameters may shadow the name: look no further out.
            if block
                .parent()
                .is_some_and(|f| crate::parse::typeorm::is_function(f.kind()))
            {
                return false;
            }
        }
        scope = block.parent();
    }
    false
}

/// Whether `declarator` declares `name`: `Some(true)` when it takes it apart from the
/// connection's options as its `type`, `Some(false)` for any other declaration of it.
fn declares(doc: &Doc, declarator: Node, name: &str) -> Option<bool> {
    let pattern = declarator.child_by_field_name("name")?;
    if pattern.kind() == "identifier" {
        return (doc.text(pattern) == name).then_some(false);
    }
    if pattern.kind() != "object_pattern" {
        return None;
    }
    let from_options = declarator
        .child_by_field_name("value")
        .is_some_and(|v| doc.text(v).trim_end().ends_with(".options"));
    let mut cursor = pattern.walk();
    let mut result = None;
    for part in pattern.named_children(&mut cursor) {
        let (key, bound) = match part.kind() {
            "shorthand_property_identifier_pattern" => (doc.text(part), doc.text(part)),
            // `{ type = 'postgres' }`: a default that may stand in for the option.
            "object_assignment_pattern" => match part.child_by_field_name("left") {
                Some(left) => ("", doc.text(left)),
                None => continue,
            },
            "pair_pattern" => match (
                part.child_by_field_name("key"),
                part.child_by_field_name("value"),
            ) {
                (Some(k), Some(v)) => (doc.text(k), doc.text(v)),
                _ => continue,
            },
            _ => continue,
        };
        if bound == name {
            result = Some(from_options && key == "type");
        }
    }
    result
}

/// A string literal or a member (`DatabaseTypeEnum.postgres`) naming a database. A
/// string is PostgreSQL's only when it is the driver's name, `postgres`: another one
/// holding the word (`'postgres-legacy'`, `` `postgres${x}` ``) is never equal to it.
fn names_literal(doc: &Doc, node: Node) -> Option<bool> {
    match node.kind() {
        "member_expression" => names_database(doc.text(node)),
        "string" | "template_string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution")
            {
                return None;
            }
            let value = doc
                .text(node)
                .trim_matches(|c| c == '\'' || c == '"' || c == '`');
            match names_database(value) {
                Some(true) => (value == "postgres").then_some(true),
                other => other,
            }
        }
        _ => None,
    }
}
