//! TypeORM QueryRunner builder calls → operations, with TypeORM's own semantics.
//!
//! What each call does is what TypeORM 0.3's `PostgresQueryRunner` emits: columns are
//! NOT NULL unless `isNullable: true`, `isPrimary` columns form one primary key,
//! `generationStrategy: "increment"` is a serial column, `"uuid"` defaults to
//! `uuid_generate_v4()`, enum columns get a type named `<table>_<column>_enum` unless
//! `enumName` says otherwise, and `changeColumn` drops and re-adds the column when
//! type, length, array-ness or a stored generated expression changes.
//! Names TypeORM would generate (PK_…, FK_…, IDX_…) are left `None`: the replayer
//! computes them with the DefaultNamingStrategy.

use super::js::JsVal;
use crate::ir::{
    ChangeMode, ColumnDef, ConstraintDef, ConstraintKind, Identity, IndexDef, IndexKey, OpKind,
    QualifiedName,
};

/// The builder methods that change the schema (or its data wholesale).
pub const BUILDER_METHODS: &[&str] = &[
    "createTable",
    "dropTable",
    "renameTable",
    "addColumn",
    "addColumns",
    "dropColumn",
    "dropColumns",
    "renameColumn",
    "changeColumn",
    "changeColumns",
    "createPrimaryKey",
    "updatePrimaryKeys",
    "dropPrimaryKey",
    "createUniqueConstraint",
    "createUniqueConstraints",
    "dropUniqueConstraint",
    "dropUniqueConstraints",
    "createCheckConstraint",
    "createCheckConstraints",
    "dropCheckConstraint",
    "dropCheckConstraints",
    "createExclusionConstraint",
    "createExclusionConstraints",
    "dropExclusionConstraint",
    "dropExclusionConstraints",
    "createForeignKey",
    "createForeignKeys",
    "dropForeignKey",
    "dropForeignKeys",
    "createIndex",
    "createIndices",
    "dropIndex",
    "dropIndices",
    "clearTable",
    "createView",
    "dropView",
    "createSchema",
    "dropSchema",
    "dropDatabase",
    "clearDatabase",
    "changeTableComment",
    "createDatabase",
];

fn unknown(what: &str, v: &JsVal) -> String {
    match v {
        JsVal::Unknown(t) => format!(
            "{what} `{}` is not a literal migguard can read",
            t.chars().take(60).collect::<String>()
        ),
        _ => format!("{what} is not in a form migguard can read"),
    }
}

/// Table name from a `Table | string` argument.
fn table_name(v: &JsVal, ds: &str) -> Result<QualifiedName, String> {
    match v {
        JsVal::Str(s) => Ok(QualifiedName::from_typeorm_path(s, ds)),
        other => other
            .str("name")
            .map(|s| QualifiedName::from_typeorm_path(&s, ds))
            .ok_or_else(|| unknown("table argument", v)),
    }
}

fn name_of(v: &JsVal) -> Option<String> {
    match v {
        JsVal::Str(s) => Some(s.clone()),
        other => other.str("name"),
    }
}

