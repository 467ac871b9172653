//! sqlparser AST → operation kinds.
//!
//! The one place that knows sqlparser's AST. Every statement maps to one or more
//! [`OpKind`]s (an `ALTER TABLE` with three actions is three ops; `DROP TABLE a, b`
//! is two), with names folded the way PostgreSQL folds them. Statements outside the
//! schema model become `Other { what }`: a `CREATE FUNCTION` body does not run when
//! the migration runs, so it is never classified as the operations it contains.

use crate::ir::{
    fold_ident, ColumnDef, ConstraintDef, ConstraintKind, Hierarchy, Identity, IdentityChange,
    IndexDef, IndexKey, OpKind, QualifiedName, SequenceOptions,
};
use crate::parse::ReadOptions;
use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, AlterTypeAddValuePosition, AlterTypeOperation,
    ColumnOption, DropBehavior, Expr, FromTable, GeneratedAs, Ident, IndexColumn, ObjectName,
    ObjectNamePart, ObjectType, ReferentialAction, SchemaName, Statement, TableConstraint,
    TableFactor, UserDefinedTypeRepresentation,
};

/// Fold an sqlparser identifier (quoted keeps case).
pub fn ident(i: &Ident) -> String {
    fold_ident(&i.value, i.quote_style.is_some())
}

/// The folded parts of a dotted name.
pub fn parts(n: &ObjectName) -> Vec<String> {
    n.0.iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => ident(i),
            other => other.to_string(),
        })
        .collect()
}

/// `[db.]schema.name` or `name` → folded qualified name in the default schema.
pub fn qname(n: &ObjectName, opts: &ReadOptions) -> QualifiedName {
    let p = parts(n);
    match p.as_slice() {
        [] => QualifiedName::new(opts.default_schema.clone(), String::new()),
        [name] => QualifiedName::new(opts.default_schema.clone(), name.clone()),
        [.., schema, name] => QualifiedName::new(schema.clone(), name.clone()),
    }
}

fn last(n: &ObjectName) -> String {
    parts(n).pop().unwrap_or_default()
}

fn index_col_name(c: &IndexColumn) -> String {
    match &c.column.expr {
        Expr::Identifier(i) => ident(i),
        e => e.to_string(),
    }
}

fn index_cols(cols: &[IndexColumn]) -> Vec<String> {
    cols.iter().map(index_col_name).collect()
}

fn characteristics(c: &Option<ast::ConstraintCharacteristics>) -> (bool, bool) {
    match c {
        Some(c) => (
            c.deferrable == Some(true),
            matches!(c.initially, Some(ast::DeferrableInitial::Deferred)),
        ),
        None => (false, false),
    }
}

fn action(a: &Option<ReferentialAction>) -> Option<String> {
    a.as_ref().map(|a| a.to_string())
}

fn fk_kind(
    fk: &ast::ForeignKeyConstraint,
    columns: Vec<String>,
    opts: &ReadOptions,
) -> ConstraintKind {
    ConstraintKind::ForeignKey {
        columns,
        ref_table: qname(&fk.foreign_table, opts),
        ref_columns: fk.referred_columns.iter().map(ident).collect(),
        on_delete: action(&fk.on_delete),
        on_update: action(&fk.on_update),
    }
}

