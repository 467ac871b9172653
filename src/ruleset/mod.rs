//! The rules: loaded from `rules/rules.toml` (embedded) or a user's file, validated,
//! and matched against operations. Nothing about what is destructive lives elsewhere:
//! the lint gate, release-check, the expand/contract checks and drift all read the
//! one [`RuleSet`] loaded here.

mod code_rules;
mod load;
mod rule_id;

pub use code_rules::CodeRule;
pub use rule_id::RuleId;

use crate::finding::{Category, Phase, Severity};
use crate::ir::{AttrValue, OpName, Operation};
use regex::Regex;
use std::collections::BTreeMap;

/// The default rules file, embedded in the binary.
pub const DEFAULT_RULES: &str = include_str!("../../rules/rules.toml");

/// The op-matching rule ids the product contract requires (docs/contract.md); the
/// rules raised from code are [`CodeRule::ALL`]. A user rules file may omit any of
/// them; the built-in definition is used then, so code that raises a rule by id always
/// finds it.
pub const REQUIRED_RULES: &[&str] = &[
    "drop-table",
    "drop-column",
    "rename-column",
    "rename-table",
    "drop-schema",
    "drop-database",
    "truncate-table",
    "delete-without-where",
    "change-column-recreate",
    "alter-column-type",
    "set-not-null",
    "add-column-not-null-without-default",
    "create-index-non-concurrent",
    "drop-index-non-concurrent",
    "concurrent-index-in-transaction",
    "add-foreign-key-validating",
    "add-check-validating",
    "add-unique-constraint",
    "drop-constraint",
    "drop-type",
    "update-without-where",
];

/// The rules that flag what migguard cannot read statically: an `opaque` op (code),
/// an `unparsed` op (SQL) and a reader error. The one definition of "unreadable" the
/// PR gate and release-check share: their severity is always `block` (the loader
/// refuses less), so lint fails where release-check would, and a reasoned
/// `migguard-ignore opaque-operation|unparsed-sql: <why>` acknowledges the part in
/// both. `read-error` cannot be suppressed at all.
pub const UNREADABLE_RULES: [CodeRule; 3] = [
    CodeRule::OpaqueOperation,
    CodeRule::UnparsedSql,
    CodeRule::ReadError,
];

/// Is `id` one of the [`UNREADABLE_RULES`]?
pub fn is_unreadable_rule(id: &str) -> bool {
    UNREADABLE_RULES.iter().any(|r| r.is(id))
}

/// One condition of an op matcher, e.g. `concurrently = false`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub name: String,
    pub value: AttrValue,
}

/// Matches one op kind under conditions.
#[derive(Debug, Clone)]
pub struct OpMatcher {
    /// Read into the kind registry when the rules file loads (an unknown name is a
    /// load error), so matching compares kinds, not strings.
    pub kind: OpName,
    pub conditions: Vec<Condition>,
}

impl OpMatcher {
    /// Does `op` (with the context attributes the classifier computed) match?
    pub fn matches(&self, op: &Operation, context: &BTreeMap<&'static str, AttrValue>) -> bool {
        self.matches_attributes(op.kind.op_name(), &op.attributes(), context)
    }

    /// [`matches`](Self::matches) with the op's kind name and attributes computed
    /// once by the caller (the classifier tries every rule against each op).
    pub fn matches_attributes(
        &self,
        kind: OpName,
        attrs: &BTreeMap<&'static str, AttrValue>,
        context: &BTreeMap<&'static str, AttrValue>,
    ) -> bool {
        kind == self.kind
            && self.conditions.iter().all(|c| {
                attrs
                    .get(c.name.as_str())
                    .or_else(|| context.get(c.name.as_str()))
                    .is_some_and(|v| *v == c.value)
            })
    }

