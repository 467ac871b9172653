//! Token-level recogniser for schema changes sqlparser 0.63 cannot parse.
//!
//! DESIGN §9 lists statements real migrations use that the parser rejects
//! (`DROP INDEX CONCURRENTLY`, `ALTER SEQUENCE`, `ALTER TABLE … SET SCHEMA`,
//! `ALTER INDEX … RENAME`, pg_dump-style `CREATE SEQUENCE` …). Dropping them would hide
//! a destructive change and break replay, so the few that change the schema are
//! recognised here from their leading keywords. Anything else stays `unparsed`.

use crate::ir::{fold_sql_ident, OpKind, QualifiedName, SequenceOptions};

/// Words and quoted identifiers of a statement whose comments/strings are blanked.
fn words(blanked: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = blanked.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                cur.push('"');
                for d in chars.by_ref() {
                    cur.push(d);
                    if d == '"' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == ';' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if c == ',' {
                    out.push(",".into());
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn kw(w: Option<&String>, k: &str) -> bool {
    w.is_some_and(|w| w.eq_ignore_ascii_case(k))
}

/// Split `a.b` / `"A"."b"` into folded parts.
fn name_parts(w: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    for c in w.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                cur.push(c);
            }
            '.' if !in_quotes => parts.push(fold_sql_ident(&std::mem::take(&mut cur))),
            c => cur.push(c),
        }
    }
    parts.push(fold_sql_ident(&cur));
    parts
}

fn qualified(w: &str, ds: &str) -> QualifiedName {
    let p = name_parts(w);
    match p.len() {
        1 => QualifiedName::new(ds, p[0].clone()),
        n => QualifiedName::new(p[n - 2].clone(), p[n - 1].clone()),
    }
}

/// Recognise a statement from its blanked text; `None` = not one we know.
pub fn recognise(blanked: &str, ds: &str) -> Option<Vec<OpKind>> {
    let w = words(blanked);
    let at = |i: usize| w.get(i);
    let mut i;
    let upper = |i: usize| w.get(i).map(|s| s.to_ascii_uppercase());
    match (upper(0)?.as_str(), upper(1).as_deref()) {
        ("DROP", Some("INDEX")) => {
            i = 2;
            let concurrently = kw(at(i), "CONCURRENTLY");
            if concurrently {
                i += 1;
            }
            let if_exists = kw(at(i), "IF") && kw(at(i + 1), "EXISTS");
            if if_exists {
                i += 2;
            }
            let cascade = w.iter().any(|x| x.eq_ignore_ascii_case("CASCADE"));
            let mut ops = Vec::new();
            while let Some(n) = at(i) {
                if n == "," {
                    i += 1;
                    continue;
                }
                if n.eq_ignore_ascii_case("CASCADE") || n.eq_ignore_ascii_case("RESTRICT") {
                    break;
                }
                ops.push(OpKind::DropIndex {
                    index: qualified(n, ds),
                    concurrently,
                    if_exists,
                    cascade,
                });
                i += 1;
            }
            (!ops.is_empty()).then_some(ops)
        }
        ("ALTER", Some("INDEX")) => {
            i = 2;
            if kw(at(i), "IF") && kw(at(i + 1), "EXISTS") {
                i += 2;
            }
            let name = at(i)?;
            if kw(at(i + 1), "RENAME") && kw(at(i + 2), "TO") {
                let new = name_parts(at(i + 3)?).pop()?;
                return Some(vec![OpKind::RenameIndex {
                    index: qualified(name, ds),
                    new_name: new,
                }]);
            }
            // SET (fillfactor…), SET TABLESPACE, ATTACH PARTITION: not schema-relevant
            // for the model, but known.
            Some(vec![OpKind::Other {
                what: "alter index".into(),
            }])
        }
        ("ALTER", Some("TABLE")) => {
            i = 2;
            if kw(at(i), "IF") && kw(at(i + 1), "EXISTS") {
                i += 2;
            }
            if kw(at(i), "ONLY") {
                i += 1;
            }
            let table = qualified(at(i)?, ds);
            if kw(at(i + 1), "SET") && kw(at(i + 2), "SCHEMA") && w.len() == i + 4 {
                let schema = name_parts(at(i + 3)?).pop()?;
                return Some(vec![OpKind::RenameTable {
                    new_name: QualifiedName::new(schema, table.name.clone()),
                    table,
                }]);
            }
            None
        }
        ("ALTER", Some("SEQUENCE")) => {
            i = 2;
            if kw(at(i), "IF") && kw(at(i + 1), "EXISTS") {
                i += 2;
            }
            let name = qualified(at(i)?, ds);
            let rest = &w[i + 1..];
            if rest.len() == 3 && kw(rest.first(), "RENAME") && kw(rest.get(1), "TO") {
                let new = name_parts(&rest[2]).pop()?;
                return Some(vec![OpKind::AlterSequence {
                    new_name: Some(QualifiedName::new(name.schema.clone(), new)),
                    name,
                    options: SequenceOptions::default(),
                }]);
            }
            Some(vec![OpKind::AlterSequence {
                options: sequence_options(rest, ds),
                name,
                new_name: None,
            }])
        }
        ("CREATE", Some("SEQUENCE")) => {
            i = 2;
            let if_not_exists = kw(at(i), "IF") && kw(at(i + 1), "NOT") && kw(at(i + 2), "EXISTS");
            if if_not_exists {
                i += 3;
            }
            let name = qualified(at(i)?, ds);
            Some(vec![OpKind::CreateSequence {
                options: sequence_options(&w[i + 1..], ds),
                name,
                if_not_exists,
            }])
        }
        ("REINDEX", _) | ("CLUSTER", _) | ("VACUUM", _) | ("ANALYZE", _) | ("REFRESH", _) => {
            Some(vec![OpKind::Other {
                what: upper(0)?.to_lowercase(),
            }])
        }
        _ => None,
    }
}