/// A table-level constraint; `None` for MySQL-only index forms PostgreSQL never sees.
fn table_constraint(
    tc: &TableConstraint,
    not_valid: bool,
    opts: &ReadOptions,
) -> Option<ConstraintDef> {
    let (name, kind, chars, using_index) = match tc {
        TableConstraint::PrimaryKey(pk) => (
            pk.name.as_ref(),
            ConstraintKind::PrimaryKey {
                columns: index_cols(&pk.columns),
            },
            &pk.characteristics,
            None,
        ),
        TableConstraint::Unique(u) => (
            u.name.as_ref(),
            ConstraintKind::Unique {
                columns: index_cols(&u.columns),
                nulls_not_distinct: matches!(
                    u.nulls_distinct,
                    ast::NullsDistinctOption::NotDistinct
                ),
            },
            &u.characteristics,
            None,
        ),
        TableConstraint::ForeignKey(fk) => (
            fk.name.as_ref(),
            fk_kind(fk, fk.columns.iter().map(ident).collect(), opts),
            &fk.characteristics,
            None,
        ),
        TableConstraint::Check(c) => (
            c.name.as_ref(),
            ConstraintKind::Check {
                expr: c.expr.to_string(),
            },
            &None,
            None,
        ),
        TableConstraint::Exclude(x) => (
            x.name.as_ref(),
            ConstraintKind::Exclusion {
                // The name and `DEFERRABLE…` are the constraint's own fields, rendered
                // around the definition: kept out of it, they are printed once.
                definition: sqlparser::ast::ExcludeConstraint {
                    name: None,
                    characteristics: None,
                    ..x.clone()
                }
                .to_string(),
            },
            &x.characteristics,
            None,
        ),
        TableConstraint::PrimaryKeyUsingIndex(u) => (
            u.name.as_ref(),
            ConstraintKind::PrimaryKey { columns: vec![] },
            &u.characteristics,
            Some(ident(&u.index_name)),
        ),
        TableConstraint::UniqueUsingIndex(u) => (
            u.name.as_ref(),
            ConstraintKind::Unique {
                columns: vec![],
                nulls_not_distinct: false,
            },
            &u.characteristics,
            Some(ident(&u.index_name)),
        ),
        TableConstraint::Index(_) | TableConstraint::FulltextOrSpatial(_) => return None,
    };
    let (deferrable, initially_deferred) = characteristics(chars);
    Some(ConstraintDef {
        name: name.map(ident),
        kind,
        not_valid,
        deferrable,
        initially_deferred,
        using_index,
    })
}

fn column_def(c: &ast::ColumnDef, opts: &ReadOptions) -> ColumnDef {
    let name = ident(&c.name);
    let mut col = ColumnDef {
        name: name.clone(),
        data_type: c.data_type.to_string(),
        ..ColumnDef::default()
    };
    for o in &c.options {
        let named = o.name.as_ref().map(ident);
        let mut push = |kind: ConstraintKind, chars: &Option<ast::ConstraintCharacteristics>| {
            let (deferrable, initially_deferred) = characteristics(chars);
            col.constraints.push(ConstraintDef {
                name: named.clone(),
                kind,
                not_valid: false,
                deferrable,
                initially_deferred,
                using_index: None,
            });
        };
        match &o.option {
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Null => col.not_null = false,
            ColumnOption::Default(e) => col.default = Some(e.to_string()),
            ColumnOption::PrimaryKey(pk) => {
                push(
                    ConstraintKind::PrimaryKey {
                        columns: vec![name.clone()],
                    },
                    &pk.characteristics,
                );
                col.not_null = true;
            }
            ColumnOption::Unique(u) => push(
                ConstraintKind::Unique {
                    columns: vec![name.clone()],
                    nulls_not_distinct: matches!(
                        u.nulls_distinct,
                        ast::NullsDistinctOption::NotDistinct
                    ),
                },
                &u.characteristics,
            ),
            ColumnOption::ForeignKey(fk) => {
                push(fk_kind(fk, vec![name.clone()], opts), &fk.characteristics)
            }
            ColumnOption::Check(c) => push(
                ConstraintKind::Check {
                    expr: c.expr.to_string(),
                },
                &None,
            ),
            ColumnOption::Collation(n) => col.collation = Some(n.to_string()),
            ColumnOption::Generated {
                generated_as,
                generation_expr,
                ..
            } => match (generation_expr, generated_as) {
                (Some(e), _) => col.generated = Some(e.to_string()),
                (None, GeneratedAs::ByDefault) => col.identity = Some(Identity::ByDefault),
                (None, _) => col.identity = Some(Identity::Always),
            },
            _ => {}
        }
    }
    if col.identity.is_some() {
        col.not_null = true;
    }
    col
}

fn cascade(b: &Option<DropBehavior>) -> bool {
    matches!(b, Some(DropBehavior::Cascade))
}

fn expr_i64(e: &Expr) -> Option<i64> {
    e.to_string().replace(' ', "").parse().ok()
}

fn sequence_options(
    data_type: Option<String>,
    opts_in: &[ast::SequenceOptions],
    owned_by: Option<&ObjectName>,
    opts: &ReadOptions,
) -> SequenceOptions {
    let mut s = SequenceOptions {
        data_type,
        ..SequenceOptions::default()
    };
    for o in opts_in {
        match o {
            ast::SequenceOptions::IncrementBy(e, _) => s.increment = expr_i64(e),
            ast::SequenceOptions::MinValue(e) => s.min_value = e.as_ref().and_then(expr_i64),
            ast::SequenceOptions::MaxValue(e) => s.max_value = e.as_ref().and_then(expr_i64),
            ast::SequenceOptions::StartWith(e, _) => s.start = expr_i64(e),
            ast::SequenceOptions::Cache(e) => s.cache = expr_i64(e),
            ast::SequenceOptions::Cycle(no) => s.cycle = Some(!no),
        }
    }
    if let Some(n) = owned_by {
        s.owned_by = Some(owned_by_target(&parts(n), opts));
    }
    s
}

