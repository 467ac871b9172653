//! Expand/contract discipline (docs/contract.md, "Expand/contract").
//!
//! A migration is a *contract* migration when any of its operations matches a rule
//! with `phase = "contract"` (drop, rename, truncate…). It must say so with
//! `@destructive: <what>` and name the earlier additive migration it completes with
//! `@expand-migration: <Name>` (or `NONE (<reason>)`). Correctly annotated, its
//! destructive findings are `acknowledged` instead of failing. The checks here are
//! pure: migrations, their classification and the rules in, findings out.

use super::{annotations, ExpandRef};
use crate::classify::{finding, Classified};
use crate::finding::{Disposition, Finding, Phase};
use crate::ir::Migration;
use crate::ruleset::{CodeRule, RuleSet};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The expand/contract recipe, with the concrete names, for help texts. `expand_hint`
/// is the latest earlier migration that only expands, the likely step 1.
fn recipe(m: &Migration, objects: &[String], expand_hint: Option<&str>) -> String {
    let c = if m.format == crate::ir::MigrationFormat::Typeorm {
        "//"
    } else {
        "--"
    };
    let what = if objects.is_empty() {
        "the old objects".to_string()
    } else {
        objects.join(", ")
    };
    let (expand_name, which) = match expand_hint {
        Some(n) => (
            n,
            " (the latest earlier additive migration, if that is the one that added the replacement)",
        ),
        None => ("<the step-1 migration's name>", ""),
    };
    format!(
        "Expand/contract: 1) ship an additive migration that adds the replacement (and backfills it); \
         2) deploy code that no longer reads {what}; \
         3) then ship `{}` with `{c} @destructive: <what it drops, renames or empties, e.g. {}> (<why>)` and \
         `{c} @expand-migration: {expand_name}`{which}, or `NONE (<reason>)` if nothing replaces it.",
        m.name,
        objects.first().map(String::as_str).unwrap_or("table.column"),
    )
}

/// The latest migration that runs before `m` and only expands: the likely expand step.
/// The latest purely additive migration before each point in run order: the hint for
/// a contract migration that names no expand migration. Sorted once, so a project of
/// thousands of migrations is not scanned once per contract migration.
struct ExpandIndex<'a> {
    /// Purely additive migrations, sorted by run order.
    expands: Vec<&'a Migration>,
}

impl<'a> ExpandIndex<'a> {
    fn new(migrations: &'a [Migration], classified: &[Classified]) -> Self {
        let mut expands: Vec<&Migration> = migrations
            .iter()
            .zip(classified)
            .filter(|(_, c)| {
                c.phases.contains(&Phase::Expand) && !c.phases.contains(&Phase::Contract)
            })
            .map(|(m, _)| m)
            .collect();
        expands.sort_by(|a, b| a.order.cmp(&b.order));
        ExpandIndex { expands }
    }

    fn before(&self, m: &Migration) -> Option<&'a str> {
        let n = self.expands.partition_point(|x| x.order < m.order);
        n.checked_sub(1).map(|i| self.expands[i].name.as_str())
    }
}

