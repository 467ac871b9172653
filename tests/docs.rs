//! The documentation that is generated from code stays equal to it: `docs/rules.md` is
//! the built-in rules file rendered as Markdown. `MIGGUARD_BLESS=1` rewrites the page.

use migguard::ruleset::RuleSet;
use std::path::Path;

#[test]
fn rules_reference_page_matches_the_rules_file() {
    let expected = RuleSet::builtin().reference_markdown();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("MIGGUARD_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/rules.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date with rules/rules.toml; run `MIGGUARD_BLESS=1 cargo test --test docs`"
    );
}

#[test]
fn every_rule_is_in_the_reference_page() {
    let page = RuleSet::builtin().reference_markdown();
    for rule in RuleSet::builtin().rules {
        assert!(page.contains(&format!("| `{}` |", rule.id)), "{}", rule.id);
    }
}