/// `OWNED BY [schema.]table.column` or `OWNED BY NONE`.
pub fn owned_by_target(p: &[String], opts: &ReadOptions) -> Option<(QualifiedName, String)> {
    match p {
        [t, c] => Some((
            QualifiedName::new(opts.default_schema.clone(), t.clone()),
            c.clone(),
        )),
        [.., s, t, c] => Some((QualifiedName::new(s.clone(), t.clone()), c.clone())),
        _ => None,
    }
}

fn table_factor_name(t: &TableFactor, opts: &ReadOptions) -> Option<QualifiedName> {
    match t {
        // sqlparser reads `DELETE FROM ONLY u` / `UPDATE ONLY u` as table `ONLY`
        // aliased `u`; PostgreSQL's ONLY (not the descendants) names table `u`.
        TableFactor::Table {
            name,
            alias: Some(alias),
            ..
        } if alias.columns.is_empty()
            && matches!(name.0.as_slice(), [ObjectNamePart::Identifier(i)]
                if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("only")) =>
        {
            Some(QualifiedName::new(
                opts.default_schema.clone(),
                ident(&alias.name),
            ))
        }
        TableFactor::Table { name, .. } => Some(qname(name, opts)),
        _ => None,
    }
}

/// The leading keywords of a statement, upper-cased, for `Other { what }`: at most
/// two, stopping at the first word that is not an SQL keyword (a name), with
/// `OR REPLACE` skipped (`CREATE FUNCTION`, `GRANT SELECT`, `SELECT`).
pub fn leading_words(blanked: &str, n: usize) -> String {
    let mut words: Vec<String> = Vec::new();
    for t in super::lexical::token_iter(blanked) {
        if t.is_punct() {
            continue;
        }
        let up = t.text.to_ascii_uppercase();
        if words.len() == n
            || sqlparser::keywords::ALL_KEYWORDS
                .binary_search(&up.as_str())
                .is_err()
        {
            break;
        }
        if words.len() == 1 && (up == "OR" || up == "REPLACE") {
            continue;
        }
        words.push(up);
    }
    words.join(" ")
}

/// `Other { what }` in lower case, the spelling the TypeORM reader uses too.
fn other(what: impl Into<String>) -> OpKind {
    OpKind::Other {
        what: what.into().to_lowercase(),
    }
}

