//! `enum-value-change`: the enum changes that fail a migration or break the code
//! around it, which need more than one op to see.
//!
//! - `ALTER TYPE … ADD VALUE` inside a transaction block fails on PostgreSQL before
//!   12 ("ALTER TYPE ... ADD cannot run inside a transaction block").
//! - On 12+ it runs, but the new label cannot be used until the transaction commits:
//!   a later statement of the same transaction that writes it fails with `unsafe use
//!   of new value` (checked on PostgreSQL 15, also for a type created in the same
//!   transaction and for an `ADD COLUMN … DEFAULT '<label>'`).
//! - TypeORM removes labels by recreating the type (`ALTER TYPE t RENAME TO t_old`,
//!   `CREATE TYPE t AS ENUM (…)`, `ALTER COLUMN … TYPE t USING …`, `DROP TYPE t_old`):
//!   the labels the new type lacks are gone, and old code writing them fails.
//!
//! `RENAME VALUE` is matched as an op by the rule itself (`rules/rules.toml`).

use crate::finding::Finding;
use crate::ir::{Migration, OpKind, QualifiedName};
use crate::locks::{LockContext, OpAnalysis, ASSUMED_POSTGRES_MAJOR};
use crate::ruleset::{CodeRule, RuleSet};
use std::collections::BTreeMap;

/// `'label'` as a SQL string literal (also inside a TypeORM `default: "'label'"`).
fn quoted_label(label: &str) -> String {
    format!("'{}'", label.replace('\'', "''"))
}

/// The findings for `migration`, whose ops were analysed into `facts` under `ctx`.
pub fn findings(
    migration: &Migration,
    facts: &[OpAnalysis],
    ctx: &LockContext,
    rules: &RuleSet,
) -> Vec<Finding> {
    let Some(rule) = rules.enabled(CodeRule::EnumValueChange) else {
        return Vec::new();
    };
    let major = ctx.postgres_major.unwrap_or(ASSUMED_POSTGRES_MAJOR);
    let mut out = Vec::new();
    let mut push = |op: &crate::ir::Operation, message: String| {
        out.push(super::finding(
            rule,
            migration,
            Some(op.span),
            op.kind.object(),
            message,
        ));
    };
    // Types renamed away in this migration: their old name → their labels, from the
    // schema just before the rename (earlier ops of this migration included).
    let mut renamed_away: BTreeMap<QualifiedName, Option<Vec<String>>> = BTreeMap::new();
    for (i, (op, fact)) in migration.up.iter().zip(facts).enumerate() {
        match &op.kind {
            OpKind::AddEnumValue { name, value, .. } => {
                let in_transaction = migration.transactional || fact.scope.explicit_block;
                if in_transaction && major < 12 {
                    push(op, format!(
                        "ALTER TYPE {name} ADD VALUE runs inside a transaction: PostgreSQL {major} refuses that (\"ALTER TYPE ... ADD cannot run inside a transaction block\"; allowed from 12)"
                    ));
                } else if let Some(tx) = fact.scope.transaction {
                    let literal = quoted_label(value);
                    let first_use = migration.up[i + 1..]
                        .iter()
                        .zip(&facts[i + 1..])
                        .find(|(o, f)| f.scope.transaction == Some(tx) && o.text.contains(&literal));
                    if let Some((user, _)) = first_use {
                        push(user, format!(
                            "uses {literal}, which ALTER TYPE {name} ADD VALUE added earlier in the same transaction: PostgreSQL fails it with \"unsafe use of new value\" until that transaction commits"
                        ));
                    }
                }
            }
            OpKind::RenameType { name, .. } => {
                renamed_away.insert(name.clone(), fact.renamed_enum_labels.clone());
            }
            OpKind::CreateTypeEnum { name, labels: new } => match renamed_away.remove(name) {
                Some(Some(old)) => {
                    let removed: Vec<String> = old
                        .iter()
                        .filter(|l| !new.contains(l))
                        .map(|l| quoted_label(l))
                        .collect();
                    if !removed.is_empty() {
                        push(op, format!(
                            "recreates enum {name} without {}: rows and old code using {} fail once the column is cast to the new type",
                            removed.join(", "),
                            if removed.len() == 1 { "it" } else { "them" }
                        ));
                    }
                }
                Some(None) => push(op, format!(
                    "recreates enum {name} after renaming the old type away; the labels it had are not known from the migrations, so removed labels cannot be ruled out"
                )),
                None => {}
            },
            _ => {}
        }
    }
    out
}
