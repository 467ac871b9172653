//! Canonical text of an SQL expression, printed from sqlparser's AST.
//!
//! PostgreSQL stores expressions (defaults, CHECKs, index keys and predicates) in its
//! own deparsed form: every operator parenthesised, `IN (…)` as `= ANY (ARRAY[…])`,
//! `BETWEEN` as two comparisons, `LIKE` as `~~`. A migration writes them the way a
//! person does. Printing both from the parsed tree — every operator parenthesised,
//! those rewrites applied — makes equal expressions equal text without losing
//! precedence: `a > 0 AND (b IS NULL OR b > a)` never collapses into a different
//! expression, and the text stays valid SQL for `migguard schema --format sql`.
//!
//! Two printings of the same tree: [`Casts::Keep`] is the stored form (casts kept, so
//! `(extra_attrs::jsonb -> 'k')` stays an expression PostgreSQL accepts on a `json`
//! column), [`Casts::Drop`] the comparison key (PostgreSQL adds casts of its own:
//! `'x'::character varying`, `lower((name)::text)`). Interval literals print as
//! PostgreSQL stores them in both (`schema::interval`). The caller has already
//! lower-cased the text outside literals and quoted identifiers
//! (`normalize::canonical_expr`); what sqlparser cannot parse is left to its textual
//! fallback.

use super::interval::postgres_interval_text;
use sqlparser::ast::{
    BinaryOperator, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, UnaryOperator,
    Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// Whether the printing keeps the casts the expression carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Casts {
    Keep,
    Drop,
}

/// The canonical text of `sql`, or `None` when sqlparser cannot read it as one
/// expression.
pub fn canonical(sql: &str, casts: Casts) -> Option<String> {
    let expr = parse_expr(sql)?;
    let text = Printer { casts }.print(&expr);
    Some(strip_parens(&text).to_string())
}

/// `sql` parsed as one PostgreSQL expression (no trailing tokens), or `None`.
pub fn parse_expr(sql: &str) -> Option<Expr> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(sql).ok()?;
    let expr = parser.parse_expr().ok()?;
    // The whole text must be the expression (no trailing tokens).
    if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
        return None;
    }
    Some(expr)
}

/// One pair of outer parentheses, when they enclose the whole text.
fn strip_parens(s: &str) -> &str {
    match crate::parse::sql::lexical::matching_paren(s, 0) {
        Some(close) if close + 1 == s.len() => &s[1..close],
        _ => s,
    }
}

fn op_text(op: &BinaryOperator) -> String {
    op.to_string().to_lowercase()
}

/// A string literal with PostgreSQL's spelling of the interval it stands for.
fn interval_literal(value: &Expr) -> Option<String> {
    match value {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(text) => {
                let stored = postgres_interval_text(text)?;
                Some(format!("'{}'", stored.replace('\'', "''")))
            }
            _ => None,
        },
        _ => None,
    }
}

struct Printer {
    casts: Casts,
}

impl Printer {
    fn binary(&self, left: &Expr, op: &str, right: &Expr) -> String {
        format!("({} {op} {})", self.print(left), self.print(right))
    }

    /// The operands of a chain of `op` (AND or OR), flattened through parentheses and
    /// through the comparisons a BETWEEN (AND) or NOT BETWEEN (OR) stands for.
    fn chain_terms(&self, e: &Expr, op: &BinaryOperator, out: &mut Vec<String>) {
        match e {
            Expr::Nested(inner) => self.chain_terms(inner, op, out),
            Expr::BinaryOp {
                left,
                op: inner,
                right,
            } if inner == op => {
                self.chain_terms(left, op, out);
                self.chain_terms(right, op, out);
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } if *negated == (*op == BinaryOperator::Or) => {
                let (lo, hi) = if *negated { ("<", ">") } else { (">=", "<=") };
                out.push(self.binary(expr, lo, low));
                out.push(self.binary(expr, hi, high));
            }
            other => out.push(self.print(other)),
        }
    }

