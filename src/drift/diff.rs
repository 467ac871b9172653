//! Structural diff of two schema models (expected vs live). Pure and sorted.
//!
//! Drift needs a list of named, typed differences it can compare twice (L vs E, then
//! P vs E) and render: so every difference has a stable `kind` and an `object` name in
//! DESIGN §6 spelling (`schema.table`, `schema.table.column`,
//! `schema.table.constraint`, `schema.index`, `schema.type`). Objects the replay could
//! not vouch for (`expected.uncertain`) come out as one `unverifiable` difference that
//! absorbs the differences found under them: whatever they are, migguard cannot tell
//! whether the unreadable migration explains them, and it never calls them clean.

use crate::ir::{ConstraintKind, Identity, QualifiedName};
use crate::schema::model::{Column, Constraint, Index, SchemaModel, Sequence};
use std::fmt;

/// Objects drift never reports: the history table, `typeorm_metadata`, and the
/// user's `[drift] ignore` patterns (`*` matches any run of characters).
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    pub patterns: Vec<String>,
}

impl IgnoreList {
    pub fn new(history_table: &str, default_schema: &str, user: &[String]) -> Self {
        let qualified = if history_table.contains('.') {
            history_table.to_string()
        } else {
            format!("{default_schema}.{history_table}")
        };
        let mut patterns = vec![
            qualified.clone(),
            format!("{qualified}.*"),
            "*.typeorm_metadata".into(),
            "*.typeorm_metadata.*".into(),
        ];
        patterns.extend(user.iter().cloned());
        IgnoreList { patterns }
    }

    pub fn matches(&self, object: &str) -> bool {
        self.patterns.iter().any(|p| glob(p, object))
    }
}

fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    MissingTable,
    UnexpectedTable,
    MissingColumn,
    UnexpectedColumn,
    ColumnTypeMismatch,
    ColumnNullabilityMismatch,
    ColumnDefaultMismatch,
    MissingIndex,
    UnexpectedIndex,
    IndexMismatch,
    MissingConstraint,
    UnexpectedConstraint,
    ConstraintMismatch,
    MissingEnum,
    UnexpectedEnum,
    EnumValuesMismatch,
    MissingView,
    UnexpectedView,
    MissingSequence,
    UnexpectedSequence,
    MissingExtension,
    Unverifiable,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = format!("{self:?}");
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        f.write_str(&out)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub kind: Kind,
    pub object: String,
    /// The table the object belongs to (columns, constraints, indexes, owned
    /// sequences): lets an uncertain table absorb its children's differences.
    pub table: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: String,
}

fn d(
    kind: Kind,
    object: String,
    expected: Option<String>,
    actual: Option<String>,
    message: String,
) -> Difference {
    Difference {
        kind,
        object,
        table: None,
        expected,
        actual,
        message,
    }
}

/// A difference on an object that belongs to `table`.
fn d_on(
    table: &str,
    kind: Kind,
    object: String,
    expected: Option<String>,
    actual: Option<String>,
    message: String,
) -> Difference {
    Difference {
        table: Some(table.to_string()),
        ..d(kind, object, expected, actual, message)
    }
}