/// Run the checks over all migrations (sorted in run order) and their classification
/// (same order): the discipline's own findings, and which contract findings the
/// annotations cover ([`Acknowledged::apply`]). Apart, so that the caller can move
/// each classified finding once, into a vector sized for all of them.
pub fn check<'m>(
    migrations: &'m [Migration],
    classified: &[Classified],
    rules: &RuleSet,
) -> (Vec<Finding>, Acknowledged<'m>) {
    let mut findings = Vec::new();
    let expands = ExpandIndex::new(migrations, classified);
    let by_name: HashMap<&str, &Migration> =
        migrations.iter().map(|m| (m.name.as_str(), m)).collect();
    // Acknowledged contract migrations, with the objects their `@destructive:` does
    // not name: findings on those stay failing (naming one drop must not cover all).
    let mut acknowledged: HashMap<&str, HashSet<String>> = HashMap::new();
    for (m, c) in migrations.iter().zip(classified) {
        let a = annotations(m);
        let mut add = |id: CodeRule, span, message: String, help: Option<Arc<str>>| {
            if let Some(rule) = rules.enabled(id) {
                let mut f = finding(rule, m, span, None, message);
                if help.is_some() {
                    f.help = help;
                }
                findings.push(f);
            }
        };
        for (span, msg) in &a.problems {
            add(CodeRule::InvalidAnnotation, Some(*span), msg.clone(), None);
        }
        let is_contract = c.phases.contains(&Phase::Contract);
        let is_expand = c.phases.contains(&Phase::Expand);
        if !is_contract {
            if let Some(d) = &a.destructive {
                if let Some(rule) = rules.enabled(CodeRule::AnnotationMismatch) {
                    let mut f = finding(
                        rule,
                        m,
                        Some(d.span),
                        None,
                        format!("`@destructive: {}` but `{}` drops, renames or empties nothing migguard can see: remove the annotation, or check that the destructive statement is in this migration", d.value, m.name),);
                    f.disposition = Disposition::Advisory;
                    findings.push(f);
                }
            }
            continue;
        }
        let objects: Vec<String> = c
            .contract_objects
            .iter()
            .map(|o| shown_object(o))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let hint = expands.before(m);
        // Both missing annotations show the same recipe: written once, shared.
        let mut shared_recipe: Option<Arc<str>> = None;
        let mut recipe = || {
            shared_recipe
                .get_or_insert_with(|| recipe(m, &objects, hint).into())
                .clone()
        };
        let mut ok = true;
        let mut unnamed: HashSet<String> = HashSet::new();
        if is_expand {
            ok = false;
            add(
                CodeRule::MixedExpandContract,
                Some(m.span),
                format!("`{}` both adds and drops, renames or empties ({}): split it into an expand migration and a later contract migration", m.name, contract_targets(&objects)),
                None,
            );
        }
        match &a.destructive {
            None => {
                ok = false;
                add(
                    CodeRule::MissingDestructiveAnnotation,
                    Some(m.span),
                    format!(
                        "`{}` drops, renames or empties {} but has no `@destructive:` annotation",
                        m.name,
                        contract_targets(&objects)
                    ),
                    Some(recipe()),
                );
            }
            Some(d) => {
                unnamed = objects
                    .iter()
                    .filter(|o| !mentions_any(&d.value, std::slice::from_ref(*o)))
                    .cloned()
                    .collect();
                if unnamed.len() == objects.len() && !objects.is_empty() {
                    add(
                        CodeRule::AnnotationMismatch,
                        Some(d.span),
                        format!("`@destructive: {}` does not name what the migration drops, renames or empties: {}", d.value, objects.join(", ")),
                        None,
                    );
                } else if !unnamed.is_empty() {
                    let list: Vec<&str> = unnamed.iter().map(String::as_str).collect();
                    add(
                        CodeRule::AnnotationMismatch,
                        Some(d.span),
                        format!("`@destructive: {}` does not name {}: each object the migration drops, renames or empties must be named, and those not named stay unacknowledged", d.value, list.join(", ")),
                        None,
                    );
                }
            }
        }
        match &a.expand {
            None => {
                ok = false;
                add(
                    CodeRule::MissingExpandAnnotation,
                    Some(m.span),
                    format!(
                        "`{}` is a contract migration but names no `@expand-migration:`",
                        m.name
                    ),
                    Some(recipe()),
                );
            }
            Some(e) => match &e.value {
                ExpandRef::None { .. } => {}
                ExpandRef::Migration(name) => match by_name.get(name.as_str()) {
                    None => {
                        ok = false;
                        let closest = migrations
                            .iter()
                            .map(|x| (strsim::levenshtein(name, &x.name), &x.name))
                            .filter(|(d, _)| *d <= 5)
                            .min()
                            .map(|(_, n)| format!(" (did you mean `{n}`?)"))
                            .unwrap_or_default();
                        add(CodeRule::UnknownExpandMigration, Some(e.span), format!("`@expand-migration: {name}` names no migration that migguard read{closest}"), None);
                    }
                    Some(x) if x.order >= m.order => {
                        ok = false;
                        add(
                            CodeRule::ExpandNotBeforeContract,
                            Some(e.span),
                            format!("expand migration `{name}` does not run before `{}` (the migration tool runs them by timestamp/version)", m.name),
                            None,
                        );
                    }
                    Some(_) => {}
                },
            },
        }
        if ok {
            acknowledged.insert(&m.name, unnamed);
        }
    }
    (findings, Acknowledged(acknowledged))
}

/// The correctly annotated contract migrations, each with the objects its
/// `@destructive:` does not name (findings on those stay failing: naming one drop
/// must not cover all).
pub struct Acknowledged<'m>(HashMap<&'m str, HashSet<String>>);

