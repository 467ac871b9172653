//! The rules: loaded from `rules/rules.toml` (embedded) or a user's file, validated,
//! and matched against operations. Nothing about what is destructive lives elsewhere.

use crate::finding::{Category, Phase, Severity};
use regex::Regex;

/// The default rules file, embedded in the binary.
pub const DEFAULT_RULES: &str = include_str!("../../rules/rules.toml");

/// One condition of an op matcher, e.g. `concurrently = false`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub name: String,
    pub value: crate::ir::AttrValue,
}

/// Matches one op kind under conditions.
#[derive(Debug, Clone)]
pub struct OpMatcher {
    pub kind: String,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub category: Category,
    pub phase: Phase,
    pub ops: Vec<OpMatcher>,
    /// Applied to `unparsed`/`opaque` op text with comments and literals blanked.
    pub sql_patterns: Vec<Regex>,
    pub summary: String,
    pub why: String,
    pub instead: String,
}

/// The loaded, validated rule set, in file order.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

impl RuleSet {
    /// The embedded default rules. (Interface stub; the lint engine work fills it in.)
    pub fn builtin() -> RuleSet {
        RuleSet::load(DEFAULT_RULES, "rules/rules.toml (built in)")
            .expect("built-in rules file is valid")
    }

    /// Load and validate a rules file; errors name `origin` with line and column.
    /// (Interface stub; the lint engine work fills it in.)
    pub fn load(text: &str, origin: &str) -> crate::error::Result<RuleSet> {
        let _ = (text, origin);
        Ok(RuleSet { rules: Vec::new() })
    }
}
