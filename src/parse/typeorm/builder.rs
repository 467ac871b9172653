//! QueryRunner builder calls → operations.
//!
//! `queryRunner.dropColumn("product", "legacy_code")` and friends change the schema
//! without any SQL in the source. Each method is mapped to the op(s) that TypeORM 0.3's
//! PostgresQueryRunner would execute, reading `new Table/TableColumn/TableIndex/
//! TableForeignKey/...({...})` arguments (or plain object literals, or consts bound to
//! them) statically. An argument we cannot read makes the call opaque — never safe.

use super::values::{eval, Val};
use super::Doc;
use crate::ir::{
    ChangeMode, ColumnDef, CommentOn, ConstraintDef, ConstraintKind, Identity, IndexDef, IndexKey,
    NamedChange, OpKind, QualifiedName,
};
use tree_sitter::Node;

/// What a method call on the query runner turned out to be.
#[derive(Debug)]
pub(crate) enum Builder {
    /// Not a schema-changing builder method.
    Unknown,
    Ops(Vec<OpKind>),
    /// A builder method whose arguments cannot be read; the reason.
    Opaque(String),
}

/// QueryRunner methods that only read (or manage the connection): no op.
pub(crate) const READ_ONLY_METHODS: &[&str] = &[
    "hasTable",
    "hasColumn",
    "hasSchema",
    "hasDatabase",
    "hasEnumType",
    "getTable",
    "getTables",
    "getView",
    "getViews",
    "getDatabases",
    "getSchemas",
    "getCurrentDatabase",
    "getCurrentSchema",
    "getReplicationMode",
    "isTransactionActive",
    "connect",
    "release",
    "getMemorySql",
    "enableSqlMemory",
    "disableSqlMemory",
    "clearSqlMemory",
    "getCachedTable",
    "loadTables",
];

type R<T> = Result<T, String>;

