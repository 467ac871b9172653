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
    /// PostgreSQL.
    pub(super) fn walk_db_switch(&mut self, node: Node<'a>) {
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

/// For `if (<database type test>)`: whether the consequence is the PostgreSQL path;
/// `None` when the condition is not such a test or is too complex to tell.
pub(in crate::parse::typeorm) fn db_branch(cond: &str) -> Option<bool> {
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
