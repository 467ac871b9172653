//! Table storage parameters in SQL: the `WITH (…)` of `CREATE TABLE` and `ALTER TABLE
//! … SET (…)` / `RESET (…)`, read by one reader. sqlparser 0.63 reads neither
//! `toast.autovacuum_enabled` (a dotted name) nor a bare name (`WITH
//! (autovacuum_enabled)`) nor `RESET (…)`, and a table with one would be unparsed:
//! here the clause is read on its own and the rest of the statement goes back to the
//! ordinary reader. Each parameter comes out as `reloptions` keeps it
//! (`schema::storage`): the name folded, the value as written (a string's contents,
//! a bare word lower-cased), `true` for a bare name.

use super::lexical;
use crate::ir::{fold_ident, OpKind};
use crate::parse::ReadOptions;

/// The statement's ops when it is a `CREATE TABLE … WITH (…)` or an `ALTER TABLE`
/// with a `SET (…)` / `RESET (…)` action; `None` for any other statement.
pub fn storage_statement(text: &str, blanked: &str, opts: &ReadOptions) -> Option<Vec<OpKind>> {
    let lead = super::to_ops::leading_words(blanked, 2);
    if lead == "ALTER TABLE" {
        return alter_table(text, blanked, opts);
    }
    if !lead.starts_with("CREATE ") {
        return None;
    }
    let (with_at, open, close) = create_table_with(blanked)?;
    let set = parameters(text.get(open + 1..close)?, true)?;
    // The rest of the statement, the clause blanked (same length, spans kept).
    let blank = |s: &str| {
        let mut b = s.as_bytes().to_vec();
        b[with_at..=close].fill(b' ');
        String::from_utf8(b).ok()
    };
    let (rest_text, rest_blanked) = (blank(text)?, blank(blanked)?);
    let mut kinds = super::statement_kinds(&rest_text, &rest_blanked, opts);
    if let Some(at) = kinds
        .iter()
        .position(|k| matches!(k, OpKind::CreateTable { .. }))
    {
        let table = kinds[at].table().cloned()?;
        kinds.insert(
            at + 1,
            OpKind::SetStorage {
                table,
                set,
                reset: Vec::new(),
            },
        );
    }
    Some(kinds)
}

/// Where a `CREATE [UNLOGGED|TEMP…] TABLE`'s storage clause is: the byte offsets of
/// its `WITH` and of the parentheses around the list. Only a top-level `WITH (`
/// before a top-level `AS` (a CTE is `WITH name AS (…)`, the query comes after `AS`).
fn create_table_with(blanked: &str) -> Option<(usize, usize, usize)> {
    let toks = lexical::tokens(blanked);
    let table_at = toks.iter().take(5).position(|t| t.is("TABLE"))?;
    let prefix = ["CREATE", "GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"];
    if !toks[..table_at]
        .iter()
        .all(|t| prefix.iter().any(|p| t.is(p)))
    {
        return None;
    }
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate().skip(table_at + 1) {
        match t.text {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ if depth != 0 => {}
            _ if t.is("AS") => return None,
            _ if t.is("WITH") && toks.get(i + 1).is_some_and(|n| n.text == "(") => {
                let open = toks[i + 1].at;
                return Some((t.at, open, lexical::matching_paren(blanked, open)?));
            }
            _ => {}
        }
    }
    None
}

/// `ALTER TABLE t <action>, …` where some action is `SET (…)` or `RESET (…)`: one op
/// per action, the others read as `ALTER TABLE t <action>` by the ordinary reader.
fn alter_table(text: &str, blanked: &str, opts: &ReadOptions) -> Option<Vec<OpKind>> {
    let (table, head_len) = super::fallback::alter_table_head(blanked, opts)?;
    let parts = lexical::top_level_parts(blanked);
    let actions: Vec<(usize, usize)> = parts
        .iter()
        .enumerate()
        .map(|(i, &(s, e))| (if i == 0 { head_len } else { s }, e))
        .collect();
    let storage_action = |s: usize, e: usize| -> Option<(bool, usize, usize)> {
        let toks = lexical::tokens(blanked.get(s..e)?);
        let set = match toks.first()? {
            t if t.is("SET") => true,
            t if t.is("RESET") => false,
            _ => return None,
        };
        let open = s + toks.get(1).filter(|t| t.text == "(")?.at;
        let close = lexical::matching_paren(blanked, open)?;
        (blanked.get(close + 1..e)?.trim().is_empty()).then_some((set, open, close))
    };
    if !actions.iter().any(|&(s, e)| storage_action(s, e).is_some()) {
        return None;
    }
    let head = text.get(..head_len)?;
    let mut kinds = Vec::new();
    for &(s, e) in &actions {
        match storage_action(s, e) {
            Some((set, open, close)) => {
                let list = text.get(open + 1..close)?;
                kinds.push(match parameters(list, set) {
                    Some(list) if set => OpKind::SetStorage {
                        table: table.clone(),
                        set: list,
                        reset: Vec::new(),
                    },
                    Some(list) => OpKind::SetStorage {
                        table: table.clone(),
                        set: Vec::new(),
                        reset: list,
                    },
                    None => OpKind::Unparsed {
                        reason: format!(
                            "ALTER TABLE {table} {}: the storage parameters cannot be read",
                            if set { "SET" } else { "RESET" }
                        ),
                    },
                });
            }
            None => {
                let one = format!("{head} {}", text.get(s..e)?);
                let one_blanked = lexical::blank_comments_and_strings(&one);
                kinds.extend(super::statement_kinds(&one, &one_blanked, opts));
            }
        }
    }
    Some(kinds)
}