impl Acknowledged<'_> {
    /// Acknowledge `f` when it is a contract finding of such a migration on an
    /// object the annotation names. The discipline's own findings are neutral, so
    /// applying this to them changes nothing.
    pub fn apply(&self, f: &mut Finding) {
        let Some(unnamed) = f.migration.as_deref().and_then(|n| self.0.get(n)) else {
            return;
        };
        let named = f
            .object
            .as_deref()
            .is_none_or(|o| !unnamed.contains(&shown_object(o)));
        if f.phase == Phase::Contract
            && !matches!(f.disposition, Disposition::Suppressed { .. })
            && named
        {
            f.disposition = Disposition::Acknowledged;
        }
    }
}

/// Objects as a user writes them: `product.legacy_code`, not
/// `public.product.legacy_code` (the default schema adds nothing to a help text).
fn shown_object(o: &str) -> String {
    o.strip_prefix("public.").unwrap_or(o).to_string()
}

/// What a contract migration drops, renames or empties, for messages: the objects,
/// or a plain statement that they could not be named (a match in unparsed or
/// run-time SQL names no object).
pub fn contract_targets(objects: &[String]) -> String {
    if objects.is_empty() {
        "objects migguard cannot name (unparsed or run-time SQL)".to_string()
    } else {
        objects.join(", ")
    }
}

/// Does the annotation text mention one of the objects (as `table.column`, `column`
/// or `table`, case-insensitive)?
fn mentions_any(text: &str, objects: &[String]) -> bool {
    let t = text.to_lowercase();
    objects.iter().any(|o| {
        let parts: Vec<String> = o.to_lowercase().split('.').map(str::to_string).collect();
        // schema.table[.column]: accept the last two parts joined, or the last part.
        let last = parts.last().cloned().unwrap_or_default();
        let last_two = parts[parts.len().saturating_sub(2)..].join(".");
        // Whole words only: table `b` is not named by the word "table".
        contains_word(&t, &last_two) || contains_word(&t, &last)
    })
}

fn contains_word(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_ident(before) && !is_ident(after)
    })
}

