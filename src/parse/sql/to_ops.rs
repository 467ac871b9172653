//! sqlparser AST → operations.
//!
//! One parsed statement becomes zero or more [`OpKind`]s (an `ALTER TABLE` with three
//! actions is three ops; `DROP TABLE a, b` is two). Names are folded the PostgreSQL
//! way here, once, so nothing downstream compares raw identifiers.

use crate::ir::{
    fold_ident, ColumnDef, ConstraintDef, ConstraintKind, Identity, IndexDef, IndexKey, OpKind,
    QualifiedName, SequenceOptions,
};
use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, AlterTypeOperation, ColumnOption,
    CreateTableLikeKind, Expr, Ident, ObjectName, ObjectNamePart, ObjectType, Statement,
    TableConstraint, TableFactor, UserDefinedTypeRepresentation,
};

/// Fold a parsed identifier (quoted keeps case).
pub fn ident(i: &Ident) -> String {
    fold_ident(&i.value, i.quote_style.is_some())
}

fn parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => ident(i),
            other => other.to_string(),
        })
        .collect()
}

/// `[db.]schema.name` or `name` → qualified name in the default schema.
pub fn qualified(name: &ObjectName, default_schema: &str) -> QualifiedName {
    let p = parts(name);
    match p.len() {
        0 => QualifiedName::new(default_schema, ""),
        1 => QualifiedName::new(default_schema, p[0].clone()),
        n => QualifiedName::new(p[n - 2].clone(), p[n - 1].clone()),
    }
}

fn last_part(name: &ObjectName) -> String {
    parts(name).pop().unwrap_or_default()
}

fn idents(list: &[Ident]) -> Vec<String> {
    list.iter().map(ident).collect()
}

fn index_column_names(cols: &[ast::IndexColumn]) -> Vec<String> {
    cols.iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => ident(i),
            other => other.to_string(),
        })
        .collect()
}

fn action(a: &Option<ast::ReferentialAction>) -> Option<String> {
    a.as_ref().map(|a| a.to_string())
}

fn characteristics(c: &Option<ast::ConstraintCharacteristics>) -> (bool, bool) {
    match c {
        Some(c) => (
            c.deferrable.unwrap_or(false),
            matches!(c.initially, Some(ast::DeferrableInitial::Deferred)),
        ),
        None => (false, false),
    }
}

/// A table constraint → IR constraint (`None` for kinds we do not model).
fn table_constraint(c: &TableConstraint, default_schema: &str) -> Option<ConstraintDef> {
    let (name, kind, ch) = match c {
        TableConstraint::PrimaryKey(pk) => (
            pk.name.as_ref().map(ident),
            ConstraintKind::PrimaryKey {
                columns: index_column_names(&pk.columns),
            },
            &pk.characteristics,
        ),
        TableConstraint::Unique(u) => (
            u.name.as_ref().map(ident),
            ConstraintKind::Unique {
                columns: index_column_names(&u.columns),
                nulls_not_distinct: matches!(
                    u.nulls_distinct,
                    ast::NullsDistinctOption::NotDistinct
                ),
            },
            &u.characteristics,
        ),
        TableConstraint::ForeignKey(fk) => (
            fk.name.as_ref().map(ident),
            ConstraintKind::ForeignKey {
                columns: idents(&fk.columns),
                ref_table: qualified(&fk.foreign_table, default_schema),
                ref_columns: idents(&fk.referred_columns),
                on_delete: action(&fk.on_delete),
                on_update: action(&fk.on_update),
            },
            &fk.characteristics,
        ),
        TableConstraint::Check(ck) => (
            ck.name.as_ref().map(ident),
            ConstraintKind::Check {
                expr: ck.expr.to_string(),
            },
            &None,
        ),
        _ => return None,
    };
    let (deferrable, initially_deferred) = characteristics(ch);
    Some(ConstraintDef {
        name,
        kind,
        not_valid: false,
        deferrable,
        initially_deferred,
        using_index: None,
    })
}

