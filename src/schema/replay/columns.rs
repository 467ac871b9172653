//! Replay of column DDL: ADD, DROP, RENAME and ALTER COLUMN (type, nullability,
//! default, identity) and TypeORM's `changeColumn`, with what PostgreSQL does to the
//! constraints, indexes, sequences and views that use a column.

use super::sequences::regclass_text;
use super::Replayer;
use crate::ir::{ChangeMode, ColumnDef, ConstraintKind, IdentityChange, QualifiedName};
use crate::schema::model::{Column, EnumType, Sequence};
use crate::schema::normalize::{canonical_expr, default_for_type, serial_base, split_index_key};
use crate::schema::view_columns::{self, relations_used, rename_column_in_query};

use super::functions::strip_typmods;

/// `'…'` alone: a string literal with no cast after it.
fn is_bare_string_literal(expr: &str) -> bool {
    expr.len() >= 2
        && expr.starts_with('\'')
        && expr.ends_with('\'')
        && !expr[1..expr.len() - 1].replace("''", "").contains('\'')
}

impl Replayer<'_> {
    pub(super) fn add_column_unless_present(
        &mut self,
        table: &QualifiedName,
        column: &ColumnDef,
        if_not_exists: bool,
        typeorm: bool,
    ) {
        let exists = self
            .model
            .tables
            .get(table)
            .map(|t| t.column(&column.name).is_some());
        match exists {
            None => self.conflict(
                table.to_string(),
                format!("ADD COLUMN {}: table {table} does not exist", column.name),
            ),
            Some(true) if if_not_exists => {}
            Some(true) => self.conflict(
                format!("{table}.{}", column.name),
                format!("ADD COLUMN {}: the column already exists", column.name),
            ),
            Some(false) => self.add_column(table, column, typeorm),
        }
    }

    pub(super) fn alter_column_type(
        &mut self,
        table: &QualifiedName,
        column: &str,
        data_type: &str,
    ) {
        let ty = self.norm_type(data_type);
        if let Some(c) = self.column_mut(table, column) {
            // PostgreSQL keeps the default as it was cooked for the old type (a string
            // literal became a constant of that type, printed `'…'::old_type`, its
            // modifiers applied by an invisible length coercion) and casts it to the new
            // type at each insert: `'1970-01-01 00:00:00'` on a timestamp column stays a
            // timestamp, converted in the inserting session's time zone.
            if ty != c.data_type {
                if let Some(d) = c.default.as_deref().filter(|d| is_bare_string_literal(d)) {
                    c.default = Some(format!("{d}::{}", strip_typmods(&c.data_type)));
                }
            }
            c.data_type = ty;
            // Without COLLATE, a type change takes the new type's default.
            c.collation = None;
        }
    }

    pub(super) fn set_not_null(&mut self, table: &QualifiedName, column: &str) {
        if let Some(c) = self.column_mut(table, column) {
            c.not_null = true;
        }
    }

    pub(super) fn drop_not_null(&mut self, table: &QualifiedName, column: &str) {
        if let Some(c) = self.column_mut(table, column) {
            c.not_null = false;
        }
    }

    pub(super) fn set_default(&mut self, table: &QualifiedName, column: &str, default: &str) {
        let d = self.defaults.get(Some(default));
        if let Some(c) = self.column_mut(table, column) {
            c.null_default = d.is_none() && is_written(default);
            c.default = d.map(|d| default_for_type(d, &c.data_type));
        }
    }

    pub(super) fn drop_default(&mut self, table: &QualifiedName, column: &str) {
        if let Some(c) = self.column_mut(table, column) {
            c.default = None;
            c.null_default = false;
        }
    }

    pub(super) fn set_identity(
        &mut self,
        table: &QualifiedName,
        column: &str,
        change: &IdentityChange,
    ) {
        let Some(c) = self.column_mut(table, column) else {
            return;
        };
        let refused = match change {
            // PostgreSQL refuses an identity on a column with a default.
            IdentityChange::Add { .. } if c.default.is_some() => Some("has a default"),
            IdentityChange::Add { .. } if c.identity.is_some() => {
                Some("is already an identity column")
            }
            IdentityChange::Set { .. } | IdentityChange::Drop { if_exists: false }
                if c.identity.is_none() =>
            {
                Some("is not an identity column")
            }
            IdentityChange::Add { identity } | IdentityChange::Set { identity } => {
                c.identity = Some(*identity);
                c.not_null = true;
                None
            }
            IdentityChange::Drop { .. } => {
                c.identity = None;
                None
            }
        };
        if let Some(why) = refused {
            self.conflict(
                format!("{table}.{column}"),
                format!("identity change refused: column {column} {why}"),
            );
        }
    }

    pub(super) fn change_column(
        &mut self,
        table: &QualifiedName,
        column: &str,
        new_column: &Option<ColumnDef>,
        mode: &ChangeMode,
    ) {
        let Some(new) = new_column else {
            self.uncertain(
                format!("{table}.{column}"),
                "changeColumn with a column definition migguard cannot read".into(),
            );
            return;
        };
        match mode {
            ChangeMode::InPlace | ChangeMode::Unknown => {
                let ty = self.col_type(table, new, true);
                let default = self.defaults.get(new.default.as_deref());
                if let Some(c) = self.column_mut(table, column) {
                    c.default = default.map(|d| default_for_type(d, &ty));
                    c.data_type = ty;
                    c.not_null = new.not_null;
                    c.name = new.name.clone();
                } else {
                    self.conflict(format!("{table}.{column}"), "changeColumn: no such column");
                }
            }
            ChangeMode::Recreate => {
                // TypeORM's DROP COLUMN has no CASCADE.
                self.drop_column(table, column, false, false);
                self.add_column(table, new, true);
            }
        }
    }

    pub(super) fn column_mut(
        &mut self,
        table: &QualifiedName,
        column: &str,
    ) -> Option<&mut Column> {
        let exists = self
            .model
            .tables
            .get(table)
            .map(|t| t.column(column).is_some());
        match exists {
            Some(true) => self
                .model
                .tables
                .get_mut(table)
                .and_then(|t| t.column_mut(column)),
            Some(false) => {
                self.conflict(
                    format!("{table}.{column}"),
                    format!("column {column} of {table} does not exist"),
                );
                None
            }
            None => {
                self.conflict(table.to_string(), format!("table {table} does not exist"));
                None
            }
        }
    }

    /// Normalised type of a column, creating TypeORM's enum type when needed.
    pub(super) fn col_type(
        &mut self,
        table: &QualifiedName,
        c: &ColumnDef,
        typeorm: bool,
    ) -> String {
        if let Some(values) = &c.enum_values {
            let written = c.data_type.trim_end_matches("[]");
            let parts: Vec<String> = written
                .split('.')
                .map(|p| p.trim_matches('"').to_string())
                .collect();
            let name = match parts.as_slice() {
                [s, n] => QualifiedName::new(s.clone(), n.clone()),
                _ => QualifiedName::new(
                    table.schema.clone(),
                    parts.last().cloned().unwrap_or_default(),
                ),
            };
            if typeorm && !self.user_type_exists(&name.schema, &name.name) {
                self.model.enums.insert(
                    name.clone(),
                    EnumType {
                        comment: None,
                        name: name.clone(),
                        labels: values.clone(),
                    },
                );
            }
            let arr = if c.data_type.ends_with("[]") {
                "[]"
            } else {
                ""
            };
            return format!("{name}{arr}");
        }
        self.norm_type(&c.data_type)
    }

    pub(super) fn add_column(&mut self, table: &QualifiedName, c: &ColumnDef, typeorm: bool) {
        let mut data_type = self.col_type(table, c, typeorm);
        let mut default = self.defaults.get(c.default.as_deref());
        let null_default = default.is_none() && c.default.as_deref().is_some_and(is_written);
        let mut not_null = c.not_null;
        if let Some(base) = serial_base(&c.data_type) {
            data_type = base.to_string();
            // PostgreSQL picks the name with `ChooseRelationName`: `…_seq1` when a
            // relation (a renamed-away table's sequence, say) still holds `…_seq`.
            let seq_name = QualifiedName::new(
                table.schema.clone(),
                self.choose_relation_name(&table.schema, &table.name, &c.name, "seq"),
            );
            let max = match base {
                "integer" => i32::MAX as i64,
                "smallint" => i16::MAX as i64,
                _ => i64::MAX,
            };
            self.model.sequences.insert(
                seq_name.clone(),
                Sequence {
                    comment: None,
                    name: seq_name.clone(),
                    data_type: base.into(),
                    start: 1,
                    increment: 1,
                    min_value: 1,
                    max_value: max,
                    cache: 1,
                    cycle: false,
                    owned_by: Some((table.clone(), c.name.clone())),
                },
            );
            let qualified = regclass_text(&seq_name, &self.ds);
            default = self
                .defaults
                .get(Some(&format!("nextval('{qualified}'::regclass)")));
            not_null = true;
        }
        if c.identity.is_some() {
            not_null = true;
        }
        let column = Column {
            comment: None,
            name: c.name.clone(),
            default: default.map(|d| default_for_type(d, &data_type)),
            data_type,
            not_null,
            identity: c.identity,
            generated: c.generated.as_deref().map(|g| canonical_expr(g, &self.ds)),
            collation: c.collation.as_deref().and_then(collation_name),
            null_default,
        };
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        t.columns.push(column);
        for k in &c.constraints {
            self.add_constraint(table, k, typeorm);
        }
    }

    pub(super) fn drop_column(
        &mut self,
        table: &QualifiedName,
        column: &str,
        if_exists: bool,
        cascade: bool,
    ) {
        let Some(t) = self.model.tables.get_mut(table) else {
            self.conflict(
                table.to_string(),
                format!("DROP COLUMN {column}: table {table} does not exist"),
            );
            return;
        };
        let before = t.columns.len();
        t.columns.retain(|c| c.name != column);
        if t.columns.len() == before {
            if !if_exists {
                self.conflict(
                    format!("{table}.{column}"),
                    format!("DROP COLUMN {column}: no such column on {table}"),
                );
            }
            return;
        }
        let col = column.to_string();
        // What migguard could not vouch for about the column (a type built at run
        // time) goes with it.
        self.model.uncertain.remove(&format!("{table}.{column}"));
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        t.constraints.retain(|_, c| !constraint_uses(&c.kind, &col));
        self.model
            .indexes
            .retain(|_, i| !(i.table == *table && i.keys.iter().any(|k| key_uses(k, &col))));
        self.model.sequences.retain(|_, s| {
            s.owned_by
                .as_ref()
                .is_none_or(|(t, c)| !(t == table && *c == col))
        });
        for other in self.model.tables.values_mut() {
            other.constraints.retain(|_, c| !matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, ref_columns, .. } if ref_table == table && ref_columns.contains(&col)));
        }
        // Views that read the column go with CASCADE; without it PostgreSQL refuses
        // the DROP — a conflict — and either way they cannot remain.
        let readers: Vec<QualifiedName> = self
            .model
            .views
            .values()
            .filter(|v| {
                v.definition
                    .as_deref()
                    .is_some_and(|d| view_columns::reads_column(d, table, &col, &self.ds))
            })
            .map(|v| v.name.clone())
            .collect();
        for view in readers {
            if !cascade {
                self.conflict(
                    format!("{table}.{col}"),
                    format!("DROP COLUMN {col}: view {view} depends on it (PostgreSQL refuses without CASCADE)"),
                );
            }
            if self.model.views.remove(&view).is_some() {
                self.drop_relation_dependents(&view);
            }
        }
    }

    pub(super) fn rename_column(&mut self, table: &QualifiedName, column: &str, new_name: &str) {
        if let Some(v) = self.model.views.get_mut(table) {
            // A view's output column (`ALTER VIEW v RENAME COLUMN`, or ALTER TABLE).
            let Some(columns) = v.columns.as_mut() else {
                return;
            };
            match columns.iter_mut().find(|c| *c == column) {
                Some(c) => *c = new_name.to_string(),
                None => self.conflict(
                    format!("{table}.{column}"),
                    format!("RENAME COLUMN: view {table} has no column {column}"),
                ),
            }
            return;
        }
        if self.column_mut(table, column).is_none() {
            return;
        }
        // A doubt about the column (a type built at run time) follows it.
        if let Some(reasons) = self.model.uncertain.remove(&format!("{table}.{column}")) {
            self.model
                .uncertain
                .insert(format!("{table}.{new_name}"), reasons);
        }
        let Some(t) = self.model.tables.get_mut(table) else {
            return;
        };
        if let Some(c) = t.column_mut(column) {
            c.name = new_name.to_string();
        }
        let rename = |cols: &mut Vec<String>| {
            for c in cols.iter_mut().filter(|c| *c == column) {
                *c = new_name.to_string();
            }
        };
        for c in t.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns }
                | ConstraintKind::Unique { columns, .. }
                | ConstraintKind::ForeignKey { columns, .. } => rename(columns),
                ConstraintKind::Check { expr } => *expr = rename_in_expr(expr, column, new_name),
                // The definition is DDL text, quoted as PostgreSQL prints it.
                ConstraintKind::Exclusion { definition } => {
                    let plain = new_name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                        && new_name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    let written = if plain {
                        new_name.to_string()
                    } else {
                        format!("\"{}\"", new_name.replace('"', "\"\""))
                    };
                    *definition = replace_word(definition, column, &written);
                }
            }
        }
        for i in self.model.indexes_on_mut(table) {
            for k in &mut i.keys {
                let (head, rest) = split_index_key(k);
                let renamed = if head.starts_with('(') {
                    rename_in_expr(head, column, new_name)
                } else if head == column {
                    new_name.to_string()
                } else {
                    continue;
                };
                *k = std::iter::once(renamed.as_str())
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            for c in i.include.iter_mut().filter(|c| *c == column) {
                *c = new_name.to_string();
            }
            if let Some(p) = &mut i.predicate {
                *p = rename_in_expr(p, column, new_name);
            }
        }
        for other in self.model.tables.values_mut() {
            for c in other.constraints.values_mut() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &mut c.kind
                {
                    if ref_table == table {
                        rename(ref_columns);
                    }
                }
            }
        }
        // Views on this table alone keep working: their text follows the rename
        // (their output column names do not change).
        for v in self.model.views.values_mut() {
            let Some(d) = v.definition.as_deref() else {
                continue;
            };
            let used = relations_used(d, &self.ds);
            if used.len() == 1 && used.contains(table) {
                if let Some(renamed) = rename_column_in_query(d, column, new_name) {
                    v.definition = Some(renamed);
                }
            }
        }
        // A serial's sequence stays owned by the renamed column.
        for s in self.model.sequences.values_mut() {
            if let Some((t, c)) = &mut s.owned_by {
                if t == table && c == column {
                    *c = new_name.to_string();
                }
            }
        }
    }
}