fn items(v: &JsVal) -> Vec<JsVal> {
    match v {
        JsVal::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

/// TypeORM column type + length/precision/array → SQL type as written.
fn column_type(c: &JsVal, table: &QualifiedName, name: &str) -> String {
    let ty = c.str("type").unwrap_or_else(|| "character varying".into());
    let lower = ty.to_ascii_lowercase();
    let mut t = if lower == "enum" || lower == "simple-enum" && c.get("enum").is_some() {
        let enum_name = c
            .str("enumName")
            .unwrap_or_else(|| format!("{}_{}_enum", table.name, name));
        if table.schema != "public" && !enum_name.contains('.') {
            format!("\"{}\".\"{}\"", table.schema, enum_name)
        } else {
            format!("\"{enum_name}\"")
        }
    } else if let Some(len) = c.str("length").filter(|l| !l.is_empty()) {
        format!("{ty}({len})")
    } else if let Some(p) = c.str("precision") {
        match c.str("scale") {
            Some(s) => format!("{ty}({p},{s})"),
            None => format!("{ty}({p})"),
        }
    } else {
        ty
    };
    if c.bool("isArray") == Some(true) {
        t.push_str("[]");
    }
    t
}

/// A `TableColumn`/column options object → column definition.
pub fn column_def(c: &JsVal, table: &QualifiedName) -> Result<ColumnDef, String> {
    let name = c.str("name").ok_or_else(|| unknown("column", c))?;
    let mut col = ColumnDef {
        name: name.clone(),
        data_type: column_type(c, table, &name),
        not_null: c.bool("isNullable") != Some(true),
        ..ColumnDef::default()
    };
    if let Some(d) = c.get("default") {
        col.default = match d {
            JsVal::Str(s) | JsVal::Num(s) => Some(s.clone()),
            JsVal::Bool(b) => Some(b.to_string()),
            JsVal::Null | JsVal::Undefined => None,
            other => return Err(unknown("column default", other)),
        };
    }
    if c.bool("isGenerated") == Some(true) {
        match c
            .str("generationStrategy")
            .as_deref()
            .unwrap_or("increment")
        {
            "uuid" => {
                col.default
                    .get_or_insert_with(|| "uuid_generate_v4()".into());
            }
            "identity" => {
                col.identity = Some(if c.str("generatedIdentity").as_deref() == Some("ALWAYS") {
                    Identity::Always
                } else {
                    Identity::ByDefault
                });
            }
            "rowid" => {}
            _ => {
                col.data_type = match col.data_type.to_ascii_lowercase().as_str() {
                    "bigint" | "int8" => "bigserial".into(),
                    "smallint" | "int2" => "smallserial".into(),
                    _ => "serial".into(),
                };
            }
        }
    }
    if c.get("enum").is_some() {
        let values = c.strings("enum");
        col.enum_values = Some(values);
    }
    if c.str("generatedType").as_deref() == Some("STORED") {
        col.generated = c.str("asExpression");
    }
    if c.bool("isUnique") == Some(true) {
        col.constraints.push(constraint(
            None,
            ConstraintKind::Unique {
                columns: vec![name.clone()],
                nulls_not_distinct: false,
            },
        ));
    }
    Ok(col)
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

fn foreign_key(fk: &JsVal, ds: &str) -> Result<ConstraintDef, String> {
    let ref_table = fk
        .str("referencedTableName")
        .ok_or_else(|| unknown("foreign key", fk))?;
    let ref_table = match fk.str("referencedSchema") {
        Some(s) if !ref_table.contains('.') => QualifiedName::new(s, ref_table),
        _ => QualifiedName::from_typeorm_path(&ref_table, ds),
    };
    let mut c = constraint(
        fk.str("name"),
        ConstraintKind::ForeignKey {
            columns: fk.strings("columnNames"),
            ref_table,
            ref_columns: fk.strings("referencedColumnNames"),
            on_delete: fk.str("onDelete"),
            on_update: fk.str("onUpdate"),
        },
    );
    if let Some(d) = fk.str("deferrable") {
        c.deferrable = true;
        c.initially_deferred = d.to_ascii_uppercase().contains("DEFERRED");
    }
    Ok(c)
}

fn index_def(i: &JsVal, table: &QualifiedName) -> IndexDef {
    IndexDef {
        name: i.str("name"),
        table: table.clone(),
        unique: i.bool("isUnique") == Some(true),
        concurrently: i.bool("isConcurrent") == Some(true),
        if_not_exists: false,
        method: if i.bool("isSpatial") == Some(true) {
            Some("gist".into())
        } else {
            None
        },
        keys: i
            .strings("columnNames")
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
        predicate: i.str("where").filter(|w| !w.is_empty()),
        nulls_not_distinct: false,
    }
}

/// The ops of one builder call; `Err(reason)` = cannot be read (the caller emits an
/// opaque op, failing closed).
pub fn builder_ops(method: &str, args: &[JsVal], ds: &str) -> Result<Vec<OpKind>, String> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(JsVal::Undefined);
    let flag = |i: usize, default: bool| match args.get(i) {
        Some(JsVal::Bool(b)) => *b,
        _ => default,
    };
    let table = || table_name(&arg(0), ds);
    Ok(match method {
        "createTable" => {
            let t = arg(0);
            let name = table_name(&t, ds)?;
            let mut columns = Vec::new();
            let mut pk = Vec::new();
            for c in items(t.get("columns").unwrap_or(&JsVal::Array(vec![]))) {
                if c.bool("isPrimary") == Some(true) {
                    pk.push(c.str("name").unwrap_or_default());
                }
                columns.push(column_def(&c, &name)?);
            }
            let mut constraints = Vec::new();
            if !pk.is_empty() {
                for col in columns.iter_mut().filter(|c| pk.contains(&c.name)) {
                    col.not_null = true;
                }
                constraints.push(constraint(None, ConstraintKind::PrimaryKey { columns: pk }));
            }
            for u in items(t.get("uniques").unwrap_or(&JsVal::Array(vec![]))) {
                constraints.push(constraint(
                    u.str("name"),
                    ConstraintKind::Unique {
                        columns: u.strings("columnNames"),
                        nulls_not_distinct: false,
                    },
                ));
            }
            for c in items(t.get("checks").unwrap_or(&JsVal::Array(vec![]))) {
                constraints.push(constraint(
                    c.str("name"),
                    ConstraintKind::Check {
                        expr: c.str("expression").unwrap_or_default(),
                    },
                ));
            }
            for x in items(t.get("exclusions").unwrap_or(&JsVal::Array(vec![]))) {
                constraints.push(constraint(
                    x.str("name"),
                    ConstraintKind::Exclusion {
                        definition: x.str("expression").unwrap_or_default(),
                    },
                ));
            }
            if flag(2, true) {
                for fk in items(t.get("foreignKeys").unwrap_or(&JsVal::Array(vec![]))) {
                    constraints.push(foreign_key(&fk, ds)?);
                }
            }
            let indexes = if flag(3, true) {
                items(t.get("indices").unwrap_or(&JsVal::Array(vec![])))
                    .iter()
                    .map(|i| index_def(i, &name))
                    .collect()
            } else {
                Vec::new()
            };
            vec![OpKind::CreateTable {
                table: name,
                columns,
                constraints,
                if_not_exists: flag(1, false),
                indexes,
                unmodelled: None,
            }]
        }
        "dropTable" => vec![OpKind::DropTable {
            table: table()?,
            if_exists: flag(1, false),
            cascade: false,
        }],
        "renameTable" => {
            let old = table()?;
            let new = name_of(&arg(1)).ok_or_else(|| unknown("new table name", &arg(1)))?;
            let new = QualifiedName::from_typeorm_path(&new, &old.schema);
            vec![OpKind::RenameTable {
                table: old,
                new_name: new,
            }]
        }
        "addColumn" | "addColumns" => {
            let t = table()?;
            let cols = if method == "addColumn" {
                vec![arg(1)]
            } else {
                items(&arg(1))
            };
            cols.iter()
                .map(|c| {
                    Ok(OpKind::AddColumn {
                        table: t.clone(),
                        column: column_def(c, &t)?,
                        if_not_exists: false,
                    })
                })
                .collect::<Result<_, String>>()?
        }
        "dropColumn" | "dropColumns" => {
            let t = table()?;
            let cols = if method == "dropColumn" {
                vec![arg(1)]
            } else {
                items(&arg(1))
            };
            cols.iter()
                .map(|c| {
                    Ok(OpKind::DropColumn {
                        table: t.clone(),
                        column: name_of(c).ok_or_else(|| unknown("column", c))?,
                        if_exists: false,
                        cascade: false,
                    })
                })
                .collect::<Result<_, String>>()?
        }
        "renameColumn" => {
            let t = table()?;
            let old = name_of(&arg(1)).ok_or_else(|| unknown("column", &arg(1)))?;
            let new = name_of(&arg(2)).ok_or_else(|| unknown("new column name", &arg(2)))?;
            vec![OpKind::RenameColumn {
                table: t,
                column: old,
                new_name: new,
            }]
        }
        "changeColumn" | "changeColumns" => {
            let t = table()?;
            let pairs: Vec<(JsVal, JsVal)> = if method == "changeColumn" {
                vec![(arg(1), arg(2))]
            } else {
                items(&arg(1))
                    .into_iter()
                    .map(|p| {
                        (
                            p.get("oldColumn").cloned().unwrap_or(JsVal::Undefined),
                            p.get("newColumn").cloned().unwrap_or(JsVal::Undefined),
                        )
                    })
                    .collect()
            };
            let mut ops = Vec::new();
            for (old, new) in pairs {
                let old_name = name_of(&old).ok_or_else(|| unknown("old column", &old))?;
                let new_col = column_def(&new, &t).ok();
                let mode = change_mode(&old, &new);
                let new_name = new_col
                    .as_ref()
                    .map(|c| c.name.clone())
                    .filter(|n| *n != old_name);
                ops.push(OpKind::ChangeColumn {
                    table: t.clone(),
                    column: old_name,
                    new_column: new_col,
                    new_name,
                    mode,
                });
            }
            ops
        }
        "createPrimaryKey" => {
            let t = table()?;
            let cols: Vec<String> = items(&arg(1))
                .iter()
                .filter_map(|c| c.as_str().map(String::from))
                .collect();
            vec![OpKind::AddConstraint {
                table: t,
                constraint: constraint(
                    arg(2).as_str().map(String::from),
                    ConstraintKind::PrimaryKey { columns: cols },
                ),
            }]
        }
        "updatePrimaryKeys" => {
            let t = table()?;
            let cols: Vec<String> = items(&arg(1))
                .iter()
                .filter(|c| c.bool("isPrimary") == Some(true))
                .filter_map(|c| c.str("name"))
                .collect();
            vec![
                OpKind::DropConstraint {
                    table: t.clone(),
                    name: None,
                    if_exists: true,
                    cascade: false,
                },
                OpKind::AddConstraint {
                    table: t,
                    constraint: constraint(None, ConstraintKind::PrimaryKey { columns: cols }),
                },
            ]
        }
        "dropPrimaryKey" => vec![OpKind::DropConstraint {
            table: table()?,
            name: arg(1).as_str().map(String::from),
            if_exists: false,
            cascade: false,
        }],
        "createUniqueConstraint"
        | "createUniqueConstraints"
        | "createCheckConstraint"
        | "createCheckConstraints"
        | "createExclusionConstraint"
        | "createExclusionConstraints"
        | "createForeignKey"
        | "createForeignKeys" => {
            let t = table()?;
            let many = method.ends_with('s');
            let list = if many { items(&arg(1)) } else { vec![arg(1)] };
            list.iter()
                .map(|c| {
                    let def = if method.starts_with("createUnique") {
                        constraint(
                            c.str("name"),
                            ConstraintKind::Unique {
                                columns: c.strings("columnNames"),
                                nulls_not_distinct: false,
                            },
                        )
                    } else if method.starts_with("createCheck") {
                        constraint(
                            c.str("name"),
                            ConstraintKind::Check {
                                expr: c.str("expression").ok_or_else(|| unknown("check", c))?,
                            },
                        )
                    } else if method.starts_with("createExclusion") {
                        constraint(
                            c.str("name"),
                            ConstraintKind::Exclusion {
                                definition: c
                                    .str("expression")
                                    .ok_or_else(|| unknown("exclusion", c))?,
                            },
                        )
                    } else {
                        foreign_key(c, ds)?
                    };
                    Ok(OpKind::AddConstraint {
                        table: t.clone(),
                        constraint: def,
                    })
                })
                .collect::<Result<_, String>>()?
        }
        "dropUniqueConstraint"
        | "dropUniqueConstraints"
        | "dropCheckConstraint"
        | "dropCheckConstraints"
        | "dropExclusionConstraint"
        | "dropExclusionConstraints"
        | "dropForeignKey"
        | "dropForeignKeys" => {
            let t = table()?;
            let list = if method.ends_with('s') {
                items(&arg(1))
            } else {
                vec![arg(1)]
            };
            list.iter()
                .map(|c| OpKind::DropConstraint {
                    table: t.clone(),
                    name: name_of(c),
                    if_exists: false,
                    cascade: false,
                })
                .collect()
        }
        "createIndex" | "createIndices" => {
            let t = table()?;
            let list = if method == "createIndex" {
                vec![arg(1)]
            } else {
                items(&arg(1))
            };
            list.iter()
                .map(|i| OpKind::CreateIndex(index_def(i, &t)))
                .collect()
        }
        "dropIndex" | "dropIndices" => {
            let t = table()?;
            let list = if method == "dropIndex" {
                vec![arg(1)]
            } else {
                items(&arg(1))
            };
            list.iter()
                .map(|i| {
                    let name = name_of(i).ok_or_else(|| {
                        unknown("index (an index without a name cannot be located)", i)
                    })?;
                    Ok(OpKind::DropIndex {
                        index: QualifiedName::new(t.schema.clone(), name),
                        concurrently: false,
                        if_exists: false,
                        cascade: false,
                    })
                })
                .collect::<Result<_, String>>()?
        }
        "clearTable" => vec![OpKind::Truncate { table: table()? }],
        "createView" => {
            let v = arg(0);
            let name = v.str("name").ok_or_else(|| unknown("view", &v))?;
            vec![OpKind::CreateView {
                name: QualifiedName::from_typeorm_path(&name, ds),
                materialized: v.bool("materialized") == Some(true),
                or_replace: false,
                query: v.str("expression").unwrap_or_default(),
            }]
        }
        "dropView" => {
            let v = arg(0);
            let name = name_of(&v).ok_or_else(|| unknown("view", &v))?;
            vec![OpKind::DropView {
                name: QualifiedName::from_typeorm_path(&name, ds),
                materialized: v.bool("materialized") == Some(true),
                if_exists: false,
                cascade: false,
            }]
        }
        "createSchema" => {
            let n = arg(0)
                .as_str()
                .map(String::from)
                .ok_or_else(|| unknown("schema", &arg(0)))?;
            vec![OpKind::CreateSchema {
                name: n.rsplit('.').next().unwrap_or(&n).to_string(),
                if_not_exists: flag(1, false),
            }]
        }
        "dropSchema" => {
            let n = arg(0)
                .as_str()
                .map(String::from)
                .ok_or_else(|| unknown("schema", &arg(0)))?;
            vec![OpKind::DropSchema {
                name: n.rsplit('.').next().unwrap_or(&n).to_string(),
                if_exists: flag(1, false),
                cascade: flag(2, false),
            }]
        }
        "dropDatabase" => vec![OpKind::DropDatabase {
            name: arg(0).as_str().map(String::from),
        }],
        "clearDatabase" => vec![OpKind::DropDatabase { name: None }],
        "createDatabase" => vec![OpKind::Other {
            what: "create database".into(),
        }],
        "changeTableComment" => vec![OpKind::Comment {
            target: format!("table {}", table()?),
        }],
        other => return Err(format!("unknown builder method {other}")),
    })
}

/// PostgresQueryRunner.changeColumn recreates the column when any of these differ.
fn change_mode(old: &JsVal, new: &JsVal) -> ChangeMode {
    let literal = |v: &JsVal| matches!(v, JsVal::Object(_) | JsVal::New(..));
    if !literal(old) || !literal(new) {
        return ChangeMode::Unknown;
    }
    let differs = |k: &str| old.get(k) != new.get(k);
    let stored_new = new.str("generatedType").as_deref() == Some("STORED");
    if differs("type")
        || differs("length")
        || old.bool("isArray").unwrap_or(false) != new.bool("isArray").unwrap_or(false)
        || (old.get("generatedType").is_none() && stored_new)
        || (differs("asExpression") && stored_new)
    {
        ChangeMode::Recreate
    } else {
        ChangeMode::InPlace
    }
}
