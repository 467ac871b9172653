//! Parsing and validating a rules file, with line and column in every error.
//!
//! Syntax errors come from the TOML parser with their span; semantic errors (an op
//! kind that does not exist, a condition the kind does not have, a bad regex, a
//! duplicate id) are located with `toml::Spanned`. A typo must be an error with a
//! position, never a rule that silently matches nothing.

use super::{Condition, OpMatcher, Rule, RuleSet};
use crate::error::Error;
use crate::finding::{Category, Phase, Severity};
use crate::ir::{kind_conditions, AttrType, AttrValue, OpName, CONTEXT_CONDITIONS};
use crate::source::LineIndex;
use serde::Deserialize;
use std::collections::BTreeSet;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    // Optional where a built-in rule of the same id supplies them: a user file may
    // override one field (`severity = "off"`) and keep the rest.
    severity: Option<Spanned<String>>,
    category: Option<Spanned<String>>,
    phase: Option<Spanned<String>>,
    ops: Option<Vec<Spanned<RawOp>>>,
    sql_patterns: Option<Vec<Spanned<String>>>,
    summary: Option<String>,
    why: Option<String>,
    instead: Option<String>,
    /// `size = { block_above_rows = 1_000_000, block_above_bytes = "1GB" }`
    /// (or a `[rule.size]` table): replaces the built-in thresholds as a whole;
    /// `size = {}` removes them.
    size: Option<Spanned<RawSize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSize {
    block_above_rows: Option<Spanned<i64>>,
    /// A number of bytes or a string with a PostgreSQL unit (`"1GB"`).
    block_above_bytes: Option<Spanned<toml::Value>>,
}

/// One op matcher as written: `{ kind = "create_index", concurrently = false }`.
/// Keys and values keep their spans so a bad condition is reported where it is.
type RawOp = std::collections::BTreeMap<Spanned<String>, Spanned<toml::Value>>;

struct Ctx<'a> {
    text: &'a str,
    index: LineIndex,
    origin: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: std::ops::Range<usize>, message: impl std::fmt::Display) -> Error {
        let (line, col) = self.index.line_col(self.text, span.start);
        Error::Rules {
            origin: self.origin.to_string(),
            message: format!("line {line}, column {col}: {message}"),
        }
    }
}