/// A parameter list (without its parentheses): `name = value, …` as `name=value`
/// strings when `with_values`, else (`RESET`) bare names. `None` when it is anything
/// else (a value that is an expression, a missing name).
fn parameters(list: &str, with_values: bool) -> Option<Vec<String>> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens: Vec<Token> = Tokenizer::new(&sqlparser::dialect::PostgreSqlDialect {}, list)
        .tokenize()
        .ok()?
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut out = Vec::new();
    for part in tokens.split(|t| *t == Token::Comma) {
        let word = |t: &Token| match t {
            Token::Word(w) => Some(fold_ident(&w.value, w.quote_style.is_some())),
            _ => None,
        };
        let (name, rest) = match part {
            [ns, Token::Period, n, rest @ ..] => (format!("{}.{}", word(ns)?, word(n)?), rest),
            [n, rest @ ..] => (word(n)?, rest),
            [] => return None,
        };
        let value = match rest {
            [] if with_values => "true".to_string(),
            [] => {
                out.push(name);
                continue;
            }
            [Token::Eq, value @ ..] if with_values => match value {
                [Token::SingleQuotedString(s)] => s.clone(),
                [Token::Number(n, _)] => n.clone(),
                [Token::Minus, Token::Number(n, _)] => format!("-{n}"),
                [Token::Plus, Token::Number(n, _)] => n.clone(),
                [w @ Token::Word(_)] => word(w)?,
                _ => return None,
            },
            _ => return None,
        };
        out.push(format!("{name}={value}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::QualifiedName;

    fn kinds(sql: &str) -> Vec<OpKind> {
        let blanked = lexical::blank_comments_and_strings(sql);
        super::super::statement_kinds(sql, &blanked, &ReadOptions::default())
    }

    fn storage(set: &[&str], reset: &[&str]) -> OpKind {
        OpKind::SetStorage {
            table: QualifiedName::new("public", "t"),
            set: set.iter().map(|s| s.to_string()).collect(),
            reset: reset.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn create_table_with_is_the_table_then_its_storage() {
        let got = kinds(
            "CREATE TABLE t (id int, body text) WITH (FillFactor = '80', AUTOVACUUM_ENABLED = OFF, \
             toast.autovacuum_enabled, autovacuum_vacuum_scale_factor=0.20, \
             autovacuum_vacuum_cost_delay = -1, oids = false)",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            matches!(&got[0], OpKind::CreateTable { columns, unmodelled: None, .. } if columns.len() == 2),
            "{got:?}"
        );
        assert_eq!(
            got[1],
            storage(
                &[
                    "fillfactor=80",
                    "autovacuum_enabled=off",
                    "toast.autovacuum_enabled=true",
                    "autovacuum_vacuum_scale_factor=0.20",
                    "autovacuum_vacuum_cost_delay=-1",
                    "oids=false"
                ],
                &[]
            )
        );
    }

    #[test]
    fn a_cte_after_as_is_no_storage_clause() {
        let got = kinds("CREATE TABLE t AS WITH w AS (SELECT 1 AS x) SELECT x FROM w");
        assert!(
            !got.iter().any(|k| matches!(k, OpKind::SetStorage { .. })),
            "{got:?}"
        );
        let got = kinds("CREATE TABLE t WITH (fillfactor=50) AS SELECT 1 AS x");
        assert_eq!(
            got.last(),
            Some(&storage(&["fillfactor=50"], &[])),
            "{got:?}"
        );
    }

    #[test]
    fn alter_table_set_and_reset_are_read_beside_other_actions() {
        assert_eq!(
            kinds("ALTER TABLE t SET (fillfactor = 70, toast.autovacuum_enabled = false)"),
            vec![storage(
                &["fillfactor=70", "toast.autovacuum_enabled=false"],
                &[]
            )]
        );
        let got =
            kinds("ALTER TABLE t RESET (fillfactor, toast.autovacuum_enabled), ADD COLUMN x int");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            storage(&[], &["fillfactor", "toast.autovacuum_enabled"])
        );
        assert!(matches!(&got[1], OpKind::AddColumn { .. }), "{got:?}");
        // A value that is an expression is not guessed at.
        assert!(matches!(
            kinds("ALTER TABLE t SET (fillfactor = 10 * 7)").as_slice(),
            [OpKind::Unparsed { .. }]
        ));
        // Other SET actions are not storage.
        assert!(!kinds("ALTER TABLE t SET SCHEMA s")
            .iter()
            .any(|k| matches!(k, OpKind::SetStorage { .. })));
    }
}
