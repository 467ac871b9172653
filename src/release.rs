//! release-check's judgement, apart from the database and the command line: given
//! the local migrations, their comparison with the history table and the permission,
//! which pending migrations may run. `commands::release_check` reads the history
//! (and, on a rollback, the live schema, and the sizes of the tables pending
//! migrations touch), calls these pure functions ([`judge`]) and reports; the
//! benchmark calls [`check`] directly.

use crate::annotations::expand_contract::contract_targets;
use crate::annotations::{annotations, ExpandRef};
use crate::classify::prior::OpPrior;
use crate::classify::{
    classify_with_prior, finding, unacknowledged_unreadable, unlocated, UnreadablePart,
};
use crate::db::history::HistoryKind;
use crate::db::history::{self, Comparison};
use crate::drift::diff::Kind;
use crate::drift::ItemKind;
use crate::finding::{Disposition, Finding, Gate, Phase};
use crate::ir::Migration;
use crate::ruleset::{CodeRule, RuleSet};

/// The parts of pending migration `m` that migguard cannot read and nobody
/// acknowledged, judged as the PR gate judges them: its lint `findings` with the
/// migration's suppressions applied.
fn unreadable_in(m: &Migration, findings: &[Finding], rules: &RuleSet) -> Vec<UnreadablePart> {
    let mut lint_findings = findings.to_vec();
    crate::annotations::suppress::apply(m, rules, &mut lint_findings);
    unacknowledged_unreadable(m, &lint_findings)
}

