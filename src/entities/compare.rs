//! The PR-time check: the entity model against the replay of every migration, as
//! findings (`missing-migration`, `undeclared-in-entities`). Pure: no Node, no
//! database; the lint command hands it both models.
//!
//! It is the drift diff with the entities as the expected side: an object the
//! entities declare that the migrations do not create (or create differently) is
//! `missing-migration`, pointing at the entity's file and line; an object the
//! migrations create that no entity declares is `undeclared-in-entities`, pointing at
//! the last migration statement that touches it. Objects the migrations touch with
//! SQL migguard cannot read are reported as warnings saying so, never as clean.

use super::{Entity, EntitySet};
use crate::classify::unlocated;
use crate::drift::diff::{diff, Difference, IgnoreList, Kind};
use crate::finding::{Disposition, Finding};
use crate::ir::{Migration, Span};
use crate::ruleset::{CodeRule, Rule, RuleSet};
use crate::schema::SchemaModel;
use std::path::PathBuf;

/// A line-only span (entity lines come from the Node script, not from a parsed file).
fn line_span(line: usize) -> Option<Span> {
    (line > 0).then_some(Span {
        start: 0,
        end: 0,
        line,
        column: 1,
        end_line: line,
        end_column: 1,
    })
}

/// The entity (and line) behind a difference's object.
fn locate<'a>(set: &'a EntitySet, d: &Difference) -> Option<(&'a Entity, Option<PathBuf>, usize)> {
    let ds = &set.default_schema;
    let table_of = |e: &Entity| e.qualified_table(ds).to_string();
    let table = d.table.clone().unwrap_or_else(|| d.object.clone());
    // A column: its property line. Constraints and indexes: the entity naming them.
    for e in &set.entities {
        let t = table_of(e);
        if let Some(rest) = d.object.strip_prefix(&format!("{t}.")) {
            if let Some(c) = e.columns.iter().find(|c| c.name == rest) {
                return Some((e, c.file.clone().or(e.file.clone()), c.line));
            }
        }
    }
    let name = d.object.rsplit('.').next().unwrap_or(&d.object);
    if let Some(e) = set.entities.iter().find(|e| e.names_object(name)) {
        return Some((e, e.file.clone(), e.line));
    }
    if let Some(e) = set.entities.iter().find(|e| table_of(e) == table) {
        return Some((e, e.file.clone(), e.line));
    }
    // An enum type: the first entity column of that type.
    for (tname, t) in &set.model.tables {
        for c in &t.columns {
            if c.data_type.trim_end_matches("[]") == name
                || c.data_type.trim_end_matches("[]") == d.object
            {
                let tname = tname.to_string();
                if let Some(e) = set.entities.iter().find(|e| table_of(e) == tname) {
                    let col = e.columns.iter().find(|x| x.name == c.name);
                    return Some((
                        e,
                        col.and_then(|x| x.file.clone()).or(e.file.clone()),
                        col.map_or(e.line, |x| x.line),
                    ));
                }
            }
        }
    }
    None
}

/// The last migration statement touching `object` (or its table): where an
/// undeclared object comes from.
fn creator<'a>(migrations: &'a [Migration], d: &Difference) -> Option<(&'a Migration, Span)> {
    let mut ordered: Vec<&Migration> = migrations.iter().collect();
    ordered.sort_by(|a, b| a.order.cmp(&b.order));
    let mut found = None;
    for m in ordered {
        for op in &m.up {
            let on_object = op.kind.object().as_deref() == Some(d.object.as_str());
            let on_table = op
                .kind
                .table()
                .is_some_and(|t| d.table.as_deref() == Some(t.to_string().as_str()));
            if on_object || (on_table && found.is_none()) {
                found = Some((m, op.span));
            }
        }
    }
    found
}

fn finding(rule: &Rule, d: &Difference, message: String) -> Finding {
    let mut f = unlocated(rule, None, None, message);
    f.object = Some(d.object.clone());
    f
}

/// Findings for the entities against `replayed` (the replay of all `migrations`).
pub fn check(
    set: &EntitySet,
    replayed: &SchemaModel,
    migrations: &[Migration],
    ignore: &IgnoreList,
    rules: &RuleSet,
) -> Vec<Finding> {
    let missing = rules.enabled(CodeRule::MissingMigration);
    let undeclared = rules.enabled(CodeRule::UndeclaredInEntities);
    // The migrations are the "expected" side so that objects their unreadable SQL
    // touches fold into one `unverifiable` difference each.
    let mut out = Vec::new();
    for d in diff(replayed, &set.model, ignore) {
        let entity = locate(set, &d);
        let declared_by = |e: &Entity| format!("entity {}", e.class);
        if d.kind == Kind::Unverifiable {
            let Some(rule) = missing else { continue };
            let mut f = finding(
                rule,
                &d,
                format!(
                    "cannot tell whether the migrations create {} as the entities declare it: {}",
                    d.object, d.message
                ),
            );
            // Reported, never passed as clean; but not blocking on a guess.
            f.disposition = Disposition::Advisory;
            if let Some((_, file, line)) = entity {
                f.file = file;
                f.span = line_span(line);
            }
            out.push(f);
        } else if d.kind.is_unexpected() {
            // The entities (the live side here) have it, the migrations do not.
            let Some(rule) = missing else { continue };
            let what = d.kind.lone_object().unwrap_or_default();
            let by = entity
                .as_ref()
                .map_or("the entities".into(), |(e, ..)| declared_by(e));
            let mut f = finding(
                rule,
                &d,
                format!(
                    "{by} declares {what} {} but no migration creates it",
                    d.object
                ),
            );
            if let Some((_, file, line)) = entity {
                f.file = file;
                f.span = line_span(line);
            }
            out.push(f);
        } else if matches!(
            d.kind,
            // Extensions, standalone sequences, views and composite types are the
            // migrations' business: entities do not declare them.
            Kind::MissingExtension | Kind::MissingSequence | Kind::MissingView | Kind::MissingType
        ) {
            continue;
        } else if d.kind.is_missing() {
            let Some(rule) = undeclared else { continue };
            let what = d.kind.lone_object().unwrap_or_default();
            let mut f = finding(
                rule,
                &d,
                format!(
                    "the migrations create {what} {} but no entity declares it",
                    d.object
                ),
            );
            if let Some((m, span)) = creator(migrations, &d) {
                f.migration = Some(m.name.clone());
                f.file = Some(m.file.clone());
                f.span = Some(span);
            }
            out.push(f);
        } else {
            // Both have it, differently: the entity's version has no migration.
            let Some(rule) = missing else { continue };
            let by = entity
                .as_ref()
                .map_or("the entities".into(), |(e, ..)| declared_by(e));
            let mut f = finding(
                rule,
                &d,
                format!(
                    "{by} declares {} as `{}`, but the migrations leave it `{}` ({})",
                    d.object,
                    d.actual.as_deref().unwrap_or("-"),
                    d.expected.as_deref().unwrap_or("-"),
                    d.kind
                ),
            );
            if let Some((_, file, line)) = entity {
                f.file = file;
                f.span = line_span(line);
            }
            out.push(f);
        }
    }
    crate::finding::sort_findings(&mut out);
    out
}