/// Map `method(args...)` on the query runner.
pub(crate) fn builder_call(doc: &Doc, method: &str, args: &[Node]) -> Builder {
    let vals: Vec<Val> = args.iter().map(|a| eval(doc, *a)).collect();
    let arg = |i: usize| vals.get(i).cloned().unwrap_or(Val::Undefined);
    let result = match method {
        "createTable" => create_table(doc, &arg(0), &arg(1), &arg(2), &arg(3)),
        "dropTable" => table_ref(doc, &arg(0)).map(|table| {
            vec![OpKind::DropTable {
                table,
                if_exists: arg(1).as_bool().unwrap_or(false),
                cascade: false,
            }]
        }),
        "renameTable" => rename_table(doc, &arg(0), &arg(1)),
        "addColumn" => {
            let table = table_ref(doc, &arg(0));
            table.and_then(|t| add_column(doc, &t, &arg(1)))
        }
        "addColumns" => table_ref(doc, &arg(0)).and_then(|t| {
            let mut ops = Vec::new();
            for c in list(&arg(1), "columns")? {
                ops.extend(add_column(doc, &t, c)?);
            }
            Ok(ops)
        }),
        "dropColumn" => table_ref(doc, &arg(0)).and_then(|t| {
            Ok(vec![drop_column(
                &t,
                &arg(1),
                arg(2).as_bool().unwrap_or(false),
            )?])
        }),
        "dropColumns" => table_ref(doc, &arg(0)).and_then(|t| {
            let if_exists = arg(2).as_bool().unwrap_or(false);
            list(&arg(1), "columns")?
                .iter()
                .map(|c| drop_column(&t, c, if_exists))
                .collect()
        }),
        "renameColumn" => table_ref(doc, &arg(0)).and_then(|table| {
            Ok(vec![OpKind::RenameColumn {
                table,
                column: column_name(&arg(1))?,
                new_name: column_name(&arg(2))?,
            }])
        }),
        "changeColumn" => {
            table_ref(doc, &arg(0)).and_then(|t| change_column(doc, &t, &arg(1), &arg(2)))
        }
        "changeColumns" => table_ref(doc, &arg(0)).and_then(|t| {
            let mut ops = Vec::new();
            for c in list(&arg(1), "changed columns")? {
                let old = c.get("oldColumn").cloned().unwrap_or(Val::Undefined);
                let new = c.get("newColumn").cloned().unwrap_or(Val::Undefined);
                ops.extend(change_column(doc, &t, &old, &new)?);
            }
            Ok(ops)
        }),
        "createPrimaryKey" => table_ref(doc, &arg(0)).and_then(|table| {
            let columns = arg(1)
                .str_list()
                .ok_or("primary key column names are not static")?;
            Ok(vec![OpKind::AddConstraint {
                table,
                constraint: constraint(opt_str(&arg(2)), ConstraintKind::PrimaryKey { columns }),
            }])
        }),
        "updatePrimaryKeys" => table_ref(doc, &arg(0)).and_then(|table| {
            let mut columns = Vec::new();
            for c in list(&arg(1), "columns")? {
                if c.get("isPrimary").and_then(Val::as_bool) == Some(true) {
                    columns.push(column_name(c)?);
                }
            }
            Ok(vec![
                OpKind::DropConstraint {
                    table: table.clone(),
                    name: None,
                    if_exists: false,
                    cascade: false,
                },
                OpKind::AddConstraint {
                    table,
                    constraint: constraint(None, ConstraintKind::PrimaryKey { columns }),
                },
            ])
        }),
        "dropPrimaryKey" => table_ref(doc, &arg(0)).map(|table| {
            vec![OpKind::DropConstraint {
                table,
                name: opt_str(&arg(1)),
                if_exists: false,
                cascade: false,
            }]
        }),
        "createUniqueConstraint"
        | "createCheckConstraint"
        | "createExclusionConstraint"
        | "createForeignKey" => {
            let kind = method_constraint_kind(method);
            table_ref(doc, &arg(0)).and_then(|t| {
                Ok(vec![OpKind::AddConstraint {
                    constraint: table_constraint(doc, &t, kind, &arg(1))?,
                    table: t,
                }])
            })
        }
        "createUniqueConstraints"
        | "createCheckConstraints"
        | "createExclusionConstraints"
        | "createForeignKeys" => {
            let kind = method_constraint_kind(method);
            table_ref(doc, &arg(0)).and_then(|t| {
                list(&arg(1), "constraints")?
                    .iter()
                    .map(|c| {
                        Ok(OpKind::AddConstraint {
                            constraint: table_constraint(doc, &t, kind, c)?,
                            table: t.clone(),
                        })
                    })
                    .collect()
            })
        }
        "dropUniqueConstraint"
        | "dropCheckConstraint"
        | "dropExclusionConstraint"
        | "dropForeignKey" => table_ref(doc, &arg(0)).map(|t| vec![drop_constraint(&t, &arg(1))]),
        "dropUniqueConstraints"
        | "dropCheckConstraints"
        | "dropExclusionConstraints"
        | "dropForeignKeys" => table_ref(doc, &arg(0)).and_then(|t| {
            Ok(list(&arg(1), "constraints")?
                .iter()
                .map(|c| drop_constraint(&t, c))
                .collect())
        }),
        "createIndex" => table_ref(doc, &arg(0))
            .and_then(|t| Ok(vec![OpKind::CreateIndex(index_def(&t, &arg(1))?)])),
        "createIndices" => table_ref(doc, &arg(0)).and_then(|t| {
            list(&arg(1), "indices")?
                .iter()
                .map(|i| Ok(OpKind::CreateIndex(index_def(&t, i)?)))
                .collect()
        }),
        "dropIndex" => table_ref(doc, &arg(0)).and_then(|t| Ok(vec![drop_index(&t, &arg(1))?])),
        "dropIndices" => table_ref(doc, &arg(0)).and_then(|t| {
            list(&arg(1), "indices")?
                .iter()
                .map(|i| drop_index(&t, i))
                .collect()
        }),
        "clearTable" => table_ref(doc, &arg(0)).map(|table| vec![OpKind::Truncate { table }]),
        "createView" => create_view(doc, &arg(0)),
        "dropView" => table_ref(doc, &arg(0)).map(|name| {
            let materialized = arg(0).get("materialized").and_then(Val::as_bool) == Some(true);
            vec![OpKind::DropView {
                name,
                materialized,
                if_exists: false,
                cascade: false,
            }]
        }),
        "createSchema" => schema_name(&arg(0)).map(|name| {
            vec![OpKind::CreateSchema {
                name,
                if_not_exists: arg(1).as_bool().unwrap_or(false),
            }]
        }),
        "dropSchema" => schema_name(&arg(0)).map(|name| {
            vec![OpKind::DropSchema {
                name,
                if_exists: arg(1).as_bool().unwrap_or(false),
                cascade: arg(2).as_bool().unwrap_or(false),
            }]
        }),
        // The database name does not matter for the gate: this drops everything.
        "dropDatabase" => Ok(vec![OpKind::DropDatabase {
            name: opt_str(&arg(0)),
        }]),
        "clearDatabase" => Ok(vec![OpKind::DropDatabase {
            name: opt_str(&arg(0)),
        }]),
        "changeTableComment" => table_ref(doc, &arg(0)).and_then(|t| {
            Ok(vec![typeorm_comment(
                CommentOn::Table { name: t },
                &arg(1),
            )?])
        }),
        "startTransaction" => Ok(vec![OpKind::TransactionControl {
            statement: "BEGIN".into(),
        }]),
        "commitTransaction" => Ok(vec![OpKind::TransactionControl {
            statement: "COMMIT".into(),
        }]),
        "rollbackTransaction" => Ok(vec![OpKind::TransactionControl {
            statement: "ROLLBACK".into(),
        }]),
        "createDatabase" => Ok(vec![OpKind::Other {
            what: "create database".into(),
        }]),
        _ => return Builder::Unknown,
    };
    match result {
        Ok(ops) => Builder::Ops(ops),
        Err(reason) => Builder::Opaque(format!("{method}: {reason}")),
    }
}

