//! TypeORM reader: migration classes in TypeScript or compiled JavaScript.
//!
//! The release image only carries `dist/`, so the same reader must handle `.ts`
//! sources and tsc output (CommonJS `exports.X = X`, `module.exports = class …`,
//! downlevel `__awaiter(…, function* () { yield … })`). tree-sitter's TypeScript
//! grammar parses both. One parse per file, one thread-local parser per thread.
//!
//! This module parses, collects what the whole file knows (constants, comments,
//! syntax errors) and finds the migration classes ([`classes`]; a class TypeORM would
//! load without an `up` of its own runs the one it inherits, [`inherit`]). What a
//! migration does is read from its `up()` body ([`walker`]; `down()` only for the
//! `migguard` directives in its SQL strings' comments): `query(...)`
//! calls (on the query runner or any other handle) are assembled to SQL ([`strings`])
//! and handed to the SQL reader; QueryRunner builder calls are mapped to ops
//! ([`builder`], over statically evaluated values, [`values`]); anything else that
//! could change the schema and cannot be read statically becomes an `opaque` op (fail
//! closed).

mod builder;
mod classes;
mod comments;
pub mod data_source;
mod imports;
mod inherit;
mod straight_line;
mod strings;
mod tsconfig;
mod values;
mod walker;

use super::ReadOptions;
use crate::ir::{Migration, MigrationFormat, MigrationOrder, ReadError, Span};
use crate::source::SourceFile;
use classes::{has_up_method, header_comments, read_class, read_es5_class, top_level_statement};
use std::cell::RefCell;
use std::collections::HashMap;
pub(crate) use strings::EmbeddedSql;
use tree_sitter::{Node, Parser, Tree};
#[cfg(test)]
use {
    crate::ir::{OpKind, OpSource, Operation},
    classes::timestamp,
};

/// The one grammar [`parse`] reads files with.
fn grammar() -> tree_sitter::Language {
    tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
}

thread_local! {
    /// Parsers are expensive to create and not `Sync`: one per rayon worker thread.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    /// What [`collect`] does with each kind of the grammar: sorted once per thread
    /// (per file, it was a visible share of the walk it saves).
    static COLLECTED_KINDS: Vec<Collects> = collected_kinds(&grammar());
}

/// At most this many syntax errors are reported per file; the rest add nothing.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Every migration class in the file (a file may hold several).
pub fn read_typeorm_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    read(file, opts).0
}

/// The migration settings of a TypeORM DataSource or ormconfig file (for `migguard
/// init`), read statically; `None` when the file holds no options object.
pub fn read_data_source(file: &SourceFile) -> Option<data_source::DataSourceOptions> {
    let src = file.text.as_str();
    let tree = parse(src)?;
    let root = tree.root_node();
    let col = collect(root, src);
    let opts = ReadOptions::default();
    let doc = Doc::new(src, file, &opts, &col);
    data_source::find(&doc, root)
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
            parser.set_language(&grammar()).ok()?;
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
    /// The imported helper being read, with its parameters bound to what the call
    /// passed.
    arguments: Option<BoundArguments>,
    /// Name → where the file assigns it (`straight_line`: the value of a name that is
    /// no constant).
    writes: HashMap<&'a str, Vec<usize>>,
}

/// An imported helper's parameters bound to the call's arguments.
struct BoundArguments {
    /// Byte range of the helper function.
    function: (usize, usize),
    /// Parameter name → the text of a literal argument (or of the default value),
    /// `None` when only the running code knows it.
    params: Vec<(String, Option<String>)>,
}

/// `const X = …` (or a `let`/`var` never reassigned in its scope).
struct Binding<'a> {
    /// Byte range of the block the declaration is visible in.
    scope: (usize, usize),
    value: Node<'a>,
    usable: bool,
}

