//! Operations × rules → findings.
//!
//! Pure: a migration and the rule set in, findings and the migration's phases out.
//! The classifier knows the context a single op does not: whether the target table
//! was created earlier in the same migration (`on_new_table` — no "non-concurrent
//! index" warning on a table nobody can be using yet) and whether the migration runs
//! in a transaction (`in_transaction`). SQL it could not parse is matched by the
//! rules' `sql_patterns` on text with comments and literals blanked (fail closed).

use crate::finding::{Disposition, Finding, Phase, Severity};
use crate::ir::{AttrValue, Migration, MigrationFormat, OpKind, Operation, QualifiedName};
pub use crate::locks::LockContext;
use crate::parse::sql::lexical::blank_for_patterns;
pub use crate::ruleset::UNREADABLE_RULES;
use crate::ruleset::{CodeRule, Rule, RuleSet};
use std::collections::{BTreeMap, BTreeSet};

mod enum_values;
mod identifiers;
pub mod prior;

/// What classifying one migration found.
#[derive(Debug, Clone, Default)]
pub struct Classified {
    pub findings: Vec<Finding>,
    /// Phases of every rule that matched an op, including `off` rules (the expand
    /// markers): what makes a migration expand, contract or both.
    pub phases: BTreeSet<Phase>,
    /// Objects the contract-phase matches touch (for annotation-mismatch messages).
    pub contract_objects: BTreeSet<String>,
}

/// Build a finding for `rule` at an op (or a migration position).
pub fn finding(
    rule: &Rule,
    migration: &Migration,
    span: Option<crate::ir::Span>,
    object: Option<String>,
    message: String,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        category: rule.category,
        phase: rule.phase,
        disposition: Disposition::Active,
        migration: Some(migration.name.clone()),
        file: Some(migration.file.clone()),
        span,
        object,
        message,
        help: Some(rule.instead.clone()),
        lock: None,
        table_stats: None,
        origin: None,
    }
}

/// A finding with no source position (a history row, a deleted file, a file with no
/// migration in it), help from the rule.
pub fn unlocated(
    rule: &Rule,
    migration: Option<String>,
    file: Option<std::path::PathBuf>,
    message: String,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        category: rule.category,
        phase: rule.phase,
        disposition: Disposition::Active,
        migration,
        file,
        span: None,
        object: None,
        message,
        help: Some(rule.instead.clone()),
        lock: None,
        table_stats: None,
        origin: None,
    }
}

/// Findings for one migration's `up()` ops, each `active` (the gate decides whether
/// it fails), plus the phases and contract objects its ops match; annotations,
/// suppressions and `--changed-since` give findings their disposition later.
pub fn classify(migration: &Migration, rules: &RuleSet) -> Classified {
    classify_with_prior(migration, rules, &[])
}

/// [`classify`] with what replay knew before each op (`prior[i]` for `up[i]`, see
/// [`prior::prior_facts`]); a missing entry means nothing is known.
pub fn classify_with_prior(
    migration: &Migration,
    rules: &RuleSet,
    prior: &[prior::OpPrior],
) -> Classified {
    classify_in(migration, rules, prior, &LockContext::default())
}

