//! The value a name holds at a use when it is no constant: tsc's `--target es5`
//! output hoists every `const` of an async method to one bare `var` of the
//! `__awaiter` callback and assigns it where the declaration was (`query = "INSERT
//! …"; return [4, queryRunner.query(query)]`, one `var` for several `const`s of the
//! same name), and a `let` may be reassigned. The assignment that reaches the use in
//! straight-line code is its value; anything that may run another assignment in
//! between (a branch, a loop, a closure that writes the name) leaves it unknown, so
//! the SQL stays dynamic as before.

use super::is_function;
use tree_sitter::Node;

fn is_statement(kind: &str) -> bool {
    kind.ends_with("statement") || kind.ends_with("declaration") || kind == "statement_block"
}

/// The value `ident` (a use of `name`) holds: the right side of the last plain
/// assignment `name = …` (or declaration with a value) among the statements before
/// the one holding the use, in the innermost statement list where there is one,
/// provided nothing between them, nor the statement holding the use, writes `name`,
/// and no closure sharing the variable writes it. `writes` are the positions of every
/// assignment to a plain `name` in the file (the closure check).
pub(super) fn reaching_value<'a>(
    src: &str,
    name: &str,
    ident: Node<'a>,
    writes: &[usize],
) -> Option<Node<'a>> {
    if writes
        .iter()
        .any(|&at| written_by_a_closure(src, name, ident, at))
    {
        return None;
    }
    let mut statement = ident;
    loop {
        let parent = statement.parent()?;
        if is_function(parent.kind()) || parent.kind() == "class_body" {
            return None;
        }
        let in_list = matches!(parent.kind(), "statement_block" | "switch_case" | "program")
            && is_statement(statement.kind());
        if !in_list {
            statement = parent;
            continue;
        }
        if writes_name(src, name, statement) {
            return None;
        }
        let mut previous = statement.prev_named_sibling();
        while let Some(p) = previous {
            if let Some(value) = assigned_value(src, name, p) {
                return value;
            }
            if writes_name(src, name, p) {
                return None;
            }
            // A `case` label's value: statements before it belong to another case.
            if !(is_statement(p.kind()) || p.kind() == "comment") {
                break;
            }
            previous = p.prev_named_sibling();
        }
        statement = parent;
    }
}

/// `Some(Some(value))` when statement `s` is `name = value;` or declares `name` with a
/// value, `Some(None)` when it declares `name` without one (`var name;`).
fn assigned_value<'a>(src: &str, name: &str, s: Node<'a>) -> Option<Option<Node<'a>>> {
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    match s.kind() {
        "expression_statement" => {
            let e = s.named_child(0)?;
            let left = e.child_by_field_name("left")?;
            (e.kind() == "assignment_expression"
                && left.kind() == "identifier"
                && text(left) == name)
                .then(|| e.child_by_field_name("right"))
        }
        "variable_declaration" | "lexical_declaration" => {
            let mut cursor = s.walk();
            let declarators: Vec<Node> = s
                .named_children(&mut cursor)
                .filter(|d| d.kind() == "variable_declarator")
                .filter(|d| {
                    d.child_by_field_name("name")
                        .is_some_and(|n| text(n) == name)
                })
                .collect();
            // A later write in the same declaration list (`var a = 1, name = f(a)`) is
            // still only this one statement; the last declarator wins.
            declarators.last().map(|d| d.child_by_field_name("value"))
        }
        _ => None,
    }
}

/// Whether anything in `node` may change `name`: an assignment (plain, compound or
/// destructuring), `++`/`--`, a `for … in/of` binding, or a declaration of it.
fn writes_name(src: &str, name: &str, node: Node) -> bool {
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    let names_it = |target: Node| {
        let mut stack = vec![target];
        while let Some(n) = stack.pop() {
            if matches!(
                n.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) && text(n) == name
            {
                return true;
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        false
    };
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        let target = match n.kind() {
            "assignment_expression" | "augmented_assignment_expression" | "for_in_statement" => {
                n.child_by_field_name("left")
            }
            "update_expression" => n.child_by_field_name("argument"),
            "variable_declarator" => n.child_by_field_name("name"),
            _ => None,
        };
        if target.is_some_and(names_it) {
            return true;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    false
}

/// Whether the write of `name` at byte `at` is inside a function that does not hold
/// the use and that shares the use's variable (no function between the write and
/// what it shares with the use declares its own `name`).
fn written_by_a_closure(src: &str, name: &str, use_: Node, at: usize) -> bool {
    let root = {
        let mut n = use_;
        while let Some(p) = n.parent() {
            n = p;
        }
        n
    };
    let Some(write) = root.descendant_for_byte_range(at, at) else {
        return true;
    };
    let holds_use =
        |n: Node| n.start_byte() <= use_.start_byte() && use_.end_byte() <= n.end_byte();
    let mut n = write;
    let mut in_other_function = false;
    while let Some(p) = n.parent() {
        n = p;
        if holds_use(n) {
            break;
        }
        if is_function(n.kind()) {
            if declares(src, name, n, at) {
                // Its own variable of that name: not the one the use reads.
                return false;
            }
            in_other_function = true;
        }
    }
    in_other_function
}

/// Whether function `f` declares the `name` written at byte `at` itself: a
/// parameter, a `var` in its body outside nested functions, or a `let`/`const` whose
/// block holds the write.
fn declares(src: &str, name: &str, f: Node, at: usize) -> bool {
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    let mut stack = Vec::new();
    let mut cursor = f.walk();
    stack.extend(f.named_children(&mut cursor));
    while let Some(n) = stack.pop() {
        if is_function(n.kind()) {
            continue;
        }
        let declared = match n.kind() {
            "variable_declarator" => n.child_by_field_name("name").filter(|_| {
                let block_scoped = n
                    .parent()
                    .is_some_and(|d| d.kind() == "lexical_declaration");
                let block = n.parent().and_then(|d| d.parent());
                !block_scoped || block.is_some_and(|b| b.start_byte() <= at && at < b.end_byte())
            }),
            "identifier"
                if n.parent().is_some_and(|p| {
                    p.kind() == "formal_parameters" || p.child_by_field_name("parameter") == Some(n)
                }) =>
            {
                Some(n)
            }
            "required_parameter" | "optional_parameter" => n.child_by_field_name("pattern"),
            _ => None,
        };
        if declared.is_some_and(|d| text(d) == name) {
            return true;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    false
}