fn describe_constraint(c: &Constraint) -> String {
    let cols = |c: &[String]| c.join(", ");
    let mut s = match &c.kind {
        ConstraintKind::PrimaryKey { columns } => format!("PRIMARY KEY ({})", cols(columns)),
        ConstraintKind::Unique { columns, .. } => format!("UNIQUE ({})", cols(columns)),
        ConstraintKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete,
            on_update,
        } => format!(
            "FOREIGN KEY ({}) REFERENCES {ref_table} ({}){}{}",
            cols(columns),
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
        // PostgreSQL rewrites CHECK expressions (BETWEEN → >= AND <=): compared by
        // presence and validation state only.
        ConstraintKind::Check { .. } => "CHECK (…)".into(),
        ConstraintKind::Exclusion { .. } => "EXCLUDE (…)".into(),
    };
    if c.deferrable {
        s.push_str(" DEFERRABLE");
        if c.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    if !c.validated {
        s.push_str(" NOT VALID");
    }
    s
}

/// What fills a column when the insert does not: a default, an identity or a stored
/// generated expression. One comparison, because they replace one another (an
/// identity column has no default; `serial` is a `nextval` default).
fn describe_default(c: &Column) -> Option<String> {
    if let Some(g) = &c.generated {
        return Some(format!("GENERATED ALWAYS AS ({g}) STORED"));
    }
    match c.identity {
        Some(Identity::Always) => Some("GENERATED ALWAYS AS IDENTITY".into()),
        Some(Identity::ByDefault) => Some("GENERATED BY DEFAULT AS IDENTITY".into()),
        None => c.default.clone(),
    }
}

fn describe_index(i: &Index) -> String {
    format!(
        "{}INDEX ON {} USING {} ({}){}{}{}",
        if i.unique { "UNIQUE " } else { "" },
        i.table,
        i.method,
        i.keys.join(", "),
        if i.include.is_empty() {
            String::new()
        } else {
            format!(" INCLUDE ({})", i.include.join(", "))
        },
        if i.nulls_not_distinct {
            " NULLS NOT DISTINCT"
        } else {
            ""
        },
        i.predicate
            .as_ref()
            .map(|p| format!(" WHERE {p}"))
            .unwrap_or_default()
    )
}

/// Differences between `expected` and `live`.
pub fn diff(expected: &SchemaModel, live: &SchemaModel, ignore: &IgnoreList) -> Vec<Difference> {
    let mut out = Vec::new();
    let skip = |o: &str| ignore.matches(o);
    for (name, e) in &expected.tables {
        let obj = name.to_string();
        if skip(&obj) {
            continue;
        }
        let Some(l) = live.tables.get(name) else {
            out.push(d(
                Kind::MissingTable,
                obj.clone(),
                Some(obj.clone()),
                None,
                format!("table {obj} is missing"),
            ));
            continue;
        };
        for ec in &e.columns {
            let cobj = format!("{obj}.{}", ec.name);
            if skip(&cobj) {
                continue;
            }
            let Some(lc) = l.column(&ec.name) else {
                out.push(d_on(
                    &obj,
                    Kind::MissingColumn,
                    cobj.clone(),
                    Some(ec.data_type.clone()),
                    None,
                    format!("column {cobj} is missing"),
                ));
                continue;
            };
            if ec.data_type != lc.data_type {
                out.push(d_on(
                    &obj,
                    Kind::ColumnTypeMismatch,
                    cobj.clone(),
                    Some(ec.data_type.clone()),
                    Some(lc.data_type.clone()),
                    format!(
                        "column {cobj} is {} but the migrations make it {}",
                        lc.data_type, ec.data_type
                    ),
                ));
            }
            if ec.not_null != lc.not_null {
                let word = |b: bool| if b { "NOT NULL" } else { "NULL" };
                out.push(d_on(
                    &obj,
                    Kind::ColumnNullabilityMismatch,
                    cobj.clone(),
                    Some(word(ec.not_null).into()),
                    Some(word(lc.not_null).into()),
                    format!(
                        "column {cobj} is {} but the migrations make it {}",
                        word(lc.not_null),
                        word(ec.not_null)
                    ),
                ));
            }
            let (de, dl) = (describe_default(ec), describe_default(lc));
            if de != dl {
                out.push(d_on(
                    &obj,
                    Kind::ColumnDefaultMismatch,
                    cobj.clone(),
                    de.clone(),
                    dl.clone(),
                    format!(
                        "column {cobj} has default {} but the migrations give it {}",
                        dl.as_deref().unwrap_or("none"),
                        de.as_deref().unwrap_or("none")
                    ),
                ));
            }
        }
        for lc in &l.columns {
            let cobj = format!("{obj}.{}", lc.name);
            if e.column(&lc.name).is_none() && !skip(&cobj) {
                out.push(d_on(
                    &obj,
                    Kind::UnexpectedColumn,
                    cobj.clone(),
                    None,
                    Some(lc.data_type.clone()),
                    format!("column {cobj} exists but no migration creates it"),
                ));
            }
        }
        for (cname, ec) in &e.constraints {
            let cobj = format!("{obj}.{cname}");
            if skip(&cobj) {
                continue;
            }
            match l.constraints.get(cname) {
                None => out.push(d_on(
                    &obj,
                    Kind::MissingConstraint,
                    cobj.clone(),
                    Some(describe_constraint(ec)),
                    None,
                    format!("constraint {cobj} is missing"),
                )),
                Some(lc) => {
                    let (de, dl) = (describe_constraint(ec), describe_constraint(lc));
                    if de != dl {
                        out.push(d_on(
                            &obj,
                            Kind::ConstraintMismatch,
                            cobj.clone(),
                            Some(de),
                            Some(dl),
                            format!("constraint {cobj} differs"),
                        ));
                    }
                }
            }
        }
        for (cname, lc) in &l.constraints {
            let cobj = format!("{obj}.{cname}");
            if !e.constraints.contains_key(cname) && !skip(&cobj) {
                out.push(d_on(
                    &obj,
                    Kind::UnexpectedConstraint,
                    cobj.clone(),
                    None,
                    Some(describe_constraint(lc)),
                    format!("constraint {cobj} exists but no migration creates it"),
                ));
            }
        }
    }
    for name in live.tables.keys() {
        let obj = name.to_string();
        if !expected.tables.contains_key(name) && !skip(&obj) {
            out.push(d(
                Kind::UnexpectedTable,
                obj.clone(),
                None,
                Some(obj.clone()),
                format!("table {obj} exists but no migration creates it"),
            ));
        }
    }
    let table_skipped = |t: &QualifiedName| skip(&t.to_string());
    for (name, e) in &expected.indexes {
        let obj = name.to_string();
        if skip(&obj) || table_skipped(&e.table) {
            continue;
        }
        match live.indexes.get(name) {
            None => out.push(d_on(
                &e.table.to_string(),
                Kind::MissingIndex,
                obj.clone(),
                Some(describe_index(e)),
                None,
                format!("index {obj} on {} is missing", e.table),
            )),
            Some(l) => {
                let (de, dl) = (describe_index(e), describe_index(l));
                if de != dl {
                    out.push(d_on(
                        &e.table.to_string(),
                        Kind::IndexMismatch,
                        obj.clone(),
                        Some(de),
                        Some(dl),
                        format!("index {obj} differs"),
                    ));
                }
            }
        }
    }
    for (name, l) in &live.indexes {
        let obj = name.to_string();
        if !expected.indexes.contains_key(name) && !skip(&obj) && !table_skipped(&l.table) {
            out.push(d_on(
                &l.table.to_string(),
                Kind::UnexpectedIndex,
                obj.clone(),
                None,
                Some(describe_index(l)),
                format!(
                    "index {obj} on {} exists but no migration creates it",
                    l.table
                ),
            ));
        }
    }
    for (name, e) in &expected.enums {
        let obj = name.to_string();
        if skip(&obj) {
            continue;
        }
        match live.enums.get(name) {
            None => out.push(d(
                Kind::MissingEnum,
                obj.clone(),
                Some(e.labels.join(", ")),
                None,
                format!("enum type {obj} is missing"),
            )),
            Some(l) if l.labels != e.labels => out.push(d(
                Kind::EnumValuesMismatch,
                obj.clone(),
                Some(e.labels.join(", ")),
                Some(l.labels.join(", ")),
                format!(
                    "enum type {obj} has labels ({}) but the migrations give ({})",
                    l.labels.join(", "),
                    e.labels.join(", ")
                ),
            )),
            Some(_) => {}
        }
    }
    for (name, l) in &live.enums {
        let obj = name.to_string();
        if !expected.enums.contains_key(name) && !skip(&obj) {
            out.push(d(
                Kind::UnexpectedEnum,
                obj.clone(),
                None,
                Some(l.labels.join(", ")),
                format!("enum type {obj} exists but no migration creates it"),
            ));
        }
    }
    for name in expected.views.keys() {
        let obj = name.to_string();
        if !live.views.contains_key(name) && !skip(&obj) {
            out.push(d(
                Kind::MissingView,
                obj.clone(),
                Some(obj.clone()),
                None,
                format!("view {obj} is missing"),
            ));
        }
    }
    for name in live.views.keys() {
        let obj = name.to_string();
        if !expected.views.contains_key(name) && !skip(&obj) {
            out.push(d(
                Kind::UnexpectedView,
                obj.clone(),
                None,
                Some(obj.clone()),
                format!("view {obj} exists but no migration creates it"),
            ));
        }
    }
    let owner = |s: &Sequence| s.owned_by.as_ref().map(|(t, _)| t.to_string());
    for (name, s) in &expected.sequences {
        let obj = name.to_string();
        if !live.sequences.contains_key(name)
            && !skip(&obj)
            && !s.owned_by.as_ref().is_some_and(|(t, _)| table_skipped(t))
        {
            out.push(Difference {
                table: owner(s),
                ..d(
                    Kind::MissingSequence,
                    obj.clone(),
                    Some(obj.clone()),
                    None,
                    format!("sequence {obj} is missing"),
                )
            });
        }
    }
    for (name, s) in &live.sequences {
        let obj = name.to_string();
        if !expected.sequences.contains_key(name)
            && !skip(&obj)
            && !s.owned_by.as_ref().is_some_and(|(t, _)| table_skipped(t))
        {
            out.push(Difference {
                table: owner(s),
                ..d(
                    Kind::UnexpectedSequence,
                    obj.clone(),
                    None,
                    Some(obj.clone()),
                    format!("sequence {obj} exists but no migration creates it"),
                )
            });
        }
    }
    for name in expected.extensions.keys() {
        if !live.extensions.contains_key(name) && !skip(name) {
            out.push(d(
                Kind::MissingExtension,
                name.clone(),
                Some(name.clone()),
                None,
                format!("extension {name} is not installed"),
            ));
        }
    }
    let mut out = fold_uncertain(out, expected, ignore);
    out.sort();
    out
}

/// Replace the differences under each uncertain object with one `unverifiable`
/// difference naming them. `*` (a migration whose target migguard could not find)
/// absorbs nothing: its differences stay visible, each still real drift.
fn fold_uncertain(
    diffs: Vec<Difference>,
    expected: &SchemaModel,
    ignore: &IgnoreList,
) -> Vec<Difference> {
    let under = |d: &Difference, u: &str| {
        d.object == u
            || d.table.as_deref() == Some(u)
            || d.object
                .strip_prefix(u)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    let uncertain: Vec<(&String, &Vec<String>)> = expected
        .uncertain
        .iter()
        .filter(|(o, _)| !ignore.matches(o))
        .collect();
    let mut absorbed: Vec<Vec<String>> = vec![Vec::new(); uncertain.len()];
    let mut out = Vec::with_capacity(diffs.len() + uncertain.len());
    for d in diffs {
        match uncertain
            .iter()
            .position(|(u, _)| u.as_str() != "*" && under(&d, u))
        {
            Some(i) => absorbed[i].push(format!("{} {}", d.kind, d.object)),
            None => out.push(d),
        }
    }
    for ((object, reasons), seen) in uncertain.into_iter().zip(absorbed) {
        let table = expected
            .tables
            .keys()
            .find(|t| object.starts_with(&format!("{t}.")))
            .map(|t| t.to_string());
        out.push(Difference {
            kind: Kind::Unverifiable,
            object: object.clone(),
            table,
            expected: None,
            actual: (!seen.is_empty()).then(|| seen.join("; ")),
            message: format!(
                "migguard cannot verify {}: {}; check it by hand, then list it under [drift] ignore",
                if object == "*" { "the schema" } else { object.as_str() },
                reasons.join("; ")
            ),
        });
    }
    out
}