fn method_constraint_kind(method: &str) -> &'static str {
    if method.contains("Unique") {
        "unique"
    } else if method.contains("Check") {
        "check"
    } else if method.contains("Exclusion") {
        "exclusion"
    } else {
        "fk"
    }
}

fn unknown_text(v: &Val) -> String {
    match v {
        Val::Unknown(t) => format!("`{t}` is not statically readable"),
        Val::Undefined => "argument missing".to_string(),
        _ => "argument has an unexpected shape".to_string(),
    }
}

/// The `COMMENT ON` TypeORM 0.3's PostgresQueryRunner sends for a comment value, as
/// its `escapeComment` spells it: no value or `""` is `IS NULL`, quotes are doubled
/// (so the stored text is the value) and NUL characters are dropped.
fn typeorm_comment(on: CommentOn, value: &Val) -> R<OpKind> {
    let text = match value {
        Val::Undefined | Val::Null => None,
        Val::Str(s) => Some(s.replace('\0', "")).filter(|s| !s.is_empty()),
        other => return Err(format!("comment: {}", unknown_text(other))),
    };
    Ok(OpKind::Comment {
        target: crate::parse::sql::fallback::comment_target(&on),
        on: Some(on),
        text,
    })
}

/// A table given as a path string, `new Table({name})` or an object with `name`.
fn table_ref(doc: &Doc, v: &Val) -> R<QualifiedName> {
    let path = match v {
        Val::Str(s) => s.clone(),
        Val::New { .. } | Val::Object(_) => {
            let name = v
                .get("name")
                .and_then(Val::as_str)
                .ok_or("table name is not static")?;
            match v.get("schema").and_then(Val::as_str) {
                Some(schema) if !name.contains('.') => format!("{schema}.{name}"),
                _ => name.to_string(),
            }
        }
        other => return Err(format!("table: {}", unknown_text(other))),
    };
    Ok(QualifiedName::from_typeorm_path(
        &path,
        &doc.opts.default_schema,
    ))
}

fn list<'v>(v: &'v Val, what: &str) -> R<&'v [Val]> {
    match v {
        Val::Array(a) => Ok(a),
        other => Err(format!("{what}: {}", unknown_text(other))),
    }
}

fn opt_str(v: &Val) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn constraint(name: Option<String>, kind: ConstraintKind) -> ConstraintDef {
    ConstraintDef {
        name,
        kind,
        not_valid: false,
        deferrable: false,
        initially_deferred: false,
        using_index: None,
    }
}

