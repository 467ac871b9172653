//! One fixture per rule, the way ruff and squawk keep theirs: every rule of the
//! built-in rules file has a folder `tests/fixtures/rules/<rule-id>/` with
//!
//! - `fail/`: migrations that must raise the rule (reported, not suppressed), and
//! - `pass/`: the same change done the way the rule's `instead` text recommends; the
//!   whole command must pass (exit 0) with the rule not failing.
//!
//! A folder may also hold `history.sql` (or `fail.history.sql` / `pass.history.sql`
//! for one case): the case then runs `release-check` against a fresh database on which
//! that file ran (it creates the history table and its rows), and `base/`: the case then runs the PR gate, with `base/` committed as the
//! base branch and `fail/` or `pass/` as the branch's working tree. `args` (one argument
//! per line) adds arguments to the command; with `--entities` among them, migguard
//! runs with the shared TypeORM install on `NODE_PATH` (`tests/support/node.rs`).
//! `rules.toml` is a user rules file both cases run with (`--rules`): how the rules
//! that are off by default (the style rules) are switched on and tested.
//!
//! The rendered human diagnostic of each `fail/` case is snapshotted (insta), so a
//! change to a rule's message or span shows up in review beside the rule.

mod support;
mod util;

use migguard::finding::Severity;
use migguard::ruleset::RuleSet;
use std::path::{Path, PathBuf};
use util::*;

fn fixtures_root() -> PathBuf {
    repo_root().join("tests/fixtures/rules")
}