/// The checks, pure: local migrations (run order), the comparison with the history,
/// the rules and the permission flag → findings.
/// `prior` is what replay knew before each op ([`prior_facts`] of `migrations`), so
/// a pending migration is judged exactly as the PR gate judged it.
pub fn check(
    migrations: &[Migration],
    prior: &[Vec<OpPrior>],
    cmp: &Comparison,
    rules: &RuleSet,
    allow_destructive: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let rule = |id: CodeRule| rules.enabled(id);
    for name in &cmp.pending {
        let Some(i) = migrations.iter().position(|m| &m.name == name) else {
            continue;
        };
        let m = &migrations[i];
        let c = classify_with_prior(m, rules, prior.get(i).map_or(&[], Vec::as_slice));
        let contract = c.phases.contains(&Phase::Contract);
        // Fail closed: what cannot be read statically may drop or rename, so such a
        // pending migration needs the same permission as a contract migration —
        // unless each such part was acknowledged with a reasoned `migguard-ignore`,
        // exactly as the PR gate honours it (one definition: `classify`).
        let unreadable = unreadable_in(m, &c.findings, rules);
        if !contract && unreadable.is_empty() {
            continue;
        }
        let objects: Vec<String> = c.contract_objects.iter().cloned().collect();
        let a = annotations(m);
        // The first op that contracts, where a reviewer reads it — with its place in
        // a helper or base class as origin —, else the migration.
        let contracting = c
            .findings
            .iter()
            .find(|f| f.phase == Phase::Contract && f.span.is_some());
        let contract_span = contracting.and_then(|f| f.span).unwrap_or(m.span);
        let contract_origin = contracting.and_then(|f| f.origin.clone());
        if !allow_destructive {
            if let Some(r) = rule(CodeRule::DestructivePending) {
                let (span, origin, message) = if contract {
                    (contract_span, contract_origin, format!("pending migration `{}` drops, renames or empties {} and destructive migrations are not allowed in this release", m.name, contract_targets(&objects)))
                } else {
                    let part = &unreadable[0];
                    (part.span, part.origin.clone(), format!("pending migration `{}` has {} part(s) migguard cannot read statically ({}): they may be destructive, and destructive migrations are not allowed in this release", m.name, unreadable.len(), part.what))
                };
                let mut f = finding(r, m, Some(span), objects.first().cloned(), message);
                f.origin = origin;
                out.push(f);
            }
        } else {
            match a.expand.as_ref().map(|e| &e.value) {
                Some(ExpandRef::Migration(expand)) if cmp.applied.contains(expand) => {}
                Some(ExpandRef::Migration(expand)) => {
                    if let Some(r) = rule(CodeRule::ExpandNotApplied) {
                        let state = if cmp.pending.contains(expand) {
                            "is still pending (it would run in the same batch)"
                        } else {
                            "is not in this database's history"
                        };
                        let mut f = finding(r, m, Some(contract_span), objects.first().cloned(), format!("`{}` contracts `{expand}`, which {state}: deploy the expand migration and the code that uses it first", m.name));
                        f.origin = contract_origin.clone();
                        out.push(f);
                    }
                }
                Some(ExpandRef::None { .. }) => {}
                None if !a.problems.is_empty() => {
                    if let Some(r) = rule(CodeRule::ExpandNotApplied) {
                        out.push(finding(r, m, Some(m.span), None, format!("`{}` has a malformed @expand-migration annotation: cannot verify its expand migration is applied", m.name)));
                    }
                }
                None => {}
            }
        }
        // The PR gate owns annotation discipline; here a missing one is only a warning.
        if !contract {
            continue;
        }
        for (id, missing) in [
            (
                CodeRule::MissingDestructiveAnnotation,
                a.destructive.is_none(),
            ),
            (CodeRule::MissingExpandAnnotation, a.expand.is_none()),
        ] {
            if let (true, Some(r)) = (missing, rule(id)) {
                let mut f = finding(
                    r,
                    m,
                    Some(m.span),
                    None,
                    format!(
                        "pending contract migration `{}` has no `@{}` annotation",
                        m.name,
                        if id == CodeRule::MissingDestructiveAnnotation {
                            "destructive"
                        } else {
                            "expand-migration"
                        }
                    ),
                );
                f.disposition = Disposition::Advisory;
                out.push(f);
            }
        }
    }
    if let Some(r) = rule(CodeRule::UnknownAppliedMigration) {
        for name in &cmp.unknown_applied {
            // An older image redeployed: the tool runs nothing, and the old code is
            // what is wanted. Whether the newer migrations dropped something this
            // code reads is checked against the live schema (`rollback_breakage`).
            let message = if cmp.ahead_of_build {
                format!("rollback: the database has applied `{name}`, newer than this build's newest migration; this build does not know its changes (nothing is run)")
            } else {
                history::unknown_applied_message(
                    &format!("`{name}`"),
                    cmp.unknown_java.contains(name),
                    "is not in this build",
                )
            };
            let mut f = unlocated(r, Some(name.clone()), None, message);
            if cmp.ahead_of_build {
                f.disposition = Disposition::Advisory;
            }
            out.push(f);
        }
        let more = cmp.unknown_applied_count - cmp.unknown_applied.len();
        if more > 0 {
            out.push(unlocated(
                r,
                None,
                None,
                format!(
                    "… and {more} more applied migrations that are not in this build ({} in all)",
                    cmp.unknown_applied_count
                ),
            ));
        }
    }
    if let Some(r) = rule(CodeRule::HistoryProblem) {
        for p in &cmp.problems {
            out.push(unlocated(r, None, None, p.clone()));
        }
        let newest_applied = cmp.applied.last().map(String::as_str).unwrap_or("?");
        for name in &cmp.out_of_order {
            let Some(m) = migrations.iter().find(|m| &m.name == name) else {
                continue;
            };
            // TypeORM 0.3 runs it (MigrationExecutor's timestamp check is commented
            // out); Flyway's validate refuses it unless `outOfOrder` is on. Neither
            // makes it unsafe: what it does is checked above like any pending one.
            let tool = match m.format {
                crate::ir::MigrationFormat::Typeorm => "TypeORM runs it after it",
                crate::ir::MigrationFormat::FlywayVersioned
                | crate::ir::MigrationFormat::FlywayRepeatable => {
                    "Flyway refuses it unless `outOfOrder = true`"
                }
                // Both run every migration their ledger lacks, whatever its place.
                crate::ir::MigrationFormat::Diesel => "diesel runs it after it",
                crate::ir::MigrationFormat::Prisma => "`prisma migrate deploy` runs it after it",
                _ => "whether its tool runs it depends on the tool",
            };
            let mut f = finding(r, m, Some(m.span), None, format!("pending migration `{name}` is older than `{newest_applied}`, which is already applied (merged late): {tool}"));
            f.disposition = Disposition::Advisory;
            out.push(f);
        }
    }
    out
}