/// What lint does with [`check`]: every classified finding, acknowledged where the
/// annotations cover it, then the discipline's own.
#[cfg(test)]
fn checked(migrations: &[Migration], classified: &[Classified], rules: &RuleSet) -> Vec<Finding> {
    let (own, acknowledged) = check(migrations, classified, rules);
    let mut findings: Vec<Finding> = classified.iter().flat_map(|c| c.findings.clone()).collect();
    findings.iter_mut().for_each(|f| acknowledged.apply(f));
    findings.extend(own);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;
    use crate::finding::{Gate, Status};
    use crate::parse::sql::read_sql_texts;

    fn read(path: &str, sql: &str) -> Migration {
        read_sql_texts(&[(path, sql)]).remove(0)
    }

    fn run(ms: Vec<Migration>) -> Vec<(String, String, Status)> {
        let rules = RuleSet::builtin();
        let classified: Vec<Classified> = ms.iter().map(|m| classify(m, &rules)).collect();
        let findings = super::checked(&ms, &classified, &rules);
        // Locking findings (lock-timeout-missing on every ALTER) are not what these
        // tests are about.
        findings
            .into_iter()
            .filter(|f| f.category != crate::finding::Category::Locking)
            .map(|f| {
                let status = Gate::BLOCK.status(&f);
                (f.migration.unwrap_or_default(), f.rule.to_string(), status)
            })
            .collect()
    }

    const EXPAND: &str = "ALTER TABLE product ADD COLUMN smile_code text;";

    #[test]
    fn annotated_contract_is_acknowledged() {
        let r = run(vec![
            read("0001_add_smile.sql", EXPAND),
            read("0002_drop_legacy.sql", "-- @destructive: DROP COLUMN product.legacy_code\n-- @expand-migration: 0001_add_smile\nALTER TABLE product DROP COLUMN legacy_code;"),
        ]);
        assert_eq!(
            r,
            vec![(
                "0002_drop_legacy".into(),
                "drop-column".into(),
                Status::Acknowledged
            )]
        );
    }

    #[test]
    fn unannotated_contract_fails_twice() {
        let r = run(vec![read(
            "0002_drop.sql",
            "ALTER TABLE product DROP COLUMN legacy_code;",
        )]);
        let ids: Vec<&str> = r.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "drop-column",
                "missing-destructive-annotation",
                "missing-expand-annotation"
            ]
        );
        assert!(r.iter().all(|x| x.2 == Status::Failing));
    }

    #[test]
    fn unknown_and_late_expand_migrations() {
        let contract = "-- @destructive: DROP COLUMN product.legacy_code\n-- @expand-migration: 0001_add_smil\nALTER TABLE product DROP COLUMN legacy_code;";
        let r = run(vec![
            read("0001_add_smile.sql", EXPAND),
            read("0002_drop.sql", contract),
        ]);
        assert!(r.iter().any(|x| x.1 == "unknown-expand-migration"));
        let late = "-- @destructive: DROP COLUMN product.legacy_code\n-- @expand-migration: 0003_add_smile\nALTER TABLE product DROP COLUMN legacy_code;";
        let r = run(vec![
            read("0002_drop.sql", late),
            read("0003_add_smile.sql", EXPAND),
        ]);
        assert!(r.iter().any(|x| x.1 == "expand-not-before-contract"));
        assert!(r
            .iter()
            .any(|x| x.1 == "drop-column" && x.2 == Status::Failing));
    }

    #[test]
    fn mixed_and_mismatch() {
        let mixed = "-- @destructive: DROP COLUMN product.legacy_code\n-- @expand-migration: NONE (never read)\nALTER TABLE product ADD COLUMN smile text;\nALTER TABLE product DROP COLUMN legacy_code;";
        let r = run(vec![read("0002_mixed.sql", mixed)]);
        assert!(r.iter().any(|x| x.1 == "mixed-expand-contract"));
        let mismatch = "-- @destructive: DROP COLUMN product.other\n-- @expand-migration: NONE (never read)\nALTER TABLE product DROP COLUMN legacy_code;";
        let r = run(vec![read("0002_mm.sql", mismatch)]);
        assert!(r
            .iter()
            .any(|x| x.1 == "annotation-mismatch" && x.2 == Status::Warning));
        // What the annotation does not name is not acknowledged (issue 10).
        assert!(r
            .iter()
            .any(|x| x.1 == "drop-column" && x.2 == Status::Failing));
    }

    #[test]
    fn naming_one_drop_does_not_acknowledge_the_others() {
        let sql = "-- @destructive: drop table a (unused since 2023)\n-- @expand-migration: NONE (nothing replaces it)\nDROP TABLE a;\nDROP TABLE b;";
        let r = run(vec![read("0002_drops.sql", sql)]);
        let drops: Vec<Status> = r
            .iter()
            .filter(|x| x.1 == "drop-table")
            .map(|x| x.2)
            .collect();
        assert_eq!(drops, vec![Status::Acknowledged, Status::Failing], "{r:?}");
        assert!(
            r.iter().any(|x| x.1 == "annotation-mismatch"),
            "the unnamed drop is reported: {r:?}"
        );
    }

    #[test]
    fn destructive_on_a_migration_that_destroys_nothing_is_a_warning() {
        let sql = "-- @destructive: drop table a (old)\n-- @expand-migration: NONE (x)\nCREATE TABLE c (id int);";
        let r = run(vec![read("0002_add.sql", sql)]);
        assert_eq!(
            r.iter().map(|x| (x.1.as_str(), x.2)).collect::<Vec<_>>(),
            vec![("annotation-mismatch", Status::Warning)]
        );
    }

    #[test]
    fn mention_matching() {
        let objs = vec!["public.product.legacy_code".to_string()];
        assert!(mentions_any("DROP COLUMN product.legacy_code", &objs));
        assert!(mentions_any("drop legacy_code (moved)", &objs));
        assert!(!mentions_any("drop legacy_codes", &objs));
    }
}

/// The checks over hand-built migrations and classifications: no reader involved, so
/// each case shows exactly which input produces which finding.
#[cfg(test)]
mod in_memory {
    use super::*;
    use crate::finding::{Gate, Status};
    use crate::ir::test_support::MigrationBuilder;
    use crate::ir::Span;
    use std::collections::BTreeSet;

    fn migration(name: &str, version: u128, header: &[&str]) -> Migration {
        let m = MigrationBuilder::typeorm(name)
            .span(Span {
                line: 10,
                column: 1,
                ..Span::default()
            })
            .header(header)
            .build();
        assert_eq!(m.version, Some(version.to_string()), "{name}");
        m
    }