    /// `create_index (concurrently = false, on_new_table = false)`
    pub fn describe(&self) -> String {
        if self.conditions.is_empty() {
            return self.kind.as_str().to_string();
        }
        let conds: Vec<String> = self
            .conditions
            .iter()
            .map(|c| match &c.value {
                AttrValue::Bool(b) => format!("{} = {b}", c.name),
                AttrValue::Str(s) => format!("{} = \"{s}\"", c.name),
            })
            .collect();
        format!("{} ({})", self.kind, conds.join(", "))
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// Shared with every finding of the rule.
    pub id: RuleId,
    pub severity: Severity,
    pub category: Category,
    pub phase: Phase,
    pub ops: Vec<OpMatcher>,
    /// Applied to `unparsed`/`opaque` op text with comments and literals blanked.
    pub sql_patterns: Vec<Regex>,
    pub summary: String,
    pub why: String,
    /// Shared with every finding of the rule as its help (one allocation, not one a
    /// finding: 108,000 findings held 16 MB of copies).
    pub instead: std::sync::Arc<str>,
    /// Size thresholds (`size = { block_above_rows, block_above_bytes }`): above
    /// either, the rule's findings block where the table's size is known.
    pub size: Option<crate::sizes::SizeThreshold>,
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

    /// A code-raised rule, unless it is turned off (`severity = "off"`): then code
    /// raises nothing for it.
    pub fn enabled(&self, rule: CodeRule) -> Option<&Rule> {
        self.get(rule.id()).filter(|r| r.severity != Severity::Off)
    }

    /// The embedded default rules.
    pub fn builtin() -> RuleSet {
        load::parse(DEFAULT_RULES, "rules/rules.toml (built in)", None)
            .expect("the built-in rules file is valid (checked by a test)")
    }

    /// Load and validate a rules file; errors name `origin` with line and column.
    ///
    /// A user file overrides built-in rules by id and may add its own. Every built-in
    /// rule the file does not define keeps its built-in definition: migguard raises
    /// several rules by id from code (`read-error`, the annotation checks) and uses
    /// the expand markers for `mixed-expand-contract`, so dropping a rule by leaving
    /// it out would fail open. To disable a rule, define it with `severity = "off"`;
    /// any field an overriding rule leaves out keeps its built-in value.
    pub fn load(text: &str, origin: &str) -> crate::error::Result<RuleSet> {
        let builtin = RuleSet::builtin();
        let mut set = load::parse(text, origin, Some(&builtin))?;
        for r in builtin.rules {
            if set.get(&r.id).is_none() {
                set.rules.push(r);
            }
        }
        Ok(set)
    }

    /// The rules as a Markdown reference page (`docs/rules.md` is this text; a test
    /// keeps the two equal, so the documentation cannot drift from the rules file).
    pub fn reference_markdown(&self) -> String {
        let mut out = String::from(
            "# Rules\n\n\
             Generated from `rules/rules.toml` (the built-in rules); `migguard rules` prints\n\
             the same list and `migguard explain <id>` one rule's full text. Do not edit by\n\
             hand: `MIGGUARD_BLESS=1 cargo test --test docs` rewrites it.\n\n\
             | rule | severity | category | phase | summary |\n\
             | --- | --- | --- | --- | --- |\n",
        );
        for r in &self.rules {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                r.id,
                r.severity.as_str(),
                r.category.as_str(),
                r.phase.as_str(),
                r.summary.replace('|', "\\|")
            ));
        }
        out.push_str(
            "\n## Size thresholds\n\n\
             Where the table's size is known (release-check reads it from the database;\n\
             `lint --table-stats FILE` from `migguard inspect --stats`), these rules block on a\n\
             table above the threshold and keep their severity below it or when the size is\n\
             unknown. Override them with `size = { … }` in a rules file.\n\n\
             | rule | blocks on a table |\n\
             | --- | --- |\n",
        );
        for r in &self.rules {
            if let Some(t) = &r.size {
                out.push_str(&format!("| `{}` | {} |\n", r.id, t.describe()));
            }
        }
        out
    }

    /// Closest rule id to `id`, for "did you mean" messages.
    pub fn closest(&self, id: &str) -> Option<&str> {
        self.rules
            .iter()
            .map(|r| (strsim::levenshtein(id, &r.id), r.id.as_str()))
            .filter(|(d, _)| *d <= 3)
            .min()
            .map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load_and_contain_every_required_id() {
        let set = RuleSet::builtin();
        for id in REQUIRED_RULES
            .iter()
            .copied()
            .chain(CodeRule::ALL.map(CodeRule::id))
        {
            assert!(set.get(id).is_some(), "{id} missing from rules/rules.toml");
        }
    }

    #[test]
    fn every_builtin_rule_is_documented() {
        for r in RuleSet::builtin().rules {
            assert!(
                !r.summary.trim().is_empty()
                    && !r.why.trim().is_empty()
                    && !r.instead.trim().is_empty(),
                "{}",
                r.id
            );
        }
    }

    #[test]
    fn user_file_may_omit_required_rules() {
        let text = r#"
[[rule]]
id = "drop-column"
severity = "warn"
category = "destructive"
phase = "contract"
ops = [{ kind = "drop_column" }]
summary = "s"
why = "w"
instead = "i"
"#;
        let set = RuleSet::load(text, "custom.toml").unwrap();
        assert_eq!(set.get("drop-column").unwrap().severity, Severity::Warn);
        assert_eq!(set.get("drop-table").unwrap().severity, Severity::Block);
        // Rules raised by code and the expand markers are kept too (fail closed).
        for id in ["read-error", "additive-change", "invalid-annotation"] {
            assert!(set.get(id).is_some(), "{id} dropped from a user rule set");
        }
        assert_eq!(set.rules.len(), RuleSet::builtin().rules.len());
    }

    #[test]
    fn user_rules_may_add_rules_and_turn_rules_off() {
        let text = r#"
[[rule]]
id = "no-extensions"
severity = "block"
category = "hygiene"
phase = "neutral"
ops = [{ kind = "create_extension" }]
summary = "s"
why = "w"
instead = "i"

[[rule]]
id = "drop-index-non-concurrent"
severity = "off"
category = "locking"
phase = "neutral"
ops = [{ kind = "drop_index", concurrently = false }]
summary = "s"
why = "w"
instead = "i"
"#;
        let set = RuleSet::load(text, "custom.toml").unwrap();
        assert_eq!(set.rules[0].id, "no-extensions");
        assert_eq!(
            set.get("drop-index-non-concurrent").unwrap().severity,
            Severity::Off
        );
        assert_eq!(set.rules.len(), RuleSet::builtin().rules.len() + 1);
    }

    #[test]
    fn an_override_may_name_only_what_it_changes() {
        let set = RuleSet::load(
            "[[rule]]\nid = \"drop-table\"\nseverity = \"off\"\n\n[[rule]]\nid = \"drop-column\"\nwhy = \"Our ORM reads every column.\"\n",
            "custom.toml",
        )
        .unwrap();
        let builtin = RuleSet::builtin();
        let (off, why) = (
            set.get("drop-table").unwrap(),
            set.get("drop-column").unwrap(),
        );
        let (b_off, b_why) = (
            builtin.get("drop-table").unwrap(),
            builtin.get("drop-column").unwrap(),
        );
        assert_eq!(off.severity, Severity::Off);
        assert_eq!((off.category, off.phase), (b_off.category, b_off.phase));
        assert_eq!(off.ops.len(), b_off.ops.len());
        assert_eq!(off.sql_patterns.len(), b_off.sql_patterns.len());
        assert_eq!(off.summary, b_off.summary);
        assert_eq!(why.severity, b_why.severity);
        assert_eq!(why.why, "Our ORM reads every column.");
        // A new rule has nothing to inherit: the missing field is an error at its id.
        let err = RuleSet::load(
            "[[rule]]\nid = \"mine\"\nseverity = \"warn\"\n",
            "custom.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 2, column 6: rule `mine` needs `category`"),
            "{err}"
        );
    }

    /// A user file's op kinds are read into the kind registry at load time: a
    /// misspelt kind is an error naming it and where it is, not a rule that never
    /// matches.
    #[test]
    fn an_unknown_kind_in_a_user_rules_file_is_an_error_naming_it() {
        let err = RuleSet::load(
            "[[rule]]\nid = \"drop-table\"\nops = [{ kind = \"drop_tabel\" }]\n",
            "team-rules.toml",
        )
        .unwrap_err();
        assert!(matches!(err, crate::error::Error::Rules { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains("team-rules.toml")
                && message.contains("line 3, column 17: unknown op kind `drop_tabel`"),
            "{message}"
        );
        // The list of valid kinds is the registry's.
        assert!(
            message.contains(&crate::ir::OpName::NAMES.join(", ")),
            "{message}"
        );
    }

    #[test]
    fn closest_suggests_a_near_miss() {
        assert_eq!(
            RuleSet::builtin().closest("drop-colum"),
            Some("drop-column")
        );
        assert_eq!(RuleSet::builtin().closest("zzzzzzzzzzzzz"), None);
    }

    /// Pins the distance the suggestions use: plain Levenshtein over chars (a
    /// transposition costs 2, a non-ASCII letter costs 1), cut off at 3.
    #[test]
    fn closest_counts_chars_and_charges_transpositions_twice() {
        let set = RuleSet::builtin();
        assert_eq!(set.closest("dorp-column"), Some("drop-column"));
        assert_eq!(set.closest("dröp-cölümn"), Some("drop-column"));
        assert_eq!(set.closest("dorp-colmun"), None);
    }
}