    fn list(&self, items: &[Expr]) -> String {
        items
            .iter()
            .map(|i| self.print(i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn print(&self, e: &Expr) -> String {
        match e {
            Expr::Nested(inner) => self.print(inner),
            // `interval '12 months'` and `'12 months'::interval` are stored as
            // `'1 year'::interval`.
            Expr::Interval(iv)
                if iv.leading_field.is_none()
                    && iv.last_field.is_none()
                    && interval_literal(&iv.value).is_some() =>
            {
                let lit = interval_literal(&iv.value).unwrap_or_default();
                match self.casts {
                    Casts::Keep => format!("{lit}::interval"),
                    Casts::Drop => lit,
                }
            }
            Expr::Cast {
                expr, data_type, ..
            } => {
                let interval = matches!(
                    data_type,
                    DataType::Interval {
                        fields: None,
                        precision: None
                    }
                );
                let inner = match interval.then(|| interval_literal(expr)).flatten() {
                    Some(lit) => lit,
                    None => self.print(expr),
                };
                match self.casts {
                    Casts::Drop => inner,
                    Casts::Keep => {
                        let ty = data_type.to_string();
                        let ty = if ty.contains('"') {
                            ty
                        } else {
                            ty.to_lowercase()
                        };
                        format!("{inner}::{ty}")
                    }
                }
            }
            // AND and OR are associative: PostgreSQL stores a chain flat (and puts a
            // BETWEEN's two comparisons into it), so both sides print one flat chain.
            Expr::BinaryOp {
                op: op @ (BinaryOperator::And | BinaryOperator::Or),
                ..
            } => {
                let mut terms = Vec::new();
                self.chain_terms(e, op, &mut terms);
                format!("({})", terms.join(&format!(" {} ", op_text(op))))
            }
            Expr::BinaryOp { left, op, right } => self.binary(left, &op_text(op), right),
            Expr::UnaryOp { op, expr } => match op {
                UnaryOperator::Not => format!("(not {})", self.print(expr)),
                UnaryOperator::Minus | UnaryOperator::Plus
                    if matches!(**expr, Expr::Value(_) | Expr::Identifier(_)) =>
                {
                    format!("{op}{}", self.print(expr))
                }
                _ => format!("({op}{})", self.print(expr)),
            },
            Expr::IsNull(x) => format!("({} is null)", self.print(x)),
            Expr::IsNotNull(x) => format!("({} is not null)", self.print(x)),
            // PostgreSQL: `a BETWEEN x AND y` is stored as `a >= x AND a <= y`.
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let (lo, hi, join) = if *negated {
                    (
                        self.binary(expr, "<", low),
                        self.binary(expr, ">", high),
                        "or",
                    )
                } else {
                    (
                        self.binary(expr, ">=", low),
                        self.binary(expr, "<=", high),
                        "and",
                    )
                };
                format!("({lo} {join} {hi})")
            }
            // `a IN (x)` is `a = x`; `a IN (x, y)` is `a = ANY (ARRAY[x, y])`.
            Expr::InList {
                expr,
                list: items,
                negated,
            } => match (items.as_slice(), negated) {
                ([one], false) => self.binary(expr, "=", one),
                ([one], true) => self.binary(expr, "<>", one),
                (_, false) => format!("({} = any (array[{}]))", self.print(expr), self.list(items)),
                (_, true) => format!(
                    "({} <> all (array[{}]))",
                    self.print(expr),
                    self.list(items)
                ),
            },
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: None,
            } => self.binary(expr, if *negated { "!~~" } else { "~~" }, pattern),
            Expr::ILike {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: None,
            } => self.binary(expr, if *negated { "!~~*" } else { "~~*" }, pattern),
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => format!(
                "({} {} any ({}))",
                self.print(left),
                op_text(compare_op),
                self.print(right)
            ),
            Expr::AllOp {
                left,
                compare_op,
                right,
            } => format!(
                "({} {} all ({}))",
                self.print(left),
                op_text(compare_op),
                self.print(right)
            ),
            Expr::Array(a) => format!("array[{}]", self.list(&a.elem)),
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => format!(
                "({} at time zone {})",
                self.print(timestamp),
                self.print(time_zone)
            ),
            Expr::IsDistinctFrom(a, b) => self.binary(a, "is distinct from", b),
            Expr::IsNotDistinctFrom(a, b) => self.binary(a, "is not distinct from", b),
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let mut out = String::from("case");
                if let Some(o) = operand {
                    out.push(' ');
                    out.push_str(&self.print(o));
                }
                for w in conditions {
                    out.push_str(&format!(
                        " when {} then {}",
                        self.print(&w.condition),
                        self.print(&w.result)
                    ));
                }
                if let Some(e) = else_result {
                    out.push_str(&format!(" else {}", self.print(e)));
                }
                out.push_str(" end");
                out
            }
            Expr::Function(f)
                if f.filter.is_none()
                    && f.over.is_none()
                    && f.within_group.is_empty()
                    && f.null_treatment.is_none()
                    && matches!(f.parameters, FunctionArguments::None) =>
            {
                match &f.args {
                    FunctionArguments::List(l)
                        if l.duplicate_treatment.is_none() && l.clauses.is_empty() =>
                    {
                        let args: Option<Vec<String>> = l
                            .args
                            .iter()
                            .map(|a| match a {
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => {
                                    Some(self.print(x))
                                }
                                _ => None,
                            })
                            .collect();
                        match args {
                            Some(args) => format!("{}({})", f.name, args.join(", ")),
                            None => e.to_string(),
                        }
                    }
                    _ => e.to_string(),
                }
            }
            _ => e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{canonical, Casts};

    fn c(s: &str) -> String {
        canonical(s, Casts::Drop).unwrap_or_else(|| panic!("unparsed: {s}"))
    }

    /// Each pair: what a migration writes, what `pg_get_constraintdef` /
    /// `pg_get_expr` print (after `canonical_expr` lower-cased it and dropped casts).
    #[test]
    fn postgres_rewrites_compare_equal() {
        for (written, stored) in [
            ("b in ('x', 'y')", "(b = any (array['x', 'y']))"),
            ("b not in ('z')", "(b <> 'z')"),
            ("b not in ('z', 'w')", "(b <> all (array['z', 'w']))"),
            ("a between 1 and 10", "((a >= 1) and (a <= 10))"),
            // PostgreSQL stores an AND chain flat, a BETWEEN's comparisons in it.
            (
                "a in (1,2,3) and b between 0 and 10",
                "((a = any (array[1, 2, 3])) and (b >= 0) and (b <= 10))",
            ),
            ("(a or b) or c", "(a or (b or c))"),
            ("a not between 1 and 10", "((a < 1) or (a > 10))"),
            ("b like 'p%'", "(b ~~ 'p%')"),
            ("b ilike 'q%' or b is null", "((b ~~* 'q%') or (b is null))"),
            ("a != 3", "(a <> 3)"),
            (
                "a > 0 and (g is null or g > a)",
                "((a > 0) and ((g is null) or (g > a)))",
            ),
            ("a + g * 2 < 100", "((a + (g * 2)) < 100)"),
            ("lower(email)", "lower((email))"),
            ("coalesce(a, 0) >= 0", "(coalesce(a, 0) >= 0)"),
            ("not (a = 5)", "(not (a = 5))"),
            (
                "date_trunc('month', t at time zone 'utc') at time zone 'utc'",
                "(date_trunc('month', (t at time zone 'utc')) at time zone 'utc')",
            ),
            (
                "case when a > 0 then 'p' else 'n' end = 'p'",
                "(case when (a > 0) then 'p' else 'n' end = 'p')",
            ),
        ] {
            assert_eq!(c(written), c(stored), "{written}");
        }
    }

    #[test]
    fn precedence_is_never_lost() {
        assert_ne!(c("a > 0 and (b or c)"), c("(a > 0 and b) or c"));
        assert_ne!(c("a and b or c"), c("a and (b or c)"));
        assert_ne!(c("(a + g) * 2"), c("a + g * 2"));
        assert_eq!(c("(a + g) * 2"), "(a + g) * 2");
        assert_eq!(c("a > 0 and (b or c)"), "(a > 0) and (b or c)");
    }

    #[test]
    fn simple_values_print_as_written() {
        assert_eq!(c("now()"), "now()");
        assert_eq!(c("'x'"), "'x'");
        assert_eq!(c("-1"), "-1");
        assert_eq!(c("nextval('t_id_seq')"), "nextval('t_id_seq')");
        assert_eq!(c("deleted_at is null"), "deleted_at is null");
        assert_eq!(canonical("a b c", Casts::Drop), None);
    }
}