fn column_name(v: &Val) -> R<String> {
    match v {
        Val::Str(s) => Ok(s.clone()),
        _ => v
            .get("name")
            .and_then(Val::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("column: {}", unknown_text(v))),
    }
}

fn schema_name(v: &Val) -> R<String> {
    let path = v
        .as_str()
        .ok_or_else(|| format!("schema: {}", unknown_text(v)))?;
    // TypeORM accepts `database.schema`; PostgreSQL only sees the schema part.
    Ok(path.rsplit('.').next().unwrap_or(path).to_string())
}

fn create_table(doc: &Doc, table: &Val, if_not: &Val, fks: &Val, idx: &Val) -> R<Vec<OpKind>> {
    if table.props().is_none() {
        return Err(format!("table: {}", unknown_text(table)));
    }
    if let Some(Val::Unknown(t)) = table.get("[spread]").or(table.get("[computed]")) {
        return Err(format!("table definition `{t}` is not statically readable"));
    }
    let name = table_ref(doc, table)?;
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    let mut pk = Vec::new();
    let mut comments = Vec::new();
    if let Some(cols) = table.get("columns") {
        for c in list(cols, "columns")? {
            let mut col = column_def(&name, c)?;
            comments.extend(column_comment(&name, &col.name, c)?);
            // In CREATE TABLE, TypeORM writes key and unique constraints at table level.
            let mut inline = std::mem::take(&mut col.constraints);
            for con in inline.drain(..) {
                match con.kind {
                    ConstraintKind::PrimaryKey { .. } => pk.push(col.name.clone()),
                    _ => constraints.push(con),
                }
            }
            columns.push(col);
        }
    }
    if !pk.is_empty() {
        constraints.insert(
            0,
            constraint(None, ConstraintKind::PrimaryKey { columns: pk }),
        );
    }
    for (key, kind) in [
        ("uniques", "unique"),
        ("checks", "check"),
        ("exclusions", "exclusion"),
    ] {
        if let Some(items) = table.get(key) {
            for item in list(items, key)? {
                constraints.push(table_constraint(doc, &name, kind, item)?);
            }
        }
    }
    if fks.as_bool() != Some(false) {
        if let Some(items) = table.get("foreignKeys") {
            for item in list(items, "foreignKeys")? {
                constraints.push(table_constraint(doc, &name, "fk", item)?);
            }
        }
    }
    let mut indexes = Vec::new();
    if idx.as_bool() != Some(false) {
        if let Some(items) = table.get("indices") {
            for item in list(items, "indices")? {
                indexes.push(index_def(&name, item)?);
            }
        }
    }
    // The table's comment goes out unescaped (`IS '<comment>'`, not through
    // `escapeComment`): one with a quote is not the statement the author meant.
    match table.get("comment") {
        Some(Val::Str(c)) if c.contains('\'') => {
            return Err(format!(
                "table comment {c:?}: TypeORM 0.3 sends it unquoted (`IS '{c}'`)"
            ))
        }
        Some(Val::Str(c)) if !c.is_empty() => comments.push(OpKind::Comment {
            target: format!("table {name}"),
            on: Some(CommentOn::Table { name: name.clone() }),
            text: Some(c.clone()),
        }),
        None | Some(Val::Undefined | Val::Null | Val::Str(_)) => {}
        Some(other) => return Err(format!("table comment: {}", unknown_text(other))),
    }
    let mut ops = vec![OpKind::CreateTable {
        table: name,
        columns,
        constraints,
        if_not_exists: if_not.as_bool().unwrap_or(false),
        indexes,
        unmodelled: None,
        hierarchy: Default::default(),
        as_query: None,
    }];
    ops.extend(comments);
    Ok(ops)
}

/// The `COMMENT ON COLUMN` TypeORM sends after creating a column whose `comment` is
/// set (a falsy one sends nothing).
fn column_comment(table: &QualifiedName, column: &str, c: &Val) -> R<Option<OpKind>> {
    match c.get("comment") {
        None | Some(Val::Undefined | Val::Null) => Ok(None),
        Some(Val::Str(s)) if s.is_empty() => Ok(None),
        Some(value) => typeorm_comment(
            CommentOn::Column {
                table: table.clone(),
                column: column.to_string(),
            },
            value,
        )
        .map(Some),
    }
}