/// Kinds of drift item that mean an object this build's migrations create is gone.
const GONE: [Kind; 3] = [Kind::MissingTable, Kind::MissingColumn, Kind::MissingView];

/// A rollback (the database ahead of the build): the objects this build's migrations
/// create that the live database no longer has — dropped or renamed by one of the
/// newer migrations (the history holds only their names, so the live schema is the
/// only witness). The old code may read them, so each one blocks. Pure: `items` is
/// the drift analysis of the live schema against this build.
pub fn rollback_breakage(
    items: &[crate::drift::DriftItem],
    unknown: &[String],
    rules: &RuleSet,
) -> Vec<Finding> {
    let Some(r) = rules.enabled(CodeRule::UnknownAppliedMigration) else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|i| !i.reconcilable)
        .filter_map(|i| match i.kind {
            ItemKind::Schema(kind) if GONE.contains(&kind) => Some((i, kind.lone_object()?)),
            _ => None,
        })
        .map(|(i, what)| {
            let mut f = unlocated(
                r,
                None,
                None,
                format!(
                    "rollback: {what} {} is gone from the database, but this build's migrations create it and its code may read it — dropped or renamed by a newer migration ({}); redeploy a build that has those migrations, or restore it",
                    i.object,
                    unknown.join(", ")
                ),);
            f.object = Some(i.object.clone());
            f
        })
        .collect()
}

/// One destructive pending migration the permission let through: the release log's
/// record of who allowed what (`history.allowed_destructive` in JSON).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AllowedDestructive {
    pub migration: String,
    /// What it drops, renames or empties (`schema.table[.column]`), as classified.
    pub drops: Vec<String>,
    /// Parts migguard could not read (which may be destructive), with the reason.
    pub unreadable: Vec<String>,
    /// The `@expand-migration` it names; `None` for `NONE (…)` or no annotation.
    pub expand_migration: Option<String>,
    /// When the expand migration was applied, where the ledger records it.
    pub expand_applied_at: Option<String>,
    /// The same as a sentence, saying why when the time is not known.
    pub expand_applied: String,
}

/// The destructive pending migrations (contract or unreadable) that no failing
/// finding holds back, once destructive migrations are allowed. Pure.
pub fn allowed_destructive(
    migrations: &[Migration],
    prior: &[Vec<OpPrior>],
    cmp: &Comparison,
    rules: &RuleSet,
    findings: &[Finding],
) -> Vec<AllowedDestructive> {
    let mut out = Vec::new();
    for name in &cmp.pending {
        let Some(i) = migrations.iter().position(|m| &m.name == name) else {
            continue;
        };
        let m = &migrations[i];
        let c = classify_with_prior(m, rules, prior.get(i).map_or(&[], Vec::as_slice));
        let unreadable: Vec<String> = unreadable_in(m, &c.findings, rules)
            .into_iter()
            .map(|p| format!("line {}: {}", p.span.line, p.what))
            .collect();
        let destructive = c.phases.contains(&Phase::Contract) || !unreadable.is_empty();
        let held_back = findings
            .iter()
            .any(|f| Gate::BLOCK.fails(f) && f.migration.as_deref() == Some(name));
        if !destructive || held_back {
            continue;
        }
        let a = annotations(m);
        let (expand_migration, expand_applied_at, expand_applied) = match a
            .expand
            .as_ref()
            .map(|e| &e.value)
        {
            Some(ExpandRef::Migration(expand)) => {
                let at = cmp.applied_at.get(expand).cloned();
                let said = match (&at, cmp.kind) {
                        (Some(at), _) => format!("`{expand}` applied {at}"),
                        (None, HistoryKind::Typeorm) => format!("`{expand}` is applied; when is not recorded (TypeORM's `timestamp` column is the migration's own timestamp, not the time it ran)"),
                        (None, HistoryKind::GolangMigrate) => format!("`{expand}` is applied; when is not recorded (golang-migrate keeps only the current version)"),
                        (None, HistoryKind::Flyway | HistoryKind::Diesel | HistoryKind::Prisma) => format!("`{expand}` is applied; when is not recorded"),
                    };
                (Some(expand.clone()), at, said)
            }
            Some(ExpandRef::None { reason }) => {
                (None, None, format!("no expand migration (NONE: {reason})"))
            }
            None => (None, None, "no @expand-migration annotation".to_string()),
        };
        out.push(AllowedDestructive {
            migration: name.clone(),
            drops: c.contract_objects.iter().cloned().collect(),
            unreadable,
            expand_migration,
            expand_applied_at,
            expand_applied,
        });
    }
    out
}

