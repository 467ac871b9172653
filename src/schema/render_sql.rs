//! The schema model as a DDL script, like `pg_dump --schema-only`: schemas,
//! extensions, enums, sequences, tables with their columns and PK/UNIQUE/CHECK
//! constraints, indexes (never CONCURRENTLY), then foreign keys and NOT VALID
//! constraints (so table order never matters, a foreign key finds the unique index it
//! references, and NOT VALID is not ignored as it is inside CREATE TABLE), views, and
//! sequence ownership. `psql -f` applies it to an empty
//! database as is. A part a migration builds at run time (`__migguard_dynamic_N__`
//! in the model) is never printed as SQL: it is left out, with a comment naming the
//! object and why (the migration), so the script still applies.

use super::model::{Constraint, Index, SchemaModel, Table, View};
use super::normalize::split_index_key;
use super::objects::{parallel_clause, Function, RoutineKind, Trigger};
use super::replay::PUBLIC_SCHEMA_COMMENT;
use crate::ir::{ConstraintKind, Identity, QualifiedName, DYNAMIC_PLACEHOLDER};
use std::collections::BTreeSet;
use std::fmt::Write;

fn q(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Whether a model text holds a part built at run time.
fn dynamic(text: &str) -> bool {
    text.contains(DYNAMIC_PLACEHOLDER)
}

/// `-- <object>: <what> left out: …` naming the migrations that built it at run time
/// (the replay's doubts about the object or its table).
fn left_out(m: &SchemaModel, object: &str, what: &str) -> String {
    let reasons: Vec<&str> = m
        .uncertain
        .iter()
        .filter(|(o, _)| object == o.as_str() || object.starts_with(&format!("{o}.")))
        .flat_map(|(_, r)| r.iter().map(String::as_str))
        .collect();
    let why = if reasons.is_empty() {
        "part of it is built at run time".to_string()
    } else {
        reasons.join("; ")
    };
    format!("-- {object}: {what} left out: {}\n", why.replace('\n', " "))
}

fn render_index(out: &mut String, m: &SchemaModel, i: &Index) {
    if i.keys.iter().chain(&i.predicate).any(|k| dynamic(k)) {
        out.push_str(&left_out(
            m,
            &i.table.to_string(),
            &format!("index {}", i.name),
        ));
        return;
    }
    if let Some(needed) = needs_left_out(m, i) {
        let _ = writeln!(
            out,
            "-- {}: index {} left out: it needs {needed} left out above",
            i.table, i.name
        );
        return;
    }
    let name = q(&i.name.name);
    let _ = writeln!(out, "CREATE {};", index_sql(i, Some(&name), Spelling::Sql));
    comment_on(out, "INDEX", &qn(&i.name), &i.comment);
}

/// Whether an index needs what the script leaves out: a column whose type is built
/// at run time (`text` stands in its place, which the index's method or operator
/// class may not take), or a routine left out (`render_routine`) called in a key or
/// the predicate. Psql would refuse the index: it is left out too.
fn needs_left_out(m: &SchemaModel, i: &Index) -> Option<String> {
    let untyped: Vec<&str> = m
        .tables
        .get(&i.table)
        .map(|t| {
            t.columns
                .iter()
                .filter(|c| dynamic(&c.data_type))
                .map(|c| c.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let left_out_routines: Vec<&Function> = m
        .functions
        .values()
        .filter(|f| f.body.as_deref().is_none_or(dynamic) || dynamic(&f.key()))
        .collect();
    i.keys
        .iter()
        .chain(&i.include)
        .chain(&i.predicate)
        .find_map(|text| {
            let mut rest = text.as_str();
            while let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '_') {
                let tail = &rest[start..];
                let len = tail
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .unwrap_or(tail.len());
                let word = &tail[..len];
                rest = &tail[len..];
                if untyped.contains(&word) {
                    return Some(format!("column {word}, whose type is"));
                }
                if rest.trim_start().starts_with('(') {
                    if let Some(f) = left_out_routines.iter().find(|f| f.name.name == word) {
                        return Some(format!("routine {}, which is", f.key()));
                    }
                }
            }
            None
        })
}

/// A model index key (`normalize::index_key`) as `CREATE INDEX` SQL.
fn render_index_key(key: &str) -> String {
    let (head, words) = split_index_key(key);
    let mut out = if head.starts_with('(') {
        head.to_string()
    } else {
        q(head)
    };
    for w in words {
        out.push(' ');
        match w {
            "desc" | "nulls" | "first" | "last" => out.push_str(&w.to_ascii_uppercase()),
            opclass => out.push_str(opclass),
        }
    }
    out
}

fn qn(n: &QualifiedName) -> String {
    format!("{}.{}", q(&n.schema), q(&n.name))
}

/// The index behind a PRIMARY KEY / UNIQUE / EXCLUDE constraint: the constraint's
/// name, in its table's schema.
fn constraint_index(t: &Table, c: &Constraint) -> String {
    qn(&QualifiedName::new(t.name.schema.clone(), c.name.clone()))
}

fn cols(c: &[String]) -> String {
    c.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

fn quote_lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `COMMENT ON <what> <object> IS '…';` when the object has a comment; written right
/// after the object, so an object left out takes its comment with it.
fn comment_on(out: &mut String, what: &str, object: &str, comment: &Option<String>) {
    if let Some(c) = comment {
        let _ = writeln!(out, "COMMENT ON {what} {object} IS {};", quote_lit(c));
    }
}

/// `title` heads the script as a comment; `default_schema` is the schema the model's
/// unqualified names (sequences in defaults) were resolved in, put first on the
/// script's `search_path` so they resolve there again.
pub fn render(m: &SchemaModel, title: &str, default_schema: &str) -> String {
    let mut out = format!("-- {title}\n\n");
    for s in &m.schemas {
        if s != "public" {
            let _ = writeln!(out, "CREATE SCHEMA IF NOT EXISTS {};", q(s));
        }
        let comment = m.schema_comments.get(s).cloned();
        if s != "public" {
            comment_on(&mut out, "SCHEMA", &q(s), &comment);
        } else if comment.as_deref() != Some(PUBLIC_SCHEMA_COMMENT) {
            // The script runs on a database whose `public` has PostgreSQL's comment.
            let text = comment.as_deref().map_or("NULL".into(), quote_lit);
            let _ = writeln!(out, "COMMENT ON SCHEMA \"public\" IS {text};");
        }
    }
    if default_schema != "public" {
        let _ = writeln!(out, "SET search_path = {}, public;", q(default_schema));
    }
    for e in m.extensions.values() {
        let _ = writeln!(
            out,
            "CREATE EXTENSION IF NOT EXISTS {}{};",
            q(&e.name),
            e.schema
                .as_ref()
                .map(|s| format!(" WITH SCHEMA {}", q(s)))
                .unwrap_or_default()
        );
        comment_on(&mut out, "EXTENSION", &q(&e.name), &e.comment);
    }
    for e in m.enums.values() {
        let labels: Vec<String> = e.labels.iter().map(|l| quote_lit(l)).collect();
        let _ = writeln!(
            out,
            "CREATE TYPE {} AS ENUM ({});",
            qn(&e.name),
            labels.join(", ")
        );
        comment_on(&mut out, "TYPE", &qn(&e.name), &e.comment);
    }
    // Composite types before the tables and views that use them (and after the
    // enums their attributes may have).
    for c in m.composites.values() {
        let attributes: Vec<String> = c
            .attributes
            .iter()
            .map(|a| format!("{} {}", q(&a.name), render_type(m, &a.data_type)))
            .collect();
        let _ = writeln!(
            out,
            "CREATE TYPE {} AS ({});",
            qn(&c.name),
            attributes.join(", ")
        );
        comment_on(&mut out, "TYPE", &qn(&c.name), &c.comment);
    }
    // Routines after the types their signatures use and before the tables whose
    // defaults and checks may call them; one whose signature names a table or view
    // comes after the views. Bodies are not checked at creation (as pg_dump does):
    // a `LANGUAGE sql` body may read tables created further down.
    let (late_routines, early_routines): (Vec<&Function>, Vec<&Function>) = m
        .functions
        .values()
        .partition(|f| signature_uses_relation(m, f));
    if !m.functions.is_empty() {
        out.push_str("SET check_function_bodies = false;\n");
    }
    for f in early_routines {
        render_routine(&mut out, m, f);
    }
    for s in m.sequences.values() {
        let _ = writeln!(
            out,
            "CREATE SEQUENCE {} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {}{};",
            qn(&s.name), s.data_type, s.increment, s.min_value, s.max_value, s.start, s.cache, if s.cycle { " CYCLE" } else { "" }
        );
        comment_on(&mut out, "SEQUENCE", &qn(&s.name), &s.comment);
    }
    out.push('\n');
    // A table created `AS` a query whose columns replay could not derive: creating it
    // without them would fail (and so would its constraints and indexes).
    let unknown_columns = |t: &crate::schema::model::Table| {
        t.columns.is_empty()
            && t.unmodelled
                .as_deref()
                .is_some_and(|u| u.contains("AS query"))
    };
    let left_out_tables: BTreeSet<&QualifiedName> = m
        .tables
        .values()
        .filter(|t| unknown_columns(t))
        .map(|t| &t.name)
        .collect();
    for t in m.tables.values().filter(|t| unknown_columns(t)) {
        out.push_str(&left_out(
            m,
            &t.name.to_string(),
            "the table (created AS a query whose columns migguard cannot derive)",
        ));
    }
    for t in tables_parents_first(m)
        .into_iter()
        .filter(|t| !unknown_columns(t))
    {
        let mut notes = String::new();
        let mut comments = String::new();
        comment_on(&mut comments, "TABLE", &qn(&t.name), &t.comment);
        // A child's inherited columns come from its parents (comments aside); what it
        // changed of them follows its CREATE TABLE.
        let parents: Vec<&Table> = t
            .parents()
            .iter()
            .filter_map(|p| m.tables.get(*p))
            .collect();
        let inherited = |name: &str| parents.iter().any(|p| p.column(name).is_some());
        for c in t.columns.iter().filter(|c| inherited(&c.name)) {
            let column = format!("{}.{}", qn(&t.name), q(&c.name));
            comment_on(&mut comments, "COLUMN", &column, &c.comment);
        }
        let inherited_changes = inherited_column_changes(t, &parents);
        let mut lines: Vec<String> = t
            .columns
            .iter()
            .filter(|c| !inherited(&c.name))
            .map(|c| {
                let object = format!("{}.{}", t.name, c.name);
                let column = format!("{}.{}", qn(&t.name), q(&c.name));
                comment_on(&mut comments, "COLUMN", &column, &c.comment);
                if dynamic(&c.data_type) {
                    notes.push_str(&left_out(
                        m,
                        &object,
                        "the column's type (text in its place)",
                    ));
                }
                let data_type = if dynamic(&c.data_type) {
                    "text"
                } else {
                    &c.data_type
                };
                let mut l = format!("    {} {}", q(&c.name), render_type(m, data_type));
                if let Some(co) = &c.collation {
                    let _ = write!(l, " COLLATE {}", q(co));
                }
                match &c.generated {
                    Some(g) if dynamic(g) => {
                        notes.push_str(&left_out(m, &object, "GENERATED ALWAYS AS"))
                    }
                    Some(g) => {
                        let _ = write!(l, " GENERATED ALWAYS AS ({g}) STORED");
                    }
                    None => {}
                }
                match c.identity {
                    Some(Identity::Always) => l.push_str(" GENERATED ALWAYS AS IDENTITY"),
                    Some(Identity::ByDefault) => l.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
                    None => {}
                }
                if c.not_null {
                    l.push_str(" NOT NULL");
                }
                match &c.default {
                    Some(d) if dynamic(d) => notes.push_str(&left_out(m, &object, "DEFAULT")),
                    Some(d) if needs_parens(d) => {
                        let _ = write!(l, " DEFAULT ({d})");
                    }
                    Some(d) => {
                        let _ = write!(l, " DEFAULT {d}");
                    }
                    None if c.null_default => l.push_str(" DEFAULT NULL"),
                    None => {}
                }
                l
            })
            .collect();
        // Inside CREATE TABLE PostgreSQL ignores NOT VALID, and a foreign key may
        // name a table created later: both are added afterwards.
        let after = constraints_added_after(t);
        for c in t
            .constraints
            .values()
            .filter(|c| !after.contains(c.name.as_str()))
        {
            if dynamic(&constraint_definition(&c.kind, Spelling::Sql)) {
                let what = format!("constraint {}", c.name);
                notes.push_str(&left_out(m, &t.name.to_string(), &what));
                continue;
            }
            lines.push(format!(
                "    CONSTRAINT {} {}",
                q(&c.name),
                constraint_sql(c, Spelling::Sql)
            ));
            let constraint = format!("{} ON {}", q(&c.name), qn(&t.name));
            comment_on(&mut comments, "CONSTRAINT", &constraint, &c.comment);
            comment_on(
                &mut comments,
                "INDEX",
                &constraint_index(t, c),
                &c.index_comment,
            );
        }
        out.push_str(&notes);
        let partition_by = t
            .partition_key
            .as_ref()
            .map(|k| format!(" PARTITION BY {k}"))
            .unwrap_or_default();
        let body = |lines: &[String]| {
            if lines.is_empty() {
                String::new()
            } else {
                format!(" (\n{}\n)", lines.join(",\n"))
            }
        };
        match &t.partition_of {
            Some(p) if !parents.is_empty() => {
                let _ = writeln!(
                    out,
                    "CREATE {}TABLE {} PARTITION OF {}{} {}{partition_by}{};",
                    t.storage.create_keyword(),
                    qn(&t.name),
                    qn(&p.parent),
                    body(&lines),
                    p.bound,
                    t.storage.with_clause()
                );
            }
            _ => {
                let inherits = if parents.is_empty() {
                    String::new()
                } else {
                    let names: Vec<String> = parents.iter().map(|p| qn(&p.name)).collect();
                    format!(" INHERITS ({})", names.join(", "))
                };
                let _ = writeln!(
                    out,
                    "CREATE {}TABLE {} (\n{}\n){inherits}{partition_by}{};",
                    t.storage.create_keyword(),
                    qn(&t.name),
                    lines.join(",\n"),
                    t.storage.with_clause()
                );
            }
        }
        out.push_str(&inherited_changes);
        out.push_str(&comments);
    }
    // Indexes on materialized views come after the views they need; those on tables
    // before the foreign keys, which may reference columns unique only through a
    // unique index (as pg_dump orders them).
    let (on_views, on_tables): (Vec<&Index>, Vec<&Index>) = m
        .indexes
        .values()
        .filter(|i| !left_out_tables.contains(&i.table))
        .partition(|i| m.views.contains_key(&i.table));
    for i in on_tables {
        render_index(&mut out, m, i);
    }
    for t in m.tables.values().filter(|t| !unknown_columns(t)) {
        let after = constraints_added_after(t);
        for c in t
            .constraints
            .values()
            .filter(|c| after.contains(c.name.as_str()))
        {
            if dynamic(&constraint_definition(&c.kind, Spelling::Sql)) {
                let what = format!("constraint {}", c.name);
                out.push_str(&left_out(m, &t.name.to_string(), &what));
                continue;
            }
            let _ = writeln!(
                out,
                "ALTER TABLE {} ADD CONSTRAINT {} {};",
                qn(&t.name),
                q(&c.name),
                constraint_sql(c, Spelling::Sql)
            );
            let constraint = format!("{} ON {}", q(&c.name), qn(&t.name));
            comment_on(&mut out, "CONSTRAINT", &constraint, &c.comment);
            comment_on(&mut out, "INDEX", &constraint_index(t, c), &c.index_comment);
        }
    }
    for v in views_in_dependency_order(m) {
        if let Some(d) = &v.definition {
            // The column list carries names given by `CREATE VIEW v (a, b)`.
            let _ = writeln!(
                out,
                "CREATE {}VIEW {}{} AS {};",
                if v.materialized { "MATERIALIZED " } else { "" },
                qn(&v.name),
                v.columns
                    .as_ref()
                    .map(|c| format!(" ({})", cols(c)))
                    .unwrap_or_default(),
                // `pg_get_viewdef` ends its text with `;`.
                d.trim_end().trim_end_matches(';')
            );
            let what = if v.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            comment_on(&mut out, what, &qn(&v.name), &v.comment);
            for (column, text) in &v.column_comments {
                let column = format!("{}.{}", qn(&v.name), q(column));
                comment_on(&mut out, "COLUMN", &column, &Some(text.clone()));
            }
        }
    }
    for i in on_views {
        render_index(&mut out, m, i);
    }
    for f in late_routines {
        render_routine(&mut out, m, f);
    }
    for t in m.tables.values() {
        for tr in t.triggers.values() {
            render_trigger(&mut out, m, t, tr);
        }
        render_row_security(&mut out, m, t);
    }
    for s in m.sequences.values() {
        if let Some((t, c)) = &s.owned_by {
            let _ = writeln!(
                out,
                "ALTER SEQUENCE {} OWNED BY {}.{};",
                qn(&s.name),
                qn(t),
                q(c)
            );
        }
    }
    out
}

/// The tables in name order, except that a parent (partitioned table, `INHERITS`
/// parent) comes before its children.
fn tables_parents_first(m: &SchemaModel) -> Vec<&Table> {
    let mut done: BTreeSet<&QualifiedName> = BTreeSet::new();
    let mut ordered = Vec::new();
    fn visit<'a>(
        m: &'a SchemaModel,
        t: &'a Table,
        done: &mut BTreeSet<&'a QualifiedName>,
        ordered: &mut Vec<&'a Table>,
    ) {
        if !done.insert(&t.name) {
            return;
        }
        for p in t.parents() {
            if let Some(parent) = m.tables.get(p) {
                visit(m, parent, done, ordered);
            }
        }
        ordered.push(t);
    }
    for t in m.tables.values() {
        visit(m, t, &mut done, &mut ordered);
    }
    ordered
}

/// What a child changed of the columns it inherits, as `ALTER TABLE` statements: its
/// own default or NOT NULL (a child gets its parents' when created).
fn inherited_column_changes(t: &Table, parents: &[&Table]) -> String {
    let mut out = String::new();
    for c in &t.columns {
        let from: Vec<&crate::schema::model::Column> =
            parents.iter().filter_map(|p| p.column(&c.name)).collect();
        if from.is_empty() || c.generated.is_some() {
            continue;
        }
        let column = format!("ALTER TABLE {} ALTER COLUMN {}", qn(&t.name), q(&c.name));
        if c.not_null && !from.iter().any(|p| p.not_null) {
            let _ = writeln!(out, "{column} SET NOT NULL;");
        }
        let inherited_default = from.iter().find_map(|p| p.default.as_ref());
        if c.default.as_ref() != inherited_default {
            match &c.default {
                Some(d) if dynamic(d) => {}
                Some(d) => {
                    let _ = writeln!(out, "{column} SET DEFAULT {d};");
                }
                None => {
                    let _ = writeln!(out, "{column} DROP DEFAULT;");
                }
            }
        }
    }
    out
}

/// Whether a routine's arguments or result are a table's or view's row type.
fn signature_uses_relation(m: &SchemaModel, f: &Function) -> bool {
    let signature = format!(
        "{} {}",
        f.identity_args,
        f.result.as_deref().unwrap_or_default()
    );
    let words: Vec<&str> = signature
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"'))
        .map(|w| w.trim_end_matches("[]"))
        .collect();
    m.tables
        .keys()
        .chain(m.views.keys())
        .any(|n| words.iter().any(|w| *w == n.name || *w == n.to_string()))
}

/// `CREATE FUNCTION|PROCEDURE` rebuilding a routine as PostgreSQL stored it: the
/// body between dollar quotes whose tag it does not contain, so it is stored verbatim.
fn render_routine(out: &mut String, m: &SchemaModel, f: &Function) {
    let key = f.key();
    let Some(body) = f.body.as_deref().filter(|b| !dynamic(b) && !dynamic(&key)) else {
        out.push_str(&left_out(m, &key, "routine"));
        return;
    };
    let mut tag = "$migguard$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$migguard{n}$");
    }
    let head = match (f.kind, &f.result) {
        (RoutineKind::Function, Some(r)) => {
            format!("FUNCTION {}({}) RETURNS {r}", qn(&f.name), f.arguments())
        }
        _ => format!("PROCEDURE {}({})", qn(&f.name), f.arguments()),
    };
    let _ = writeln!(
        out,
        "CREATE {head} LANGUAGE {}{}{}{} AS {tag}{body}{tag};",
        q(&f.language),
        if f.kind == RoutineKind::Function {
            format!(
                " {}{}{}",
                f.volatility.to_ascii_uppercase(),
                if f.strict { " STRICT" } else { "" },
                parallel_clause(&f.parallel)
            )
        } else {
            String::new()
        },
        if f.security_definer {
            " SECURITY DEFINER"
        } else {
            ""
        },
        f.planner_and_settings_clauses(),
    );
    let what = match f.kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    };
    let signature = format!("{}({})", qn(&f.name), f.arg_types);
    comment_on(out, what, &signature, &f.comment);
}