fn rename_table(doc: &Doc, old: &Val, new: &Val) -> R<Vec<OpKind>> {
    let table = table_ref(doc, old)?;
    let new_path = new
        .as_str()
        .ok_or_else(|| format!("new table name: {}", unknown_text(new)))?;
    // PostgresQueryRunner renames within the old table's schema.
    let new_name = QualifiedName::new(
        table.schema.clone(),
        QualifiedName::from_typeorm_path(new_path, &table.schema).name,
    );
    Ok(vec![OpKind::RenameTable { table, new_name }])
}

fn add_column(doc: &Doc, table: &QualifiedName, c: &Val) -> R<Vec<OpKind>> {
    let _ = doc;
    let column = column_def(table, c)?;
    let comment = column_comment(table, &column.name, c)?;
    let mut ops = vec![OpKind::AddColumn {
        table: table.clone(),
        column,
        if_not_exists: false,
    }];
    ops.extend(comment);
    Ok(ops)
}

fn drop_column(table: &QualifiedName, c: &Val, if_exists: bool) -> R<OpKind> {
    Ok(OpKind::DropColumn {
        table: table.clone(),
        column: column_name(c)?,
        if_exists,
        cascade: false,
    })
}

/// PostgresQueryRunner.changeColumn drops and re-adds the column when the type,
/// length, array-ness or a stored generated expression changes.
///
/// Its comment: a re-added column gets the new one (if set); a column changed in
/// place gets it when it differs (`!==`) from the old column's, which is the
/// database's when the old column is passed by name. Either way the new column's
/// comment is the result, except in place between two literals with the same one,
/// where nothing is sent and the database keeps whatever it has.
fn change_column(doc: &Doc, table: &QualifiedName, old: &Val, new: &Val) -> R<Vec<OpKind>> {
    let change = change_column_op(doc, table, old, new)?;
    let OpKind::ChangeColumn {
        column,
        new_name,
        mode,
        ..
    } = &change
    else {
        return Ok(vec![change]);
    };
    let name = new_name.clone().unwrap_or_else(|| column.clone());
    let comment_of = |v: &Val| v.get("comment").cloned().unwrap_or(Val::Undefined);
    let (old_comment, new_comment) = (comment_of(old), comment_of(new));
    let on = CommentOn::Column {
        table: table.clone(),
        column: name.clone(),
    };
    let readable = new.props().is_some() && !new.has_unknown();
    let comment = match mode {
        ChangeMode::Recreate => column_comment(table, &name, new)?,
        ChangeMode::InPlace if old_comment != new_comment => {
            Some(typeorm_comment(on, &new_comment)?)
        }
        ChangeMode::InPlace => None,
        // Old column by name: compared with the database's comment, so the new one
        // is what results. An unreadable new column leaves the column unverifiable.
        ChangeMode::Unknown if readable => Some(typeorm_comment(on, &new_comment)?),
        ChangeMode::Unknown => None,
    };
    let mut ops = vec![change];
    ops.extend(comment);
    Ok(ops)
}

fn change_column_op(doc: &Doc, table: &QualifiedName, old: &Val, new: &Val) -> R<OpKind> {
    let _ = doc;
    let column = column_name(old)?;
    let readable = |v: &Val| v.props().is_some() && !v.has_unknown();
    let new_column = if readable(new) {
        Some(column_def(table, new)?)
    } else {
        None
    };
    let new_col_name = new.get("name").and_then(Val::as_str);
    let mode = if readable(old) && readable(new) {
        let s = |v: &Val, k: &str| v.get(k).and_then(Val::as_text).unwrap_or_default();
        let b = |v: &Val, k: &str| v.get(k).and_then(Val::as_bool).unwrap_or(false);
        let stored = s(new, "generatedType") == "STORED";
        let differs = s(old, "type") != s(new, "type")
            || s(old, "length") != s(new, "length")
            || b(old, "isArray") != b(new, "isArray")
            || (s(old, "generatedType").is_empty() && stored)
            || (s(old, "asExpression") != s(new, "asExpression") && stored);
        if differs {
            ChangeMode::Recreate
        } else {
            ChangeMode::InPlace
        }
    } else {
        ChangeMode::Unknown
    };
    let new_name = new_col_name.filter(|n| *n != column).map(str::to_string);
    let nullable = |v: &Val| v.get("isNullable").and_then(Val::as_bool) == Some(true);
    let by_name = match (old, new) {
        (Val::Str(_), Val::New { class, .. }) if class == "TableColumn" && readable(new) => {
            named_change(new)
        }
        _ => None,
    };
    Ok(OpKind::ChangeColumn {
        by_name,
        sets_not_null: mode == ChangeMode::InPlace && nullable(old) && !nullable(new),
        table: table.clone(),
        column,
        new_column,
        new_name,
        mode,
    })
}

