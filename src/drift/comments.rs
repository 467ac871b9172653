//! Drift of comments (`COMMENT ON …`, `pg_description`): compared on every object both
//! sides hold, never on one that is missing or unexpected (that object is the item)
//! nor on one replay cannot vouch for (its `table` or name folds the comment item
//! into the object's `unverifiable` one). A comment removed by hand is
//! `missing-comment`, one added by hand `unexpected-comment`, one edited
//! `comment-mismatch`; each is named after its object, so `[drift] ignore`
//! patterns for the object cover its comment too.

use super::diff::{Difference, Kind};
use super::ignore::IgnoreList;
use super::keyed::{compared_tables, on_both_sides};
use crate::schema::SchemaModel;

/// One commented object both sides hold.
struct Commented<'a> {
    /// `table`, `column`, `index`… as PostgreSQL's `COMMENT ON` names the kind.
    what: &'static str,
    object: String,
    table: Option<String>,
    expected: &'a Option<String>,
    live: &'a Option<String>,
}

fn push(c: Commented<'_>, ignore: &IgnoreList, out: &mut Vec<Difference>) {
    if c.expected == c.live || ignore.matches(&c.object) {
        return;
    }
    let Commented {
        what,
        object,
        table,
        expected,
        live,
    } = c;
    let quoted = |t: &str| format!("'{}'", t.replace('\'', "''"));
    let (kind, message) = match (expected, live) {
        (Some(e), None) => (
            Kind::MissingComment,
            format!(
                "{what} {object} has no comment but the migrations give it {}",
                quoted(e)
            ),
        ),
        (None, Some(l)) => (
            Kind::UnexpectedComment,
            format!(
                "{what} {object} has comment {} that the migrations do not give it",
                quoted(l)
            ),
        ),
        (Some(e), Some(l)) => (
            Kind::CommentMismatch,
            format!(
                "{what} {object} has comment {} but the migrations give it {}",
                quoted(l),
                quoted(e)
            ),
        ),
        (None, None) => return,
    };
    out.push(Difference {
        kind,
        object,
        table,
        expected: expected.clone(),
        actual: live.clone(),
        message,
    });
}

/// Comment differences on the objects present on both sides.
pub(super) fn diff_comments(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    let mut compare = |what, object: String, table: Option<String>, e, l| {
        push(
            Commented {
                what,
                object,
                table,
                expected: e,
                live: l,
            },
            ignore,
            out,
        )
    };
    for (name, e, l) in compared_tables(expected, live, ignore) {
        let table = name.to_string();
        let inner = |n: &dyn std::fmt::Display| format!("{table}.{n}");
        let on = Some(table.clone());
        compare("table", table.clone(), on.clone(), &e.comment, &l.comment);
        for ec in &e.columns {
            if let Some(lc) = l.column(&ec.name) {
                let object = inner(&ec.name);
                compare("column", object, on.clone(), &ec.comment, &lc.comment);
            }
        }
        for (n, ec, lc) in on_both_sides(&e.constraints, &l.constraints) {
            compare("constraint", inner(n), on.clone(), &ec.comment, &lc.comment);
            // The index behind it is named as the constraint, in the table's schema.
            let index = format!("{}.{n}", name.schema);
            let (ei, li) = (&ec.index_comment, &lc.index_comment);
            compare("index", index, on.clone(), ei, li);
        }
        for (n, et, lt) in on_both_sides(&e.triggers, &l.triggers) {
            compare("trigger", inner(n), on.clone(), &et.comment, &lt.comment);
        }
        for (n, ep, lp) in on_both_sides(&e.policies, &l.policies) {
            compare("policy", inner(n), on.clone(), &ep.comment, &lp.comment);
        }
    }
    for (name, e, l) in on_both_sides(&expected.indexes, &live.indexes) {
        if !ignore.skips(name) && !ignore.skips(&e.table) {
            let table = Some(e.table.to_string());
            compare("index", name.to_string(), table, &e.comment, &l.comment);
        }
    }
    for (name, e, l) in on_both_sides(&expected.sequences, &live.sequences) {
        let owner = e.owned_by.as_ref().map(|(t, _)| t);
        if !ignore.skips(name) && !owner.is_some_and(|t| ignore.skips(t)) {
            let table = owner.map(|t| t.to_string());
            compare("sequence", name.to_string(), table, &e.comment, &l.comment);
        }
    }
    for (name, e, l) in on_both_sides(&expected.views, &live.views) {
        if !ignore.skips(name) {
            let what = if e.materialized {
                "materialized view"
            } else {
                "view"
            };
            compare(what, name.to_string(), None, &e.comment, &l.comment);
        }
    }
    for (name, e, l) in on_both_sides(&expected.enums, &live.enums) {
        if !ignore.skips(name) {
            compare("type", name.to_string(), None, &e.comment, &l.comment);
        }
    }
    for (name, e, l) in on_both_sides(&expected.composites, &live.composites) {
        if !ignore.skips(name) {
            compare("type", name.to_string(), None, &e.comment, &l.comment);
        }
    }
    for (key, e, l) in on_both_sides(&expected.functions, &live.functions) {
        if !ignore.skips(&e.name) {
            compare("function", key.clone(), None, &e.comment, &l.comment);
        }
    }
    // An extension comes with its control file's comment: compared only where the
    // migrations set one, as its version only where they pin one.
    for (name, e, l) in on_both_sides(&expected.extensions, &live.extensions) {
        if e.comment.is_some() {
            compare("extension", name.clone(), None, &e.comment, &l.comment);
        }
    }
    for schema in expected.schemas.intersection(&live.schemas) {
        let (e, l) = (
            expected.schema_comments.get(schema).cloned(),
            live.schema_comments.get(schema).cloned(),
        );
        // Replay seeds `public` with the comment `initdb` gives it, but a database
        // whose `public` was dropped and created again (or restored without
        // comments) has none, and no migration is to blame: only a comment the
        // migrations set on `public`, or a different live one, is compared.
        let untouched_public = schema == "public"
            && e.as_deref() == Some(crate::schema::replay::PUBLIC_SCHEMA_COMMENT)
            && l.is_none();
        if ignore.in_scope(schema) && !untouched_public {
            let c = Commented {
                what: "schema",
                object: schema.clone(),
                table: None,
                expected: &e,
                live: &l,
            };
            push(c, ignore, out);
        }
    }
    // A view's columns' comments (after the closures above: `push` borrows `out`).
    for (name, e, l) in on_both_sides(&expected.views, &live.views) {
        if ignore.skips(name) {
            continue;
        }
        let commented: std::collections::BTreeSet<&String> = e
            .column_comments
            .keys()
            .chain(l.column_comments.keys())
            .collect();
        for column in commented {
            let (ec, lc) = (
                e.column_comments.get(column).cloned(),
                l.column_comments.get(column).cloned(),
            );
            let object = format!("{name}.{column}");
            push(
                Commented {
                    what: "column",
                    object,
                    table: Some(name.to_string()),
                    expected: &ec,
                    live: &lc,
                },
                ignore,
                out,
            );
        }
    }
}