/// What one case ran: the JSON report and the human rendering of the same run.
struct CaseRun {
    json: serde_json::Value,
    code: i32,
    human: String,
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn extra_args(rule_dir: &Path) -> Vec<String> {
    std::fs::read_to_string(rule_dir.join("args"))
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The history file of a release-check case, if the folder has one.
fn history_file(rule_dir: &Path, case: &str) -> Option<PathBuf> {
    [format!("{case}.history.sql"), "history.sql".to_string()]
        .into_iter()
        .map(|name| rule_dir.join(name))
        .find(|p| p.is_file())
}

/// Runs one case (`fail` or `pass`) of a rule folder in a scratch copy, so every path
/// in the output is relative and the snapshot does not depend on where the repo is.
fn run_case(rule_dir: &Path, case: &str) -> CaseRun {
    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path();
    let migrations = work.join("migrations");
    let mut args: Vec<String> = Vec::new();
    if rule_dir.join("base").is_dir() {
        copy_dir(&rule_dir.join("base"), &migrations);
        git(work, &["init", "-q", "-b", "main"]);
        git(work, &["add", "-A"]);
        git(work, &["commit", "-q", "-m", "base"]);
        std::fs::remove_dir_all(&migrations).unwrap();
        copy_dir(&rule_dir.join(case), &migrations);
        args.extend(["lint".into(), "migrations".into()]);
        args.extend(["--changed-since".into(), "main".into()]);
    } else {
        copy_dir(&rule_dir.join(case), &migrations);
        if history_file(rule_dir, case).is_some() {
            args.extend(["release-check".into(), "migrations".into()]);
        } else {
            args.extend(["lint".into(), "migrations".into()]);
        }
    }
    let db;
    if let Some(history) = history_file(rule_dir, case) {
        db = support::pg::cluster().create_database("rule_fixture");
        db.execute(&std::fs::read_to_string(history).unwrap());
        args.extend(["--database-url".into(), db.url.clone()]);
    }
    args.extend(extra_args(rule_dir));
    if let Some(rules) = user_rules(rule_dir) {
        std::fs::copy(rules, work.join("rules.toml")).unwrap();
        args.extend(["--rules".into(), "rules.toml".into()]);
    }
    let as_strs = |extra: &[&str]| -> Vec<String> {
        let mut a = args.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let json_args = as_strs(&["--format", "json"]);
    let human_args = as_strs(&["--format", "human", "--color", "never"]);
    // `--entities` cases load their TypeORM entities through Node and the shared
    // TypeORM install.
    let node_path;
    let mut env: Vec<(&str, &str)> = Vec::new();
    if args.iter().any(|a| a == "--entities") {
        node_path = support::node::node_modules().to_string_lossy().into_owned();
        env.push(("NODE_PATH", &node_path));
    }
    let json_run = run_env(work, &refs(&json_args), &env);
    let human_run = run_env(work, &refs(&human_args), &env);
    assert_ne!(
        json_run.code,
        2,
        "{}/{case}: migguard could not run: {}",
        rule_dir.display(),
        json_run.stderr
    );
    CaseRun {
        json: json_run.json(),
        code: json_run.code,
        human: stable_text(&human_run.stdout, work),
    }
}

/// The output with what differs from run to run (the scratch folder, the base commit's
/// hash, which depends on the commit time) replaced by placeholders.
fn stable_text(out: &str, work: &Path) -> String {
    let commit = regex::Regex::new(r"since [0-9a-f]{7,40}\b").unwrap();
    commit
        .replace_all(
            &out.replace(work.to_str().unwrap(), "<tmp>"),
            "since <commit>",
        )
        .into_owned()
}

/// Findings of `rule` that count (failing, or reported as a warning).
fn reported(json: &serde_json::Value, rule: &str) -> usize {
    json["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter(|f| f["rule"] == rule)
                .filter(|f| f["status"] == "failing" || f["status"] == "warning")
                .count()
        })
        .unwrap_or(0)
}

/// The user rules file a rule folder runs with, if it has one.
fn user_rules(rule_dir: &Path) -> Option<PathBuf> {
    Some(rule_dir.join("rules.toml")).filter(|p| p.is_file())
}

/// Rules with no fixture: `additive-change` raises nothing of its own (it is off and
/// only marks a migration as expand for `mixed-expand-contract`, whose fixture
/// exercises it), so it has no wrong and right way of writing a migration to show.
/// Every other rule has a folder, the style rules that are off by default too (their
/// `rules.toml` switches them on).
const MARKER_RULES: &[&str] = &["additive-change"];

fn is_marker(rule: &migguard::ruleset::Rule) -> bool {
    MARKER_RULES.contains(&rule.id.as_str())
}

#[test]
fn every_rule_has_a_fixture_folder_and_every_folder_a_rule() {
    let rules = RuleSet::builtin();
    for id in MARKER_RULES {
        let marker = rules.get(id).unwrap_or_else(|| panic!("{id} is no rule"));
        assert_eq!(
            marker.severity,
            Severity::Off,
            "{id} raises findings now: give it a fixture folder"
        );
    }
    let mut missing = Vec::new();
    for rule in rules.rules.iter().filter(|r| !is_marker(r)) {
        let dir = fixtures_root().join(rule.id.as_str());
        if !dir.join("fail").is_dir() || !dir.join("pass").is_dir() {
            missing.push(rule.id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "rules without tests/fixtures/rules/<id>/fail and pass: {missing:?}"
    );
    for entry in std::fs::read_dir(fixtures_root()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            rules.get(&name).is_some(),
            "tests/fixtures/rules/{name} names no rule"
        );
    }
}

#[test]
fn every_rule_fixture_fails_and_passes_as_documented() {
    let rules = RuleSet::builtin();
    let mut problems = Vec::new();
    // The live server's major version is the machine's, not the fixture's.
    let live_major = regex::Regex::new(r"PostgreSQL \d+ \(the live server\)").unwrap();
    for rule in rules.rules.iter().filter(|r| !is_marker(r)) {
        let dir = fixtures_root().join(rule.id.as_str());
        if !dir.is_dir() {
            continue; // reported by the test above
        }
        let fail = run_case(&dir, "fail");
        if reported(&fail.json, &rule.id) == 0 {
            problems.push(format!(
                "{}: fail/ does not raise it (exit {}):\n{}",
                rule.id, fail.code, fail.human
            ));
        }
        if rule.severity == Severity::Block && fail.code != 1 {
            problems.push(format!(
                "{}: a blocking rule's fail/ must fail the command (exit {})",
                rule.id, fail.code
            ));
        }
        let pass = run_case(&dir, "pass");
        if pass.code != 0 || reported(&pass.json, &rule.id) != 0 {
            problems.push(format!(
                "{}: pass/ must pass without the rule (exit {}):\n{}",
                rule.id, pass.code, pass.human
            ));
        }
        insta::with_settings!({
            snapshot_suffix => rule.id.to_string(),
            description => format!("{}: human output of tests/fixtures/rules/{}/fail", rule.id, rule.id),
            omit_expression => true,
        }, {
            let human = live_major.replace_all(&fail.human, "PostgreSQL <major> (the live server)");
            insta::assert_snapshot!("rule_fixture", human);
        });
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