/// A trigger as `pg_get_triggerdef` prints it, then its state when not enabled.
/// One whose function the model does not hold (an extension's, one built at run
/// time) is left out with a comment: the script must apply.
fn render_trigger(out: &mut String, m: &SchemaModel, t: &Table, tr: &Trigger) {
    let object = format!("{}.{}", t.name, tr.name);
    let known_function = m
        .functions
        .values()
        .any(|f| f.name == tr.function && f.body.is_some());
    if !known_function || dynamic(&object) || tr.when.as_deref().is_some_and(dynamic) {
        out.push_str(&left_out(m, &object, "trigger"));
        return;
    }
    let _ = writeln!(out, "{};", tr.definition(&t.name));
    let trigger = format!("{} ON {}", q(&tr.name), qn(&t.name));
    comment_on(out, "TRIGGER", &trigger, &tr.comment);
    let state = match tr.enabled.as_str() {
        "D" => "DISABLE",
        "R" => "ENABLE REPLICA",
        "A" => "ENABLE ALWAYS",
        _ => return,
    };
    let _ = writeln!(
        out,
        "ALTER TABLE {} {state} TRIGGER {};",
        qn(&t.name),
        q(&tr.name)
    );
}

/// A table's row security switches and policies.
fn render_row_security(out: &mut String, m: &SchemaModel, t: &Table) {
    if t.row_security {
        let _ = writeln!(
            out,
            "ALTER TABLE {} ENABLE ROW LEVEL SECURITY;",
            qn(&t.name)
        );
    }
    if t.force_row_security {
        let _ = writeln!(out, "ALTER TABLE {} FORCE ROW LEVEL SECURITY;", qn(&t.name));
    }
    for p in t.policies.values() {
        let object = format!("{}.{}", t.name, p.name);
        let definition = p.definition(&t.name);
        if dynamic(&definition) {
            out.push_str(&left_out(m, &object, "policy"));
        } else {
            let _ = writeln!(out, "{definition};");
            let policy = format!("{} ON {}", q(&p.name), qn(&t.name));
            comment_on(out, "POLICY", &policy, &p.comment);
        }
    }
}

