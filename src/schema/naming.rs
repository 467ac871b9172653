//! Names PostgreSQL and TypeORM give objects created without an explicit name.
//!
//! PostgreSQL (`ChooseRelationName`): `<table>_pkey`, `<table>_<cols>_key`,
//! `<table>_<cols>_fkey`, `<table>_<col>_check`, `<table>_<cols>_idx`,
//! `<table>_<col>_seq`, each part shortened so the whole fits 63 bytes.
//! TypeORM (`DefaultNamingStrategy`): `PK_`/`UQ_`/`FK_` + the first 27 hex digits of
//! sha1(`<table>_<sorted columns joined by _>`), `IDX_` + 26 digits (with `_<where>`
//! appended to the key for partial indexes), `CHK_`/`XCL_` + 26 digits of
//! sha1(`<table>_<expression>`).

use sha1::{Digest, Sha1};

fn sha1_hex(s: &str) -> String {
    hex::encode(Sha1::digest(s.as_bytes()))
}

/// TypeORM's table part: the last path segment, dots replaced.
fn typeorm_table(table: &str) -> String {
    table.rsplit('.').next().unwrap_or(table).replace('.', "_")
}

fn typeorm_key(table: &str, columns: &[String]) -> String {
    let mut cols = columns.to_vec();
    cols.sort();
    format!("{}_{}", typeorm_table(table), cols.join("_"))
}

pub fn typeorm_pk(table: &str, columns: &[String]) -> String {
    format!("PK_{}", &sha1_hex(&typeorm_key(table, columns))[..27])
}

pub fn typeorm_unique(table: &str, columns: &[String]) -> String {
    format!("UQ_{}", &sha1_hex(&typeorm_key(table, columns))[..27])
}

pub fn typeorm_fk(table: &str, columns: &[String]) -> String {
    format!("FK_{}", &sha1_hex(&typeorm_key(table, columns))[..27])
}

pub fn typeorm_index(table: &str, columns: &[String], predicate: Option<&str>) -> String {
    let mut key = typeorm_key(table, columns);
    if let Some(w) = predicate {
        key.push('_');
        key.push_str(w);
    }
    format!("IDX_{}", &sha1_hex(&key)[..26])
}

pub fn typeorm_check(table: &str, expression: &str) -> String {
    format!(
        "CHK_{}",
        &sha1_hex(&format!("{}_{expression}", typeorm_table(table)))[..26]
    )
}

pub fn typeorm_exclusion(table: &str, expression: &str) -> String {
    format!(
        "XCL_{}",
        &sha1_hex(&format!("{}_{expression}", typeorm_table(table)))[..26]
    )
}

/// The names PostgreSQL builds an unnamed exclusion constraint's name from
/// (ChooseIndexColumnNames): each element's column, or the function an expression
/// calls, else `expr` — from `EXCLUDE [USING m] (room WITH =, during WITH &&) …`.
pub fn exclusion_name_parts(definition: &str) -> Vec<String> {
    use crate::parse::sql::lexical::{matching_paren, top_level_positions};
    let Some((open, close)) = definition
        .find('(')
        .and_then(|open| Some((open, matching_paren(definition, open)?)))
    else {
        return Vec::new();
    };
    let list = &definition[open + 1..close];
    let mut ends = top_level_positions(list, b',');
    ends.push(list.len());
    let mut start = 0;
    let ident = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '"')
    };
    ends.into_iter()
        .map(|end| {
            let element = list[start..end].trim();
            start = end + 1;
            let head = element
                .rsplit_once(" WITH ")
                .or_else(|| element.rsplit_once(" with "))
                .map_or(element, |(h, _)| h)
                .trim();
            if ident(head) {
                crate::ir::fold_sql_ident(head)
            } else {
                match head.split_once('(') {
                    Some((f, _)) if ident(f.trim()) && !f.trim().is_empty() => {
                        crate::ir::fold_sql_ident(f.trim())
                    }
                    _ => "expr".to_string(),
                }
            }
        })
        .collect()
}

/// PostgreSQL's makeObjectName: `name1[_name2]_label`, shortening the longer of the
/// two parts until it fits 63 bytes.
pub fn pg_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = 63usize.saturating_sub(overhead);
    let mut l1 = name1.len();
    let mut l2 = name2.map_or(0, str::len);
    while l1 + l2 > avail {
        if l1 > l2 {
            l1 -= 1;
        } else {
            l2 -= 1;
        }
    }
    let cut = |s: &str, n: usize| {
        let mut n = n.min(s.len());
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    match name2 {
        Some(n2) => format!("{}_{}_{label}", cut(name1, l1), cut(n2, l2)),
        None => format!("{}_{label}", cut(name1, l1)),
    }
}

/// The column name PostgreSQL gives an index expression (parse_utilcmd's
/// `FigureIndexColname`, i.e. `FigureColnameInternal`): a column reference's name, a
/// function's name, the names PostgreSQL's grammar gives its special forms; a cast
/// keeps its operand's name, else takes its type's; `CASE` takes its `ELSE`'s, else
/// `case`. `None` (PostgreSQL then says `expr`) for operators, literals and the rest.
pub fn figure_colname(expr_sql: &str) -> Option<String> {
    figure_colname_of(&super::expr::parse_expr(expr_sql)?)
}

/// [`figure_colname`] of a parsed expression (also names a view's output columns).
pub fn figure_colname_of(e: &sqlparser::ast::Expr) -> Option<String> {
    figure(e)
        .filter(|(_, strength)| *strength > 0)
        .map(|(n, _)| n)
}