/// Parse `text`; a field a rule leaves out is taken from `base`'s rule of the same
/// id, and is an error (at the rule's id) when there is none.
pub(super) fn parse(
    text: &str,
    origin: &str,
    base: Option<&RuleSet>,
) -> crate::error::Result<RuleSet> {
    let ctx = Ctx {
        text,
        index: LineIndex::new(text),
        origin,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        ctx.err(span, e.message().trim())
    })?;
    let mut seen = BTreeSet::new();
    let mut rules = Vec::new();
    for spanned in raw.rule {
        let r = spanned.into_inner();
        let id = r.id.get_ref();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(ctx.err(r.id.span(), format!("rule id `{id}` must be kebab-case")));
        }
        if !seen.insert(id.clone()) {
            return Err(ctx.err(r.id.span(), format!("duplicate rule id `{id}`")));
        }
        let inherited = base.and_then(|b| b.get(id));
        let missing = |field: &str| {
            ctx.err(
                r.id.span(),
                format!("rule `{id}` needs `{field}` (it is not a built-in rule to inherit from)"),
            )
        };
        let severity = match &r.severity {
            None => inherited.ok_or_else(|| missing("severity"))?.severity,
            Some(s) => match s.get_ref().as_str() {
                "block" => Severity::Block,
                "warn" => Severity::Warn,
                "info" => Severity::Info,
                "off" => Severity::Off,
                other => {
                    return Err(ctx.err(
                        s.span(),
                        format!("unknown severity `{other}` (expected block, warn, info or off)"),
                    ))
                }
            },
        };
        if let Some(s) = r
            .severity
            .as_ref()
            .filter(|_| super::is_unreadable_rule(id) && severity != Severity::Block)
        {
            return Err(ctx.err(
                s.span(),
                format!("`{id}` is always `block`: release-check blocks what migguard cannot read, and the PR gate must not be more lenient (acknowledge a checked case with `migguard-ignore {id}: <reason>`)"),
            ));
        }
        let category = match &r.category {
            None => inherited.ok_or_else(|| missing("category"))?.category,
            Some(c) => match c.get_ref().as_str() {
                "destructive" => Category::Destructive,
                "backward-incompatible" => Category::BackwardIncompatible,
                "locking" => Category::Locking,
                "data-dependent" => Category::DataDependent,
                "runtime-failure" => Category::RuntimeFailure,
                "integrity" => Category::Integrity,
                "hygiene" => Category::Hygiene,
                other => return Err(ctx.err(
                    c.span(),
                    format!("unknown category `{other}` (expected destructive, backward-incompatible, locking, data-dependent, runtime-failure, integrity or hygiene)"),
                )),
            },
        };
        let phase = match &r.phase {
            None => inherited.ok_or_else(|| missing("phase"))?.phase,
            Some(p) => match p.get_ref().as_str() {
                "expand" => Phase::Expand,
                "contract" => Phase::Contract,
                "neutral" => Phase::Neutral,
                other => {
                    return Err(ctx.err(
                        p.span(),
                        format!("unknown phase `{other}` (expected expand, contract or neutral)"),
                    ))
                }
            },
        };
        let ops = match &r.ops {
            None => inherited.map(|b| b.ops.clone()).unwrap_or_default(),
            Some(written) => written
                .iter()
                .map(|op| matcher(&ctx, op))
                .collect::<crate::error::Result<Vec<_>>>()?,
        };
        if let Some(builtin) = inherited.filter(|_| super::is_unreadable_rule(id)) {
            // Other ops would let the gate pass what release-check blocks. A copy of the
            // built-in file (the usual way to start a rules file) writes them unchanged.
            let describe = |ops: &[super::OpMatcher]| -> Vec<String> {
                ops.iter().map(|o| o.describe()).collect()
            };
            if describe(&ops) != describe(&builtin.ops) {
                return Err(ctx.err(
                    r.id.span(),
                    format!(
                        "`{id}` matches every op migguard cannot read; its `ops` cannot be changed"
                    ),
                ));
            }
        }
        let sql_patterns = match &r.sql_patterns {
            None => inherited
                .map(|b| b.sql_patterns.clone())
                .unwrap_or_default(),
            Some(written) => written
                .iter()
                .map(|p| {
                    regex::Regex::new(p.get_ref()).map_err(|e| {
                        ctx.err(p.span(), format!("invalid regex in sql_patterns: {e}"))
                    })
                })
                .collect::<crate::error::Result<Vec<_>>>()?,
        };
        let text_field =
            |own: &Option<String>, field: &str, from: fn(&Rule) -> &str| match (own, inherited) {
                (Some(t), _) => Ok(t.trim().to_string()),
                (None, Some(b)) => Ok(from(b).to_string()),
                (None, None) => Err(missing(field)),
            };
        let size = match &r.size {
            None => inherited.and_then(|b| b.size),
            Some(s) => size_threshold(&ctx, s.get_ref())?,
        };
        if size.is_some() && category != Category::Locking {
            let at = r.size.as_ref().map_or(r.id.span(), |s| s.span());
            return Err(ctx.err(
                at,
                format!("`size` thresholds apply to locking rules only (`{id}` is not in category `locking`)"),
            ));
        }
        rules.push(Rule {
            size,
            summary: text_field(&r.summary, "summary", |b| &b.summary)?,
            why: text_field(&r.why, "why", |b| &b.why)?,
            instead: text_field(&r.instead, "instead", |b| &b.instead)?.into(),
            id: id.as_str().into(),
            severity,
            category,
            phase,
            ops,
            sql_patterns,
        });
    }
    Ok(RuleSet { rules })
}

/// A rule's `size` table, checked: counts are non-negative, sizes are bytes or a
/// string with a PostgreSQL unit. An empty table means no thresholds.
fn size_threshold(
    ctx: &Ctx<'_>,
    raw: &RawSize,
) -> crate::error::Result<Option<crate::sizes::SizeThreshold>> {
    let rows = match &raw.block_above_rows {
        None => None,
        Some(n) => Some(u64::try_from(*n.get_ref()).map_err(|_| {
            ctx.err(
                n.span(),
                "`block_above_rows` must be a count of rows (0 or more)",
            )
        })?),
    };
    let bytes = match &raw.block_above_bytes {
        None => None,
        Some(v) => Some(match v.get_ref() {
            toml::Value::Integer(n) => u64::try_from(*n)
                .map_err(|_| ctx.err(v.span(), "`block_above_bytes` must be 0 or more"))?,
            toml::Value::String(s) => {
                crate::sizes::parse_bytes(s).map_err(|e| ctx.err(v.span(), e))?
            }
            _ => {
                return Err(ctx.err(
                    v.span(),
                    "`block_above_bytes` takes a number of bytes or a size such as \"1GB\"",
                ))
            }
        }),
    };
    Ok(
        (rows.is_some() || bytes.is_some()).then_some(crate::sizes::SizeThreshold {
            block_above_rows: rows,
            block_above_bytes: bytes,
        }),
    )
}

