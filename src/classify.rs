//! Operations × rules → findings.
//! (Interface stub; the lint engine work fills it in.)

use crate::finding::Finding;
use crate::ir::Migration;
use crate::ruleset::RuleSet;

/// Findings for one migration's `up()` ops (status `failing`/`warning` by severity;
/// annotations, suppressions and `--changed-since` adjust statuses afterwards).
pub fn classify_migration(migration: &Migration, rules: &RuleSet) -> Vec<Finding> {
    let _ = (migration, rules);
    Vec::new()
}
