//! Annotation and suppression parsing (`@destructive`, `@expand-migration`,
//! `migguard-ignore…`) on a migration built from arbitrary text: the lint gate's
//! whole pass (classify, expand/contract, placement, suppressions) over one file,
//! SQL for an even-length input and TypeORM for an odd one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migguard::commands::lint::lint_project;
use migguard::project::Project;
use migguard::finding::Severity;
use migguard::parse::{read_file, ReadOptions};
use migguard::ruleset::RuleSet;
use migguard::source::{decode, FileKind, SourceFile};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(RuleSet::builtin);
    let Ok(text) = decode(data) else { return };
    let (name, kind) = if data.len() % 2 == 0 {
        ("0001_fuzz.sql", FileKind::Sql)
    } else {
        ("1700000000000-Fuzz.ts", FileKind::Typeorm)
    };
    let path = PathBuf::from("/nonexistent-migguard-fuzz").join(name);
    let file = SourceFile::new(path.clone(), text);
    let migrations = read_file(&file, kind, &ReadOptions::default());
    for m in &migrations {
        let _ = migguard::annotations::annotations(m);
        let _ = migguard::annotations::suppress::suppressions(m);
    }
    let project = Project {
        sources: BTreeMap::from([(path, file)]),
        migrations,
        empty_files: Vec::new(),
        annotation_sources: Vec::new(),
    };
    for fail_on in [Severity::Block, Severity::Warn] {
        let _ = lint_project(&project, rules, fail_on);
    }
});
