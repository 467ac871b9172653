//! Structural diff of two schema models (expected vs live). Pure and sorted.
//!
//! Drift needs a list of named, typed differences it can compare twice (L vs E, then
//! P vs E) and render: so every difference has a stable `kind` and an `object` name in
//! the contract's spelling (`schema.table`, `schema.table.column`,
//! `schema.table.constraint`, `schema.index`, `schema.type`). Objects the replay could
//! not vouch for (`expected.uncertain`) come out as one `unverifiable` difference that
//! absorbs the differences found under them: whatever they are, migguard cannot tell
//! whether the unreadable migration explains them, and it never calls them clean.

use crate::ir::{ConstraintKind, Identity, QualifiedName};
use crate::schema::model::{Column, Constraint, Index, SchemaModel, Sequence, View};
use std::fmt;

/// Objects drift never reports: the history table, `typeorm_metadata`, and the
/// user's `[drift] ignore` patterns (`*` matches any run of characters).
///
/// `schemas` limits the comparison to the schemas that were introspected (empty =
/// all): an expected table in a schema nobody looked at is not "missing".
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    pub patterns: Vec<String>,
    pub schemas: Vec<String>,
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
        IgnoreList {
            patterns,
            schemas: Vec::new(),
        }
    }

    /// Compare only objects in these schemas.
    pub fn with_schemas(mut self, schemas: &[String]) -> Self {
        self.schemas = schemas.to_vec();
        self
    }

    pub fn matches(&self, object: &str) -> bool {
        self.patterns.iter().any(|p| glob(p, object))
    }

    pub fn in_scope(&self, schema: &str) -> bool {
        self.schemas.is_empty() || self.schemas.iter().any(|s| s == schema)
    }

    /// Ignored by pattern, or in a schema outside the comparison.
    pub fn skips(&self, name: &QualifiedName) -> bool {
        !self.in_scope(&name.schema) || self.matches(&name.to_string())
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
    MissingType,
    UnexpectedType,
    TypeMismatch,
    MissingView,
    UnexpectedView,
    ViewMismatch,
    MissingSequence,
    UnexpectedSequence,
    SequenceMismatch,
    MissingExtension,
    MissingFunction,
    UnexpectedFunction,
    FunctionMismatch,
    MissingTrigger,
    UnexpectedTrigger,
    TriggerMismatch,
    RowSecurityMismatch,
    MissingPolicy,
    UnexpectedPolicy,
    PolicyMismatch,
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

/// A column's type with its collation when it has its own (`text COLLATE "C"`).
fn column_type(c: &Column) -> String {
    match &c.collation {
        Some(co) => format!("{} COLLATE \"{co}\"", c.data_type),
        None => c.data_type.clone(),
    }
}

fn describe_view(v: &View) -> String {
    format!(
        "{}VIEW ({})",
        if v.materialized { "MATERIALIZED " } else { "" },
        v.columns.as_ref().map_or("…".to_string(), |c| c.join(", "))
    )
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
        // Both sides are canonical (`schema::expr`): PostgreSQL's rewrites of IN,
        // BETWEEN and LIKE and its parentheses compare equal to what was written.
        ConstraintKind::Check { expr } => format!("CHECK ({expr})"),
        ConstraintKind::Exclusion { .. } => "EXCLUDE (…)".into(),
    };
    s.push_str(&c.attributes_sql());
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

/// What drift compares of a sequence: type, bounds, increment, cycle and owner (the
/// start and cache are settings of the next `nextval`, not of the schema's shape).
fn describe_sequence(s: &Sequence) -> String {
    format!(
        "AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {}{}{}",
        s.data_type,
        s.increment,
        s.min_value,
        s.max_value,
        if s.cycle { " CYCLE" } else { "" },
        s.owned_by
            .as_ref()
            .map(|(t, c)| format!(" OWNED BY {t}.{c}"))
            .unwrap_or_default()
    )
}

fn describe_index(i: &Index) -> String {
    format!(
        "{}INDEX ON {} USING {} ({}){}",
        if i.unique { "UNIQUE " } else { "" },
        i.table,
        i.method,
        i.keys.join(", "),
        i.tail_sql(|c| c.join(", "))
    )
}

/// Differences between `expected` and `live`.
pub fn diff(expected: &SchemaModel, live: &SchemaModel, ignore: &IgnoreList) -> Vec<Difference> {
    // Expressions compare by their keys: PostgreSQL's casts and spellings are no drift.
    let user_types: std::collections::BTreeSet<QualifiedName> = expected
        .enums
        .keys()
        .chain(live.enums.keys())
        .cloned()
        .collect();
    let mut keys = std::collections::HashMap::new();
    let (expected, live) = (
        &expected.compared_form_with(&user_types, &mut keys),
        &live.compared_form_with(&user_types, &mut keys),
    );
    let mut out = Vec::new();
    let skip = |o: &str| ignore.matches(o);
    for (name, e) in &expected.tables {
        let obj = name.to_string();
        if ignore.skips(name) {
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
            if ec.data_type != lc.data_type || ec.collation != lc.collation {
                let (et, lt) = (column_type(ec), column_type(lc));
                out.push(d_on(
                    &obj,
                    Kind::ColumnTypeMismatch,
                    cobj.clone(),
                    Some(et.clone()),
                    Some(lt.clone()),
                    format!("column {cobj} is {lt} but the migrations make it {et}"),
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
                    format!("column {cobj} exists but is not in the schema the migrations produce"),
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
                    format!(
                        "constraint {cobj} exists but is not in the schema the migrations produce"
                    ),
                ));
            }
        }
    }
    for name in live.tables.keys() {
        let obj = name.to_string();
        if !expected.tables.contains_key(name) && !ignore.skips(name) {
            out.push(d(
                Kind::UnexpectedTable,
                obj.clone(),
                None,
                Some(obj.clone()),
                format!("table {obj} exists but is not in the schema the migrations produce"),
            ));
        }
    }
    let table_skipped = |t: &QualifiedName| ignore.skips(t);
    for (name, e) in &expected.indexes {
        let obj = name.to_string();
        if ignore.skips(name) || table_skipped(&e.table) {
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
        if !expected.indexes.contains_key(name) && !ignore.skips(name) && !table_skipped(&l.table) {
            out.push(d_on(
                &l.table.to_string(),
                Kind::UnexpectedIndex,
                obj.clone(),
                None,
                Some(describe_index(l)),
                format!(
                    "index {obj} on {} exists but is not in the schema the migrations produce",
                    l.table
                ),
            ));
        }
    }
    for (name, e) in &expected.enums {
        let obj = name.to_string();
        if ignore.skips(name) {
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
        if !expected.enums.contains_key(name) && !ignore.skips(name) {
            out.push(d(
                Kind::UnexpectedEnum,
                obj.clone(),
                None,
                Some(l.labels.join(", ")),
                format!("enum type {obj} exists but is not in the schema the migrations produce"),
            ));
        }
    }
    diff_composites(expected, live, ignore, &mut out);
    for (name, e) in &expected.views {
        let obj = name.to_string();
        if ignore.skips(name) {
            continue;
        }
        match live.views.get(name) {
            None => out.push(d(
                Kind::MissingView,
                obj.clone(),
                Some(obj.clone()),
                None,
                format!("view {obj} is missing"),
            )),
            Some(l) => {
                // Columns count only when replay could name them (`view_columns`).
                let columns_differ =
                    matches!((&e.columns, &l.columns), (Some(a), Some(b)) if a != b);
                if columns_differ || e.materialized != l.materialized {
                    out.push(d(
                        Kind::ViewMismatch,
                        obj.clone(),
                        Some(describe_view(e)),
                        Some(describe_view(l)),
                        format!("view {obj} differs from what the migrations create"),
                    ));
                }
            }
        }
    }
    for name in live.views.keys() {
        let obj = name.to_string();
        if !expected.views.contains_key(name) && !ignore.skips(name) {
            out.push(d(
                Kind::UnexpectedView,
                obj.clone(),
                None,
                Some(obj.clone()),
                format!("view {obj} exists but is not in the schema the migrations produce"),
            ));
        }
    }
    let owner = |s: &Sequence| s.owned_by.as_ref().map(|(t, _)| t.to_string());
    for (name, s) in &expected.sequences {
        let obj = name.to_string();
        let skipped =
            ignore.skips(name) || s.owned_by.as_ref().is_some_and(|(t, _)| table_skipped(t));
        if let Some(l) = live.sequences.get(name).filter(|_| !skipped) {
            let (de, dl) = (describe_sequence(s), describe_sequence(l));
            if de != dl {
                out.push(Difference {
                    table: owner(s).or_else(|| owner(l)),
                    ..d(
                        Kind::SequenceMismatch,
                        obj.clone(),
                        Some(de.clone()),
                        Some(dl.clone()),
                        format!("sequence {obj} is {dl} but the migrations make it {de}"),
                    )
                });
            }
        }
        if !live.sequences.contains_key(name) && !skipped {
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
            && !ignore.skips(name)
            && !s.owned_by.as_ref().is_some_and(|(t, _)| table_skipped(t))
        {
            out.push(Difference {
                table: owner(s),
                ..d(
                    Kind::UnexpectedSequence,
                    obj.clone(),
                    None,
                    Some(obj.clone()),
                    format!(
                        "sequence {obj} exists but is not in the schema the migrations produce"
                    ),
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
    super::objects::diff_functions(expected, live, ignore, &mut out);
    super::objects::diff_triggers(expected, live, ignore, &mut out);
    super::objects::diff_row_security(expected, live, ignore, &mut out);
    let mut out = fold_uncertain(out, expected, ignore);
    out.sort();
    out
}

/// Replace the differences under each uncertain object with one `unverifiable`
/// difference naming them. `*` (a migration whose target migguard could not find)
/// absorbs nothing: its differences stay visible, each still real drift.
/// Composite types: present on both sides, with the same attributes (names and
/// types, in order).
fn diff_composites(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    let shape = |c: &crate::schema::model::CompositeType| {
        c.attributes
            .iter()
            .map(|a| format!("{} {}", a.name, a.data_type))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (name, e) in &expected.composites {
        let obj = name.to_string();
        if ignore.skips(name) {
            continue;
        }
        match live.composites.get(name) {
            None => out.push(d(
                Kind::MissingType,
                obj.clone(),
                Some(shape(e)),
                None,
                format!("composite type {obj} is missing"),
            )),
            Some(l) if l.attributes != e.attributes => out.push(d(
                Kind::TypeMismatch,
                obj.clone(),
                Some(shape(e)),
                Some(shape(l)),
                format!(
                    "composite type {obj} has attributes ({}) but the migrations give ({})",
                    shape(l),
                    shape(e)
                ),
            )),
            Some(_) => {}
        }
    }
    for (name, l) in &live.composites {
        let obj = name.to_string();
        if !expected.composites.contains_key(name) && !ignore.skips(name) {
            out.push(d(
                Kind::UnexpectedType,
                obj.clone(),
                None,
                Some(shape(l)),
                format!(
                    "composite type {obj} exists but is not in the schema the migrations produce"
                ),
            ));
        }
    }
}

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
                // `public.f(integer)` is under `public.f`: a routine by its name.
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('('))
    };
    let uncertain: Vec<(&String, &Vec<String>)> = expected
        .uncertain
        .iter()
        .filter(|(o, _)| {
            !ignore.matches(o)
                // `*` and `extension ${…}` belong to no schema: always in scope.
                && (!o.contains('.') || o.split('.').next().is_some_and(|s| ignore.in_scope(s)))
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::model::{EnumType, Extension, Table, View};

    fn q(n: &str) -> QualifiedName {
        QualifiedName::new("public", n)
    }

    fn col(name: &str, ty: &str) -> Column {
        Column {
            name: name.into(),
            data_type: ty.into(),
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
        }
    }

    fn index(name: &str, table: &str, keys: &[&str]) -> Index {
        Index {
            name: q(name),
            table: q(table),
            unique: false,
            method: "btree".into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            include: vec![],
            predicate: None,
            nulls_not_distinct: false,
        }
    }

    fn fk(name: &str) -> Constraint {
        Constraint {
            name: name.into(),
            kind: ConstraintKind::ForeignKey {
                columns: vec!["owner_id".into()],
                ref_table: q("person"),
                ref_columns: vec!["id".into()],
                on_delete: None,
                on_update: None,
            },
            validated: true,
            deferrable: false,
            initially_deferred: false,
        }
    }

    fn seq(name: &str, owner: Option<&str>) -> Sequence {
        Sequence {
            name: q(name),
            data_type: "integer".into(),
            start: 1,
            increment: 1,
            min_value: 1,
            max_value: i32::MAX as i64,
            cache: 1,
            cycle: false,
            owned_by: owner.map(|t| (q(t), "id".into())),
        }
    }

    /// A small schema with one of everything drift compares.
    fn base() -> SchemaModel {
        let mut m = SchemaModel::default();
        let mut t = Table::new(q("pet"));
        t.columns.push(Column {
            not_null: true,
            default: Some("nextval('pet_id_seq'::regclass)".into()),
            ..col("id", "integer")
        });
        t.columns.push(col("owner_id", "integer"));
        t.columns.push(col("name", "text"));
        t.constraints
            .insert("pet_owner_fk".into(), fk("pet_owner_fk"));
        m.tables.insert(q("pet"), t);
        m.indexes
            .insert(q("pet_name_idx"), index("pet_name_idx", "pet", &["name"]));
        m.enums.insert(
            q("mood"),
            EnumType {
                name: q("mood"),
                labels: vec!["happy".into(), "sad".into()],
            },
        );
        m.sequences
            .insert(q("pet_id_seq"), seq("pet_id_seq", Some("pet")));
        m.views.insert(
            q("pet_names"),
            View {
                name: q("pet_names"),
                materialized: false,
                definition: None,
                columns: Some(vec!["name".into()]),
            },
        );
        m.extensions.insert(
            "pgcrypto".into(),
            Extension {
                name: "pgcrypto".into(),
                schema: None,
            },
        );
        m
    }

    fn found(diffs: &[Difference]) -> Vec<(String, String)> {
        diffs
            .iter()
            .map(|d| (d.kind.to_string(), d.object.clone()))
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn identical_models_have_no_differences() {
        assert!(diff(&base(), &base(), &IgnoreList::default()).is_empty());
    }

    #[test]
    fn every_missing_object_kind() {
        let e = base();
        let mut l = base();
        l.tables.get_mut(&q("pet")).unwrap().columns.pop();
        l.tables.get_mut(&q("pet")).unwrap().constraints.clear();
        l.indexes.clear();
        l.enums.clear();
        l.sequences.clear();
        l.views.clear();
        l.extensions.clear();
        let mut e2 = e.clone();
        e2.tables.insert(q("toy"), Table::new(q("toy")));
        assert_eq!(
            found(&diff(&e2, &l, &IgnoreList::default())),
            pairs(&[
                ("missing-table", "public.toy"),
                ("missing-column", "public.pet.name"),
                ("missing-index", "public.pet_name_idx"),
                ("missing-constraint", "public.pet.pet_owner_fk"),
                ("missing-enum", "public.mood"),
                ("missing-view", "public.pet_names"),
                ("missing-sequence", "public.pet_id_seq"),
                ("missing-extension", "pgcrypto"),
            ])
        );
    }

    #[test]
    fn every_unexpected_object_kind() {
        // The same models the other way round: what E lacks is unexpected in L.
        let mut e = base();
        e.tables.get_mut(&q("pet")).unwrap().columns.pop();
        e.tables.get_mut(&q("pet")).unwrap().constraints.clear();
        e.indexes.clear();
        e.enums.clear();
        e.sequences.clear();
        e.views.clear();
        let mut l = base();
        l.tables.insert(q("toy"), Table::new(q("toy")));
        let got = found(&diff(&e, &l, &IgnoreList::default()));
        assert_eq!(
            got,
            pairs(&[
                ("unexpected-table", "public.toy"),
                ("unexpected-column", "public.pet.name"),
                ("unexpected-index", "public.pet_name_idx"),
                ("unexpected-constraint", "public.pet.pet_owner_fk"),
                ("unexpected-enum", "public.mood"),
                ("unexpected-view", "public.pet_names"),
                ("unexpected-sequence", "public.pet_id_seq"),
            ])
        );
    }

    #[test]
    fn views_differ_by_columns_only_when_replay_could_name_them() {
        let e = base();
        let mut l = base();
        let v = l.views.get_mut(&q("pet_names")).unwrap();
        v.columns = Some(vec!["name".into(), "added_by_hand".into()]);
        let ds = diff(&e, &l, &IgnoreList::default());
        assert_eq!(found(&ds), pairs(&[("view-mismatch", "public.pet_names")]));
        assert_eq!(ds[0].expected.as_deref(), Some("VIEW (name)"));
        assert_eq!(ds[0].actual.as_deref(), Some("VIEW (name, added_by_hand)"));
        // Replay could not name the columns: compared by name (and kind) only.
        let mut e = base();
        e.views.get_mut(&q("pet_names")).unwrap().columns = None;
        assert!(diff(&e, &l, &IgnoreList::default()).is_empty());
        l.views.get_mut(&q("pet_names")).unwrap().materialized = true;
        let ds = diff(&e, &l, &IgnoreList::default());
        assert_eq!(
            ds[0].actual.as_deref(),
            Some("MATERIALIZED VIEW (name, added_by_hand)")
        );
    }

    #[test]
    fn column_mismatches_carry_expected_and_actual() {
        let e = base();
        let mut l = base();
        let t = l.tables.get_mut(&q("pet")).unwrap();
        t.columns[2].data_type = "character varying(50)".into();
        t.columns[2].not_null = true;
        t.columns[1].default = Some("0".into());
        t.columns[0].default = None;
        t.columns[0].identity = Some(Identity::ByDefault);
        let ds = diff(&e, &l, &IgnoreList::default());
        assert_eq!(
            found(&ds),
            pairs(&[
                ("column-type-mismatch", "public.pet.name"),
                ("column-nullability-mismatch", "public.pet.name"),
                ("column-default-mismatch", "public.pet.id"),
                ("column-default-mismatch", "public.pet.owner_id"),
            ])
        );
        assert_eq!(ds[0].expected.as_deref(), Some("text"));
        assert_eq!(ds[0].actual.as_deref(), Some("character varying(50)"));
        assert_eq!(ds[1].expected.as_deref(), Some("NULL"));
        assert_eq!(ds[1].actual.as_deref(), Some("NOT NULL"));
        assert_eq!(
            ds[2].actual.as_deref(),
            Some("GENERATED BY DEFAULT AS IDENTITY")
        );
        assert_eq!(ds[3].expected, None);
        assert_eq!(ds[3].actual.as_deref(), Some("0"));
        assert!(ds.iter().all(|d| d.table.as_deref() == Some("public.pet")));
    }

    #[test]
    fn composite_types_missing_unexpected_and_mismatched() {
        use crate::schema::model::{Attribute, CompositeType};
        let composite = |name: &str, attrs: &[(&str, &str)]| CompositeType {
            name: q(name),
            attributes: attrs
                .iter()
                .map(|(n, t)| Attribute {
                    name: n.to_string(),
                    data_type: t.to_string(),
                })
                .collect(),
        };
        let mut e = base();
        let mut l = base();
        e.composites.insert(
            q("fqn"),
            composite("fqn", &[("ns", "text"), ("name", "text")]),
        );
        e.composites
            .insert(q("pair"), composite("pair", &[("a", "integer")]));
        l.composites.insert(
            q("fqn"),
            composite("fqn", &[("name", "text"), ("ns", "text")]),
        );
        l.composites
            .insert(q("extra"), composite("extra", &[("x", "integer")]));
        let ds = diff(&e, &l, &IgnoreList::default());
        assert_eq!(
            found(&ds),
            pairs(&[
                ("missing-type", "public.pair"),
                ("unexpected-type", "public.extra"),
                ("type-mismatch", "public.fqn"),
            ])
        );
        assert_eq!(ds[2].expected.as_deref(), Some("ns text, name text"));
        assert_eq!(ds[2].actual.as_deref(), Some("name text, ns text"));
        assert!(diff(&e, &e, &IgnoreList::default()).is_empty());
    }

    #[test]
    fn index_constraint_and_enum_mismatches() {
        let e = base();
        let mut l = base();
        let i = l.indexes.get_mut(&q("pet_name_idx")).unwrap();
        i.unique = true;
        i.predicate = Some("(name IS NOT NULL)".into());
        let c = l
            .tables
            .get_mut(&q("pet"))
            .unwrap()
            .constraints
            .get_mut("pet_owner_fk")
            .unwrap();
        c.validated = false;
        l.enums
            .get_mut(&q("mood"))
            .unwrap()
            .labels
            .push("meh".into());
        let ds = diff(&e, &l, &IgnoreList::default());
        assert_eq!(
            found(&ds),
            pairs(&[
                ("index-mismatch", "public.pet_name_idx"),
                ("constraint-mismatch", "public.pet.pet_owner_fk"),
                ("enum-values-mismatch", "public.mood"),
            ])
        );
        assert_eq!(
            ds[0].actual.as_deref(),
            Some("UNIQUE INDEX ON public.pet USING btree (name) WHERE name is not null")
        );
        assert!(ds[1].actual.as_deref().unwrap().ends_with("NOT VALID"));
        assert_eq!(ds[2].actual.as_deref(), Some("happy, sad, meh"));
    }

    #[test]
    fn index_keys_and_method_matter() {
        let e = base();
        for change in [
            |i: &mut Index| i.keys = vec!["lower(name)".into()],
            |i: &mut Index| i.method = "hash".into(),
            |i: &mut Index| i.include = vec!["owner_id".into()],
        ] {
            let mut l = base();
            change(l.indexes.get_mut(&q("pet_name_idx")).unwrap());
            assert_eq!(
                found(&diff(&e, &l, &IgnoreList::default())),
                pairs(&[("index-mismatch", "public.pet_name_idx")])
            );
        }
    }

    #[test]
    fn ignore_list_default_and_user_patterns() {
        let e = base();
        let mut l = base();
        for t in [
            "migrations",
            "typeorm_metadata",
            "tmp_import",
            "x_audit_log",
        ] {
            l.tables.insert(q(t), Table::new(q(t)));
        }
        l.tables
            .get_mut(&q("pet"))
            .unwrap()
            .columns
            .push(col("scratch", "text"));
        l.indexes.insert(
            q("tmp_import_idx"),
            index("tmp_import_idx", "tmp_import", &["a"]),
        );
        let ignore = IgnoreList::new(
            "migrations",
            "public",
            &[
                "public.tmp_*".into(),
                "*_audit_log".into(),
                "public.pet.scratch".into(),
            ],
        );
        assert!(diff(&e, &l, &ignore).is_empty());
        // Without the user patterns only the history and metadata tables are ignored.
        let ignore = IgnoreList::new("migrations", "public", &[]);
        assert_eq!(
            found(&diff(&e, &l, &ignore)),
            pairs(&[
                ("unexpected-table", "public.tmp_import"),
                ("unexpected-table", "public.x_audit_log"),
                ("unexpected-column", "public.pet.scratch"),
                ("unexpected-index", "public.tmp_import_idx"),
            ])
        );
    }

    #[test]
    fn schema_qualified_history_table_is_ignored() {
        let e = base();
        let mut l = base();
        let h = QualifiedName::new("core", "_typeorm_migrations");
        l.tables.insert(h.clone(), Table::new(h));
        let ignore = IgnoreList::new("core._typeorm_migrations", "public", &[]);
        assert!(diff(&e, &l, &ignore).is_empty());
        let ignore = IgnoreList::new("migrations", "public", &[]);
        assert_eq!(diff(&e, &l, &ignore).len(), 1);
    }

    #[test]
    fn only_compared_schemas_count() {
        let mut e = base();
        let audit = QualifiedName::new("audit", "log");
        e.tables.insert(audit.clone(), Table::new(audit));
        e.uncertain.insert("audit.log".into(), vec!["DO".into()]);
        let mut l = base();
        let other = QualifiedName::new("scratch", "t");
        l.tables.insert(other.clone(), Table::new(other));
        let scoped = IgnoreList::default().with_schemas(&["public".into()]);
        assert!(diff(&e, &l, &scoped).is_empty());
        assert_eq!(
            found(&diff(&e, &l, &IgnoreList::default())),
            pairs(&[
                ("unexpected-table", "scratch.t"),
                ("unverifiable", "audit.log")
            ])
        );
    }

    #[test]
    fn glob_matching() {
        assert!(glob("public.tmp_*", "public.tmp_x"));
        assert!(!glob("public.tmp_*", "core.tmp_x"));
        assert!(glob("*.audit_log", "core.audit_log"));
        assert!(!glob("*.audit_log", "core.audit_log2"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("a*b*c", "a-c"));
        assert!(glob("*", ""));
    }

    #[test]
    fn uncertain_table_absorbs_its_differences_and_is_never_clean() {
        let mut e = base();
        e.uncertain.insert(
            "public.pet".into(),
            vec!["opaque in 0002_x: helper call".into()],
        );
        // Even identical models report the uncertain object.
        let ds = diff(&e, &base(), &IgnoreList::default());
        assert_eq!(found(&ds), pairs(&[("unverifiable", "public.pet")]));
        assert!(ds[0].message.contains("helper call"));
        assert_eq!(ds[0].actual, None);

        let mut l = base();
        l.tables
            .get_mut(&q("pet"))
            .unwrap()
            .columns
            .push(col("x", "int"));
        l.indexes.clear();
        l.enums.clear();
        let ds = diff(&e, &l, &IgnoreList::default());
        // The column and the pet index fold into the unverifiable item; the enum,
        // unrelated to the uncertain table, stays a difference of its own.
        assert_eq!(
            found(&ds),
            pairs(&[
                ("missing-enum", "public.mood"),
                ("unverifiable", "public.pet")
            ])
        );
        assert_eq!(
            ds[1].actual.as_deref(),
            Some("unexpected-column public.pet.x; missing-index public.pet_name_idx")
        );
    }

    #[test]
    fn uncertain_everything_keeps_differences_visible() {
        let mut e = base();
        e.uncertain
            .insert("*".into(), vec!["DROP DATABASE in 0003".into()]);
        let mut l = base();
        l.enums.clear();
        let ds = diff(&e, &l, &IgnoreList::default());
        assert_eq!(
            found(&ds),
            pairs(&[("missing-enum", "public.mood"), ("unverifiable", "*")])
        );
    }

    #[test]
    fn ignored_uncertain_object_is_not_reported() {
        let mut e = base();
        e.uncertain
            .insert("public.tmp_load".into(), vec!["DO block".into()]);
        let ignore = IgnoreList::new("migrations", "public", &["public.tmp_*".into()]);
        assert!(diff(&e, &base(), &ignore).is_empty());
    }
}