/// Views in name order, except that a view comes after the views its definition
/// names (a view on a view). A name is matched as a whole word of the definition:
/// a false match only reorders, and a cycle keeps name order.
fn views_in_dependency_order(m: &SchemaModel) -> Vec<&View> {
    let words = |d: &str| -> BTreeSet<String> {
        d.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map(|w| w.to_lowercase())
            .collect()
    };
    let deps: Vec<(&View, BTreeSet<&QualifiedName>)> = m
        .views
        .values()
        .map(|v| {
            let used = v.definition.as_deref().map(words).unwrap_or_default();
            let on = m
                .views
                .keys()
                .filter(|other| *other != &v.name && used.contains(&other.name.to_lowercase()))
                .collect();
            (v, on)
        })
        .collect();
    let mut done: BTreeSet<&QualifiedName> = BTreeSet::new();
    let mut out = Vec::new();
    while out.len() < deps.len() {
        let ready: Vec<&View> = deps
            .iter()
            .filter(|(v, on)| !done.contains(&v.name) && on.iter().all(|d| done.contains(d)))
            .map(|(v, _)| *v)
            .collect();
        let next = if ready.is_empty() {
            // A cycle (or a false match): the rest in name order.
            deps.iter()
                .map(|(v, _)| *v)
                .filter(|v| !done.contains(&v.name))
                .collect()
        } else {
            ready
        };
        for v in next {
            done.insert(&v.name);
            out.push(v);
        }
    }
    out
}