/// What TypeORM's changeColumn compares of a `new TableColumn({...})` (whose
/// constructor keeps `type`, `length` and `isArray` as given, `|| ""` / `|| false`);
/// `None` when one of them is not a plain literal.
fn named_change(new: &Val) -> Option<NamedChange> {
    let falsy = |v: Option<&Val>| match v {
        None | Some(Val::Null | Val::Undefined | Val::Bool(false)) => true,
        Some(Val::Str(s)) => s.is_empty(),
        Some(Val::Num(n)) => n.parse::<f64>().is_ok_and(|x| x == 0.0),
        _ => false,
    };
    let type_name = match new.get("type") {
        Some(Val::Str(t)) => t.clone(),
        t if falsy(t) => String::new(),
        _ => return None,
    };
    let length = match new.get("length") {
        l if falsy(l) => Some(String::new()),
        Some(Val::Str(l)) => Some(l.clone()),
        Some(Val::Num(_)) => None,
        _ => return None,
    };
    let flag = |k: &str| match new.get(k) {
        Some(Val::Bool(b)) => Some(*b),
        v if falsy(v) => Some(false),
        _ => None,
    };
    let generated_stored = match new.get("generatedType") {
        Some(Val::Str(g)) => g == "STORED",
        g if falsy(g) => false,
        _ => return None,
    };
    Some(NamedChange {
        type_name,
        length,
        is_array: flag("isArray")?,
        generated_stored,
        nullable: flag("isNullable")?,
    })
}