/// Map one parsed statement to its operations. `blanked` is the statement text with
/// comments and strings blanked (used only to name `Other` statements).
pub fn statement_ops(stmt: &Statement, blanked: &str, opts: &ReadOptions) -> Vec<OpKind> {
    let what = || other(leading_words(blanked, 2));
    match stmt {
        Statement::CreateTable(ct) => {
            let table = qname(&ct.name, opts);
            let columns: Vec<ColumnDef> = ct.columns.iter().map(|c| column_def(c, opts)).collect();
            let constraints = ct
                .constraints
                .iter()
                .filter_map(|c| table_constraint(c, false, opts))
                .collect();
            let hierarchy = Hierarchy {
                partition_key: ct.partition_by.as_ref().map(|p| p.to_string()),
                partition_of: ct.partition_of.as_ref().map(|p| qname(p, opts)),
                bound: ct.for_values.as_ref().map(|b| b.to_string()),
                inherits: ct
                    .inherits
                    .iter()
                    .flatten()
                    .map(|n| qname(n, opts))
                    .collect(),
            };
            let mut unmodelled = Vec::new();
            if let Some(l) = &ct.like {
                let (ast::CreateTableLikeKind::Parenthesized(l)
                | ast::CreateTableLikeKind::Plain(l)) = l;
                unmodelled.push(format!("LIKE {}", l.name));
            }
            if ct.query.is_some() {
                unmodelled.push("AS query".to_string());
            }
            if ct.temporary {
                unmodelled.push("TEMPORARY".to_string());
            }
            let mut ops = vec![OpKind::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists: ct.if_not_exists,
                indexes: vec![],
                unmodelled: (!unmodelled.is_empty()).then(|| unmodelled.join("; ")),
                hierarchy,
                as_query: ct.query.as_ref().map(|q| q.to_string()),
            }];
            if ct.unlogged {
                ops.push(OpKind::SetPersistence {
                    table: qname(&ct.name, opts),
                    logged: false,
                });
            }
            // `CREATE TABLE g AS WITH d AS (DELETE … RETURNING *) SELECT …` runs the
            // DELETE while it fills the table.
            if let Some(q) = &ct.query {
                ops.extend(modifying_statements(q).flat_map(|s| statement_ops(s, blanked, opts)));
            }
            ops
        }
        Statement::AlterTable(at) => {
            let table = qname(&at.name, opts);
            at.operations
                .iter()
                .flat_map(|op| alter_table_op(&table, op, opts))
                .collect()
        }
        Statement::CreateIndex(ci) => {
            let table = qname(&ci.table_name, opts);
            let keys = ci
                .columns
                .iter()
                .map(|c| {
                    let is_expression = !matches!(c.column.expr, Expr::Identifier(_));
                    IndexKey {
                        expr: if is_expression {
                            let e = c.column.expr.to_string();
                            if e.starts_with('(') {
                                e
                            } else {
                                format!("({e})")
                            }
                        } else {
                            index_col_name(c)
                        },
                        is_expression,
                        descending: matches!(c.column.options.sort, Some(ast::OrderBySort::Desc)),
                        nulls_first: c.column.options.nulls_first,
                        opclass: c.operator_class.as_ref().map(|o| o.to_string()),
                    }
                })
                .collect();
            vec![OpKind::CreateIndex(IndexDef {
                name: ci.name.as_ref().map(last),
                table,
                unique: ci.unique,
                concurrently: ci.concurrently,
                if_not_exists: ci.if_not_exists,
                method: ci
                    .using
                    .as_ref()
                    .map(|m| m.to_string().to_ascii_lowercase()),
                keys,
                include: ci.include.iter().map(ident).collect(),
                predicate: ci.predicate.as_ref().map(|p| p.to_string()),
                nulls_not_distinct: ci.nulls_distinct == Some(false),
                storage: ci.with.iter().map(storage_parameter).collect(),
            })]
        }
        Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            ..
        } => {
            let (if_exists, cascade) = (*if_exists, *cascade);
            names
                .iter()
                .map(|n| {
                    let q = qname(n, opts);
                    match object_type {
                        ObjectType::Table => OpKind::DropTable {
                            table: q,
                            if_exists,
                            cascade,
                        },
                        ObjectType::View | ObjectType::MaterializedView => OpKind::DropView {
                            name: q,
                            materialized: matches!(object_type, ObjectType::MaterializedView),
                            if_exists,
                            cascade,
                        },
                        ObjectType::Index => OpKind::DropIndex {
                            index: q,
                            concurrently: false,
                            if_exists,
                            cascade,
                        },
                        ObjectType::Schema => OpKind::DropSchema {
                            name: last(n),
                            if_exists,
                            cascade,
                        },
                        ObjectType::Database => OpKind::DropDatabase {
                            name: Some(last(n)),
                        },
                        ObjectType::Sequence => OpKind::DropSequence {
                            name: q,
                            if_exists,
                            cascade,
                        },
                        ObjectType::Type => OpKind::DropType {
                            name: q,
                            if_exists,
                            cascade,
                        },
                        other_type => other(format!("DROP {other_type}")),
                    }
                })
                .collect()
        }
        Statement::Truncate(t) => t
            .table_names
            .iter()
            .map(|t| OpKind::Truncate {
                table: qname(&t.name, opts),
            })
            .collect(),
        Statement::Delete(d) => {
            let from = match &d.from {
                FromTable::WithFromKeyword(v) | FromTable::WithoutKeyword(v) => v,
            };
            match from
                .first()
                .and_then(|t| table_factor_name(&t.relation, opts))
            {
                Some(table) => vec![OpKind::Delete {
                    table,
                    has_where: filters_rows(d.selection.as_ref()),
                }],
                None => vec![OpKind::Unparsed {
                    reason: "DELETE whose target is not a plain table".to_string(),
                }],
            }
        }
        Statement::Update(u) => match table_factor_name(&u.table.relation, opts) {
            Some(table) => vec![OpKind::Update {
                table,
                has_where: filters_rows(u.selection.as_ref()),
            }],
            None => vec![OpKind::Unparsed {
                reason: "UPDATE whose target is not a plain table".to_string(),
            }],
        },
        Statement::Insert(i) => {
            let mut ops = match &i.table {
                ast::TableObject::TableName(n) => vec![OpKind::Insert {
                    table: qname(n, opts),
                }],
                _ => vec![what()],
            };
            if let Some(q) = &i.source {
                ops.extend(modifying_statements(q).flat_map(|s| statement_ops(s, blanked, opts)));
            }
            ops
        }
        Statement::Merge(m) => merge_ops(m, opts),
        Statement::AlterSchema(a) => {
            let renamed = a.operations.iter().find_map(|o| match o {
                ast::AlterSchemaOperation::Rename { name } => Some(last(name)),
                _ => None,
            });
            match renamed {
                Some(new_name) => vec![OpKind::RenameSchema {
                    name: last(&a.name),
                    new_name,
                }],
                None => vec![what()],
            }
        }
        Statement::DropDomain(d) => vec![OpKind::DropDomain {
            name: qname(&d.name, opts),
            if_exists: d.if_exists,
            cascade: cascade(&d.drop_behavior),
        }],
        Statement::CreateType {
            name,
            representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
        } => vec![OpKind::CreateTypeEnum {
            name: qname(name, opts),
            labels: labels.iter().map(|l| l.value.clone()).collect(),
        }],
        Statement::CreateType {
            name,
            representation: Some(UserDefinedTypeRepresentation::Composite { attributes }),
        } => vec![OpKind::CreateTypeComposite {
            name: qname(name, opts),
            attributes: attributes
                .iter()
                .map(|a| (ident(&a.name), a.data_type.to_string()))
                .collect(),
        }],
        Statement::AlterType(at) => {
            let name = qname(&at.name, opts);
            vec![match &at.operation {
                AlterTypeOperation::Rename(r) => OpKind::RenameType {
                    new_name: QualifiedName::new(name.schema.clone(), ident(&r.new_name)),
                    name,
                },
                AlterTypeOperation::AddValue(v) => {
                    let (before, after) = match &v.position {
                        Some(AlterTypeAddValuePosition::Before(b)) => (Some(b.value.clone()), None),
                        Some(AlterTypeAddValuePosition::After(a)) => (None, Some(a.value.clone())),
                        None => (None, None),
                    };
                    OpKind::AddEnumValue {
                        name,
                        value: v.value.value.clone(),
                        before,
                        after,
                        if_not_exists: v.if_not_exists,
                    }
                }
                AlterTypeOperation::RenameValue(r) => OpKind::RenameEnumValue {
                    name,
                    value: r.from.value.clone(),
                    new_value: r.to.value.clone(),
                },
            }]
        }
        Statement::CreateExtension(e) => vec![OpKind::CreateExtension {
            name: ident(&e.name),
            schema: e.schema.as_ref().map(ident),
            if_not_exists: e.if_not_exists,
        }],
        Statement::DropExtension(d) => d
            .names
            .iter()
            .map(|n| OpKind::DropExtension {
                name: ident(n),
                if_exists: d.if_exists,
                cascade: matches!(d.cascade_or_restrict, Some(ReferentialAction::Cascade)),
            })
            .collect(),
        Statement::CreateSequence {
            if_not_exists,
            name,
            data_type,
            sequence_options: so,
            owned_by,
            ..
        } => vec![OpKind::CreateSequence {
            name: qname(name, opts),
            options: sequence_options(
                data_type.as_ref().map(|d| d.to_string()),
                so,
                owned_by.as_ref(),
                opts,
            ),
            if_not_exists: *if_not_exists,
        }],
        Statement::CreateView(v) => vec![OpKind::CreateView {
            name: qname(&v.name, opts),
            materialized: v.materialized,
            or_replace: v.or_replace,
            columns: v.columns.iter().map(|c| ident(&c.name)).collect(),
            query: v.query.to_string(),
        }],
        Statement::CreateSchema {
            schema_name,
            if_not_exists,
            ..
        } => {
            let name = match schema_name {
                SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => last(n),
                SchemaName::UnnamedAuthorization(i) => ident(i),
            };
            vec![OpKind::CreateSchema {
                name,
                if_not_exists: *if_not_exists,
            }]
        }
        Statement::AlterIndex {
            name,
            operation: ast::AlterIndexOperation::RenameIndex { index_name },
        } => vec![OpKind::RenameIndex {
            index: qname(name, opts),
            new_name: last(index_name),
        }],
        // `WITH x AS (DELETE FROM t RETURNING *) SELECT …` and `WITH … DELETE FROM t`:
        // the data-modifying parts run, and are what the rules care about.
        Statement::Query(q) if modifying_statements(q).next().is_some() => modifying_statements(q)
            .flat_map(|s| statement_ops(s, blanked, opts))
            .collect(),
        Statement::Set(s) => set_ops(s, opts),
        // sqlparser reads VACUUM in Redshift's grammar; PostgreSQL's is read by the
        // fallback's maintenance recogniser.
        Statement::Vacuum(_) => {
            super::fallback::maintenance(blanked, opts).unwrap_or_else(|| vec![what()])
        }
        Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. } => vec![OpKind::TransactionControl {
            statement: leading_words(blanked, 2),
        }],
        _ => vec![what()],
    }
}