fn matcher(ctx: &Ctx<'_>, op: &Spanned<RawOp>) -> crate::error::Result<OpMatcher> {
    let table = op.get_ref();
    let kind_entry = table.iter().find(|(k, _)| k.get_ref() == "kind");
    let kind = match kind_entry {
        Some((_, v)) => match v.get_ref() {
            toml::Value::String(k) => OpName::from_name(k).ok_or_else(|| {
                ctx.err(
                    v.span(),
                    format!(
                        "unknown op kind `{k}`; valid kinds: {}",
                        OpName::NAMES.join(", ")
                    ),
                )
            })?,
            _ => return Err(ctx.err(v.span(), "`kind` must be a string")),
        },
        None => return Err(ctx.err(op.span(), "op matcher needs a `kind`")),
    };
    let allowed = kind_conditions(kind);
    let mut conditions = Vec::new();
    // Report in source order, not key order.
    let mut entries: Vec<_> = table
        .iter()
        .filter(|(k, _)| k.get_ref() != "kind")
        .collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        let name = key.get_ref();
        let ty = allowed
            .iter()
            .chain(CONTEXT_CONDITIONS)
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t);
        let Some(ty) = ty else {
            let valid: Vec<&str> = allowed
                .iter()
                .chain(CONTEXT_CONDITIONS)
                .map(|(n, _)| *n)
                .collect();
            return Err(ctx.err(
                key.span(),
                format!(
                    "unknown condition `{name}` for op kind `{kind}`; valid: {}",
                    valid.join(", ")
                ),
            ));
        };
        let value = match (ty, value.get_ref()) {
            (AttrType::Bool, toml::Value::Boolean(b)) => AttrValue::Bool(*b),
            (AttrType::Str, toml::Value::String(s)) => {
                if let Some(valid) = string_values(kind, name) {
                    if !valid.contains(&s.as_str()) {
                        return Err(ctx.err(
                            value.span(),
                            format!(
                                "condition `{name}` of `{kind}` cannot be \"{s}\"; valid: {}",
                                valid.join(", ")
                            ),
                        ));
                    }
                }
                AttrValue::Str(s.clone())
            }
            (AttrType::Bool, _) => {
                return Err(ctx.err(
                    value.span(),
                    format!("condition `{name}` of `{kind}` takes true or false"),
                ))
            }
            (AttrType::Str, _) => {
                return Err(ctx.err(
                    value.span(),
                    format!("condition `{name}` of `{kind}` takes a string"),
                ))
            }
        };
        conditions.push(Condition {
            name: name.clone(),
            value,
        });
    }
    Ok(OpMatcher { kind, conditions })
}