/// `new TableColumn({...})` → the column PostgresQueryRunner.buildCreateColumnSql writes.
fn column_def(table: &QualifiedName, c: &Val) -> R<ColumnDef> {
    if c.props().is_none() {
        return Err(format!("column: {}", unknown_text(c)));
    }
    let s = |k: &str| c.get(k).and_then(Val::as_text);
    let b = |k: &str| c.get(k).and_then(Val::as_bool);
    let name = s("name").ok_or("column name is not static")?;
    let ty = s("type").ok_or_else(|| format!("type of column `{name}` is not static"))?;
    // A flag only known at run time is not read as `false`: TypeORM writes NOT NULL
    // unless `isNullable` is `true`, and UNIQUE, a primary key, a serial or an array
    // as the value then is.
    for flag in [
        "isNullable",
        "isPrimary",
        "isUnique",
        "isGenerated",
        "isArray",
    ] {
        if let Some(Val::Unknown(text)) = c.get(flag) {
            return Err(format!(
                "`{flag}` of column `{name}` is only known at run time (`{text}`)"
            ));
        }
    }
    let is_array = b("isArray") == Some(true);
    let generated = b("isGenerated") == Some(true);
    let strategy = s("generationStrategy").unwrap_or_else(|| "increment".into());
    let mut identity = None;
    let mut default = match c.get("default") {
        None | Some(Val::Null) | Some(Val::Undefined) => None,
        Some(Val::Str(s)) => Some(s.clone()),
        Some(Val::Num(n)) => Some(n.clone()),
        Some(Val::Bool(b)) => Some(b.to_string()),
        // TypeORM writes the value into the SQL as it is at run time (`DEFAULT
        // ${default}`): the JavaScript text is not that SQL, so it is a part built at
        // run time, as in a `query()` template.
        Some(Val::Unknown(_)) => Some(run_time_part()),
        Some(_) => return Err(format!("default of column `{name}` is not static")),
    };
    let mut enum_values = None;
    let data_type = if ty == "enum" || ty == "simple-enum" {
        enum_values = c.get("enum").and_then(Val::str_list);
        let enum_name =
            s("enumName").unwrap_or_else(|| format!("{}_{}_enum", table.name, name.to_lowercase()));
        let qualified = if table.schema == "public" || enum_name.contains('.') {
            enum_name
        } else {
            format!("{}.{}", table.schema, enum_name)
        };
        if is_array {
            format!("{qualified}[]")
        } else {
            qualified
        }
    } else if generated && strategy == "increment" {
        match ty.as_str() {
            "int" | "integer" | "int4" => "serial".to_string(),
            "smallint" | "int2" => "smallserial".to_string(),
            "bigint" | "int8" => "bigserial".to_string(),
            _ => full_type(c, &ty, is_array),
        }
    } else {
        if generated && strategy == "identity" {
            identity = Some(match s("generatedIdentity").as_deref() {
                Some("ALWAYS") => Identity::Always,
                _ => Identity::ByDefault,
            });
        }
        if generated && strategy == "uuid" && default.is_none() {
            default = Some("uuid_generate_v4()".to_string());
        }
        full_type(c, &ty, is_array)
    };
    // PostgreSQL only has stored generated columns; TypeORM ignores anything else.
    let generated_expr = match (c.get("generatedType"), c.get("asExpression")) {
        (Some(Val::Str(t)), Some(e)) if t == "STORED" => match e.as_text() {
            Some(e) => Some(e),
            None => Some(run_time_part()),
        },
        // Whether the column is generated at all is only known at run time.
        (Some(Val::Unknown(_)), Some(_)) => Some(run_time_part()),
        _ => None,
    };
    let mut constraints = Vec::new();
    if b("isPrimary") == Some(true) {
        constraints.push(constraint(
            None,
            ConstraintKind::PrimaryKey {
                columns: vec![name.clone()],
            },
        ));
    }
    if b("isUnique") == Some(true) {
        constraints.push(constraint(
            None,
            ConstraintKind::Unique {
                columns: vec![name.clone()],
                nulls_not_distinct: false,
            },
        ));
    }
    Ok(ColumnDef {
        // TypeORM's default is NOT NULL: only `isNullable: true` allows NULL.
        not_null: b("isNullable") != Some(true),
        name,
        data_type,
        default,
        identity,
        generated: generated_expr,
        // TypeORM writes `COLLATE "<collation>"`: the name is quoted.
        collation: s("collation").map(|c| format!("\"{c}\"")),
        constraints,
        enum_values,
    })
}

/// What stands in a column definition for a value only known at run time: replay
/// makes the column unverifiable rather than take the JavaScript text for SQL.
fn run_time_part() -> String {
    format!("{}0__", crate::ir::DYNAMIC_PLACEHOLDER)
}

/// PostgresDriver.createFullType: type plus length or precision/scale, plus array.
fn full_type(c: &Val, ty: &str, is_array: bool) -> String {
    // A modifier only known at run time (`length: size`) is a part built at run time.
    let s = |k: &str| match c.get(k) {
        Some(Val::Unknown(_)) => Some(run_time_part()),
        v => v.and_then(Val::as_text).filter(|v| !v.is_empty()),
    };
    let mut t = ty.to_string();
    if let Some(len) = s("length") {
        t = format!("{t}({len})");
    } else if let (Some(p), Some(sc)) = (s("precision"), s("scale")) {
        t = format!("{t}({p},{sc})");
    } else if let Some(p) = s("precision") {
        t = format!("{t}({p})");
    }
    if is_array {
        t.push_str("[]");
    }
    t
}