/// The DELETE/UPDATE/INSERT/MERGE statements a query runs: those in its `WITH`
/// list (nested ones too) and its own body when it is one (`WITH … DELETE …`).
fn modifying_statements(q: &ast::Query) -> Box<dyn Iterator<Item = &Statement> + '_> {
    let body = match q.body.as_ref() {
        ast::SetExpr::Delete(s)
        | ast::SetExpr::Update(s)
        | ast::SetExpr::Insert(s)
        | ast::SetExpr::Merge(s) => Some(s),
        _ => None,
    };
    let ctes = q
        .with
        .iter()
        .flat_map(|w| &w.cte_tables)
        .flat_map(|cte| modifying_statements(&cte.query));
    Box::new(ctes.chain(body))
}

/// `MERGE INTO t … WHEN [NOT] MATCHED … THEN DELETE | UPDATE | INSERT`: one op per
/// action on the target. A matched action filters rows unless the join condition
/// and its own `AND` condition are both always true (`ON true`).
fn merge_ops(m: &ast::Merge, opts: &ReadOptions) -> Vec<OpKind> {
    let Some(table) = table_factor_name(&m.table, opts) else {
        return vec![OpKind::Unparsed {
            reason: "MERGE whose target is not a plain table".to_string(),
        }];
    };
    m.clauses
        .iter()
        .filter_map(|c| {
            let join_filters = match c.clause_kind {
                ast::MergeClauseKind::NotMatchedBySource => false,
                _ => constant_truth(&m.on) != Some(true),
            };
            let has_where = join_filters || filters_rows(c.predicate.as_ref());
            match &c.action {
                ast::MergeAction::Delete { .. } => Some(OpKind::Delete {
                    table: table.clone(),
                    has_where,
                }),
                ast::MergeAction::Update(_) => Some(OpKind::Update {
                    table: table.clone(),
                    has_where,
                }),
                ast::MergeAction::Insert(_) => Some(OpKind::Insert {
                    table: table.clone(),
                }),
                ast::MergeAction::DoNothing { .. } => None,
            }
        })
        .collect()
}