    /// A migration classified as dropping `object` (contract) and/or adding (expand).
    fn classified(m: &Migration, rules: &RuleSet, drops: Option<&str>, adds: bool) -> Classified {
        let mut c = Classified {
            findings: vec![],
            phases: BTreeSet::new(),
            contract_objects: BTreeSet::new(),
        };
        if let Some(obj) = drops {
            let rule = rules.get("drop-column").expect("builtin drop-column");
            c.findings.push(finding(
                rule,
                m,
                Some(m.span),
                Some(obj.to_string()),
                format!("drops {obj}"),
            ));
            c.phases.insert(Phase::Contract);
            c.contract_objects.insert(obj.to_string());
        }
        if adds {
            c.phases.insert(Phase::Expand);
        }
        c
    }

    struct Case {
        migrations: Vec<Migration>,
        classified: Vec<Classified>,
    }

    impl Case {
        fn new() -> Self {
            Case {
                migrations: vec![],
                classified: vec![],
            }
        }
        fn with(mut self, m: Migration, drops: Option<&str>, adds: bool) -> Self {
            let rules = RuleSet::builtin();
            self.classified.push(classified(&m, &rules, drops, adds));
            self.migrations.push(m);
            self
        }
        fn run(self) -> Vec<Finding> {
            let rules = RuleSet::builtin();
            super::checked(&self.migrations, &self.classified, &rules)
        }
    }

    fn expand() -> Migration {
        migration("AddSmileCode1700000100000", 1700000100000, &[])
    }

    const OBJ: &str = "public.product.legacy_code";

    fn statuses(fs: &[Finding]) -> Vec<(&str, Status)> {
        fs.iter()
            .map(|f| (f.rule.as_str(), Gate::BLOCK.status(f)))
            .collect()
    }