/// A column definition; inline constraints become single-column table constraints.
fn column_def(c: &ast::ColumnDef, default_schema: &str) -> ColumnDef {
    let name = ident(&c.name);
    let mut col = ColumnDef {
        name: name.clone(),
        data_type: c.data_type.to_string(),
        ..ColumnDef::default()
    };
    for opt in &c.options {
        let cname = opt.name.as_ref().map(ident);
        let single = |kind: ConstraintKind| ConstraintDef {
            name: cname.clone(),
            kind,
            not_valid: false,
            deferrable: false,
            initially_deferred: false,
            using_index: None,
        };
        match &opt.option {
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Null => col.not_null = false,
            ColumnOption::Default(e) => col.default = Some(e.to_string()),
            ColumnOption::Collation(n) => col.collation = Some(n.to_string()),
            ColumnOption::PrimaryKey(_) => {
                col.not_null = true;
                col.constraints.push(single(ConstraintKind::PrimaryKey {
                    columns: vec![name.clone()],
                }));
            }
            ColumnOption::Unique(u) => col.constraints.push(single(ConstraintKind::Unique {
                columns: vec![name.clone()],
                nulls_not_distinct: matches!(
                    u.nulls_distinct,
                    ast::NullsDistinctOption::NotDistinct
                ),
            })),
            ColumnOption::ForeignKey(fk) => {
                col.constraints.push(single(ConstraintKind::ForeignKey {
                    columns: vec![name.clone()],
                    ref_table: qualified(&fk.foreign_table, default_schema),
                    ref_columns: idents(&fk.referred_columns),
                    on_delete: action(&fk.on_delete),
                    on_update: action(&fk.on_update),
                }))
            }
            ColumnOption::Check(ck) => col.constraints.push(single(ConstraintKind::Check {
                expr: ck.expr.to_string(),
            })),
            ColumnOption::Generated {
                generated_as,
                generation_expr,
                ..
            } => match generation_expr {
                Some(e) => col.generated = Some(e.to_string()),
                None => {
                    col.identity = Some(match generated_as {
                        ast::GeneratedAs::Always => Identity::Always,
                        _ => Identity::ByDefault,
                    });
                    col.not_null = true;
                }
            },
            _ => {}
        }
    }
    col
}

fn index_keys(cols: &[ast::IndexColumn]) -> Vec<IndexKey> {
    cols.iter()
        .map(|c| {
            let (expr, is_expression) = match &c.column.expr {
                Expr::Identifier(i) => (ident(i), false),
                other => (other.to_string(), true),
            };
            IndexKey {
                expr,
                is_expression,
                descending: matches!(c.column.options.sort, Some(ast::OrderBySort::Desc)),
                nulls_first: c.column.options.nulls_first,
                opclass: c.operator_class.as_ref().map(|o| o.to_string()),
            }
        })
        .collect()
}

fn seq_options(opts: &[ast::SequenceOptions], data_type: Option<String>) -> SequenceOptions {
    let mut s = SequenceOptions {
        data_type,
        ..Default::default()
    };
    let num = |e: &Expr| e.to_string().replace(' ', "").parse::<i64>().ok();
    for o in opts {
        match o {
            ast::SequenceOptions::IncrementBy(e, _) => s.increment = num(e),
            ast::SequenceOptions::MinValue(Some(e)) => s.min_value = num(e),
            ast::SequenceOptions::MaxValue(Some(e)) => s.max_value = num(e),
            ast::SequenceOptions::StartWith(e, _) => s.start = num(e),
            ast::SequenceOptions::Cache(e) => s.cache = num(e),
            ast::SequenceOptions::Cycle(no) => s.cycle = Some(!*no),
            _ => {}
        }
    }
    s
}

fn table_of(twj: &ast::TableWithJoins, default_schema: &str) -> Option<QualifiedName> {
    match &twj.relation {
        TableFactor::Table { name, .. } => Some(qualified(name, default_schema)),
        _ => None,
    }
}