/// A column type as DDL: an enum or composite type of the model (`public.Weird Type`, `core.mood[]`)
/// is quoted part by part; built-in types are already in `format_type` spelling.
fn render_type(m: &SchemaModel, data_type: &str) -> String {
    let base = data_type.trim_end_matches("[]");
    let arrays = &data_type[base.len()..];
    let user_type = m
        .enums
        .keys()
        .chain(m.composites.keys())
        .find(|e| format!("{}.{}", e.schema, e.name) == base);
    match user_type {
        Some(e) => format!("{}{arrays}", qn(e)),
        None => data_type.to_string(),
    }
}

fn added_after(c: &Constraint) -> bool {
    !c.validated || matches!(c.kind, ConstraintKind::ForeignKey { .. })
}

/// The constraints of a table written as `ALTER TABLE … ADD` after its CREATE TABLE:
/// those of [`added_after`], and a PRIMARY KEY / UNIQUE equal to one written inside
/// the CREATE TABLE (same columns, NULLS NOT DISTINCT, deferrability), which
/// PostgreSQL would merge into that one there but keeps when added later.
fn constraints_added_after<'a>(t: &'a Table) -> BTreeSet<&'a str> {
    let index_key = |c: &'a Constraint| {
        c.kind
            .index_key()
            .map(|k| (k, c.deferrable, c.initially_deferred))
    };
    let mut after = BTreeSet::new();
    let mut inline = Vec::new();
    // The primary key first, as PostgreSQL considers it first.
    let (pk, rest): (Vec<&Constraint>, Vec<&Constraint>) = t
        .constraints
        .values()
        .partition(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }));
    for c in pk.into_iter().chain(rest) {
        if added_after(c) {
            after.insert(c.name.as_str());
        } else if let Some(key) = index_key(c) {
            if inline.contains(&key) {
                after.insert(c.name.as_str());
            } else {
                inline.push(key);
            }
        }
    }
    after
}