/// `FigureColnameInternal`: (name, strength) — 2 for a real name, 1 for a fallback.
fn figure(e: &sqlparser::ast::Expr) -> Option<(String, u8)> {
    use sqlparser::ast::{Expr, ObjectNamePart, TrimWhereField};
    let ident =
        |i: &sqlparser::ast::Ident| crate::ir::fold_ident(&i.value, i.quote_style.is_some());
    let last_part = |n: &sqlparser::ast::ObjectName| match n.0.last() {
        Some(ObjectNamePart::Identifier(i)) => Some(ident(i)),
        _ => None,
    };
    let strong = |s: &str| Some((s.to_string(), 2));
    match e {
        Expr::Identifier(i) => Some((ident(i), 2)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| (ident(i), 2)),
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => figure(inner),
        Expr::Function(f) => last_part(&f.name).map(|n| (n, 2)),
        Expr::Cast {
            expr, data_type, ..
        } => match figure(expr) {
            Some((n, 2)) => Some((n, 2)),
            _ => Some((pg_type_name(&data_type.to_string()), 1)),
        },
        Expr::TypedString(t) => Some((pg_type_name(&t.data_type.to_string()), 1)),
        Expr::Case { else_result, .. } => match else_result.as_deref().and_then(figure) {
            Some((n, 2)) => Some((n, 2)),
            _ => Some(("case".into(), 1)),
        },
        Expr::Array(_) => strong("array"),
        Expr::Tuple(_) => strong("row"),
        Expr::Exists { .. } => strong("exists"),
        Expr::Extract { .. } => strong("extract"),
        Expr::Substring { .. } => strong("substring"),
        Expr::Position { .. } => strong("position"),
        Expr::Overlay { .. } => strong("overlay"),
        Expr::Ceil { .. } => strong("ceil"),
        Expr::Floor { .. } => strong("floor"),
        Expr::AtTimeZone { .. } => strong("timezone"),
        Expr::Trim { trim_where, .. } => strong(match trim_where {
            Some(TrimWhereField::Leading) => "ltrim",
            Some(TrimWhereField::Trailing) => "rtrim",
            _ => "btrim",
        }),
        _ => None,
    }
}

/// The last name of a type as PostgreSQL's grammar records it (`SystemTypeName`):
/// `integer` → `int4`, `character varying(10)` → `varchar`, `public.t[]` → `t`.
fn pg_type_name(written: &str) -> String {
    let lower = written.to_ascii_lowercase();
    let base = lower
        .split(['(', '['])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let last = base
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .trim_matches('"');
    match last {
        "int" | "integer" => "int4",
        "smallint" => "int2",
        "bigint" => "int8",
        "real" => "float4",
        "float" | "double precision" => "float8",
        "decimal" | "dec" => "numeric",
        "boolean" => "bool",
        "char" | "character" | "nchar" | "national character" => "bpchar",
        "character varying" | "char varying" | "national character varying" => "varchar",
        "bit varying" => "varbit",
        "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        "time without time zone" => "time",
        "time with time zone" => "timetz",
        other => other,
    }
    .to_string()
}

/// PostgreSQL's `ChooseIndexColumnNames`: one name per key and INCLUDE column, a
/// repeated name made unique with a number (`expr`, `expr1`).
pub fn index_column_names(keys: &[(String, bool)], include: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let originals = keys
        .iter()
        .map(|(expr, is_expression)| {
            if *is_expression {
                figure_colname(expr).unwrap_or_else(|| "expr".into())
            } else {
                expr.clone()
            }
        })
        .chain(include.iter().cloned());
    for orig in originals {
        let mut name = orig.clone();
        let mut i = 1;
        while names.contains(&name) {
            name = format!("{orig}{i}");
            i += 1;
        }
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_column_names_follow_figure_colname() {
        let keys = |ks: &[(&str, bool)]| -> Vec<(String, bool)> {
            ks.iter().map(|(e, x)| (e.to_string(), *x)).collect()
        };
        assert_eq!(
            index_column_names(
                &keys(&[
                    ("(canon(name))", true),
                    ("(n::bigint)", true),
                    ("((n + 1)::bigint)", true),
                    ("(n + 1)", true),
                    ("(n * 2)", true),
                    ("(CASE WHEN n > 0 THEN 1 ELSE 0 END)", true),
                    ("n", false),
                ]),
                &["name".to_string()]
            ),
            vec!["canon", "n", "int8", "expr", "expr1", "case", "n1", "name"]
        );
    }

    #[test]
    fn exclusion_names_come_from_the_elements() {
        assert_eq!(
            exclusion_name_parts("EXCLUDE USING gist (room WITH =, during WITH &&)"),
            ["room", "during"]
        );
        assert_eq!(
            exclusion_name_parts("EXCLUDE USING gist (lower(name) WITH =, (a + b) WITH =)"),
            ["lower", "expr"]
        );
    }

    #[test]
    fn typeorm_names_match_what_typeorm_generates() {
        // Values TypeORM 0.3 generates for a `user` table.
        assert_eq!(
            typeorm_pk("user", &["id".into()]),
            "PK_cace4a159ff9f2512dd42373760"
        );
        assert_eq!(
            typeorm_unique("user", &["email".into()]),
            "UQ_e12875dfb3b1d92d7d7c5377e22"
        );
        assert_eq!(
            typeorm_pk("public.user", &["id".into()]),
            typeorm_pk("user", &["id".into()])
        );
        assert_eq!(typeorm_index("user", &["email".into()], None).len(), 30);
    }

    #[test]
    fn postgres_names_fit_63_bytes() {
        assert_eq!(
            pg_name("orders", Some("customer_id"), "fkey"),
            "orders_customer_id_fkey"
        );
        assert_eq!(pg_name("orders", None, "pkey"), "orders_pkey");
        let long = pg_name(&"t".repeat(50), Some(&"c".repeat(30)), "key");
        assert_eq!(long.len(), 63);
    }
}