/// The audit entry as one sentence, for every output format.
pub fn allowed_message(a: &AllowedDestructive) -> String {
    let mut what = Vec::new();
    if !a.drops.is_empty() {
        what.push(format!("drops, renames or empties {}", a.drops.join(", ")));
    }
    if a.drops.is_empty() && a.unreadable.is_empty() {
        what.push(format!(
            "drops, renames or empties {}",
            contract_targets(&[])
        ));
    }
    if !a.unreadable.is_empty() {
        what.push(format!(
            "has {} part(s) migguard cannot read ({})",
            a.unreadable.len(),
            a.unreadable.join("; ")
        ));
    }
    format!(
        "allowed destructive migration `{}`: {}; expand: {}",
        a.migration,
        what.join(" and "),
        a.expand_applied
    )
}

/// release-check's verdict once the database was read: every finding, sorted, the
/// destructive migrations the permission let through, and the notes they bring.
#[derive(Debug)]
pub struct Judgement {
    pub findings: Vec<Finding>,
    pub allowed: Vec<AllowedDestructive>,
    /// One line for each migration let through.
    pub notes: Vec<String>,
}

/// The pending migrations' [`check`], with `judged_elsewhere` (size-aware findings,
/// unreadable files, rollback breakage, [`missing_history_table`]) and, with the
/// permission, the audit finding of each destructive migration it let through
/// (allowed, not failing). Pure.
pub fn judge(
    migrations: &[Migration],
    prior: &[Vec<OpPrior>],
    cmp: &Comparison,
    rules: &RuleSet,
    allow_destructive: bool,
    judged_elsewhere: Vec<Finding>,
) -> Judgement {
    let mut findings = check(migrations, prior, cmp, rules, allow_destructive);
    findings.extend(judged_elsewhere);
    let allowed = if allow_destructive {
        allowed_destructive(migrations, prior, cmp, rules, &findings)
    } else {
        Vec::new()
    };
    let mut notes = Vec::new();
    if let Some(r) = rules.enabled(CodeRule::DestructivePending) {
        for a in &allowed {
            let Some(m) = migrations.iter().find(|m| m.name == a.migration) else {
                continue;
            };
            let mut f = finding(
                r,
                m,
                Some(m.span),
                a.drops.first().cloned(),
                allowed_message(a),
            );
            f.disposition = Disposition::Allowed {
                by: PERMISSION.to_string(),
            };
            findings.push(f);
            notes.push(allowed_message(a));
        }
    }
    crate::finding::sort_findings(&mut findings);
    Judgement {
        findings,
        allowed,
        notes,
    }
}

/// The contract for a history table that does not exist: nothing is applied, and
/// the report says so as an advisory `history-problem` finding, so that JSON and
/// SARIF consumers see it too.
pub fn missing_history_table(rules: &RuleSet, table: &str) -> Option<Finding> {
    let r = rules.enabled(CodeRule::HistoryProblem)?;
    let mut f = unlocated(
        r,
        None,
        None,
        format!("history table `{table}` does not exist: treating every migration as pending"),
    );
    f.disposition = Disposition::Advisory;
    Some(f)
}

/// What the history says, in one line: applied and pending counts, the pending
/// names, and those out of order.
pub fn history_summary(cmp: &Comparison) -> String {
    format!(
        "{} applied, {} pending{}{}",
        cmp.applied.len(),
        cmp.pending.len(),
        if cmp.pending.is_empty() {
            String::new()
        } else {
            format!(": {}", cmp.pending.join(", "))
        },
        if cmp.out_of_order.is_empty() {
            String::new()
        } else {
            format!(" (out of order: {})", cmp.out_of_order.join(", "))
        },
    )
}

/// Why the audit findings are not failing (SARIF's suppression justification).
pub const PERMISSION: &str =
    "destructive migrations allowed for this release (--allow-destructive or ALLOW_DESTRUCTIVE_MIGRATIONS=true)";
