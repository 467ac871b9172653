//! Comment directives in migrations: expand/contract annotations (`@destructive`,
//! `@expand-migration`) and suppressions (`migguard-ignore`). One model serves the
//! lint gate (which checks them) and release-check (which trusts the expand
//! reference only once that migration is applied in the target database).

pub mod expand_contract;
pub mod placement;
pub mod suppress;

use crate::ir::{Migration, Span};

/// A value with the span of the comment line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotated<T> {
    pub value: T,
    pub span: Span,
}

/// What `@expand-migration:` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandRef {
    /// The name of the earlier, additive migration this one contracts.
    Migration(String),
    /// `NONE (<reason>)`: nothing to wait for (e.g. the column was never read).
    None { reason: String },
}

/// The annotations of one migration, and what was wrong with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    pub destructive: Option<Annotated<String>>,
    pub expand: Option<Annotated<ExpandRef>>,
    /// Malformed annotations: each becomes an `invalid-annotation` finding.
    pub problems: Vec<(Span, String)>,
}

const DESTRUCTIVE: &str = "destructive";
const EXPAND: &str = "expand-migration";

/// Read the annotations from the migration's leading comments.
pub fn annotations(m: &Migration) -> Annotations {
    let mut a = Annotations::default();
    for c in &m.header_comments {
        let text = c.text.trim();
        let Some(rest) = text.strip_prefix('@') else {
            continue;
        };
        let tag_end = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'))
            .unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        let value = rest[tag_end..].trim_start();
        let known = tag.eq_ignore_ascii_case(DESTRUCTIVE) || tag.eq_ignore_ascii_case(EXPAND);
        if !known {
            let lower = tag.to_ascii_lowercase();
            let near = [DESTRUCTIVE, EXPAND]
                .into_iter()
                .find(|k| strsim::levenshtein(&lower, k) <= 3 || lower.starts_with("expand"));
            if let Some(k) = near {
                a.problems.push((
                    c.span,
                    format!("unknown annotation `@{tag}`: did you mean `@{k}:`?"),
                ));
            }
            continue;
        }
        let Some(value) = value.strip_prefix(':').map(str::trim) else {
            a.problems.push((
                c.span,
                format!("`@{tag}` needs a colon and a value: `@{tag}: …`"),
            ));
            continue;
        };
        if value.is_empty() {
            a.problems
                .push((c.span, format!("`@{tag}:` has an empty value")));
            continue;
        }
        if tag.eq_ignore_ascii_case(DESTRUCTIVE) {
            match &a.destructive {
                Some(prev) if prev.value != value => a.problems.push((
                    c.span,
                    format!(
                        "a second `@destructive` (`{value}`) conflicts with line {}",
                        prev.span.line
                    ),
                )),
                Some(_) => {}
                None => {
                    a.destructive = Some(Annotated {
                        value: value.to_string(),
                        span: c.span,
                    })
                }
            }
        } else {
            let parsed = match parse_expand(value) {
                Ok(r) => r,
                Err(msg) => {
                    a.problems.push((c.span, msg));
                    continue;
                }
            };
            match &a.expand {
                Some(prev) if prev.value != parsed => a.problems.push((
                    c.span,
                    format!(
                        "a second `@expand-migration` conflicts with line {}",
                        prev.span.line
                    ),
                )),
                Some(_) => {}
                None => {
                    a.expand = Some(Annotated {
                        value: parsed,
                        span: c.span,
                    })
                }
            }
        }
    }
    a
}

fn parse_expand(value: &str) -> Result<ExpandRef, String> {
    let first = value.split_whitespace().next().unwrap_or("");
    if first.eq_ignore_ascii_case("NONE") || first.to_ascii_uppercase().starts_with("NONE(") {
        let rest = value[4..].trim();
        let reason = rest
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim)
            .unwrap_or("");
        if reason.is_empty() {
            return Err("`@expand-migration: NONE` needs a reason in parentheses: `NONE (never read by application code)`".into());
        }
        return Ok(ExpandRef::None {
            reason: reason.to_string(),
        });
    }
    if value.split_whitespace().count() != 1 {
        return Err(format!(
            "`@expand-migration: {value}`: expected one migration name (or `NONE (<reason>)`)"
        ));
    }
    Ok(ExpandRef::Migration(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_support::MigrationBuilder;

    fn with_header(lines: &[&str]) -> Migration {
        MigrationBuilder::typeorm("DropX1700000000001")
            .file("x.ts")
            .header(lines)
            .build()
    }

    #[test]
    fn reads_destructive_and_expand() {
        let a = annotations(&with_header(&[
            "@destructive: DROP COLUMN product.legacy_code (moved)",
            "@expand-migration: AddSmileCode1779000000000",
        ]));
        assert_eq!(
            a.destructive.unwrap().value,
            "DROP COLUMN product.legacy_code (moved)"
        );
        assert_eq!(
            a.expand.unwrap().value,
            ExpandRef::Migration("AddSmileCode1779000000000".into())
        );
        assert!(a.problems.is_empty());
    }

    #[test]
    fn none_needs_a_reason() {
        let a = annotations(&with_header(&[
            "@expand-migration: NONE (never read by the app)",
        ]));
        assert_eq!(
            a.expand.unwrap().value,
            ExpandRef::None {
                reason: "never read by the app".into()
            }
        );
        let a = annotations(&with_header(&["@expand-migration: NONE"]));
        assert!(a.expand.is_none());
        assert!(a.problems[0].1.contains("needs a reason"));
    }

    #[test]
    fn malformed_annotations_are_problems_with_positions() {
        let a = annotations(&with_header(&[
            "@destructive:",
            "@expand-migrations: A",
            "@destructve: x",
            "@expand-migration: A",
            "@expand-migration: B",
            "@expand-migration A",
        ]));
        let lines: Vec<usize> = a.problems.iter().map(|(s, _)| s.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 5, 6]);
    }

    #[test]
    fn unrelated_at_tags_are_ignored() {
        let a = annotations(&with_header(&["@see https://example.com", "@author me"]));
        assert!(a.problems.is_empty());
    }
}
