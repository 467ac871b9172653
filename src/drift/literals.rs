//! Typed literal defaults, compared the way PostgreSQL stores them.
//!
//! `DEFAULT '{ "admin" }'` on a `text[]` column is stored as `'{admin}'`, `'yes'` on a
//! boolean as `true`, `'epoch'` on a date as `'1970-01-01'`, a jsonb literal with
//! PostgreSQL's own spacing: the type's input function reads the literal once, when the
//! migration runs, and the catalog keeps its output form. Replay cannot run input
//! functions (jsonb, arrays, dates and uuids each have their own), so without this
//! every such column is a false `column-default-mismatch` on a database built by
//! running the migrations. The server that holds the live schema can: drift asks it
//! for the output form of both sides, in its read-only session, and drops the items
//! whose two sides are the same value.
//!
//! Only constants are ever sent: a quoted literal (with doubled quotes inside), a
//! number or a boolean keyword, each optionally cast — never a function call or any
//! other expression, so asking cannot run anything but the type's input function.

use super::{DriftItem, DriftReport};
use crate::schema::model::SchemaModel;
use std::collections::BTreeMap;

/// One default mismatch the server can settle: `item` is its index in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralQuestion {
    pub item: usize,
    /// The column's type as the catalog prints it (`format_type`).
    pub data_type: String,
    pub expected: String,
    pub actual: String,
}

impl LiteralQuestion {
    /// The query whose one boolean answer says whether the two sides are the same
    /// value of the column's type.
    pub fn sql(&self) -> String {
        format!(
            "SELECT (({})::{ty})::text IS NOT DISTINCT FROM (({})::{ty})::text",
            self.expected,
            self.actual,
            ty = self.data_type
        )
    }
}

/// Whether `s` is a constant literal: a quoted string, a number, `true`, `false` or
/// `NULL`, possibly negated, parenthesised or cast — read by the same expression
/// parser drift compares with, so nothing but a constant is ever sent.
pub fn is_constant_literal(s: &str) -> bool {
    use sqlparser::ast::{Expr, UnaryOperator};
    fn constant(e: &Expr) -> bool {
        match e {
            Expr::Value(_) | Expr::TypedString { .. } => true,
            Expr::Cast { expr, .. } | Expr::Nested(expr) => constant(expr),
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => constant(expr),
            _ => false,
        }
    }
    crate::schema::expr::parse_expr(s).is_some_and(|e| constant(&e))
}

/// The default mismatches of `report` whose sides are both constant literals, with
/// the live column's type, for the server to settle.
pub fn literal_default_questions(report: &DriftReport, live: &SchemaModel) -> Vec<LiteralQuestion> {
    let candidates: Vec<(usize, &DriftItem)> = report
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == "column-default-mismatch")
        .filter(|(_, i)| {
            matches!((&i.expected, &i.actual), (Some(e), Some(a)) if is_constant_literal(e) && is_constant_literal(a))
        })
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let types: BTreeMap<String, &str> = live
        .tables
        .values()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(move |c| (format!("{}.{}", t.name, c.name), c.data_type.as_str()))
        })
        .collect();
    candidates
        .into_iter()
        .filter_map(|(item, i)| {
            Some(LiteralQuestion {
                item,
                data_type: types.get(&i.object)?.to_string(),
                expected: i.expected.clone()?,
                actual: i.actual.clone()?,
            })
        })
        .collect()
}

/// Drops the items the server found equal (indexes into `report.items`) and updates
/// the status.
pub fn drop_equal(report: &mut DriftReport, equal: &[usize]) {
    if equal.is_empty() {
        return;
    }
    let mut index = 0;
    report.items.retain(|_| {
        let keep = !equal.contains(&index);
        index += 1;
        keep
    });
    report.status = super::reconcile::status_of(&report.items);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_constants_are_literals() {
        for s in [
            "'{ \"admin\" }'",
            "'it''s'",
            "'yes'::boolean",
            "('0')::numeric",
            "'{}'::text[]",
            "-1.5",
            "true",
            "NULL::character varying",
        ] {
            assert!(is_constant_literal(s), "{s}");
        }
        for s in [
            "now()",
            "'a' || 'b'",
            "nextval('s'::regclass)",
            "'x'); DROP TABLE t; --",
            "'a' 'b'",
            "(SELECT 1)",
            "1 + 1",
        ] {
            assert!(!is_constant_literal(s), "{s}");
        }
    }

    #[test]
    fn the_question_casts_both_sides_to_the_column_type() {
        let q = LiteralQuestion {
            item: 0,
            data_type: "text[]".into(),
            expected: "'{ a }'".into(),
            actual: "'{a}'::text[]".into(),
        };
        assert_eq!(
            q.sql(),
            "SELECT (('{ a }')::text[])::text IS NOT DISTINCT FROM (('{a}'::text[])::text[])::text"
        );
    }
}