/// Map one parsed statement to ops. `Err` = a statement kind we parse but cannot map
/// faithfully (the caller keeps it as `unparsed` so lexical rules still see it).
pub fn statement_ops(stmt: &Statement, default_schema: &str) -> Result<Vec<OpKind>, String> {
    let ds = default_schema;
    let other = |what: &str| {
        Ok(vec![OpKind::Other {
            what: what.to_string(),
        }])
    };
    match stmt {
        Statement::CreateTable(ct) => {
            let table = qualified(&ct.name, ds);
            let mut columns: Vec<ColumnDef> =
                ct.columns.iter().map(|c| column_def(c, ds)).collect();
            let constraints: Vec<ConstraintDef> = ct
                .constraints
                .iter()
                .filter_map(|c| table_constraint(c, ds))
                .collect();
            // A table-level PRIMARY KEY makes its columns NOT NULL.
            for c in &constraints {
                if let ConstraintKind::PrimaryKey { columns: pk } = &c.kind {
                    for col in columns.iter_mut().filter(|col| pk.contains(&col.name)) {
                        col.not_null = true;
                    }
                }
            }
            let mut unmodelled = Vec::new();
            if let Some(p) = &ct.partition_by {
                unmodelled.push(format!("PARTITION BY {p}"));
            }
            if let Some(i) = &ct.inherits {
                unmodelled.push(format!(
                    "INHERITS ({})",
                    i.iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(l) = &ct.like {
                let n = match l {
                    CreateTableLikeKind::Parenthesized(l) | CreateTableLikeKind::Plain(l) => {
                        l.name.to_string()
                    }
                };
                unmodelled.push(format!("LIKE {n}"));
            }
            if ct.query.is_some() {
                unmodelled.push("AS SELECT".into());
            }
            if let Some(p) = &ct.partition_of {
                unmodelled.push(format!("PARTITION OF {p}"));
            }
            Ok(vec![OpKind::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists: ct.if_not_exists,
                indexes: vec![],
                unmodelled: (!unmodelled.is_empty()).then(|| unmodelled.join(" ")),
            }])
        }
        Statement::AlterTable(at) => {
            let table = qualified(&at.name, ds);
            let mut ops = Vec::new();
            for op in &at.operations {
                ops.push(alter_table_op(&table, op, ds)?);
            }
            Ok(ops)
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
                    let q = qualified(n, ds);
                    Ok(match object_type {
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
                            name: last_part(n),
                            if_exists,
                            cascade,
                        },
                        ObjectType::Database => OpKind::DropDatabase {
                            name: Some(last_part(n)),
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
                        other => OpKind::Other {
                            what: format!("drop {}", other.to_string().to_lowercase()),
                        },
                    })
                })
                .collect()
        }
        Statement::CreateIndex(ci) => {
            let table = qualified(&ci.table_name, ds);
            Ok(vec![OpKind::CreateIndex(IndexDef {
                name: ci.name.as_ref().map(last_part),
                table,
                unique: ci.unique,
                concurrently: ci.concurrently,
                if_not_exists: ci.if_not_exists,
                method: ci.using.as_ref().map(|u| u.to_string().to_lowercase()),
                keys: index_keys(&ci.columns),
                include: idents(&ci.include),
                predicate: ci.predicate.as_ref().map(|p| p.to_string()),
                nulls_not_distinct: ci.nulls_distinct == Some(false),
            })])
        }
        Statement::CreateType {
            name,
            representation,
        } => match representation {
            Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                Ok(vec![OpKind::CreateTypeEnum {
                    name: qualified(name, ds),
                    labels: labels.iter().map(|l| l.value.clone()).collect(),
                }])
            }
            _ => other("create type"),
        },
        Statement::AlterType(at) => {
            let name = qualified(&at.name, ds);
            Ok(vec![match &at.operation {
                AlterTypeOperation::Rename(r) => OpKind::RenameType {
                    new_name: QualifiedName::new(name.schema.clone(), ident(&r.new_name)),
                    name,
                },
                AlterTypeOperation::AddValue(v) => {
                    let (before, after) = match &v.position {
                        Some(ast::AlterTypeAddValuePosition::Before(b)) => {
                            (Some(b.value.clone()), None)
                        }
                        Some(ast::AlterTypeAddValuePosition::After(a)) => {
                            (None, Some(a.value.clone()))
                        }
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
                AlterTypeOperation::RenameValue(v) => OpKind::RenameEnumValue {
                    name,
                    value: v.from.value.clone(),
                    new_value: v.to.value.clone(),
                },
            }])
        }
        Statement::CreateExtension(ce) => Ok(vec![OpKind::CreateExtension {
            name: ident(&ce.name),
            schema: ce.schema.as_ref().map(ident),
            if_not_exists: ce.if_not_exists,
        }]),
        Statement::DropExtension(de) => Ok(de
            .names
            .iter()
            .map(|n| OpKind::DropExtension {
                name: ident(n),
                if_exists: de.if_exists,
                cascade: matches!(
                    de.cascade_or_restrict,
                    Some(ast::ReferentialAction::Cascade)
                ),
            })
            .collect()),
        Statement::CreateSequence {
            if_not_exists,
            name,
            data_type,
            sequence_options,
            owned_by,
            ..
        } => {
            let mut options =
                seq_options(sequence_options, data_type.as_ref().map(|d| d.to_string()));
            if let Some(o) = owned_by {
                let p = parts(o);
                options.owned_by = Some(if p.len() >= 2 {
                    let col = p[p.len() - 1].clone();
                    let tbl = ObjectName(o.0[..o.0.len() - 1].to_vec());
                    Some((qualified(&tbl, ds), col))
                } else {
                    None
                });
            }
            Ok(vec![OpKind::CreateSequence {
                name: qualified(name, ds),
                options,
                if_not_exists: *if_not_exists,
            }])
        }
        Statement::CreateView(cv) => Ok(vec![OpKind::CreateView {
            name: qualified(&cv.name, ds),
            materialized: cv.materialized,
            or_replace: cv.or_replace,
            query: cv.query.to_string(),
        }]),
        Statement::CreateSchema {
            schema_name,
            if_not_exists,
            ..
        } => {
            let name = match schema_name {
                ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                    last_part(n)
                }
                ast::SchemaName::UnnamedAuthorization(i) => ident(i),
            };
            Ok(vec![OpKind::CreateSchema {
                name,
                if_not_exists: *if_not_exists,
            }])
        }
        Statement::Truncate(t) => Ok(t
            .table_names
            .iter()
            .map(|t| OpKind::Truncate {
                table: qualified(&t.name, ds),
            })
            .collect()),
        Statement::Delete(d) => {
            let tables = match &d.from {
                ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
            };
            let table = tables
                .first()
                .and_then(|t| table_of(t, ds))
                .ok_or("DELETE target is not a table")?;
            Ok(vec![OpKind::Delete {
                table,
                has_where: d.selection.is_some(),
            }])
        }
        Statement::Update(u) => {
            let table = table_of(&u.table, ds).ok_or("UPDATE target is not a table")?;
            Ok(vec![OpKind::Update {
                table,
                has_where: u.selection.is_some(),
            }])
        }
        Statement::Insert(i) => match &i.table {
            ast::TableObject::TableName(n) => Ok(vec![OpKind::Insert {
                table: qualified(n, ds),
            }]),
            _ => other("insert"),
        },
        Statement::Comment {
            object_type,
            object_name,
            ..
        } => Ok(vec![OpKind::Comment {
            target: format!(
                "{} {}",
                object_type.to_string().to_lowercase(),
                parts(object_name).join(".")
            ),
        }]),
        Statement::Set(ast::Set::SingleAssignment {
            variable, values, ..
        }) => Ok(vec![OpKind::SetOption {
            name: parts(variable).join(".").to_lowercase(),
            value: values
                .iter()
                .map(|v| v.to_string().trim_matches('\'').to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }]),
        Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. } => Ok(vec![OpKind::TransactionControl {
            statement: stmt.to_string(),
        }]),
        Statement::CreateFunction(_) => other("create function"),
        Statement::CreateProcedure { .. } => other("create procedure"),
        Statement::CreateTrigger(_) => other("create trigger"),
        Statement::DropTrigger(_) => other("drop trigger"),
        Statement::DropFunction(_) => other("drop function"),
        Statement::CreatePolicy(_) => other("create policy"),
        Statement::DropPolicy(_) => other("drop policy"),
        Statement::Grant(_) => other("grant"),
        Statement::Revoke(_) => other("revoke"),
        Statement::Query(_) => other("select"),
        Statement::CreateRole(_) => other("create role"),
        Statement::Call(_) => other("call"),
        Statement::Analyze(_) => other("analyze"),
        Statement::CreateDomain(_) => other("create domain"),
        Statement::AlterIndex { name, operation } => match operation {
            ast::AlterIndexOperation::RenameIndex { index_name } => Ok(vec![OpKind::RenameIndex {
                index: qualified(name, ds),
                new_name: last_part(index_name),
            }]),
        },
        Statement::AlterView { .. } => Err("ALTER VIEW is not modelled".into()),
        _ => Err(format!(
            "statement kind not modelled by migguard: {}",
            stmt.to_string()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

fn alter_table_op(
    table: &QualifiedName,
    op: &AlterTableOperation,
    ds: &str,
) -> Result<OpKind, String> {
    let t = || table.clone();
    Ok(match op {
        AlterTableOperation::AddColumn {
            if_not_exists,
            column_def: c,
            ..
        } => OpKind::AddColumn {
            table: t(),
            column: column_def(c, ds),
            if_not_exists: *if_not_exists,
        },
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            drop_behavior,
            ..
        } => {
            // sqlparser 0.63 accepts `DROP COLUMN a, b` (not PostgreSQL); take the first
            // and keep the rest visible through the statement text.
            let column = column_names.first().map(ident).unwrap_or_default();
            OpKind::DropColumn {
                table: t(),
                column,
                if_exists: *if_exists,
                cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
            }
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => OpKind::RenameColumn {
            table: t(),
            column: ident(old_column_name),
            new_name: ident(new_column_name),
        },
        AlterTableOperation::RenameTable { table_name } => {
            let n = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
            };
            // RENAME TO never changes the schema in PostgreSQL.
            OpKind::RenameTable {
                table: t(),
                new_name: QualifiedName::new(table.schema.clone(), last_part(n)),
            }
        }
        AlterTableOperation::RenameConstraint { old_name, new_name } => OpKind::RenameConstraint {
            table: t(),
            name: ident(old_name),
            new_name: ident(new_name),
        },
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => {
            let mut c = table_constraint(constraint, ds)
                .ok_or_else(|| format!("constraint not modelled: {constraint}"))?;
            c.not_valid = *not_valid;
            OpKind::AddConstraint {
                table: t(),
                constraint: c,
            }
        }
        AlterTableOperation::DropConstraint {
            if_exists,
            name,
            drop_behavior,
        } => OpKind::DropConstraint {
            table: t(),
            name: Some(ident(name)),
            if_exists: *if_exists,
            cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
        },
        AlterTableOperation::ValidateConstraint { name } => OpKind::ValidateConstraint {
            table: t(),
            name: ident(name),
        },
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = ident(column_name);
            match op {
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
                AlterColumnOperation::AddGenerated { .. } => {
                    return Err("ALTER COLUMN … ADD GENERATED is not modelled".into())
                }
            }
        }
        AlterTableOperation::EnableRowLevelSecurity
        | AlterTableOperation::DisableRowLevelSecurity
        | AlterTableOperation::ForceRowLevelSecurity
        | AlterTableOperation::NoForceRowLevelSecurity
        | AlterTableOperation::EnableTrigger { .. }
        | AlterTableOperation::DisableTrigger { .. }
        | AlterTableOperation::OwnerTo { .. }
        | AlterTableOperation::ReplicaIdentity { .. }
        | AlterTableOperation::SetLogged
        | AlterTableOperation::SetUnlogged => OpKind::Other {
            what: format!("alter table {}", op.to_string().to_lowercase()),
        },
        other => return Err(format!("ALTER TABLE action not modelled: {other}")),
    })
}

/// Parsed statement → ops, with the token recogniser as a second chance for the
/// statements sqlparser parses but we do not map (e.g. ALTER TABLE … SET SCHEMA).
pub fn statement_kinds_or_fallback(
    stmt: &Statement,
    blanked: &str,
    default_schema: &str,
) -> Result<Vec<OpKind>, String> {
    match statement_ops(stmt, default_schema) {
        Ok(k) => Ok(k),
        Err(reason) => super::fallback::recognise(blanked, default_schema).ok_or(reason),
    }
}