    #[test]
    fn annotated_with_an_earlier_expand_is_acknowledged() {
        let fs = Case::new()
            .with(expand(), None, true)
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &[
                        "@destructive: DROP COLUMN product.legacy_code",
                        "@expand-migration: AddSmileCode1700000100000",
                    ],
                ),
                Some(OBJ),
                false,
            )
            .run();
        assert_eq!(statuses(&fs), vec![("drop-column", Status::Acknowledged)]);
    }

    #[test]
    fn none_with_a_reason_satisfies_the_expand_annotation() {
        let fs = Case::new()
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &[
                        "@destructive: drop legacy_code",
                        "@expand-migration: NONE (never read by application code)",
                    ],
                ),
                Some(OBJ),
                false,
            )
            .run();
        assert_eq!(statuses(&fs), vec![("drop-column", Status::Acknowledged)]);
    }

    #[test]
    fn missing_annotations_fail_with_the_recipe_naming_the_object() {
        let fs = Case::new()
            .with(
                migration("DropLegacy1700000200000", 1700000200000, &[]),
                Some(OBJ),
                false,
            )
            .run();
        assert_eq!(
            statuses(&fs),
            vec![
                ("drop-column", Status::Failing),
                ("missing-destructive-annotation", Status::Failing),
                ("missing-expand-annotation", Status::Failing),
            ]
        );
        let help = fs[1].help.as_deref().unwrap_or("");
        assert!(
            help.contains("no longer reads product.legacy_code"),
            "{help}"
        );
        assert!(help.contains("// @expand-migration:"), "{help}");
        assert_eq!(fs[1].span.map(|s| s.line), Some(10));
    }

    #[test]
    fn only_destructive_missing_still_fails() {
        let fs = Case::new()
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &["@expand-migration: NONE (unused)"],
                ),
                Some(OBJ),
                false,
            )
            .run();
        assert_eq!(
            statuses(&fs),
            vec![
                ("drop-column", Status::Failing),
                ("missing-destructive-annotation", Status::Failing),
            ]
        );
    }

    #[test]
    fn unknown_expand_migration_suggests_the_closest_name() {
        let fs = Case::new()
            .with(expand(), None, true)
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &[
                        "@destructive: DROP COLUMN product.legacy_code",
                        "@expand-migration: AddSmilCode1700000100000",
                    ],
                ),
                Some(OBJ),
                false,
            )
            .run();
        let unknown: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.rule == "unknown-expand-migration")
            .collect();
        assert_eq!(unknown.len(), 1);
        assert!(unknown[0]
            .message
            .contains("did you mean `AddSmileCode1700000100000`"));
        assert_eq!(unknown[0].span.map(|s| s.line), Some(2));
        assert!(fs
            .iter()
            .any(|f| f.rule == "drop-column" && Gate::BLOCK.status(f) == Status::Failing));
    }

    #[test]
    fn expand_running_after_the_contract_fails() {
        let fs = Case::new()
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &[
                        "@destructive: DROP COLUMN product.legacy_code",
                        "@expand-migration: AddSmileCode1700000300000",
                    ],
                ),
                Some(OBJ),
                false,
            )
            .with(
                migration("AddSmileCode1700000300000", 1700000300000, &[]),
                None,
                true,
            )
            .run();
        assert!(fs
            .iter()
            .any(|f| f.rule == "expand-not-before-contract"
                && Gate::BLOCK.status(f) == Status::Failing));
        // Naming itself is not "before" either.
        let fs = Case::new()
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &[
                        "@destructive: DROP COLUMN product.legacy_code",
                        "@expand-migration: DropLegacy1700000200000",
                    ],
                ),
                Some(OBJ),
                false,
            )
            .run();
        assert!(fs.iter().any(|f| f.rule == "expand-not-before-contract"));
    }

    #[test]
    fn expand_and_contract_in_one_migration_must_be_split() {
        let fs = Case::new()
            .with(
                migration(
                    "Both1700000200000",
                    1700000200000,
                    &[
                        "@destructive: DROP COLUMN product.legacy_code",
                        "@expand-migration: NONE (not read)",
                    ],
                ),
                Some(OBJ),
                true,
            )
            .run();
        assert_eq!(
            statuses(&fs),
            vec![
                ("drop-column", Status::Failing),
                ("mixed-expand-contract", Status::Failing),
            ]
        );
        assert!(fs[1].message.contains("split"));
    }

    /// Naming nothing acknowledges nothing (issue 10: each object must be named).
    #[test]
    fn destructive_text_naming_nothing_dropped_acknowledges_nothing() {
        let fs = Case::new()
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &[
                        "@destructive: remove the old stuff",
                        "@expand-migration: NONE (not read)",
                    ],
                ),
                Some(OBJ),
                false,
            )
            .run();
        assert_eq!(
            statuses(&fs),
            vec![
                ("drop-column", Status::Failing),
                ("annotation-mismatch", Status::Warning),
            ]
        );
        // Table.column, column, case-insensitive all count as naming it.
        for text in ["drop PRODUCT.LEGACY_CODE", "Legacy_Code is gone"] {
            let header = format!("@destructive: {text}");
            let fs = Case::new()
                .with(
                    migration(
                        "DropLegacy1700000200000",
                        1700000200000,
                        &[&header, "@expand-migration: NONE (not read)"],
                    ),
                    Some(OBJ),
                    false,
                )
                .run();
            assert!(
                !fs.iter().any(|f| f.rule == "annotation-mismatch"),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_annotations_are_invalid_annotation_findings_at_their_line() {
        let fs = Case::new()
            .with(
                migration(
                    "DropLegacy1700000200000",
                    1700000200000,
                    &[
                        "@destructive:",
                        "@expand-migration: NONE",
                        "@destructve: x",
                        "@expand-migrations: y",
                    ],
                ),
                None,
                false,
            )
            .run();
        let lines: Vec<Option<usize>> = fs
            .iter()
            .filter(|f| f.rule == "invalid-annotation")
            .map(|f| f.span.map(|s| s.line))
            .collect();
        assert_eq!(lines, vec![Some(1), Some(2), Some(3), Some(4)]);
        assert!(fs
            .iter()
            .all(|f| f.rule != "invalid-annotation" || Gate::BLOCK.status(f) == Status::Failing));
    }

    #[test]
    fn a_migration_that_only_expands_needs_no_annotation() {
        let fs = Case::new().with(expand(), None, true).run();
        assert!(fs.is_empty(), "{fs:?}");
    }

    #[test]
    fn messages_and_help_snapshot() {
        let fs = Case::new()
            .with(expand(), None, true)
            .with(
                migration("DropLegacy1700000200000", 1700000200000, &[]),
                Some(OBJ),
                false,
            )
            .with(
                migration(
                    "DropMore1700000300000",
                    1700000300000,
                    &[
                        "@destructive: old things",
                        "@expand-migration: AddSmileCod1700000100000",
                    ],
                ),
                Some("public.product.other_code"),
                true,
            )
            .run();
        let text: Vec<String> = fs
            .iter()
            .map(|f| {
                format!(
                    "{} [{}] {}:{} {}\n  help: {}",
                    f.rule,
                    Gate::BLOCK.status(f).as_str(),
                    f.migration.as_deref().unwrap_or("-"),
                    f.span.map(|s| s.line).unwrap_or(0),
                    f.message,
                    f.help.as_deref().unwrap_or("-")
                )
            })
            .collect();
        insta::assert_snapshot!(text.join("\n"));
    }
}