/// Whether a `WHERE` condition keeps some rows out: `WHERE true`, `WHERE 1 = 1` or
/// `WHERE 't'::boolean` touch every row, exactly as no `WHERE` does.
fn filters_rows(selection: Option<&Expr>) -> bool {
    selection.is_some_and(|e| constant_truth(e) != Some(true))
}

/// PostgreSQL's boolean input (`'t'`, `'yes'`, `'on'`, `'1'`, unique prefixes of
/// `true`/`false`/`yes`/`no`, case-insensitive, trimmed).
pub fn boolean_text(s: &str) -> Option<bool> {
    let v = s.trim().to_ascii_lowercase();
    let prefix_of = |word: &str| !v.is_empty() && word.starts_with(v.as_str());
    match v.as_str() {
        "1" | "on" => Some(true),
        "0" | "off" => Some(false),
        "o" => None,
        _ if prefix_of("true") || prefix_of("yes") => Some(true),
        _ if prefix_of("false") || prefix_of("no") => Some(false),
        _ => None,
    }
}

/// A literal operand of a comparison: a number or a string.
#[derive(PartialEq, PartialOrd)]
enum Constant {
    Number(f64),
    Text(String),
}

fn constant(e: &Expr) -> Option<Constant> {
    match e {
        Expr::Nested(e) => constant(e),
        Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse().ok().map(Constant::Number),
            ast::Value::SingleQuotedString(s) => Some(Constant::Text(s.clone())),
            _ => None,
        },
        Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => match constant(expr)? {
            Constant::Number(n) => Some(Constant::Number(-n)),
            Constant::Text(_) => None,
        },
        _ => None,
    }
}

