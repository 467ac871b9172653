//! `lint --format json` on the benchmarks' flagged corpus (`benches/corpus.rs`:
//! six flagged statements per TypeORM file), run through the real binary. The
//! performance work on that corpus must not change a byte of the output: the JSON of
//! a slice of it is pinned by a reviewed snapshot, and the output must not depend
//! on how many threads read the files.

mod util;
use util::*;

#[path = "../benches/corpus.rs"]
mod corpus;

use std::collections::BTreeMap;

fn lint_json(dir: &std::path::Path, threads: &str) -> Run {
    run_env(
        dir,
        &["lint", ".", "--format", "json"],
        &[("RAYON_NUM_THREADS", threads)],
    )
}

#[test]
fn flagged_corpus_flags_every_kind_in_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let files = 70;
    corpus::write_flagged_typeorm_corpus(dir.path(), files);
    let r = lint_json(dir.path(), "2");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    let findings = v["findings"].as_array().unwrap();
    let mut rules_by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in findings {
        rules_by_file
            .entry(f["file"].as_str().unwrap())
            .or_default()
            .push(f["rule"].as_str().unwrap());
    }
    assert_eq!(rules_by_file.len(), files, "every file has findings");
    for (file, rules) in &rules_by_file {
        for expected in [
            "drop-column",
            "drop-table",
            "rename-column",
            "create-index-non-concurrent",
            "set-not-null",
        ] {
            assert!(rules.contains(&expected), "{file}: {expected} in {rules:?}");
        }
        assert!(
            rules.contains(&"alter-column-type") || rules.contains(&"change-column-recreate"),
            "{file}: the type change in {rules:?}"
        );
    }
    // Every 10th file (i % 10 == 9) is annotated as a contract migration, but it
    // also builds an index (expand): still failing, as mixed expand/contract.
    let annotated = rules_by_file
        .iter()
        .filter(|(_, rules)| !rules.contains(&"missing-destructive-annotation"))
        .inspect(|(file, rules)| assert!(rules.contains(&"mixed-expand-contract"), "{file}"))
        .count();
    assert_eq!(annotated, 7);
    let summary = &v["summary"];
    // Every 7th file (i % 7 == 3) suppresses its index finding.
    assert_eq!(summary["suppressed"], 10);
    assert_eq!(summary["migrations"], files);
}

#[test]
fn flagged_corpus_json_is_the_same_on_one_thread_and_several() {
    let dir = tempfile::tempdir().unwrap();
    corpus::write_flagged_typeorm_corpus(dir.path(), 300);
    let one = lint_json(dir.path(), "1");
    let several = lint_json(dir.path(), "4");
    assert_eq!(one.code, 1, "{}", one.stderr);
    assert_eq!(several.code, 1, "{}", several.stderr);
    assert!(
        one.stdout == several.stdout,
        "the JSON differs with the thread count"
    );
}

#[test]
fn flagged_corpus_json_output_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    corpus::write_flagged_typeorm_corpus(dir.path(), 10);
    let r = lint_json(dir.path(), "2");
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}
