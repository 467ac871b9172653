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
    let Some(open) = definition.find('(') else {
        return Vec::new();
    };
    let (mut depth, mut start, mut parts) = (0i32, open + 1, Vec::new());
    for (i, c) in definition.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '(' => depth += 1,
            ')' | ',' if depth == 1 => {
                let element = definition[start..i].trim();
                let head = element
                    .rsplit_once(" WITH ")
                    .or_else(|| element.rsplit_once(" with "))
                    .map_or(element, |(h, _)| h)
                    .trim();
                let ident = |s: &str| {
                    s.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '"')
                };
                parts.push(if ident(head) {
                    crate::ir::fold_sql_ident(head)
                } else {
                    match head.split_once('(') {
                        Some((f, _)) if ident(f.trim()) && !f.trim().is_empty() => {
                            crate::ir::fold_sql_ident(f.trim())
                        }
                        _ => "expr".to_string(),
                    }
                });
                start = i + 1;
                if c == ')' {
                    break;
                }
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    parts
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

#[cfg(test)]
mod tests {
    use super::*;

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
