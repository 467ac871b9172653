//! `identifier-too-long`: a name longer than 63 bytes in a statement that creates or
//! renames something. PostgreSQL truncates it to 63 bytes (NAMEDATALEN - 1, on a
//! character boundary) with only a NOTICE, so the object exists under a name nobody
//! wrote: TypeORM, which compares the names it generates or was given with the
//! catalog, and any code that looks the long name up in `pg_catalog` or
//! `information_schema`, never find it. The readers already fold names the way the
//! server does (`ir::names::truncate_ident`), so the op's names are the truncated
//! ones; this check reads the statement as written.

use crate::finding::Finding;
use crate::ir::names::{truncate_ident, MAX_IDENTIFIER_BYTES};
use crate::ir::{Migration, OpKind, OpSource, Operation};
use crate::parse::sql::lexical::blank_for_patterns;
use crate::ruleset::{CodeRule, RuleSet};
use std::collections::BTreeSet;

/// Whether the op gives something a name (creates or renames it).
fn names_something(kind: &OpKind) -> bool {
    matches!(
        kind,
        OpKind::CreateTable { .. }
            | OpKind::AddColumn { .. }
            | OpKind::AddConstraint { .. }
            | OpKind::CreateIndex(_)
            | OpKind::CreateTypeEnum { .. }
            | OpKind::CreateTypeComposite { .. }
            | OpKind::CreateSequence { .. }
            | OpKind::AlterSequence { .. }
            | OpKind::CreateView { .. }
            | OpKind::CreateSchema { .. }
            | OpKind::RenameTable { .. }
            | OpKind::RenameColumn { .. }
            | OpKind::RenameConstraint { .. }
            | OpKind::RenameIndex { .. }
            | OpKind::RenameType { .. }
            | OpKind::RenameSchema { .. }
            | OpKind::ChangeColumn { .. }
    )
}

/// Identifiers longer than 63 bytes in SQL text, as PostgreSQL reads them: unquoted
/// words and `"quoted"` names (`""` is one quote), outside comments and string
/// literals.
fn long_sql_identifiers(sql: &str) -> Vec<String> {
    let code = blank_for_patterns(sql);
    let mut out = Vec::new();
    let mut chars = code.char_indices().peekable();
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii();
    while let Some((start, c)) = chars.next() {
        if c == '"' {
            let mut name = String::new();
            while let Some((_, c)) = chars.next() {
                if c == '"' {
                    if chars.peek().map(|(_, c)| *c) == Some('"') {
                        chars.next();
                        name.push('"');
                        continue;
                    }
                    break;
                }
                name.push(c);
            }
            out.push(name);
        } else if is_word(c) && !c.is_ascii_digit() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, c)) = chars.peek() {
                if !is_word(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            out.push(code[start..end].to_ascii_lowercase());
        }
    }
    out.retain(|n| n.len() > MAX_IDENTIFIER_BYTES);
    out
}

/// Names longer than 63 bytes among the string literals of a TypeORM builder call
/// (`name: "…"`, a table path `"schema.table"`): a literal with no white space or
/// parenthesis, one of whose dot-separated parts is too long. Default expressions and
/// comments hold spaces or calls and are not names.
fn long_builder_names(js: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = js;
    while let Some(open) = rest.find(['"', '\'', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        let body = &rest[open + 1..];
        let Some(close) = body.find(quote) else { break };
        let literal = &body[..close];
        rest = &body[close + 1..];
        if literal.contains(|c: char| c.is_whitespace() || c == '(' || c == ')') {
            continue;
        }
        out.extend(
            literal
                .split('.')
                .filter(|part| part.len() > MAX_IDENTIFIER_BYTES)
                .map(str::to_string),
        );
    }
    out
}

/// One finding per long identifier per statement (a statement that yields several ops
/// is reported once).
pub fn findings(migration: &Migration, rules: &RuleSet) -> Vec<Finding> {
    let Some(rule) = rules.enabled(CodeRule::IdentifierTooLong) else {
        return Vec::new();
    };
    let mut seen: BTreeSet<(usize, usize, String)> = BTreeSet::new();
    let mut out = Vec::new();
    for op in migration.up.iter().filter(|o| names_something(&o.kind)) {
        let long = match op.source {
            OpSource::Sql => long_sql_identifiers(&op.text),
            OpSource::Builder { .. } => long_builder_names(&op.text),
        };
        for name in long {
            if !seen.insert((op.span.start, op.span.end, name.clone())) {
                continue;
            }
            out.push(finding(rule, migration, op, &name));
        }
    }
    out
}

fn finding(
    rule: &crate::ruleset::Rule,
    migration: &Migration,
    op: &Operation,
    name: &str,
) -> Finding {
    let stored = truncate_ident(name.to_string());
    super::finding(
        rule,
        migration,
        Some(op.span),
        op.kind.object(),
        format!(
            "identifier \"{name}\" is {} bytes: PostgreSQL stores it as \"{stored}\" ({} bytes), so code and TypeORM that look for the name as written do not find it",
            name.len(),
            stored.len()
        ),)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_identifiers_are_measured_in_bytes_outside_literals() {
        let long = "a".repeat(64);
        let fits = "b".repeat(63);
        // 32 two-byte characters: 32 chars, 64 bytes.
        let wide = "é".repeat(32);
        let sql =
            format!("CREATE TABLE {fits} (\"{wide}\" int, {long} text DEFAULT '{long}') -- {long}");
        assert_eq!(long_sql_identifiers(&sql), vec![wide, long.clone()]);
        assert_eq!(
            long_sql_identifiers(&format!("CREATE INDEX \"A\"\"{long}\" ON t (x)")),
            vec![format!("A\"{long}")]
        );
        assert!(long_sql_identifiers(&format!("CREATE TABLE {fits} (x int)")).is_empty());
    }

    #[test]
    fn builder_names_are_string_literals_without_spaces() {
        let long = "c".repeat(70);
        let js = format!(
            "queryRunner.addColumn(\"public.{long}\", new TableColumn({{ name: 'x', default: \"'{long} and more'\" }}))"
        );
        assert_eq!(long_builder_names(&js), vec![long]);
    }
}