/// [`classify_with_prior`] with what is known around the migration for its locks:
/// the schema replayed before it, the server version and the runner's timeouts (see
/// `locks`).
pub fn classify_in(
    migration: &Migration,
    rules: &RuleSet,
    prior: &[prior::OpPrior],
    ctx: &LockContext,
) -> Classified {
    let mut out = Classified::default();
    let mut created: BTreeSet<QualifiedName> = BTreeSet::new();
    let facts = crate::locks::analyse(migration, ctx);
    let mut new_table = Vec::with_capacity(migration.up.len());
    // golang-migrate and Prisma send a multi-statement file as one script: only
    // PostgreSQL's implicit transaction, which the file's own BEGIN … COMMIT controls.
    let tool_transaction = migration.transactional
        && !matches!(
            migration.format,
            MigrationFormat::GolangMigrate | MigrationFormat::Prisma
        );
    for (index, (op, fact)) in migration.up.iter().zip(&facts).enumerate() {
        let known = prior.get(index).cloned().unwrap_or_default();
        let on_new_table = op.kind.table().is_some_and(|t| created.contains(t));
        new_table.push(on_new_table);
        // The tool's wrapper counts even after a COMMIT in the text (the
        // commitTransaction() workaround stays flagged, see README); an explicit
        // BEGIN block counts in a migration the tool runs without one.
        let in_transaction = migration.transactional || fact.scope.explicit_block;
        let context: BTreeMap<&'static str, AttrValue> = [
            ("on_new_table", AttrValue::Bool(on_new_table)),
            ("in_transaction", AttrValue::Bool(in_transaction)),
            ("not_null_proven", AttrValue::Bool(fact.not_null_proven)),
            ("tool_transaction", AttrValue::Bool(tool_transaction)),
        ]
        .into_iter()
        .collect();
        let lexical = matches!(op.kind, OpKind::Unparsed { .. } | OpKind::Opaque { .. })
            .then(|| blank_for_patterns(&op.text));
        let inline = inline_constraints(op);
        let all_null_fks = fks_on_all_null_column(&migration.up, index);
        // The op and the constraints it adds inline, each with its kind and
        // attributes: the same for every rule, so built once per op, not once per
        // rule (a map per rule per op was a visible share of lint's time).
        let candidates: Vec<(
            &Operation,
            crate::ir::OpName,
            BTreeMap<&'static str, AttrValue>,
        )> = std::iter::once(op)
            .chain(&inline)
            .map(|o| {
                let (kind, mut attrs) = (o.kind.op_name(), o.attributes());
                known.refine(kind, &mut attrs);
                if all_null_fks && !std::ptr::eq(o, op) && is_fk(o) {
                    attrs.insert("on_new_null_column", AttrValue::Bool(true));
                }
                (o, kind, attrs)
            })
            .collect();
        for rule in &rules.rules {
            // An op, or one of the constraints it adds inline, that the rule names.
            let matched = candidates
                .iter()
                .find(|(_, kind, attrs)| {
                    rule.ops
                        .iter()
                        .any(|m| m.matches_attributes(*kind, attrs, &context))
                })
                .map(|(o, _, _)| *o);
            let by_op = matched.is_some();
            let op = matched.unwrap_or(op);
            let by_text = lexical
                .as_deref()
                .is_some_and(|t| rule.sql_patterns.iter().any(|re| re.is_match(t)));
            if !(by_op || by_text) {
                continue;
            }
            out.phases.insert(rule.phase);
            let object = op.kind.object();
            if rule.phase == crate::finding::Phase::Contract {
                if let Some(o) = &object {
                    out.contract_objects.insert(o.clone());
                }
            }
            if rule.severity == Severity::Off {
                continue;
            }
            let mut message = message_for(rule, op, object.as_deref(), by_op);
            if fact.indexes_in_statement > 1 && rule.id == "drop-index-non-concurrent" {
                message.push_str(&format!(
                    " (this statement drops {} indexes; PostgreSQL takes one name with CONCURRENTLY, so write one `DROP INDEX CONCURRENTLY` per index)",
                    fact.indexes_in_statement
                ));
            }
            let mut f = finding(rule, migration, Some(op.span), object, message);
            f.lock = fact.lock.clone().filter(|_| !on_new_table);
            f.origin = op.origin.clone();
            out.findings.push(f);
        }
        if let OpKind::CreateTable { table, .. } = &op.kind {
            created.insert(table.clone());
        }
        if let OpKind::RenameTable { table, new_name } = &op.kind {
            if created.remove(table) {
                created.insert(new_name.clone());
            }
        }
    }
    for f in crate::locks::findings(migration, &facts, &new_table, rules) {
        out.phases.insert(f.phase);
        if f.phase == crate::finding::Phase::Contract {
            if let Some(o) = &f.object {
                out.contract_objects.insert(o.clone());
            }
        }
        out.findings.push(f);
    }
    out.findings.extend(identifiers::findings(migration, rules));
    out.findings
        .extend(enum_values::findings(migration, &facts, ctx, rules));
    if let Some(rule) = rules.enabled(CodeRule::ReadError) {
        for e in &migration.read_errors {
            out.findings.push(finding(
                rule,
                migration,
                Some(e.span),
                None,
                format!("could not read the migration: {}", e.message),
            ));
        }
    }
    out
}

/// Which unreadable rule an op falls under, if any.
pub fn unreadable_rule(op: &Operation) -> Option<CodeRule> {
    match op.kind {
        OpKind::Opaque { .. } => Some(CodeRule::OpaqueOperation),
        OpKind::Unparsed { .. } => Some(CodeRule::UnparsedSql),
        _ => None,
    }
}

/// One part of a migration migguard cannot read statically (see
/// [`unacknowledged_unreadable`]).
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadablePart {
    /// Where the migration shows it (the call in `up()` for a helper's op).
    pub span: crate::ir::Span,
    /// Where it is written, when that is inside a helper or an inherited base.
    pub origin: Option<Box<crate::ir::Origin>>,
    /// A short reason: `opaque: …`, `unparsed SQL: …`, `read error: …`.
    pub what: String,
}