fn table_constraint(doc: &Doc, table: &QualifiedName, kind: &str, v: &Val) -> R<ConstraintDef> {
    if v.props().is_none() {
        return Err(format!("constraint: {}", unknown_text(v)));
    }
    let name = v.get("name").and_then(Val::as_str).map(str::to_string);
    let cols = |k: &str| {
        v.get(k)
            .and_then(Val::str_list)
            .ok_or_else(|| format!("{k} are not static"))
    };
    let text = |k: &str| {
        v.get(k)
            .and_then(Val::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("{k} is not static"))
    };
    let ckind = match kind {
        "unique" => ConstraintKind::Unique {
            columns: cols("columnNames")?,
            nulls_not_distinct: false,
        },
        "check" => ConstraintKind::Check {
            expr: text("expression")?,
        },
        "exclusion" => ConstraintKind::Exclusion {
            definition: format!("EXCLUDE {}", text("expression")?),
        },
        _ => {
            let ref_path = text("referencedTableName")?;
            let mut ref_table = QualifiedName::from_typeorm_path(&ref_path, &table.schema);
            if let Some(schema) = v.get("referencedSchema").and_then(Val::as_str) {
                ref_table.schema = schema.to_string();
            }
            let _ = doc;
            ConstraintKind::ForeignKey {
                columns: cols("columnNames")?,
                ref_table,
                ref_columns: cols("referencedColumnNames")?,
                on_delete: v.get("onDelete").and_then(Val::as_str).map(str::to_string),
                on_update: v.get("onUpdate").and_then(Val::as_str).map(str::to_string),
            }
        }
    };
    let mut def = constraint(name, ckind);
    if let Some(d) = v.get("deferrable").and_then(Val::as_str) {
        def.deferrable = true;
        def.initially_deferred = d.to_ascii_uppercase().contains("DEFERRED");
    }
    Ok(def)
}

fn drop_constraint(table: &QualifiedName, v: &Val) -> OpKind {
    // A constraint given without a readable name still drops *something*: keep the op.
    let name = match v {
        Val::Str(s) => Some(s.clone()),
        _ => v.get("name").and_then(Val::as_str).map(str::to_string),
    };
    OpKind::DropConstraint {
        table: table.clone(),
        name,
        if_exists: false,
        cascade: false,
    }
}

fn index_def(table: &QualifiedName, v: &Val) -> R<IndexDef> {
    if v.props().is_none() {
        return Err(format!("index: {}", unknown_text(v)));
    }
    let b = |k: &str| v.get(k).and_then(Val::as_bool) == Some(true);
    let columns = v
        .get("columnNames")
        .and_then(Val::str_list)
        .ok_or("index columnNames are not static")?;
    Ok(IndexDef {
        name: v.get("name").and_then(Val::as_str).map(str::to_string),
        table: table.clone(),
        unique: b("isUnique"),
        concurrently: b("isConcurrent"),
        if_not_exists: false,
        method: b("isSpatial").then(|| "gist".to_string()),
        keys: columns
            .into_iter()
            .map(|c| IndexKey {
                expr: c,
                is_expression: false,
                descending: false,
                nulls_first: None,
                opclass: None,
            })
            .collect(),
        include: Vec::new(),
        predicate: v.get("where").and_then(Val::as_str).map(str::to_string),
        nulls_not_distinct: false,
        storage: Vec::new(),
    })
}

fn drop_index(table: &QualifiedName, v: &Val) -> R<OpKind> {
    if matches!(v, Val::Unknown(_) | Val::Undefined) {
        return Err(format!("index: {}", unknown_text(v)));
    }
    let (name, concurrently) = match v {
        Val::Str(s) => (Some(s.clone()), false),
        _ => (
            v.get("name").and_then(Val::as_str).map(str::to_string),
            v.get("isConcurrent").and_then(Val::as_bool) == Some(true),
        ),
    };
    let name = name.ok_or_else(|| {
        "index name not given (TypeORM computes it from the naming strategy)".to_string()
    })?;
    Ok(OpKind::DropIndex {
        index: QualifiedName::from_typeorm_path(&name, &table.schema),
        concurrently,
        if_exists: false,
        cascade: false,
    })
}

fn create_view(doc: &Doc, v: &Val) -> R<Vec<OpKind>> {
    let name = table_ref(doc, v)?;
    let query = match v.get("expression") {
        Some(Val::Str(s)) => s.clone(),
        Some(Val::Unknown(t)) => t.clone(),
        _ => String::new(),
    };
    Ok(vec![OpKind::CreateView {
        name,
        materialized: v.get("materialized").and_then(Val::as_bool) == Some(true),
        or_replace: false,
        columns: Vec::new(),
        query,
    }])
}