impl<'a> Doc<'a> {
    /// The file with its constants bound by scope (a reassigned `let` is not one).
    fn new(
        src: &'a str,
        file: &'a SourceFile,
        opts: &'a ReadOptions,
        col: &Collected<'a>,
    ) -> Doc<'a> {
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
        let mut writes: HashMap<&str, Vec<usize>> = HashMap::new();
        for (name, at) in &col.reassigned {
            writes.entry(*name).or_default().push(*at);
        }
        Doc {
            src,
            file,
            opts,
            consts,
            arguments: None,
            writes,
        }
    }

    pub fn text(&self, node: Node) -> &'a str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    /// The value an identifier is bound to: the innermost binding whose scope holds
    /// the use (`const table` in `up()` and another in `down()` do not clash); for a
    /// name that is no constant (reassigned, or tsc's hoisted `var`), the assignment
    /// reaching the use in straight-line code.
    pub fn const_value(&self, ident: Node<'a>) -> Option<Node<'a>> {
        self.bound_value(ident).or_else(|| {
            let writes = self.writes.get(self.text(ident))?;
            straight_line::reaching_value(self.src, self.text(ident), ident, writes)
        })
    }

    fn bound_value(&self, ident: Node) -> Option<Node<'a>> {
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

    /// What an identifier stands for when a function parameter declares it (a
    /// parameter shadows any constant of the same name further out): `Some(Some(text))`
    /// for a parameter of the helper being read bound to a literal argument,
    /// `Some(None)` for any other parameter — its value is only known at run time —
    /// and `None` when no enclosing function declares it (or a binding inside that
    /// function shadows the parameter): then it is whatever [`Doc::const_value`] says.
    pub fn param_value(&self, ident: Node) -> Option<Option<&str>> {
        let name = self.text(ident);
        let at = ident.start_byte();
        let mut node = ident;
        while let Some(parent) = node.parent() {
            node = parent;
            if !declares_parameter(self, node, name) {
                continue;
            }
            let inside = node.start_byte()..node.end_byte();
            let shadowed = self.consts.get(name).is_some_and(|bindings| {
                bindings
                    .iter()
                    .any(|b| inside.contains(&b.scope.0) && b.scope.0 <= at && at < b.scope.1)
            });
            if shadowed {
                return None;
            }
            return Some(match &self.arguments {
                Some(bound) if bound.function == (node.start_byte(), node.end_byte()) => bound
                    .params
                    .iter()
                    .rev()
                    .find(|(p, _)| p == name)
                    .and_then(|(_, v)| v.as_deref()),
                _ => None,
            });
        }
        None
    }

    fn span(&self, node: Node) -> Span {
        self.file.span(node.start_byte(), node.end_byte())
    }
}

/// The parameter nodes of a function-like node (`x => …` has a single one).
fn parameters(function: Node) -> Vec<Node> {
    if let Some(single) = function.child_by_field_name("parameter") {
        return vec![single];
    }
    let Some(params) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut cursor = params.walk();
    params
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// The function-like nodes: those with parameters of their own (and, for the
/// straight-line reading, inside which a name may be written whenever it is called).
fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition"
    )
}