/// The value of a condition made only of constants (`true`, `1 = 1`, `NOT false`,
/// `'t'::bool`, `x > 0 OR true`), `None` when it depends on the rows. NULL counts
/// as false: a `WHERE NULL` keeps every row out.
fn constant_truth(e: &Expr) -> Option<bool> {
    use ast::BinaryOperator as Op;
    match e {
        Expr::Nested(e) => constant_truth(e),
        Expr::Value(v) => match &v.value {
            ast::Value::Boolean(b) => Some(*b),
            ast::Value::Null => Some(false),
            _ => None,
        },
        Expr::Cast {
            expr,
            data_type: ast::DataType::Boolean | ast::DataType::Bool,
            ..
        } => match constant(expr)? {
            Constant::Text(t) => boolean_text(&t),
            Constant::Number(_) => constant_truth(expr),
        },
        Expr::UnaryOp {
            op: ast::UnaryOperator::Not,
            expr,
        } => constant_truth(expr).map(|b| !b),
        Expr::IsTrue(e) | Expr::IsNotFalse(e) => Some(constant_truth(e)?),
        Expr::IsFalse(e) | Expr::IsNotTrue(e) => Some(!constant_truth(e)?),
        Expr::IsNotNull(e) => constant(e).map(|_| true),
        Expr::IsNotDistinctFrom(a, b) if a == b => Some(true),
        Expr::BinaryOp { left, op, right } => match op {
            Op::And => match (constant_truth(left), constant_truth(right)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Op::Or => match (constant_truth(left), constant_truth(right)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            _ => {
                let (l, r) = (constant(left)?, constant(right)?);
                if std::mem::discriminant(&l) != std::mem::discriminant(&r) {
                    return None;
                }
                match op {
                    Op::Eq => Some(l == r),
                    Op::NotEq => Some(l != r),
                    Op::Lt => Some(l < r),
                    Op::LtEq => Some(l <= r),
                    Op::Gt => Some(l > r),
                    Op::GtEq => Some(l >= r),
                    _ => None,
                }
            }
        },
        _ => None,
    }
}

fn set_ops(s: &ast::Set, _opts: &ReadOptions) -> Vec<OpKind> {
    // `SET lock_timeout = '5s'` and `TO 5s` mean the same: the value without quotes.
    let value = |vals: &[Expr]| {
        vals.iter()
            .map(|v| v.to_string().trim_matches('\'').to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match s {
        ast::Set::SingleAssignment {
            variable, values, ..
        } => vec![OpKind::SetOption {
            name: parts(variable).join("."),
            value: value(values),
        }],
        ast::Set::MultipleAssignments { assignments } => assignments
            .iter()
            .map(|a| OpKind::SetOption {
                name: parts(&a.name).join("."),
                value: a.value.to_string().trim_matches('\'').to_string(),
            })
            .collect(),
        ast::Set::SetTimeZone { value: v, .. } => vec![OpKind::SetOption {
            name: "timezone".to_string(),
            value: v.to_string(),
        }],
        other_set => vec![OpKind::SetOption {
            name: other_set
                .to_string()
                .trim_start_matches("SET ")
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase(),
            value: other_set.to_string(),
        }],
    }
}

fn alter_table_op(
    table: &QualifiedName,
    op: &AlterTableOperation,
    opts: &ReadOptions,
) -> Vec<OpKind> {
    let t = || table.clone();
    match op {
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => match table_constraint(constraint, *not_valid, opts) {
            Some(c) => vec![OpKind::AddConstraint {
                table: t(),
                constraint: c,
            }],
            None => vec![other(format!("ALTER TABLE ADD {constraint}"))],
        },
        AlterTableOperation::AddColumn {
            if_not_exists,
            column_def: def,
            ..
        } => vec![OpKind::AddColumn {
            table: t(),
            column: column_def(def, opts),
            if_not_exists: *if_not_exists,
        }],
        AlterTableOperation::DropConstraint {
            if_exists,
            name,
            drop_behavior,
        } => vec![OpKind::DropConstraint {
            table: t(),
            name: Some(ident(name)),
            if_exists: *if_exists,
            cascade: cascade(drop_behavior),
        }],
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            drop_behavior,
            ..
        } => column_names
            .iter()
            .map(|c| OpKind::DropColumn {
                table: t(),
                column: ident(c),
                if_exists: *if_exists,
                cascade: cascade(drop_behavior),
            })
            .collect(),
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => vec![OpKind::RenameColumn {
            table: t(),
            column: ident(old_column_name),
            new_name: ident(new_column_name),
        }],
        AlterTableOperation::RenameTable { table_name } => {
            let n = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
            };
            // PostgreSQL keeps the table in its schema: RENAME TO takes a bare name.
            vec![OpKind::RenameTable {
                table: t(),
                new_name: QualifiedName::new(table.schema.clone(), last(n)),
            }]
        }
        AlterTableOperation::RenameConstraint { old_name, new_name } => {
            vec![OpKind::RenameConstraint {
                table: t(),
                name: ident(old_name),
                new_name: ident(new_name),
            }]
        }
        AlterTableOperation::ValidateConstraint { name } => vec![OpKind::ValidateConstraint {
            table: t(),
            name: ident(name),
        }],
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = ident(column_name);
            vec![match op {
                AlterColumnOperation::SetNotNull => OpKind::SetNotNull { table: t(), column },
                AlterColumnOperation::DropNotNull => OpKind::DropNotNull { table: t(), column },
                AlterColumnOperation::SetDefault { value } => OpKind::SetDefault {
                    table: t(),
                    column,
                    default: value.to_string(),
                },
                AlterColumnOperation::DropDefault => OpKind::DropDefault { table: t(), column },
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => OpKind::AlterColumnType {
                    table: t(),
                    column,
                    data_type: data_type.to_string(),
                    using: using.as_ref().map(|u| u.to_string()),
                },
                AlterColumnOperation::AddGenerated { generated_as, .. } => OpKind::SetIdentity {
                    table: t(),
                    column,
                    change: IdentityChange::Add {
                        identity: match generated_as {
                            Some(GeneratedAs::ByDefault) => Identity::ByDefault,
                            _ => Identity::Always,
                        },
                    },
                },
            }]
        }
        AlterTableOperation::SetLogged | AlterTableOperation::SetUnlogged => {
            vec![OpKind::SetPersistence {
                table: t(),
                logged: matches!(op, AlterTableOperation::SetLogged),
            }]
        }
        other_op => {
            let text = other_op.to_string();
            vec![other(format!("ALTER TABLE {}", leading_words(&text, 3)))]
        }
    }
}

/// One `WITH (…)` storage parameter as `reloptions` keeps it: the name folded, the
/// value as written (a string's contents, a bare word lower-cased), `true` when no
/// value is given (`WITH (fastupdate)`).
pub fn storage_parameter(e: &Expr) -> String {
    fn word(e: &Expr) -> String {
        match e {
            Expr::Identifier(i) => crate::ir::fold_ident(&i.value, i.quote_style.is_some()),
            Expr::CompoundIdentifier(parts) => parts
                .iter()
                .map(|i| crate::ir::fold_ident(&i.value, i.quote_style.is_some()))
                .collect::<Vec<_>>()
                .join("."),
            Expr::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(s) => s.clone(),
                ast::Value::Boolean(b) => b.to_string(),
                other => other.to_string(),
            },
            other => other.to_string(),
        }
    }
    match e {
        Expr::BinaryOp {
            left,
            op: ast::BinaryOperator::Eq,
            right,
        } => format!("{}={}", word(left), word(right)),
        other => format!("{}=true", word(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_words_are_the_keywords_before_the_first_name() {
        assert_eq!(
            leading_words("CREATE OR REPLACE FUNCTION f() RETURNS int", 2),
            "CREATE FUNCTION"
        );
        assert_eq!(leading_words("GRANT SELECT ON t TO r", 2), "GRANT SELECT");
        assert_eq!(leading_words("SET LOCAL lock_timeout = 1", 2), "SET LOCAL");
        assert_eq!(leading_words("  ALTER TABLE t ADD x int", 3), "ALTER TABLE");
        // A quoted identifier is a name, whatever it spells.
        assert_eq!(leading_words("SELECT \"select\" FROM t", 2), "SELECT");
        assert_eq!(leading_words("", 2), "");
    }
}