/// The closed value sets of string conditions (what `Operation::attributes` can
/// produce), so `mode = "recreat"` is an error rather than a rule that never matches.
/// `None`: free text (e.g. the `set_option` name).
fn string_values(kind: OpName, condition: &str) -> Option<&'static [&'static str]> {
    match (kind, condition) {
        (OpName::AddConstraint, "constraint") => {
            Some(&["pk", "unique", "check", "fk", "exclusion"])
        }
        (OpName::ChangeColumn, "mode") => Some(&["recreate", "in_place", "unknown"]),
        (OpName::Reindex, "target") => Some(&["index", "table", "schema", "database", "system"]),
        (OpName::TransactionControl, "control") => {
            Some(&["begin", "commit", "rollback", "savepoint"])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        parse(text, "bad.toml", None).unwrap_err().to_string()
    }

    const HEAD: &str = "[[rule]]\nid = \"x\"\nseverity = \"warn\"\ncategory = \"locking\"\nphase = \"neutral\"\nsummary = \"s\"\nwhy = \"w\"\ninstead = \"i\"\n";

    #[test]
    fn errors_point_at_line_and_column() {
        let msgs = [
            error_of(&format!("{HEAD}ops = [{{ kind = \"drop_everything\" }}]\n")),
            error_of(&format!(
                "{HEAD}ops = [{{ kind = \"create_index\", concurently = false }}]\n"
            )),
            error_of(&format!(
                "{HEAD}ops = [{{ kind = \"create_index\", concurrently = \"no\" }}]\n"
            )),
            error_of(&format!("{HEAD}sql_patterns = ['(unclosed']\n")),
            error_of(&format!("{HEAD}{HEAD}")),
            error_of(&HEAD.replace("\"warn\"", "\"fatal\"")),
            error_of(&format!("{HEAD}colour = \"red\"\n")),
            error_of("[[rule]\nid = 1"),
            error_of(&HEAD.replace("\"locking\"", "\"scary\"")),
            error_of(&HEAD.replace("\"neutral\"", "\"cleanup\"")),
            error_of(&HEAD.replace("summary = \"s\"\n", "")),
            error_of(&HEAD.replace("\"x\"", "\"Drop_Table\"")),
            error_of(&format!("{HEAD}ops = [{{ concurrently = false }}]\n")),
            error_of(&format!("{HEAD}ops = [{{ kind = 3 }}]\n")),
            error_of(&format!(
                "{HEAD}ops = [\n  {{ kind = \"drop_table\" }},\n  {{ kind = \"change_column\", mode = true }},\n]\n"
            )),
            error_of("[[rule]]\nid = \"x\"\n"),
            error_of(&format!(
                "{HEAD}ops = [{{ kind = \"add_constraint\", constraint = \"foreign_key\" }}]\n"
            )),
        ];
        insta::assert_snapshot!(msgs.join("\n"));
    }

    #[test]
    fn size_thresholds_parse_override_and_fail_with_a_position() {
        let set = parse(
            &format!("{HEAD}size = {{ block_above_rows = 1_000, block_above_bytes = \"2GB\" }}\n"),
            "t",
            None,
        )
        .unwrap();
        assert_eq!(
            set.rules[0].size,
            Some(crate::sizes::SizeThreshold {
                block_above_rows: Some(1000),
                block_above_bytes: Some(2 << 30),
            })
        );
        // A `[rule.size]` table is the same thing.
        let table = parse(
            &format!("{HEAD}[rule.size]\nblock_above_bytes = 4096\n"),
            "t",
            None,
        )
        .unwrap();
        assert_eq!(
            table.rules[0].size.and_then(|s| s.block_above_bytes),
            Some(4096)
        );
        // Overrides inherit the built-in thresholds unless they name `size`.
        let builtin = RuleSet::builtin();
        let inherited = RuleSet::load(
            "[[rule]]\nid = \"create-index-non-concurrent\"\nseverity = \"info\"\n",
            "u",
        )
        .unwrap();
        assert!(builtin
            .get("create-index-non-concurrent")
            .unwrap()
            .size
            .is_some());
        assert_eq!(
            inherited.get("create-index-non-concurrent").unwrap().size,
            builtin.get("create-index-non-concurrent").unwrap().size
        );
        let removed = RuleSet::load(
            "[[rule]]\nid = \"create-index-non-concurrent\"\nsize = {}\n",
            "u",
        )
        .unwrap();
        assert_eq!(
            removed.get("create-index-non-concurrent").unwrap().size,
            None
        );
        for (text, expected) in [
            (
                "size = { block_above_rows = -1 }",
                "line 9, column 29: `block_above_rows` must be a count",
            ),
            (
                "size = { block_above_bytes = \"1 gigabyte\" }",
                "line 9, column 30: unknown size unit `gigabyte`",
            ),
            (
                "size = { block_above_bytes = true }",
                "line 9, column 30: `block_above_bytes` takes a number",
            ),
            ("size = { block_above = 3 }", "line 9"),
        ] {
            let err = error_of(&format!("{HEAD}{text}\n"));
            assert!(err.contains(expected), "{text}: {err}");
        }
        let not_locking = error_of(&format!(
            "{}size = {{ block_above_rows = 3 }}\n",
            HEAD.replace("\"locking\"", "\"hygiene\"")
        ));
        assert!(not_locking.contains("locking rules only"), "{not_locking}");
    }

    /// Every kind an op carries can be named in a rule: `CREATE TYPE … AS (…)` was
    /// produced by the SQL reader but rejected by the loader as an unknown kind.
    #[test]
    fn a_rule_may_match_composite_type_creation() {
        let composite = crate::ir::OpKind::CreateTypeComposite {
            name: crate::ir::QualifiedName::new("public", "pair"),
            attributes: vec![("a".into(), "int".into())],
        };
        let kind = composite.name();
        let rule = format!("{HEAD}ops = [{{ kind = \"{kind}\" }}]\n");
        assert!(parse(&rule, "t", None).is_ok(), "{}", error_of(&rule));
    }

    #[test]
    fn string_condition_value_sets_match_what_ops_produce() {
        // Every value an op can carry for a closed condition is accepted.
        for v in ["pk", "unique", "check", "fk", "exclusion"] {
            assert!(parse(
                &format!("{HEAD}ops = [{{ kind = \"add_constraint\", constraint = \"{v}\" }}]\n"),
                "t",
                None
            )
            .is_ok());
        }
        for v in ["recreate", "in_place", "unknown"] {
            assert!(parse(
                &format!("{HEAD}ops = [{{ kind = \"change_column\", mode = \"{v}\" }}]\n"),
                "t",
                None
            )
            .is_ok());
        }
        // Free-text conditions stay free.
        assert!(parse(
            &format!("{HEAD}ops = [{{ kind = \"set_option\", name = \"lock_timeout\" }}]\n"),
            "t",
            None
        )
        .is_ok());
    }
}