/// How a rendered object spells names: [`Spelling::Sql`] quotes every identifier and
/// turns index keys back into `CREATE INDEX` syntax, for a script psql runs;
/// [`Spelling::Report`] leaves names and keys as the model holds them, for the
/// `expected`/`actual` text of a drift item a person reads (and that the diff compares).
/// Both come from the same functions, so no part of an object's shape can be rendered
/// in one and dropped in the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    Sql,
    Report,
}

impl Spelling {
    fn ident(self, ident: &str) -> String {
        match self {
            Spelling::Sql => q(ident),
            Spelling::Report => ident.to_string(),
        }
    }

    fn qualified(self, name: &QualifiedName) -> String {
        match self {
            Spelling::Sql => qn(name),
            Spelling::Report => name.to_string(),
        }
    }

    fn idents(self, idents: &[String]) -> String {
        idents
            .iter()
            .map(|i| self.ident(i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn index_key(self, key: &str) -> String {
        match self {
            Spelling::Sql => render_index_key(key),
            Spelling::Report => key.to_string(),
        }
    }
}

/// A constraint's definition as `ADD CONSTRAINT name …` takes it, without the
/// attributes ([`Constraint::attributes_sql`]).
pub fn constraint_definition(kind: &ConstraintKind, spelling: Spelling) -> String {
    let cols = |c: &[String]| spelling.idents(c);
    match kind {
        ConstraintKind::PrimaryKey { columns } => format!("PRIMARY KEY ({})", cols(columns)),
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
        } => format!(
            "UNIQUE{} ({})",
            if *nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            },
            cols(columns)
        ),
        ConstraintKind::Check { expr } => format!("CHECK ({expr})"),
        ConstraintKind::Exclusion { definition } => definition.clone(),
        ConstraintKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete,
            on_update,
        } => format!(
            "FOREIGN KEY ({}) REFERENCES {} ({}){}{}",
            cols(columns),
            spelling.qualified(ref_table),
            cols(ref_columns),
            on_delete
                .as_ref()
                .map(|a| format!(" ON DELETE {a}"))
                .unwrap_or_default(),
            on_update
                .as_ref()
                .map(|a| format!(" ON UPDATE {a}"))
                .unwrap_or_default()
        ),
    }
}