/// The parts of `m` migguard cannot read statically and nobody acknowledged, with a
/// short reason each, in source order. `findings` are the migration's lint findings
/// with its suppressions applied: a part is acknowledged when the finding its rule
/// raised at its position was suppressed (with a reason — the only way a suppression
/// applies).
pub fn unacknowledged_unreadable(m: &Migration, findings: &[Finding]) -> Vec<UnreadablePart> {
    // Ops of one helper call share the call's span: their origin tells them apart.
    let acknowledged = |rule: CodeRule, op: &Operation| {
        findings.iter().any(|f| {
            rule.is(&f.rule)
                && f.span == Some(op.span)
                && f.origin == op.origin
                && matches!(f.disposition, Disposition::Suppressed { .. })
        })
    };
    let part = |span, origin: Option<&Box<crate::ir::Origin>>, what| UnreadablePart {
        span,
        origin: origin.cloned(),
        what,
    };
    let mut parts: Vec<UnreadablePart> =
        m.up.iter()
            .filter_map(|op| {
                let rule = unreadable_rule(op)?;
                if acknowledged(rule, op) {
                    return None;
                }
                let what = match &op.kind {
                    OpKind::Opaque { reason } => format!("opaque: {reason}"),
                    OpKind::Unparsed { reason } => format!("unparsed SQL: {reason}"),
                    _ => return None,
                };
                Some(part(op.span, op.origin.as_ref(), what))
            })
            .chain(
                m.read_errors
                    .iter()
                    .map(|e| part(e.span, None, format!("read error: {}", e.message))),
            )
            .collect();
    parts.sort_by_key(|p| (p.span.line, p.span.column));
    parts
}

/// `ADD COLUMN c int REFERENCES p` (or `UNIQUE`, `CHECK`, TypeORM `isUnique`) adds
/// a constraint as surely as `ADD CONSTRAINT` does, with the same locks and scans:
/// each is classified as that `add_constraint` too.
fn inline_constraints(op: &Operation) -> Vec<Operation> {
    let OpKind::AddColumn { table, column, .. } = &op.kind else {
        return Vec::new();
    };
    column
        .constraints
        .iter()
        .map(|c| Operation {
            kind: OpKind::AddConstraint {
                table: table.clone(),
                constraint: c.clone(),
            },
            ..op.clone()
        })
        .collect()
}

fn is_fk(op: &Operation) -> bool {
    matches!(&op.kind, OpKind::AddConstraint { constraint, .. }
        if matches!(constraint.kind, crate::ir::ConstraintKind::ForeignKey { .. }))
}

/// `ALTER TABLE t ADD COLUMN c int REFERENCES p`: every value of the new column is
/// NULL, so PostgreSQL marks the foreign key valid without the validation scan
/// (`transformFKConstraints` with `skipValidation`). Not when the column gets values
/// (a DEFAULT — even `DEFAULT NULL` —, serial, identity, a generated expression) or
/// the same statement also adds a table-level FOREIGN KEY: measured on PostgreSQL 15,
/// each of those scans. Only SQL: its actions of one statement are the consecutive
/// ops with the statement's text.
fn fks_on_all_null_column(ops: &[Operation], index: usize) -> bool {
    let op = &ops[index];
    if !matches!(op.kind, OpKind::AddColumn { .. }) {
        return false;
    }
    if op.source != crate::ir::OpSource::Sql || op.dynamic {
        return false;
    }
    let attrs = op.attributes();
    let set = |k: &str| attrs.get(k) == Some(&AttrValue::Bool(true));
    if set("has_default") || set("identity") || set("generated") {
        return false;
    }
    let same_statement = |o: &&Operation| {
        o.text == op.text && o.anchor_line == op.anchor_line && o.source == op.source
    };
    let before = ops[..index].iter().rev().take_while(same_statement);
    let after = ops[index + 1..].iter().take_while(same_statement);
    !before.chain(after).any(is_fk)
}

/// "drop-column: DROP COLUMN public.product.legacy_code" style message.
fn message_for(rule: &Rule, op: &Operation, object: Option<&str>, by_op: bool) -> String {
    let what = match (&op.kind, by_op) {
        (OpKind::Unparsed { reason }, _) if !by_op => {
            format!("unparsed SQL matches `{}` ({reason})", rule.id)
        }
        (OpKind::Opaque { reason }, _) if !by_op => {
            format!("opaque code matches `{}` ({reason})", rule.id)
        }
        (OpKind::Unparsed { reason }, true) => format!("could not parse statement: {reason}"),
        (OpKind::Opaque { reason }, true) => format!("cannot read statically: {reason}"),
        (kind, _) => {
            let verb = kind.name().replace('_', " ");
            match &op.source {
                crate::ir::OpSource::Builder { method } => {
                    format!("{verb} via queryRunner.{method}()")
                }
                crate::ir::OpSource::Sql => verb,
            }
        }
    };
    let mut msg = match object {
        Some(o) => format!("{what}: {o}"),
        None => what,
    };
    if op.dynamic {
        msg.push_str(" (SQL built at run time: object names may be incomplete)");
    }
    msg.push_str(" — ");
    msg.push_str(&rule.summary);
    msg
}

#[cfg(test)]
pub(crate) mod tests;
