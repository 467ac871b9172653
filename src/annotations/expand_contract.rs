//! Expand/contract discipline (DESIGN §4).
//!
//! A migration is a *contract* migration when any of its operations matches a rule
//! with `phase = "contract"` (drop, rename, truncate…). It must say so with
//! `@destructive: <what>` and name the earlier additive migration it completes with
//! `@expand-migration: <Name>` (or `NONE (<reason>)`). Correctly annotated, its
//! destructive findings are `acknowledged` instead of failing. The checks here are
//! pure: migrations, their classification and the rules in, findings out.

use super::{annotations, ExpandRef};
use crate::classify::{finding, Classified};
use crate::finding::{Finding, Phase, Severity, Status};
use crate::ir::Migration;
use crate::ruleset::{strsim, RuleSet};

/// The expand/contract recipe, with the concrete names, for help texts.
fn recipe(m: &Migration, objects: &[String]) -> String {
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
    format!(
        "Expand/contract: 1) ship an additive migration that adds the replacement (and backfills it); \
         2) deploy code that no longer reads {what}; \
         3) then ship `{}` with `{c} @destructive: <what it drops, e.g. {}>` and \
         `{c} @expand-migration: <the step-1 migration's name>` (or `NONE (<reason>)` if nothing replaces it).",
        m.name,
        objects.first().map(String::as_str).unwrap_or("DROP COLUMN table.column"),
    )
}

/// Run the checks over all migrations (sorted in run order) and their classification
/// (same order); adjust statuses and add findings.
pub fn check(
    migrations: &[Migration],
    classified: &[Classified],
    rules: &RuleSet,
    findings: &mut Vec<Finding>,
    fail_on: Severity,
) {
    for (m, c) in migrations.iter().zip(classified) {
        let a = annotations(m);
        let mut add = |id: &str, span, message: String, help: Option<String>| {
            if let Some(rule) = rules.get(id).filter(|r| r.severity != Severity::Off) {
                let mut f = finding(rule, m, span, None, message, fail_on);
                if help.is_some() {
                    f.help = help;
                }
                findings.push(f);
            }
        };
        for (span, msg) in &a.problems {
            add("invalid-annotation", Some(*span), msg.clone(), None);
        }
        let is_contract = c.phases.contains(&Phase::Contract);
        let is_expand = c.phases.contains(&Phase::Expand);
        if !is_contract {
            continue;
        }
        let objects: Vec<String> = c.contract_objects.iter().cloned().collect();
        let mut ok = true;
        if is_expand {
            ok = false;
            add(
                "mixed-expand-contract",
                Some(m.span),
                format!("`{}` both adds and drops/renames ({}): split it into an expand migration and a later contract migration", m.name, objects.join(", ")),
                None,
            );
        }
        match &a.destructive {
            None => {
                ok = false;
                add(
                    "missing-destructive-annotation",
                    Some(m.span),
                    format!(
                        "`{}` drops or renames {} but has no `@destructive:` annotation",
                        m.name,
                        objects.join(", ")
                    ),
                    Some(recipe(m, &objects)),
                );
            }
            Some(d) => {
                if !objects.is_empty() && !mentions_any(&d.value, &objects) {
                    add(
                        "annotation-mismatch",
                        Some(d.span),
                        format!("`@destructive: {}` does not name what the migration drops or renames: {}", d.value, objects.join(", ")),
                        None,
                    );
                }
            }
        }
        match &a.expand {
            None => {
                ok = false;
                add(
                    "missing-expand-annotation",
                    Some(m.span),
                    format!(
                        "`{}` is a contract migration but names no `@expand-migration:`",
                        m.name
                    ),
                    Some(recipe(m, &objects)),
                );
            }
            Some(e) => match &e.value {
                ExpandRef::None { .. } => {}
                ExpandRef::Migration(name) => match migrations.iter().find(|x| &x.name == name) {
                    None => {
                        ok = false;
                        let closest = migrations
                            .iter()
                            .map(|x| (strsim(name, &x.name), &x.name))
                            .filter(|(d, _)| *d <= 5)
                            .min()
                            .map(|(_, n)| format!(" (did you mean `{n}`?)"))
                            .unwrap_or_default();
                        add("unknown-expand-migration", Some(e.span), format!("`@expand-migration: {name}` names no migration that migguard read{closest}"), None);
                    }
                    Some(x) if x.order >= m.order => {
                        ok = false;
                        add(
                            "expand-not-before-contract",
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
            for f in findings.iter_mut() {
                if f.migration.as_deref() == Some(&m.name)
                    && f.phase == Phase::Contract
                    && f.status != Status::Suppressed
                {
                    f.status = Status::Acknowledged;
                }
            }
        }
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
        t.contains(&last_two) || contains_word(&t, &last)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;
    use crate::parse::sql::read_sql_file;
    use crate::parse::ReadOptions;
    use crate::source::SourceFile;

    fn read(path: &str, sql: &str) -> Migration {
        read_sql_file(
            &SourceFile::new(path.into(), sql.to_string()),
            &ReadOptions::default(),
        )
        .remove(0)
    }

    fn run(ms: Vec<Migration>) -> Vec<(String, String, Status)> {
        let rules = RuleSet::builtin();
        let classified: Vec<Classified> = ms
            .iter()
            .map(|m| classify(m, &rules, Severity::Block))
            .collect();
        let mut findings: Vec<Finding> =
            classified.iter().flat_map(|c| c.findings.clone()).collect();
        check(&ms, &classified, &rules, &mut findings, Severity::Block);
        findings
            .into_iter()
            .map(|f| (f.migration.unwrap_or_default(), f.rule, f.status))
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
        assert!(r
            .iter()
            .any(|x| x.1 == "drop-column" && x.2 == Status::Acknowledged));
    }

    #[test]
    fn mention_matching() {
        let objs = vec!["public.product.legacy_code".to_string()];
        assert!(mentions_any("DROP COLUMN product.legacy_code", &objs));
        assert!(mentions_any("drop legacy_code (moved)", &objs));
        assert!(!mentions_any("drop legacy_codes", &objs));
    }
}
