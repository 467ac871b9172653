//! Drift of comments (`COMMENT ON …`, `pg_description`): compared on every object both
//! sides hold, never on one that is missing or unexpected (that object is the item)
//! nor on one replay cannot vouch for (its `table` or name folds the comment item
//! into the object's `unverifiable` one). A comment removed by hand is
//! `missing-comment`, one added by hand `unexpected-comment`, one edited
//! `comment-mismatch`; each is named after its object, so `[drift] ignore`
//! patterns for the object cover its comment too.

use super::diff::{Difference, Kind};
use super::ignore::IgnoreList;
use super::keyed::{paired, Presence};
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
    for (name, presence) in paired(&expected.tables, &live.tables) {
        let Presence::Both {
            expected: e,
            live: l,
        } = presence
        else {
            continue;
        };
        if ignore.skips(name) {
            continue;
        }
        let table = name.to_string();
        let on = |what, object: String, expected, live| Commented {
            what,
            object,
            table: Some(table.clone()),
            expected,
            live,
        };
        push(
            on("table", table.clone(), &e.comment, &l.comment),
            ignore,
            out,
        );
        for ec in &e.columns {
            if let Some(lc) = l.column(&ec.name) {
                let object = format!("{table}.{}", ec.name);
                push(on("column", object, &ec.comment, &lc.comment), ignore, out);
            }
        }
        for (n, p) in paired(&e.constraints, &l.constraints) {
            if let Presence::Both { expected, live } = p {
                let object = format!("{table}.{n}");
                push(
                    on("constraint", object, &expected.comment, &live.comment),
                    ignore,
                    out,
                );
            }
        }
        for (n, p) in paired(&e.triggers, &l.triggers) {
            if let Presence::Both { expected, live } = p {
                let object = format!("{table}.{n}");
                push(
                    on("trigger", object, &expected.comment, &live.comment),
                    ignore,
                    out,
                );
            }
        }
        for (n, p) in paired(&e.policies, &l.policies) {
            if let Presence::Both { expected, live } = p {
                let object = format!("{table}.{n}");
                push(
                    on("policy", object, &expected.comment, &live.comment),
                    ignore,
                    out,
                );
            }
        }
    }
    for (name, presence) in paired(&expected.indexes, &live.indexes) {
        if let Presence::Both {
            expected: e,
            live: l,
        } = presence
        {
            if ignore.skips(name) || ignore.skips(&e.table) {
                continue;
            }
            let c = Commented {
                what: "index",
                object: name.to_string(),
                table: Some(e.table.to_string()),
                expected: &e.comment,
                live: &l.comment,
            };
            push(c, ignore, out);
        }
    }
    for (name, presence) in paired(&expected.sequences, &live.sequences) {
        if let Presence::Both {
            expected: e,
            live: l,
        } = presence
        {
            let owner = e.owned_by.as_ref().map(|(t, _)| t);
            if ignore.skips(name) || owner.is_some_and(|t| ignore.skips(t)) {
                continue;
            }
            let c = Commented {
                what: "sequence",
                object: name.to_string(),
                table: owner.map(|t| t.to_string()),
                expected: &e.comment,
                live: &l.comment,
            };
            push(c, ignore, out);
        }
    }
    for (name, presence) in paired(&expected.views, &live.views) {
        if let Presence::Both {
            expected: e,
            live: l,
        } = presence
        {
            if ignore.skips(name) {
                continue;
            }
            let what = if e.materialized {
                "materialized view"
            } else {
                "view"
            };
            let c = Commented {
                what,
                object: name.to_string(),
                table: None,
                expected: &e.comment,
                live: &l.comment,
            };
            push(c, ignore, out);
        }
    }
    for (name, presence) in paired(&expected.enums, &live.enums) {
        if let Presence::Both {
            expected: e,
            live: l,
        } = presence
        {
            if !ignore.skips(name) {
                let c = Commented {
                    what: "type",
                    object: name.to_string(),
                    table: None,
                    expected: &e.comment,
                    live: &l.comment,
                };
                push(c, ignore, out);
            }
        }
    }
    for (name, presence) in paired(&expected.composites, &live.composites) {
        if let Presence::Both {
            expected: e,
            live: l,
        } = presence
        {
            if !ignore.skips(name) {
                let c = Commented {
                    what: "type",
                    object: name.to_string(),
                    table: None,
                    expected: &e.comment,
                    live: &l.comment,
                };
                push(c, ignore, out);
            }
        }
    }
    for (key, presence) in paired(&expected.functions, &live.functions) {
        if let Presence::Both {
            expected: e,
            live: l,
        } = presence
        {
            if !ignore.skips(&e.name) {
                let c = Commented {
                    what: "function",
                    object: key.clone(),
                    table: None,
                    expected: &e.comment,
                    live: &l.comment,
                };
                push(c, ignore, out);
            }
        }
    }
    // An extension comes with its control file's comment: compared only where the
    // migrations set one, as its version only where they pin one.
    for (name, e) in expected
        .extensions
        .iter()
        .filter(|(_, e)| e.comment.is_some())
    {
        if let Some(l) = live.extensions.get(name) {
            let c = Commented {
                what: "extension",
                object: name.clone(),
                table: None,
                expected: &e.comment,
                live: &l.comment,
            };
            push(c, ignore, out);
        }
    }
    for schema in expected.schemas.intersection(&live.schemas) {
        // Replay seeds `public` with the comment `initdb` gives it, but a database
        // whose `public` was dropped and created again (or restored without
        // comments) has none, and no migration is to blame: only a comment the
        // migrations set on `public`, or a different live one, is compared.
        let untouched_public = schema == "public"
            && expected.schema_comments.get(schema).map(String::as_str)
                == Some(crate::schema::replay::PUBLIC_SCHEMA_COMMENT)
            && !live.schema_comments.contains_key(schema);
        if ignore.in_scope(schema) && !untouched_public {
            let c = Commented {
                what: "schema",
                object: schema.clone(),
                table: None,
                expected: &expected.schema_comments.get(schema).cloned(),
                live: &live.schema_comments.get(schema).cloned(),
            };
            push(c, ignore, out);
        }
    }
}