/// Whether `function` (any function-like node) declares a parameter `name`, also
/// inside a destructuring pattern.
fn declares_parameter(doc: &Doc, function: Node, name: &str) -> bool {
    if !is_function(function.kind()) {
        return false;
    }
    parameters(function).into_iter().any(|p| {
        let pattern = p.child_by_field_name("pattern").unwrap_or(p);
        let mut stack = vec![pattern];
        while let Some(n) = stack.pop() {
            if matches!(
                n.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) && doc.text(n) == name
            {
                return true;
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        false
    })
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

/// The node kinds [`collect`] looks at. The walk visits every node of every file,
/// and a node's kind name costs a C-string measurement and a UTF-8 check per call:
/// kinds are compared as the grammar's numbers instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collects {
    Nothing,
    Comment,
    Class,
    Declarator,
    Assignment,
}

/// What [`collect`] does with each kind id of `language` (its names decide, as
/// `Node::kind` would show them).
fn collected_kinds(language: &tree_sitter::Language) -> Vec<Collects> {
    (0..language.node_kind_count())
        .map(|id| {
            let name = u16::try_from(id)
                .ok()
                .and_then(|id| language.node_kind_for_id(id));
            match name {
                Some("comment") => Collects::Comment,
                Some("class_declaration" | "class" | "abstract_class_declaration") => {
                    Collects::Class
                }
                Some("variable_declarator") => Collects::Declarator,
                Some("assignment_expression" | "augmented_assignment_expression") => {
                    Collects::Assignment
                }
                _ => Collects::Nothing,
            }
        })
        .collect()
}

fn collect<'a>(root: Node<'a>, src: &'a str) -> Collected<'a> {
    COLLECTED_KINDS.with(|kinds| collect_with(root, src, kinds))
}

fn collect_with<'a>(root: Node<'a>, src: &'a str, kinds: &[Collects]) -> Collected<'a> {
    // The ids are the grammar's: a tree of another one would be read wrong.
    debug_assert_eq!(root.language().node_kind_count(), kinds.len());
    let mut c = Collected::default();
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    // A tree without errors has no node to look for them in.
    let has_errors = root.has_error();
    // One cursor for the whole tree: no allocation per node.
    let mut cursor = root.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if has_errors && (node.is_error() || node.is_missing()) {
            c.errors.push(node);
        }
        let collects = kinds
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(Collects::Nothing);
        match collects {
            Collects::Nothing => {}
            Collects::Comment => c.comments.push(node),
            Collects::Class
                if has_up_method(node, src) || inherit::looks_like_migration(node, src) =>
            {
                c.classes.push(node);
            }
            Collects::Class => {}
            Collects::Declarator => {
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
            Collects::Assignment => {
                if let Some(left) = node.child_by_field_name("left") {
                    if left.kind() == "identifier" {
                        c.reassigned.push((text(left), left.start_byte()));
                    } else if matches!(left.kind(), "object_pattern" | "array_pattern") {
                        // `[a, b] = …`: every name the pattern binds is written.
                        let mut names = vec![left];
                        while let Some(n) = names.pop() {
                            if matches!(
                                n.kind(),
                                "identifier" | "shorthand_property_identifier_pattern"
                            ) {
                                c.reassigned.push((text(n), n.start_byte()));
                            }
                            let mut inner = n.walk();
                            names.extend(n.named_children(&mut inner));
                        }
                    } else if node.kind() == "assignment_expression"
                        && text(left).ends_with(".prototype.up")
                        && node.child_by_field_name("right").is_some_and(|r| {
                            matches!(
                                r.kind(),
                                "function_expression" | "function" | "arrow_function"
                            )
                        })
                    {
                        c.es5_ups.push(node);
                    }
                }
            }
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

    let doc = Doc::new(src, file, opts, &col);

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
    // `class X {}` plus `X.prototype.up = …`: one migration, read from the assignment.
    let up_assigned = |class: Node| {
        let name = class.child_by_field_name("name").map(|n| doc.text(n));
        !has_up_method(class, src)
            && col.es5_ups.iter().any(|u| {
                let left = u.child_by_field_name("left").map(|l| doc.text(l));
                left.zip(name)
                    .is_some_and(|(l, n)| l.strip_suffix(".prototype.up") == Some(n))
            })
    };
    for class in col.classes.iter().filter(|c| !up_assigned(**c)) {
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
    // `-- migguard-ignore …` inside a `query()` string, above the statement it means.
    all_comments.extend(embedded.iter().flat_map(|e| sql_comments(file, e)));
    let owners: Vec<std::ops::Range<usize>> = read.iter().map(|(_, n)| n.byte_range()).collect();
    let last = owners.len().saturating_sub(1);
    for (i, (mut m, _)) in read.into_iter().enumerate() {
        // Every class of the file sees all its comments; the last one takes them.
        m.comments = if i == last {
            std::mem::take(&mut all_comments)
        } else {
            all_comments.clone()
        };
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

/// The SQL comments of one `query()` string, one per line, positioned in the file.
fn sql_comments(file: &SourceFile, e: &EmbeddedSql) -> Vec<crate::ir::Comment> {
    let lexed = crate::parse::sql::lexical::scan(&e.sql);
    lexed
        .comments
        .iter()
        .flat_map(|&range| crate::parse::sql::lexical::comment_lines(&e.sql, range))
        .map(|(start, end, text)| {
            let (start, end) = e.map.map_range(start, end);
            crate::ir::Comment {
                text,
                span: file.span(start, end),
            }
        })
        .collect()
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

#[cfg(test)]
mod tests;