/// Sequence options from the words after the name (any order, as pg_dump writes them).
fn sequence_options(w: &[String], ds: &str) -> SequenceOptions {
    let mut o = SequenceOptions::default();
    let num = |i: usize| w.get(i).and_then(|s| s.parse::<i64>().ok());
    let mut i = 0;
    while i < w.len() {
        let k = w[i].to_ascii_uppercase();
        match k.as_str() {
            "AS" => {
                o.data_type = w.get(i + 1).map(|s| s.to_lowercase());
                i += 1;
            }
            "INCREMENT" => {
                let j = if kw(w.get(i + 1), "BY") { i + 2 } else { i + 1 };
                o.increment = num(j);
                i = j;
            }
            "START" => {
                let j = if kw(w.get(i + 1), "WITH") {
                    i + 2
                } else {
                    i + 1
                };
                o.start = num(j);
                i = j;
            }
            "MINVALUE" => {
                o.min_value = num(i + 1);
                i += 1;
            }
            "MAXVALUE" => {
                o.max_value = num(i + 1);
                i += 1;
            }
            "CACHE" => {
                o.cache = num(i + 1);
                i += 1;
            }
            "CYCLE" => o.cycle = Some(true),
            "NO" => {
                // NO MINVALUE / NO MAXVALUE / NO CYCLE: defaults, except NO CYCLE is explicit.
                if kw(w.get(i + 1), "CYCLE") {
                    o.cycle = Some(false);
                }
                i += 1;
            }
            "OWNED" if kw(w.get(i + 1), "BY") => {
                if let Some(target) = w.get(i + 2) {
                    o.owned_by = Some(if target.eq_ignore_ascii_case("NONE") {
                        None
                    } else {
                        let p = name_parts(target);
                        let col = p.last().cloned().unwrap_or_default();
                        let table = match p.len() {
                            0 | 1 => QualifiedName::new(ds, ""),
                            2 => QualifiedName::new(ds, p[0].clone()),
                            n => QualifiedName::new(p[n - 3].clone(), p[n - 2].clone()),
                        };
                        Some((table, col))
                    });
                }
                i += 2;
            }
            _ => {}
        }
        i += 1;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_index_concurrently() {
        let ops = recognise(
            "DROP INDEX CONCURRENTLY IF EXISTS \"IDX_a\", public.b",
            "public",
        )
        .unwrap();
        assert_eq!(ops.len(), 2);
        assert!(
            matches!(&ops[0], OpKind::DropIndex { index, concurrently: true, if_exists: true, .. } if index.name == "IDX_a")
        );
    }

    #[test]
    fn alter_table_set_schema_is_a_rename() {
        let ops = recognise("ALTER TABLE public.t SET SCHEMA archive", "public").unwrap();
        assert!(
            matches!(&ops[0], OpKind::RenameTable { new_name, .. } if new_name.to_string() == "archive.t")
        );
    }

    #[test]
    fn pg_dump_sequence() {
        let ops = recognise("CREATE SEQUENCE public.t_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1", "public").unwrap();
        match &ops[0] {
            OpKind::CreateSequence { options, .. } => {
                assert_eq!(options.data_type.as_deref(), Some("integer"));
                assert_eq!(options.increment, Some(1));
                assert_eq!(options.cache, Some(1));
            }
            other => panic!("{other:?}"),
        }
        let ops = recognise(
            "ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id",
            "public",
        )
        .unwrap();
        match &ops[0] {
            OpKind::AlterSequence { options, .. } => assert_eq!(
                options.owned_by,
                Some(Some((QualifiedName::new("public", "t"), "id".to_string())))
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_statement_is_not_recognised() {
        assert!(recognise("DO $$ BEGIN END $$", "public").is_none());
        assert!(recognise("ALTER TABLE t ALTER CONSTRAINT c DEFERRABLE", "public").is_none());
    }
}
