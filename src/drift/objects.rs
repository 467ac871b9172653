//! Drift of the schema objects beyond relations and types (`schema::objects`):
//! functions and procedures, triggers, row security and policies. Kept apart from the table diff so each object kind
//! compares in one place.

use super::diff::{d, d_on, Difference, Kind};
use super::ignore::IgnoreList;
use super::keyed::{compared_tables, paired, Presence};
use crate::schema::objects::Function;
use crate::schema::SchemaModel;

/// Functions and procedures: present on both sides with the same header (identity
/// arguments, result, language, volatility, security) and the same stored body,
/// compared exactly — PostgreSQL keeps the body verbatim.
pub(super) fn diff_functions(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    for (key, presence) in paired(&expected.functions, &live.functions) {
        let f = presence.object();
        if ignore.skips(&f.name) || ignore.matches(key) {
            continue;
        }
        match presence {
            Presence::Missing(e) => out.push(d(
                Kind::MissingFunction,
                key,
                Some(e.header()),
                None,
                format!("{} {key} is missing", routine_word(e)),
            )),
            Presence::Both {
                expected: e,
                live: l,
            } if e.header() != l.header() => out.push(d(
                Kind::FunctionMismatch,
                key,
                Some(e.header()),
                Some(l.header()),
                format!(
                    "{} {key} is {} but the migrations make it {}",
                    routine_word(e),
                    l.header(),
                    e.header()
                ),
            )),
            Presence::Both {
                expected: e,
                live: l,
            } if e.body.is_some() && e.body != l.body => out.push(d(
                Kind::FunctionMismatch,
                key,
                e.body.clone(),
                l.body.clone(),
                format!(
                    "{} {key} has a body the migrations do not give it{}",
                    routine_word(e),
                    first_difference(e.body.as_deref(), l.body.as_deref())
                ),
            )),
            Presence::Both { .. } => {}
            Presence::Unexpected(l) => out.push(d(
                Kind::UnexpectedFunction,
                key,
                None,
                Some(l.header()),
                format!(
                    "{} {key} exists but is not in the schema the migrations produce",
                    routine_word(l)
                ),
            )),
        }
    }
}

/// Triggers of the tables both sides have (a missing or unexpected table is reported
/// once, as the table): same definition (as `pg_get_triggerdef` prints it, the `WHEN`
/// condition by its expression key) and the same enabled state.
pub(super) fn diff_triggers(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    for (name, e, l) in compared_tables(expected, live, ignore) {
        let table = name.to_string();
        let on_table = |kind, trigger: &str, expected, actual, message| {
            d_on(
                &table,
                kind,
                format!("{table}.{trigger}"),
                expected,
                actual,
                message,
            )
        };
        for (tname, presence) in paired(&e.triggers, &l.triggers) {
            if ignore.matches(&format!("{table}.{tname}")) {
                continue;
            }
            match presence {
                Presence::Missing(et) => out.push(on_table(
                    Kind::MissingTrigger,
                    tname,
                    Some(et.describe(name)),
                    None,
                    format!("trigger {tname} on {table} is missing"),
                )),
                Presence::Both { expected: et, live: lt }
                    if lt.describe(name) != et.describe(name) =>
                {
                    out.push(on_table(
                        Kind::TriggerMismatch,
                        tname,
                        Some(et.describe(name)),
                        Some(lt.describe(name)),
                        format!(
                            "trigger {tname} on {table} is `{}` but the migrations make it `{}`",
                            lt.describe(name),
                            et.describe(name)
                        ),
                    ))
                }
                Presence::Both { .. } => {}
                Presence::Unexpected(lt) => out.push(on_table(
                    Kind::UnexpectedTrigger,
                    tname,
                    None,
                    Some(lt.describe(name)),
                    format!(
                        "trigger {tname} on {table} exists but is not in the schema the migrations produce"
                    ),
                )),
            }
        }
    }
}

/// Row security of the tables both sides have: the `ENABLE`/`FORCE` switches (one
/// item per table) and the policies (as `CREATE POLICY` statements, expressions by
/// their keys).
pub(super) fn diff_row_security(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    let switches = |t: &crate::schema::model::Table| {
        format!(
            "ROW LEVEL SECURITY {}{}",
            if t.row_security {
                "ENABLED"
            } else {
                "DISABLED"
            },
            if t.force_row_security { ", FORCED" } else { "" }
        )
    };
    for (name, e, l) in compared_tables(expected, live, ignore) {
        let table = name.to_string();
        if switches(e) != switches(l) {
            out.push(d_on(
                &table,
                Kind::RowSecurityMismatch,
                &table,
                Some(switches(e)),
                Some(switches(l)),
                format!(
                    "table {table} has {} but the migrations give it {}",
                    switches(l),
                    switches(e)
                ),
            ));
        }
        let on_table = |kind, policy: &str, expected, actual, message| {
            d_on(
                &table,
                kind,
                format!("{table}.{policy}"),
                expected,
                actual,
                message,
            )
        };
        for (pname, presence) in paired(&e.policies, &l.policies) {
            if ignore.matches(&format!("{table}.{pname}")) {
                continue;
            }
            match presence {
                Presence::Missing(ep) => out.push(on_table(
                    Kind::MissingPolicy,
                    pname,
                    Some(ep.definition(name)),
                    None,
                    format!("policy {pname} on {table} is missing"),
                )),
                // The comment is compared on its own (`drift::comments`).
                Presence::Both { expected: ep, live: lp }
                    if lp.definition(name) != ep.definition(name) =>
                {
                    out.push(on_table(
                    Kind::PolicyMismatch,
                    pname,
                    Some(ep.definition(name)),
                    Some(lp.definition(name)),
                    format!(
                        "policy {pname} on {table} is `{}` but the migrations make it `{}`",
                        lp.definition(name),
                        ep.definition(name)
                    ),
                    ))
                }
                Presence::Both { .. } => {}
                Presence::Unexpected(lp) => out.push(on_table(
                    Kind::UnexpectedPolicy,
                    pname,
                    None,
                    Some(lp.definition(name)),
                    format!(
                        "policy {pname} on {table} exists but is not in the schema the migrations produce"
                    ),
                )),
            }
        }
    }
}

fn routine_word(f: &Function) -> &'static str {
    match f.kind {
        crate::schema::objects::RoutineKind::Function => "function",
        crate::schema::objects::RoutineKind::Procedure => "procedure",
    }
}

/// ` (first difference at line N)` between two bodies, for a reviewer to find it.
fn first_difference(expected: Option<&str>, live: Option<&str>) -> String {
    let (Some(e), Some(l)) = (expected, live) else {
        return String::new();
    };
    let line = e
        .split('\n')
        .zip(l.split('\n'))
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| e.split('\n').count().min(l.split('\n').count()));
    format!(" (first difference at body line {})", line + 1)
}