/// A constraint as `ADD CONSTRAINT name …` takes it: definition and attributes.
pub fn constraint_sql(c: &Constraint, spelling: Spelling) -> String {
    constraint_definition(&c.kind, spelling) + &c.attributes_sql()
}

/// An index as `CREATE …` takes it, from `[UNIQUE] INDEX`: `name` goes between
/// `INDEX` and `ON` (already spelled; `None` leaves it out).
pub fn index_sql(i: &Index, name: Option<&str>, spelling: Spelling) -> String {
    let keys: Vec<String> = i.keys.iter().map(|k| spelling.index_key(k)).collect();
    format!(
        "{}INDEX{} ON {} USING {} ({}){}",
        if i.unique { "UNIQUE " } else { "" },
        name.map(|n| format!(" {n}")).unwrap_or_default(),
        spelling.qualified(&i.table),
        i.method,
        keys.join(", "),
        i.tail_sql(|c| spelling.idents(c))
    )
}

/// Whether an expression must be parenthesised after `DEFAULT` in CREATE TABLE, whose
/// grammar takes only a restricted expression there (`b_expr`: no `AT TIME ZONE`, no
/// `IS NULL`…): any white space at the top level, outside quotes and parentheses,
/// means more than one term. Parentheses never change what PostgreSQL stores.
/// Its own walk, not the lexical paren walk (`parse::sql::lexical`): `[…]` nests here
/// too (`ARRAY[1, 2]` is one term), and that walk counts parentheses only.
fn needs_parens(expr: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in expr.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, c) if depth == 0 && c.is_whitespace() => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod default_parens_tests {
    use super::needs_parens;

    #[test]
    fn only_compound_top_level_expressions_need_parentheses() {
        for plain in [
            "now()",
            "'a b'::text",
            "0",
            "nextval('s'::regclass)",
            "(a + b)",
            "\"x y\"()",
        ] {
            assert!(!needs_parens(plain), "{plain}");
        }
        for compound in [
            "now() at time zone 'UTC'",
            "1 is null",
            "a + b",
            "'x'::character varying",
        ] {
            assert!(needs_parens(compound), "{compound}");
        }
    }
}