fn constraint_uses(kind: &ConstraintKind, col: &str) -> bool {
    match kind {
        ConstraintKind::PrimaryKey { columns }
        | ConstraintKind::Unique { columns, .. }
        | ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == col),
        ConstraintKind::Check { expr } => expr
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == col),
        ConstraintKind::Exclusion { definition } => definition.contains(col),
    }
}

/// A column's `COLLATE` as `pg_collation.collname` has it (`"C"` → `C`, `pg_catalog."POSIX"`
/// → `POSIX`); `default` is no collation of its own.
fn collation_name(written: &str) -> Option<String> {
    let last = written.rsplit('.').next().unwrap_or(written);
    let name = crate::ir::fold_sql_ident(last);
    (name != "default").then_some(name)
}

/// `expr` (a stored expression, `normalize::canonical_expr`) with the column `old`
/// renamed to `new`, as PostgreSQL rewrites the expressions that use a renamed column:
/// a bare (folded) or quoted identifier equal to `old` becomes `"new"`, quoted, so its
/// case survives. String literals are left alone.
fn rename_in_expr(expr: &str, old: &str, new: &str) -> String {
    let quoted_new = format!("\"{}\"", new.replace('"', "\"\""));
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word == old {
            out.push_str(&quoted_new);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' || c == '$' {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        if c == '\'' || c == '"' {
            let mut inner = String::new();
            while let Some(d) = chars.next() {
                if d == c {
                    if chars.peek() == Some(&c) {
                        chars.next();
                        inner.push(c);
                        continue;
                    }
                    break;
                }
                inner.push(d);
            }
            if c == '"' && inner == old {
                out.push_str(&quoted_new);
            } else {
                let escaped = inner.replace(c, &format!("{c}{c}"));
                out.push(c);
                out.push_str(&escaped);
                out.push(c);
            }
            continue;
        }
        out.push(c);
    }
    flush(&mut word, &mut out);
    out
}

/// Every whole word `old` outside string literals replaced by `replacement`.
fn replace_word(expr: &str, old: &str, replacement: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut word = String::new();
    let mut in_str = false;
    let flush = |word: &mut String, out: &mut String| {
        if word.eq_ignore_ascii_case(old) {
            out.push_str(replacement);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in expr.chars() {
        if !in_str && (c.is_alphanumeric() || c == '_') {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        if c == '\'' {
            in_str = !in_str;
        }
        out.push(c);
    }
    flush(&mut word, &mut out);
    out
}

fn key_uses(key: &str, col: &str) -> bool {
    key.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == col)
}

/// A default text that says something (a NULL one among them), not an empty one.
fn is_written(default: &str) -> bool {
    !default.trim().is_empty()
}
